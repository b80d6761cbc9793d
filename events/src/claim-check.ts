import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { inSpan, SpanKind } from '@taskoverflow/platform/telemetry';
import { PermanentError } from './consumer/types.ts';
import { type CloudEvent, envelopeJson } from './envelope.ts';

export interface ClaimCheckStore {
  s3: S3Client;
  bucket: string;
}

/**
 * SNS and SQS accept 256 KiB per message, message attributes included. Events whose JSON
 * is larger than this keep their envelope on the bus and move `data` to S3, leaving room
 * for attributes and for the `dataref` itself.
 */
export const claimCheckThresholdBytes = 200 * 1024;

/** Where claim-check payloads live in the bucket; the AWS contract grants exactly this prefix. */
export const claimCheckPrefix = 'claim-checks/';
export const claimCheckKey = (event: Pick<CloudEvent, 'type' | 'id'>) =>
  `${claimCheckPrefix}${event.type}/${event.id}.json`;

/**
 * The JSON body to publish for an event whose data is `dataJson`: the event itself, or —
 * above the threshold — the envelope with `data: null` plus the CloudEvents `dataref`
 * extension pointing at the S3 object. The object is written before the body is returned,
 * so a consumer can always resolve it.
 */
export async function offloadIfLarge(
  envelope: Omit<CloudEvent, 'data'>,
  dataJson: string,
  store: ClaimCheckStore | undefined,
  thresholdBytes = claimCheckThresholdBytes,
): Promise<string> {
  const body = envelopeJson(envelope, dataJson);
  if (!store || Buffer.byteLength(body) <= thresholdBytes) return body;
  const key = claimCheckKey(envelope);
  await inSpan('claim check put', { kind: SpanKind.CLIENT, attributes: { 'aws.s3.key': key } }, () =>
    store.s3.send(
      new PutObjectCommand({ Bucket: store.bucket, Key: key, Body: dataJson, ContentType: 'application/json' }),
    ),
  );
  // `data: null` rather than absent: the envelope schema requires the key to be present.
  return JSON.stringify({ ...envelope, data: null, dataref: `s3://${store.bucket}/${key}` });
}

/**
 * The envelope with its `data` fetched back from S3 when it carries a `dataref`, unchanged
 * otherwise. References outside the configured bucket or to a missing object can never
 * succeed: they throw PermanentError, which sends the message to the dead-letter queue.
 */
export async function resolveData<E extends { dataref?: string; data?: unknown }>(
  envelope: E,
  store: ClaimCheckStore | undefined,
): Promise<E> {
  if (!envelope.dataref) return envelope;
  if (!store) throw new PermanentError(`event has dataref ${envelope.dataref} but no claim-check bucket is configured`);
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(envelope.dataref);
  if (!match || match[1] !== store.bucket) {
    throw new PermanentError(`dataref ${envelope.dataref} is not in bucket ${store.bucket}`);
  }
  try {
    const key = match[2];
    const text = await inSpan(
      'claim check get',
      { kind: SpanKind.CLIENT, attributes: { 'aws.s3.key': key } },
      async () => {
        const object = await store.s3.send(new GetObjectCommand({ Bucket: store.bucket, Key: key }));
        return object.Body?.transformToString('utf8');
      },
    );
    if (text === undefined) throw new PermanentError(`claim check ${envelope.dataref} is empty`);
    const { dataref: _resolved, ...rest } = envelope;
    return { ...rest, data: JSON.parse(text) } as E;
  } catch (error) {
    if (error instanceof NoSuchKey) throw new PermanentError(`claim check ${envelope.dataref} does not exist`);
    throw error;
  }
}
