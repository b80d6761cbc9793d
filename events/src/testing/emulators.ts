import { randomUUID } from 'node:crypto';
import { startFauxqs } from 'fauxqs';
import { type AwsClients, awsClients } from '../aws.ts';

/** One AWS emulator a contract suite runs against. */
export interface Emulator {
  name: 'fauxqs' | 'moto';
  /** Set once the suite's `before` hook has run. */
  readonly endpoint: string;
  readonly clients: AwsClients;
  /**
   * A fresh lower-case name prefix: give every test its own topology (and bucket) so
   * tests and suites sharing one emulator never see each other's messages.
   */
  uniquePrefix(label?: string): string;
}

export const motoEndpoint = () => process.env.MOTO_ENDPOINT || undefined;

/**
 * Registers `suite` once per emulator, each in its own `describe`: always against an
 * in-process fauxqs, and against moto server when MOTO_ENDPOINT is set (scripts/moto.sh).
 * In CI a missing MOTO_ENDPOINT is a failing test, not a silent skip.
 */
export function forEachEmulator(suite: (emulator: Emulator) => void): void {
  describe('on fauxqs', () => {
    let server: Awaited<ReturnType<typeof startFauxqs>> | undefined;
    const emulator = lazyEmulator('fauxqs', () => server?.address);
    before(async () => {
      server = await startFauxqs({ port: 0, logger: false });
    });
    after(async () => {
      await server?.stop();
    });
    suite(emulator);
  });

  const moto = motoEndpoint();
  if (moto) {
    describe('on moto', () => suite(lazyEmulator('moto', () => moto)));
  } else if (process.env.CI === 'true') {
    describe('on moto', () => {
      it('when running in CI, then MOTO_ENDPOINT is set (run scripts/moto.sh)', () => {
        throw new Error('MOTO_ENDPOINT is not set: CI must run the contract suite against moto server too');
      });
    });
  }
}

function lazyEmulator(name: Emulator['name'], endpointOf: () => string | undefined): Emulator {
  let clients: AwsClients | undefined;
  const endpoint = () => {
    const value = endpointOf();
    if (!value) throw new Error(`${name} is not started yet: use the emulator inside hooks and tests`);
    return value;
  };
  return {
    name,
    get endpoint() {
      return endpoint();
    },
    get clients() {
      clients ??= awsClients({ AWS_ENDPOINT_URL: endpoint(), AWS_REGION: 'us-east-1' });
      return clients;
    },
    uniquePrefix(label = 't') {
      return `${label}-${randomUUID().slice(0, 8)}`;
    },
  };
}
