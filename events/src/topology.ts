import type { EventType } from './catalog/index.ts';
import type { ServiceManifest } from './manifest.ts';

export interface ConsumerQueue {
  service: string;
  queueName: string;
  dlqName: string;
  eventTypes: readonly EventType[];
  /** SNS subscription filter on the `type` message attribute. */
  filterPolicy: { type: EventType[] };
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}

export interface Topology {
  topicName: string;
  consumers: ConsumerQueue[];
}

/**
 * The messaging topology implied by the manifests: one topic, and for every service that
 * consumes something a queue, its dead-letter queue and a filtered subscription. The
 * local runner applies it through the SDK; infra/ builds the same shape in Pulumi.
 */
export function buildTopology(manifests: readonly ServiceManifest[], prefix = 'taskoverflow'): Topology {
  return {
    topicName: `${prefix}-events`,
    consumers: manifests
      .filter((manifest) => manifest.consumes.length > 0)
      .map((manifest) => ({
        service: manifest.name,
        queueName: `${prefix}-${manifest.name}`,
        dlqName: `${prefix}-${manifest.name}-dlq`,
        eventTypes: manifest.consumes,
        filterPolicy: { type: [...manifest.consumes].sort() },
        visibilityTimeoutSeconds: manifest.queue.visibilityTimeoutSeconds,
        maxReceiveCount: manifest.queue.maxReceiveCount,
      })),
  };
}
