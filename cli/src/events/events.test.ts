import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { makeEvent } from '@taskoverflow/events';
import {
  type Emulator,
  forEachEmulator,
  publishEvents,
  receiveSome,
  sampleTodo,
  waitFor,
} from '@taskoverflow/events/testing';
import type { AppliedTopology } from '@taskoverflow/events/topology-apply';
import { exitCodes } from '../exit-codes.ts';
import { emulatorEnv, runCli } from '../testing.ts';

const main = fileURLToPath(new URL('../main.ts', import.meta.url));
const created = (id: number) =>
  makeEvent({ type: 'TodoCreated', source: 'todo', subject: String(id), data: sampleTodo(id) });
const deleted = (id: number) =>
  makeEvent({ type: 'TodoDeleted', source: 'todo', subject: String(id), data: sampleTodo(id) });

forEachEmulator((emulator: Emulator) => {
  describe('taskoverflow events', function () {
    this.timeout(60_000);
    let prefix: string;
    let applied: AppliedTopology;
    const cli = (args: string[], stdin?: string) =>
      runCli(['--prefix', prefix, ...args], { env: emulatorEnv(emulator), ...(stdin ? { stdin } : {}) });

    beforeEach(async () => {
      prefix = emulator.uniquePrefix('events');
      applied = JSON.parse((await cli(['topology', 'apply', '--json'])).stdout) as AppliedTopology;
    });

    const tailQueues = async () =>
      (await emulator.clients.sqs.send(new ListQueuesCommand({ QueueNamePrefix: `${prefix}-events-tail-` })))
        .QueueUrls ?? [];
    const topicSubscriptions = async () =>
      (await emulator.clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: applied.topicArn })))
        .Subscriptions ?? [];

    it('when an event fails the catalog, then publish exits with "invalid input" and sends nothing, not even the valid ones', async () => {
      const invalid = { ...created(1), data: { title: 42 } };

      const result = await cli(['events', 'publish', '-'], JSON.stringify([created(2), invalid]));

      assert.equal(result.code, exitCodes.invalidInput);
      assert.match(result.stderr, /event 1: invalid TodoCreated data: .*nothing was published/);
      assert.deepEqual(await receiveSome(emulator.clients.sqs, applied.queues.audit?.queueUrl ?? ''), []);
    });

    it('when valid events are published from a file, then the subscribed queues get them with their type attribute', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'cli-publish-'));
      try {
        const event = created(3);
        const file = join(dir, 'event.json');
        writeFileSync(file, JSON.stringify(event));

        const result = await cli(['events', 'publish', file, '--json']);

        assert.equal(result.code, exitCodes.ok, result.stderr);
        assert.deepEqual(JSON.parse(result.stdout), { published: [event.id] });
        const [message] = await waitFor(async () => {
          const messages = await receiveSome(emulator.clients.sqs, applied.queues.audit?.queueUrl ?? '');
          return messages.length > 0 && messages;
        });
        assert.equal(JSON.parse(message?.Body ?? '').id, event.id);
        assert.equal(message?.MessageAttributes?.type?.StringValue, 'TodoCreated');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('when the file is missing or not JSON, then publish exits with "not found" or "invalid input"', async () => {
      const missing = await cli(['events', 'publish', '/nonexistent/event.json']);
      const notJson = await cli(['events', 'publish', '-'], 'TodoCreated please');

      assert.equal(missing.code, exitCodes.notFound);
      assert.equal(notJson.code, exitCodes.invalidInput);
      assert.match(notJson.stderr, /stdin is not JSON/);
    });

    it('when tailing one type, then only that type is printed and the temporary queue and subscription are removed', async () => {
      const tail = cli(['events', 'tail', '--type', 'TodoCreated', '--max-messages', '1', '--json']);
      await waitFor(async () => (await tailQueues()).length === 1 && (await topicSubscriptions()).length > 4, {
        what: 'the tail queue to be subscribed',
      });
      const wanted = created(4);

      await publishEvents(emulator.clients.sns, applied.topicArn, [deleted(4), wanted]);
      const result = await tail;

      assert.equal(result.code, exitCodes.ok, result.stderr);
      assert.deepEqual(
        result.lines.map((line) => (JSON.parse(line) as { id: string }).id),
        [wanted.id],
      );
      assert.deepEqual(await tailQueues(), []);
      assert.equal((await topicSubscriptions()).length, Object.keys(applied.queues).length);
    });

    it('when an unknown --type is given, then it is a usage error', async () => {
      const result = await cli(['events', 'tail', '--type', 'TodoEaten']);

      assert.equal(result.code, exitCodes.usage);
      assert.match(result.stderr, /unknown event type; one of TodoCreated/);
      assert.deepEqual(await tailQueues(), []);
    });

    it('when the tail process gets Ctrl-C (SIGINT), then it removes its queue and subscription and exits 0', async () => {
      const child = spawn(process.execPath, [main, '--prefix', prefix, 'events', 'tail', '--subject', '5'], {
        env: { ...process.env, ...emulatorEnv(emulator) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      await waitFor(() => output.includes('Ctrl-C stops'), { what: 'the tail to start', timeoutMs: 30_000 });
      await publishEvents(emulator.clients.sns, applied.topicArn, [created(5)]);
      await waitFor(() => output.includes('TodoCreated 5 '), { what: 'the event to be printed', timeoutMs: 30_000 });

      child.kill('SIGINT');

      assert.equal(await exited, exitCodes.ok, output);
      assert.match(output, /removed .*-events-tail-/);
      assert.deepEqual(await tailQueues(), []);
      assert.equal((await topicSubscriptions()).length, Object.keys(applied.queues).length);
    });
  });
});
