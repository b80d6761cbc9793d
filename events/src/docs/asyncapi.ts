import { z } from 'zod';
import { catalog, type EventType, eventTypes } from '../catalog/index.ts';
import { dataSchemaUri, envelopeSchema } from '../envelope.ts';
import type { ServiceManifest } from '../manifest.ts';
import { buildTopology } from '../topology.ts';

/** JSON Schema (draft 2020-12) of one event type's `data`. */
export function dataJsonSchema(type: EventType): Record<string, unknown> {
  return {
    $id: dataSchemaUri(type),
    title: `${type} data`,
    description: catalog[type].description,
    ...z.toJSONSchema(catalog[type].schema, { target: 'draft-2020-12' }),
  };
}

/** JSON Schema of the CloudEvents envelope shared by every event. */
export function envelopeJsonSchema(): Record<string, unknown> {
  return {
    title: 'TaskOverflow CloudEvent envelope',
    ...z.toJSONSchema(envelopeSchema, { target: 'draft-2020-12', unrepresentable: 'any' }),
  };
}

const operationId = (service: string, verb: 'publish' | 'consume') => `${service}.${verb}`;

/**
 * AsyncAPI 3.0: one channel (the SNS topic), one message per event type, and for each
 * service a send operation for what it publishes and a receive operation (through its
 * own SQS queue) for what it consumes.
 */
export function asyncApiDocument(manifests: readonly ServiceManifest[]): Record<string, unknown> {
  const topology = buildTopology(manifests);
  const messageRef = (type: EventType) => ({ $ref: `#/channels/events/messages/${type}` });
  const operations: Record<string, unknown> = {};
  for (const manifest of manifests) {
    if (manifest.publishes.length) {
      operations[operationId(manifest.name, 'publish')] = {
        action: 'send',
        summary: `${manifest.name} publishes`,
        channel: { $ref: '#/channels/events' },
        messages: manifest.publishes.map(messageRef),
      };
    }
    const queue = topology.consumers.find((consumer) => consumer.service === manifest.name);
    if (queue) {
      operations[operationId(manifest.name, 'consume')] = {
        action: 'receive',
        summary: `${manifest.name} consumes through SQS queue ${queue.queueName} (DLQ ${queue.dlqName}, maxReceiveCount ${queue.maxReceiveCount})`,
        channel: { $ref: '#/channels/events' },
        messages: manifest.consumes.map(messageRef),
        bindings: { sqs: { queue: { name: queue.queueName, deadLetterQueue: { name: queue.dlqName } } } },
      };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'TaskOverflow events',
      version: '1.0.0',
      description:
        'Domain events of TaskOverflow. Every event is a CloudEvents 1.0 JSON document published to one SNS topic and delivered raw to one SQS queue per consuming service, filtered on the `type` message attribute. Generated from events/src/catalog and services/*/service.ts — do not edit.',
    },
    defaultContentType: 'application/cloudevents+json',
    channels: {
      events: {
        address: topology.topicName,
        description: 'The SNS topic every service publishes to.',
        messages: Object.fromEntries(
          eventTypes.map((type) => [
            type,
            {
              name: type,
              title: type,
              summary: catalog[type].description,
              contentType: 'application/json',
              headers: {
                type: 'object',
                description: 'SNS/SQS message attributes',
                properties: { type: { const: type }, subject: { type: 'string' } },
              },
              payload: {
                allOf: [
                  { $ref: '#/components/schemas/CloudEvent' },
                  {
                    type: 'object',
                    properties: {
                      type: { const: type },
                      dataschema: { const: dataSchemaUri(type) },
                      data: { $ref: `#/components/schemas/${type}` },
                    },
                  },
                ],
              },
            },
          ]),
        ),
      },
    },
    operations,
    components: {
      schemas: {
        CloudEvent: envelopeJsonSchema(),
        ...Object.fromEntries(eventTypes.map((type) => [type, dataJsonSchema(type)])),
      },
    },
  };
}
