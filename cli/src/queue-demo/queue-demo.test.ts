// The practical's four scenarios: standard vs FIFO queue × one vs two senders and receivers.
import assert from 'node:assert/strict';
import { type Emulator, forEachEmulator } from '@taskoverflow/events/testing';
import { exitCodes } from '../exit-codes.ts';
import { emulatorEnv, runCli } from '../testing.ts';

interface Received {
  time: string;
  client: string;
  body: string;
}

const expectedBodies = (prepend = '') => Array.from({ length: 100 }, (_, index) => `${prepend}Message ${index}`);

forEachEmulator((emulator: Emulator) => {
  describe('taskoverflow queue (the practical’s demo)', function () {
    this.timeout(60_000);
    const cli = (...args: string[]) => runCli(args, { env: emulatorEnv(emulator) });

    async function create(fifo: boolean): Promise<string> {
      const name = emulator.uniquePrefix('demo');
      const result = await cli('queue', 'create', name, ...(fifo ? ['--fifo'] : []));
      assert.equal(result.code, exitCodes.ok, result.stderr);
      return fifo ? `${name}.fifo` : name;
    }

    async function send(name: string, client: string, ...extra: string[]) {
      const result = await cli('queue', 'send', '--name', name, '--client-name', client, ...extra);
      assert.equal(result.code, exitCodes.ok, result.stderr);
      assert.match(result.stdout, new RegExp(`sent 100 messages to ${name.replace('.', '\\.')} as ${client}`));
    }

    /** Receives until the queue stays empty for 3 s (the receive command's own --idle-timeout). */
    async function receive(name: string): Promise<Received[]> {
      const result = await cli('queue', 'receive', '--name', name, '--wait-time', '1', '--idle-timeout', '3', '--json');
      assert.equal(result.code, exitCodes.ok, result.stderr);
      return result.lines.map((line) => JSON.parse(line) as Received);
    }

    const bodiesOf = (received: Received[], client: string) =>
      received.filter((message) => message.client === client).map((message) => message.body);

    it('when the queue does not exist, then send exits with "not found" and says how to create it', async () => {
      const result = await cli('queue', 'send', '--name', emulator.uniquePrefix('missing'), '--client-name', 'a');

      assert.equal(result.code, exitCodes.notFound);
      assert.match(result.stderr, /does not exist; create it with: taskoverflow queue create/);
    });

    it('when a .fifo name is created without --fifo, then it is a usage error and nothing is created', async () => {
      const result = await cli('queue', 'create', `${emulator.uniquePrefix('demo')}.fifo`);

      assert.equal(result.code, exitCodes.usage);
      assert.match(result.stderr, /add --fifo/);
    });

    for (const [what, name] of [
      ['has a space and a !', 'bad name!'],
      ['is 81 characters', 'x'.repeat(81)],
      ['is a FIFO name of 81 characters', `${'x'.repeat(76)}.fifo`],
    ] as const) {
      it(`when the queue name ${what} (SQS refuses it), then create is a usage error`, async () => {
        const fifo = name.endsWith('.fifo') ? ['--fifo'] : [];
        const result = await cli('queue', 'create', name, ...fifo);

        assert.equal(result.code, exitCodes.usage);
        assert.match(result.stderr, /is not a valid SQS queue name: up to 80 letters, digits, - and _/);
      });
    }

    it('when one client sends to a standard queue and one receives, then all 100 arrive, each printed as "[HH:MM:SS] client: body" and deleted', async () => {
      const name = await create(false);
      await send(name, 'alice');

      const result = await cli('queue', 'receive', '--name', name, '--wait-time', '1', '--idle-timeout', '3');

      assert.equal(result.code, exitCodes.ok, result.stderr);
      assert.equal(result.lines.length, 100);
      for (const line of result.lines) assert.match(line, /^\[\d\d:\d\d:\d\d\] alice: Message \d+$/);
      const bodies = result.lines.map((line) => line.replace(/^.*alice: /, ''));
      assert.deepEqual([...bodies].sort(), [...expectedBodies()].sort());
      assert.deepEqual(await receive(name), [], 'every message was deleted');
    });

    it('when two clients send to a standard queue at once and two receive, then every message of both arrives at least once (order best effort)', async () => {
      const name = await create(false);
      await Promise.all([send(name, 'alice'), send(name, 'bob')]);

      const [first, second] = await Promise.all([receive(name), receive(name)]);

      // A standard queue delivers at least once: a message may reach both receivers (moto shows this).
      const all = [...first, ...second];
      assert.ok(all.length >= 200, `${all.length} received`);
      for (const client of ['alice', 'bob']) {
        assert.deepEqual([...new Set(bodiesOf(all, client))].sort(), [...expectedBodies()].sort(), client);
      }
    });

    it('when one client sends to a FIFO queue and one receives, then the 100 arrive in exactly the order sent', async () => {
      const name = await create(true);
      await send(name, 'alice');

      const received = await receive(name);

      assert.deepEqual(
        received.map((message) => message.body),
        expectedBodies(),
      );
    });

    it('when a second client re-sends the same bodies to a FIFO queue within 5 minutes, then they are dropped unless --prepend changes them; two receivers keep the order', async () => {
      const name = await create(true);
      await send(name, 'alice');
      await send(name, 'bob'); // same bodies: content-based deduplication drops them
      await send(name, 'bob', '--prepend', 'again: ');

      const [first, second] = await Promise.all([receive(name), receive(name)]);

      const all = [...first, ...second];
      assert.equal(all.length, 200, 'bob’s identical re-send was deduplicated');
      assert.deepEqual(bodiesOf(all, 'alice').sort(), [...expectedBodies()].sort());
      assert.deepEqual(bodiesOf(all, 'bob').sort(), [...expectedBodies('again: ')].sort());
      // One message group: each receiver sees every client's messages in the order they were sent.
      for (const received of [first, second]) {
        assert.deepEqual(
          bodiesOf(received, 'alice'),
          expectedBodies().filter((body) => bodiesOf(received, 'alice').includes(body)),
        );
        assert.deepEqual(
          bodiesOf(received, 'bob'),
          expectedBodies('again: ').filter((body) => bodiesOf(received, 'bob').includes(body)),
        );
      }
    });

    it('when send runs on a terminal, then a progress bar counts to 100 on stderr; piped, stderr stays empty', async () => {
      const name = await create(false);
      const args = ['queue', 'send', '--name', name, '--client-name', 'alice'];

      const onTerminal = await runCli(args, { env: emulatorEnv(emulator), terminal: true });
      const piped = await runCli(args, { env: emulatorEnv(emulator) });

      assert.match(onTerminal.stderr, /sending as alice \[[^\]]*\] 100\/100/);
      assert.equal(piped.stderr, '');
      assert.equal(piped.code, exitCodes.ok);
    });

    it('when a message has no client attribute, then receive shows it instead of failing', async () => {
      const name = await create(false);
      const { SendMessageCommand, GetQueueUrlCommand } = await import('@aws-sdk/client-sqs');
      const { QueueUrl } = await emulator.clients.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      await emulator.clients.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'from elsewhere' }));

      const result = await cli('queue', 'receive', '--name', name, '--wait-time', '1', '--max-messages', '1');

      assert.equal(result.code, exitCodes.ok, result.stderr);
      assert.match(result.stdout, /^\[\d\d:\d\d:\d\d\] \(no client\): from elsewhere\n$/);
    });
  });
});
