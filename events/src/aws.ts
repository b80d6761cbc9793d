import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface AwsClients {
  sns: SNSClient;
  sqs: SQSClient;
  s3: S3Client;
}

/**
 * SDK clients for the endpoint in `AWS_ENDPOINT_URL` (fauxqs, moto, LocalStack) or AWS
 * itself when unset. Emulators accept any credentials, so dummy ones are filled in when
 * an endpoint is set and none are configured.
 */
export function awsClients(env: NodeJS.ProcessEnv = process.env): AwsClients {
  const endpoint = env.AWS_ENDPOINT_URL || undefined;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  const credentials = endpoint && !env.AWS_ACCESS_KEY_ID ? { accessKeyId: 'test', secretAccessKey: 'test' } : undefined;
  const common = { region, endpoint, credentials, maxAttempts: 3 };
  return {
    sns: new SNSClient(common),
    sqs: new SQSClient(common),
    // Emulators serve buckets by path, not by virtual host name.
    s3: new S3Client({ ...common, forcePathStyle: Boolean(endpoint) }),
  };
}
