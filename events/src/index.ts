export * from './backfill.ts';
export * from './catalog/index.ts';
export {
  type ClaimCheckStore,
  claimCheckKey,
  claimCheckPrefix,
  claimCheckThresholdBytes,
  offloadIfLarge,
  resolveData,
} from './claim-check.ts';
export { backoffSeconds } from './consumer/backoff.ts';
export { type ConsumerOptions, type RunningConsumer, startConsumer } from './consumer/runtime.ts';
export * from './consumer/types.ts';
export * from './envelope.ts';
export * from './manifest.ts';
export {
  appendToOutbox,
  causeValues,
  type EventCause,
  type OutboxEntry,
  type OutboxSelect,
  outboxInsertSql,
} from './outbox/append.ts';
export { chunkForPublish, type Outgoing, publishChunk } from './outbox/publish-batch.ts';
export { type Relay, type RelayOptions, startOutboxRelay } from './outbox/relay.ts';
export * from './topology.ts';
