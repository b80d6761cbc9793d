import { appendFileSync, readFileSync } from 'node:fs';

/** One SDK command as sent, with what authorisation depends on: the role, the call and its target. */
export interface RecordedCall {
  /** Who sent it: the service whose credentials the client holds (AWS_CALL_ROLE). */
  role: string;
  /** SDK service id, lower case: `sqs`, `sns`, `s3`. */
  service: string;
  /** Command name without the suffix: `ReceiveMessage`, `PutObject`. */
  command: string;
  region: string;
  /** The request fields that name the resource. */
  target: Partial<Record<(typeof targetFields)[number], string>>;
  /** Error name when the call failed (`NoSuchKey`, `AccessDenied`), with its HTTP status. */
  error?: string;
  status?: number;
}

const targetFields = ['QueueUrl', 'QueueName', 'QueueOwnerAWSAccountId', 'TopicArn', 'Bucket', 'Key'] as const;

interface MiddlewareClient {
  config: { region: string | (() => Promise<string>) };
  middlewareStack: {
    add(
      middleware: (
        next: (args: { input: object }) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: { input: object }) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

/**
 * Appends every command a client sends to `file` as one JSON line, after it settles. Enabled
 * by awsClients() when AWS_CALL_LOG is set — only the contract tests set it — so the test can
 * check each call against the policy of the role that sent it (infra/contract/).
 */
export function recordCalls(client: MiddlewareClient, service: string, role: string, file: string): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const region = typeof client.config.region === 'function' ? await client.config.region() : client.config.region;
      const input = args.input as Record<string, unknown>;
      const target = Object.fromEntries(
        targetFields.filter((field) => typeof input[field] === 'string').map((field) => [field, input[field]]),
      );
      const call: RecordedCall = {
        role,
        service,
        command: (context.commandName ?? 'Unknown').replace(/Command$/, ''),
        region,
        target,
      };
      try {
        return await next(args);
      } catch (error) {
        const failure = error as { name?: string; $metadata?: { httpStatusCode?: number } };
        call.error = failure.name ?? 'Error';
        if (failure.$metadata?.httpStatusCode) call.status = failure.$metadata.httpStatusCode;
        throw error;
      } finally {
        appendFileSync(file, `${JSON.stringify(call)}\n`);
      }
    },
    { step: 'initialize', name: 'taskoverflowRecordCalls' },
  );
}

/** Every call recorded in `file`, oldest first. */
export function readRecordedCalls(file: string): RecordedCall[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RecordedCall);
}
