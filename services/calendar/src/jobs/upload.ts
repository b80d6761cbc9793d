import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

export const CALENDAR_CONTENT_TYPE = 'text/calendar; charset=utf-8';

// S3 parts must be at least 5 MiB (except the last); 8 MiB keeps a 100k-todo calendar to ~4 parts.
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;

export interface UploadTarget {
  s3: S3Client;
  bucket: string;
  key: string;
}

/**
 * Stores chunks as one object without holding the whole of it, with @aws-sdk/lib-storage:
 * a calendar that fits in a part is a single PutObject, a larger one a multipart upload sent
 * one part at a time (memory stays near one part) and aborted if anything fails, so no
 * orphaned parts are billed. Returns the size in bytes.
 */
export async function uploadChunks(
  { s3, bucket, key }: UploadTarget,
  chunks: Iterable<Uint8Array>,
  partBytes = DEFAULT_PART_BYTES,
): Promise<number> {
  let total = 0;
  const counted = Readable.from(
    (function* () {
      for (const chunk of chunks) {
        total += chunk.length;
        yield chunk;
      }
    })(),
  );
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: counted, ContentType: CALENDAR_CONTENT_TYPE },
    partSize: partBytes,
    queueSize: 1,
    leavePartsOnError: false,
  });
  await upload.done();
  return total;
}
