import assert from 'node:assert/strict';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { loadManifests } from '@taskoverflow/events/manifests';
import { type Emulator, forEachEmulator } from '@taskoverflow/events/testing';
import { buildTopology } from '@taskoverflow/events/topology';
import type { AppliedTopology } from '@taskoverflow/events/topology-apply';
import { exitCodes } from '../exit-codes.ts';
import { emulatorEnv, runCli } from '../testing.ts';

interface ShownTopology {
  topicArn: string;
  subscriptions: { endpoint: string; filterPolicy: unknown; rawMessageDelivery: boolean }[];
  consumers: {
    service: string;
    queue: { name: string; depth: { visible: number }; oldestAgeSeconds: number | null };
    dlq: { name: string; depth: { visible: number; inFlight: number }; oldestAgeSeconds: number | null };
  }[];
}

forEachEmulator((emulator: Emulator) => {
  describe('taskoverflow topology', function () {
    this.timeout(60_000);
    let prefix: string;
    const cli = (...args: string[]) => runCli(['--prefix', prefix, ...args], { env: emulatorEnv(emulator) });
    beforeEach(() => {
      prefix = emulator.uniquePrefix('topo');
    });

    it('when nothing was applied, then show exits with "not found" and says to apply', async () => {
      const result = await cli('topology', 'show');

      assert.equal(result.code, exitCodes.notFound);
      assert.match(
        result.stderr,
        new RegExp(`topic ${prefix}-events does not exist; run: taskoverflow topology apply`),
      );
    });

    it('when applied twice, then the second run changes nothing and show lists every queue, DLQ and filtered raw subscription of the manifests', async () => {
      const first = await cli('topology', 'apply', '--json');
      const second = await cli('topology', 'apply', '--json');
      assert.equal(first.code, exitCodes.ok, first.stderr);
      assert.deepEqual(JSON.parse(second.stdout), JSON.parse(first.stdout));
      const applied = JSON.parse(first.stdout) as AppliedTopology;

      const shown = await cli('topology', 'show', '--json');

      assert.equal(shown.code, exitCodes.ok, shown.stderr);
      const view = JSON.parse(shown.stdout) as ShownTopology;
      assert.equal(view.topicArn, applied.topicArn);
      const expected = buildTopology(await loadManifests(), prefix).consumers;
      assert.deepEqual(
        view.consumers.map((consumer) => [consumer.service, consumer.queue.name, consumer.dlq.name]),
        expected.map((consumer) => [consumer.service, consumer.queueName, consumer.dlqName]),
      );
      for (const consumer of expected) {
        const queueArn = applied.queues[consumer.service]?.queueArn;
        const subscription = view.subscriptions.find((candidate) => candidate.endpoint === queueArn);
        assert.deepEqual(subscription?.filterPolicy, consumer.filterPolicy, consumer.service);
        assert.equal(subscription?.rawMessageDelivery, true);
      }
    });

    it('when a DLQ holds a message, then show reports its depth and the age of the oldest one', async () => {
      const applied = JSON.parse((await cli('topology', 'apply', '--json')).stdout) as AppliedTopology;
      await emulator.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: applied.queues.audit?.dlqUrl, MessageBody: 'dead' }),
      );

      const json = JSON.parse((await cli('topology', 'show', '--json')).stdout) as ShownTopology;
      const text = await cli('topology', 'show');

      const audit = json.consumers.find((consumer) => consumer.service === 'audit');
      // The show before peeked it for its age: for a second it may count as in flight.
      assert.equal((audit?.dlq.depth.visible ?? 0) + (audit?.dlq.depth.inFlight ?? 0), 1);
      assert.ok(typeof audit?.dlq.oldestAgeSeconds === 'number' && audit.dlq.oldestAgeSeconds >= 0);
      assert.equal(audit?.queue.depth.visible, 0);
      assert.match(
        text.stdout,
        new RegExp(
          `dlq   ${prefix}-audit-dlq: (1 waiting, 0 in flight|0 waiting, 1 in flight), 0 delayed, oldest \\d+s`,
        ),
      );
      assert.match(text.stdout, new RegExp(`topic ${applied.topicArn}`));
    });
    it('when CloudWatch has a live queue’s ApproximateAgeOfOldestMessage, then show reports it; without CloudWatch it says why not', async () => {
      const applied = JSON.parse((await cli('topology', 'apply', '--json')).stdout) as AppliedTopology;
      const cloudwatch = new CloudWatchClient({
        endpoint: emulator.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      });
      const putAge = () =>
        cloudwatch.send(
          new PutMetricDataCommand({
            Namespace: 'AWS/SQS',
            MetricData: [
              {
                MetricName: 'ApproximateAgeOfOldestMessage',
                Dimensions: [{ Name: 'QueueName', Value: `${prefix}-audit` }],
                Value: 42,
                Timestamp: new Date(),
              },
            ],
          }),
        );
      // moto has CloudWatch (as AWS does); fauxqs has none.
      const hasCloudWatch = await putAge().then(
        () => true,
        () => false,
      );
      cloudwatch.destroy();
      assert.equal(hasCloudWatch, emulator.name === 'moto');

      const shown = await cli('topology', 'show', '--json');

      assert.equal(shown.code, exitCodes.ok, shown.stderr);
      const view = JSON.parse(shown.stdout) as ShownTopology;
      const audit = view.consumers.find((consumer) => consumer.service === 'audit');
      const calendar = view.consumers.find((consumer) => consumer.service === 'calendar');
      assert.equal(audit?.queue.oldestAgeSeconds, hasCloudWatch ? 42 : null);
      assert.equal(calendar?.queue.oldestAgeSeconds, null, 'no datapoint, no age');
      if (hasCloudWatch) assert.equal(shown.stderr, '');
      else assert.match(shown.stderr, /no oldest age for live queues: CloudWatch GetMetricData failed/);
      assert.ok(applied.queues.audit);
    });
  });
});
