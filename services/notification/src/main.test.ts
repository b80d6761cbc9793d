import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { awsClients } from '@taskoverflow/events/aws';
import { publishEvents, waitFor } from '@taskoverflow/events/testing';
import { buildTopology } from '@taskoverflow/events/topology';
import { applyTopology } from '@taskoverflow/events/topology-apply';
import { bootstrapLocalAuth } from '@taskoverflow/platform/auth';
import { startFauxqs } from 'fauxqs';
import { Webhook } from 'standardwebhooks';
import manifest from '../service.ts';
import { call, type Receiver, startReceiver, todoCreated } from './test-support.ts';

const entryPoint = fileURLToPath(new URL('./main.ts', import.meta.url));

/** The environment the local runner gives a service, without the test's own database settings. */
function serviceEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const { DATABASE_URL: _server, NOTIFICATION_DATABASE_URL: _own, ...env } = process.env;
  return { ...env, LOG_LEVEL: 'info', ...extra };
}

// The entry point as `npm start` and the containers run it: configured by env vars alone.
describe('notification: main.ts, started as a process', function () {
  // A process with its own PGlite: on a loaded 2-core machine its start-up alone can take many seconds.
  this.timeout(120_000);
  let fauxqs: Awaited<ReturnType<typeof startFauxqs>>;
  let receiver: Receiver;
  let dataDir: string;
  let child: ChildProcess | undefined;

  before(async () => {
    fauxqs = await startFauxqs({ port: 0, logger: false });
    receiver = await startReceiver();
    dataDir = mkdtempSync(join(tmpdir(), 'notification-main-'));
  });
  after(async () => {
    child?.kill('SIGKILL');
    await receiver.close();
    await fauxqs.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when started with a queue, then it serves the API, delivers events and stops cleanly on SIGTERM', async () => {
    const aws = awsClients({ AWS_ENDPOINT_URL: fauxqs.address, AWS_REGION: 'us-east-1' });
    const applied = await applyTopology(aws, buildTopology([manifest], `m${Date.now().toString(36)}`));
    const local = await bootstrapLocalAuth(dataDir); // as npm start does
    const running = spawn(process.execPath, [entryPoint], {
      env: serviceEnv({
        PORT: '0',
        DATA_DIR: dataDir,
        AWS_ENDPOINT_URL: fauxqs.address,
        EVENTS_QUEUE_URL: applied.queues.notification?.queueUrl ?? '',
        NOTIFICATION_ALLOW_PRIVATE_TARGETS: 'true',
        ...local.env,
      }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = running;
    let output = '';
    running.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    running.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => running.once('exit', resolve));

    const port = await waitFor(() => Number(/"port":(\d+),"msg":"listening"/.exec(output)?.[1]) || undefined, {
      timeoutMs: 60_000,
      what: 'the service to listen',
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n--- service output ---\n${output}`);
    });
    const registered = await call(
      port,
      'POST',
      '/api/v1/webhooks',
      JSON.stringify({ url: receiver.url('/main'), events: ['TodoCreated'] }),
      {
        'content-type': 'application/json',
        authorization: `Bearer ${readFileSync(local.adminTokenFile, 'utf8').trim()}`,
      },
    );
    assert.equal(registered.status, 201, registered.text);
    const { secret } = registered.json as { secret: string };
    const event = todoCreated();
    await publishEvents(aws.sns, applied.topicArn, [event]);
    await receiver.waitFor(1, 15_000);
    running.kill('SIGTERM');

    const [request] = receiver.requests;
    assert.ok(request);
    assert.equal(request.headers['webhook-id'], event.id);
    assert.doesNotThrow(() => new Webhook(secret).verify(request.body, request.headers as Record<string, string>));
    assert.equal(await exited, 0, output);
  });

  it('when a setting is invalid, then it exits 1 naming the setting', () => {
    const result = spawnSync(process.execPath, [entryPoint], {
      env: serviceEnv({ DATA_DIR: dataDir, NOTIFICATION_DELIVERY_TIMEOUT_MS: 'soon' }),
      encoding: 'utf8',
    });

    assert.equal(result.status, 1);
    assert.match(result.stderr, /NOTIFICATION_DELIVERY_TIMEOUT_MS/);
  });
});
