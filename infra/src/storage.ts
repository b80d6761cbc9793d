import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface StorageArgs {
  prefix: string;
  /** Days after which objects under each prefix are deleted, e.g. `{ 'calendars/': 7 }`. */
  expiryDays: Record<string, number>;
}

/**
 * The bucket for rendered calendars and claim-check payloads: private, encrypted, TLS only.
 * Both kinds of object are transient, so each prefix expires. SSE-S3 rather than the messaging
 * key: no service needs KMS permissions just to read a calendar.
 */
export class Storage extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;

  constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super('taskoverflow:storage:Storage', name, {}, opts);
    const parent = { parent: this };

    // A name prefix, not a name: bucket names are global, so a fixed one would clash across stacks.
    const bucket = new aws.s3.Bucket(name, { bucketPrefix: `${args.prefix}-`, forceDestroy: true }, parent);
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      name,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      parent,
    );
    new aws.s3.BucketOwnershipControls(
      name,
      { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } },
      parent,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      name,
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
      parent,
    );
    new aws.s3.BucketLifecycleConfiguration(
      name,
      {
        bucket: bucket.id,
        rules: [
          ...Object.entries(args.expiryDays).map(([prefix, days]) => ({
            id: `expire-${prefix.replace(/\/$/, '')}`,
            status: 'Enabled',
            filter: { prefix },
            expiration: { days },
          })),
          // A multipart upload whose abort failed (the task died mid-upload) bills its parts until removed.
          {
            id: 'abort-incomplete-multipart-uploads',
            status: 'Enabled',
            filter: { prefix: '' },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      parent,
    );
    new aws.s3.BucketPolicy(
      name,
      {
        bucket: bucket.id,
        policy: pulumi.jsonStringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'DenyInsecureTransport',
              Effect: 'Deny',
              Principal: '*',
              Action: 's3:*',
              Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            },
          ],
        }),
      },
      // The policy is put after the public access block so AWS never sees a moment without it.
      { parent: this, dependsOn: [publicAccess] },
    );

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName });
  }
}
