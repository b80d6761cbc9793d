import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

export const CALENDAR_CONTENT_TYPE = 'text/calendar; charset=utf-8';

// S3 parts must be at least 5 MiB (except the last); 8 MiB keeps a 100k-todo calendar to ~4 parts.
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;

export interface UploadTarget {
  s3: S3Client;
  bucket: string;
  key: string;
}

/**
 * Stores chunks as one object without ever holding the whole of it: a calendar
 * that fits in a part is a single PutObject; a larger one is a multipart upload whose
 * parts are sent as they fill, so memory stays at about one part. Returns the size in bytes.
 */
export async function uploadChunks(
  { s3, bucket, key }: UploadTarget,
  chunks: Iterable<Uint8Array>,
  partBytes = DEFAULT_PART_BYTES,
): Promise<number> {
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let total = 0;
  let uploadId: string | undefined;
  const parts: CompletedPart[] = [];

  const sendPart = async () => {
    if (uploadId === undefined) {
      const created = await s3.send(
        new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: CALENDAR_CONTENT_TYPE }),
      );
      if (!created.UploadId) throw new Error('CreateMultipartUpload returned no UploadId');
      uploadId = created.UploadId;
    }
    const PartNumber = parts.length + 1;
    const body = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    const { ETag } = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber, Body: body }),
    );
    parts.push({ ETag, PartNumber });
  };

  try {
    for (const chunk of chunks) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      total += chunk.length;
      if (pendingBytes >= partBytes) await sendPart();
    }
    if (uploadId === undefined) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: Buffer.concat(pending, pendingBytes),
          ContentType: CALENDAR_CONTENT_TYPE,
        }),
      );
      return total;
    }
    if (pendingBytes > 0) await sendPart();
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    return total;
  } catch (error) {
    if (uploadId !== undefined) {
      // Parts of an abandoned upload are billed until aborted; a failed abort is left to the bucket's lifecycle rule.
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => {});
    }
    throw error;
  }
}
