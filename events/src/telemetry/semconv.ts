// OpenTelemetry messaging semantic conventions. They are still "development" status, so they
// are copied here as the semantic-conventions package advises instead of imported from its
// unstable entry point.
export const MESSAGING_SYSTEM = 'messaging.system';
export const MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name';
export const MESSAGING_BATCH_MESSAGE_COUNT = 'messaging.batch.message_count';
export const METRIC_MESSAGING_PROCESS_DURATION = 'messaging.process.duration';
export const METRIC_MESSAGING_CLIENT_OPERATION_DURATION = 'messaging.client.operation.duration';
export const METRIC_MESSAGING_CLIENT_SENT_MESSAGES = 'messaging.client.sent.messages';
/** CloudEvents semantic conventions (stable names): the event's id and type. */
export const CLOUDEVENTS_EVENT_ID = 'cloudevents.event_id';
export const CLOUDEVENTS_EVENT_TYPE = 'cloudevents.event_type';

/** The last part of an ARN or a queue URL: what the conventions call the destination name. */
export const destinationName = (arnOrUrl: string) => arnOrUrl.split(/[:/]/).pop() ?? arnOrUrl;
