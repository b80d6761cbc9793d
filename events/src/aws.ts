import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { recordCalls } from './aws-contract-recorder.ts';

export interface AwsClients {
  sns: SNSClient;
  sqs: SQSClient;
  s3: S3Client;
}

/**
 * SDK clients for the endpoint in `AWS_ENDPOINT_URL` (fauxqs, moto, LocalStack) or AWS
 * itself when unset. Emulators accept any credentials, so dummy ones are filled in when
 * an endpoint is set and none are configured. With AWS_CALL_LOG set (tests only), every
 * command is appended to that file, tagged with AWS_CALL_ROLE.
 */
export function awsClients(env: NodeJS.ProcessEnv = process.env): AwsClients {
  const endpoint = env.AWS_ENDPOINT_URL || undefined;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  // Keys in `env` are used as given (a test may hand each client its own); else the SDK's chain.
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
      : endpoint
        ? { accessKeyId: 'test', secretAccessKey: 'test' }
        : undefined;
  const common = { region, endpoint, credentials, maxAttempts: 3 };
  const clients = {
    sns: new SNSClient(common),
    sqs: new SQSClient(common),
    // Emulators serve buckets by path, not by virtual host name.
    s3: new S3Client({ ...common, forcePathStyle: Boolean(endpoint) }),
  };
  // The IAM contract test records every call to check it against the sender's policy.
  if (env.AWS_CALL_LOG) {
    for (const [service, client] of Object.entries(clients)) {
      recordCalls(client, service, env.AWS_CALL_ROLE ?? 'unknown', env.AWS_CALL_LOG);
    }
  }
  return clients;
}
