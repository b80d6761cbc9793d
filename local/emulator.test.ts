import assert from 'node:assert/strict';
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('the emulator process (local/emulator.ts) with a data dir', function () {
  this.timeout(60_000);
  let child: ChildProcess;
  let dataDir: string;
  let sqs: SQSClient;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'emulator-test-'));
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
});
