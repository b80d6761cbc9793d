import type { EventType } from './catalog/index.ts';

/**
 * What a service declares about itself in `services/<name>/service.ts`. Data only: the
 * cloud stack, the local runner, docker-compose and the AsyncAPI document are derived
 * from these declarations, so adding a subscriber never touches the producer or infra/.
 */
export interface ServiceManifest {
  /** Lower-case, dash-separated; names the queue, the database, the image and the log prefix. */
  name: string;
  description: string;
  /** Event types this service reacts to; empty means no queue is created for it. */
  consumes: readonly EventType[];
  /** Event types this service publishes; a non-empty list grants it `sns:Publish`. */
  publishes: readonly EventType[];
  /** Present when the service serves HTTP behind the gateway / load balancer. */
  http?: {
    /** Path prefixes routed to this service, e.g. `/api/v1/todos`. */
    pathPrefixes: readonly string[];
    /** Answered with 200 once the service is ready; used by the ALB and container health checks. */
    healthPath: string;
    /** Gateway/ALB rule priority; lower wins when prefixes overlap. */
    priority: number;
  };
  queue: {
    /** Seconds a received message stays hidden; the runtime's heartbeat extends it for slow handlers. */
    visibilityTimeoutSeconds: number;
    /** Receives before a message moves to the dead-letter queue. */
    maxReceiveCount: number;
  };
  scaling: {
    minTasks: number;
    maxTasks: number;
    /** Consumers: visible messages per running task that autoscaling aims for. */
    backlogPerTask: number;
    /** HTTP services: average CPU percent autoscaling aims for. */
    cpuTargetPercent: number;
  };
  /** Fargate size. */
  resources: { cpu: 256 | 512 | 1024 | 2048; memoryMiB: number };
  /**
   * S3 key prefixes of the shared bucket the service's own code reads or writes (e.g. calendars).
   * Claim checks are not listed: the AWS contract derives them from the events it consumes/publishes.
   */
  storage: { reads: readonly string[]; writes: readonly string[] };
  /**
   * Start with history: on the first start of the stack that has this service, the event store
   * replays what it holds of the consumed events into this service's queue, once. `true` replays
   * everything; an ISO 8601 date or datetime replays what happened from then on. It also grants
   * the event store permission to send to this queue (and to no other).
   */
  backfill?: true | string;
  /**
   * `false`: the service keeps no data (the web UI). It gets no database anywhere: runService opens
   * none, npm start and compose pass no URL, infra makes no role, database or secret for it.
   */
  database?: false;
  /** This service keeps every event and replays it into the queues of services with `backfill` (audit). */
  eventStore?: true;
  /**
   * CPU priority under `npm start`, where every service shares one machine (ADR 0084): `idle`
   * runs only on a core nothing else wants, so consumers catching up never slow requests down;
   * their events wait in the queues. Default: `idle` for a service that consumes events, `normal`
   * otherwise; todo, where the users' writes come in, says `normal`. The cloud ignores it.
   */
  localPriority?: LocalPriority;
}

/** `idle`: runs only on a core no normal-priority process wants (ADR 0084). */
export type LocalPriority = 'normal' | 'idle';

export const defaultQueue = { visibilityTimeoutSeconds: 30, maxReceiveCount: 5 } as const;
export const defaultScaling = { minTasks: 1, maxTasks: 4, backlogPerTask: 100, cpuTargetPercent: 60 } as const;
export const defaultResources = { cpu: 256, memoryMiB: 512 } as const;

/** Fills the defaults so manifests state only what is particular to them. */
export function defineService(
  manifest: Pick<ServiceManifest, 'name' | 'description' | 'consumes' | 'publishes'> &
    Partial<Omit<ServiceManifest, 'name' | 'description' | 'consumes' | 'publishes'>>,
): ServiceManifest {
  return {
    queue: defaultQueue,
    scaling: defaultScaling,
    resources: defaultResources,
    storage: { reads: [], writes: [] },
    ...manifest,
  };
}

/** The CPU priority `npm start` gives the service: see `localPriority`. */
export const localPriorityOf = (manifest: ServiceManifest): LocalPriority =>
  manifest.localPriority ?? (manifest.consumes.length > 0 ? 'idle' : 'normal');

export const healthPaths = { live: '/health/live', ready: '/health/ready' } as const;

/**
 * The load balancer's path patterns for HTTP path prefixes: a prefix and everything below it;
 * `/` (the web UI) is one `/*`; a prefix naming one file (a dot in its last segment, e.g.
 * `/api/v1/openapi.json`) matches exactly.
 */
export const pathPatterns = (prefixes: readonly string[]): string[] =>
  prefixes.flatMap((prefix) => {
    if (prefix === '/') return ['/*'];
    return /\.[^/]+$/.test(prefix) ? [prefix] : [prefix, `${prefix}/*`];
  });
