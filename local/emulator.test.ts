import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('the emulator process (local/emulator.ts) with a data dir', function () {
  this.timeout(60_000);
  let child: ChildProcess;
  let dataDir: string;
  let sqs: SQSClient;

  /** Starts the emulator on `dataDir` (again, after a kill) and points `sqs` at it. */
  async function start() {
    child = fork(new URL('./emulator.ts', import.meta.url), {
      env: { ...process.env, FAUXQS_PORT: '0', FAUXQS_DATA_DIR: dataDir, HOST: '127.0.0.1' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (report: { type: string; url?: string; message?: string }) =>
        report.type === 'ready' && report.url ? resolve(report.url) : reject(new Error(report.message)),
      );
      child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    });
    sqs = new SQSClient({ endpoint: url, region: 'us-east-1', credentials });
  }

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'emulator-test-'));
    await start();
  });
  after(() => {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when a received message is released (visibility 0), then the next receive gets it again', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `released-${Date.now()}` }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'held then released' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    const [held] = first.Messages ?? [];
    assert.ok(held?.ReceiptHandle, 'the message was received');

    await sqs.send(
      new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: held.ReceiptHandle, VisibilityTimeout: 0 }),
    );
    const again = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        WaitTimeSeconds: 2,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );

    assert.equal(again.Messages?.[0]?.Body, 'held then released');
    assert.equal(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount, '2');
  });

  it('when it is killed right after answering sends and deletes, then a restart has exactly the messages not deleted', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `killed-${Date.now()}` }));
    const bodies = Array.from({ length: 30 }, (_, index) => `message ${index}`);
    for (let first = 0; first < bodies.length; first += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: bodies.slice(first, first + 10).map((body, index) => ({ Id: String(index), MessageBody: body })),
        }),
      );
    }
    const { Messages: received = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl,
        Entries: received.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
    assert.equal(deleted.Successful?.length, 10);

    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    await start();

    const left = new Set<string>();
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60 }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) left.add(message.Body ?? '');
    }
    const expected = bodies.filter((body) => !received.some((message) => message.Body === body));
    assert.deepEqual([...left].sort(), expected.sort());
  });
});
