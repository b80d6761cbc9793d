import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

const script = fileURLToPath(new URL('./rds-ca-bundle.ts', import.meta.url));
const certificatesIn = (pem: string) =>
  (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (block) => new X509Certificate(block),
  );

describe('the RDS CA bundle baked into every image', () => {
  let pem: string;
  let dir: string;
  before(async () => {
    ({ stdout: pem } = await promisify(execFile)(process.execPath, [script]));
    dir = mkdtempSync(join(tmpdir(), 'rds-ca-'));
    writeFileSync(join(dir, 'rds-ca.pem'), pem);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("when the bundle is printed, then it holds the current RDS root CAs of the stack's region", () => {
    const subjects = certificatesIn(pem).map((certificate) => certificate.subject);
    for (const root of ['RSA2048 G1', 'RSA4096 G1', 'ECC384 G1']) {
      assert.ok(
        subjects.some((subject) => subject.includes(`CN=Amazon RDS us-east-1 Root CA ${root}`)),
        `us-east-1 ${root}`,
      );
    }
  });

  it('when a URL says verify-full with the bundle, then node-postgres verifies chain and host against it', async () => {
    const url = `postgres://postgres@127.0.0.1:5432/postgres?sslmode=verify-full&sslrootcert=${join(dir, 'rds-ca.pem')}`;
    const client = new pg.Client({ connectionString: url });
    const ssl = (client as unknown as { connectionParameters: { ssl: { ca?: string; rejectUnauthorized?: boolean } } })
      .connectionParameters.ssl;
    assert.equal(ssl.ca, pem);
    assert.notEqual(ssl.rejectUnauthorized, false);
    // The machine's PostgreSQL speaks no TLS: verify-full refuses it rather than falling back to plain text.
    await assert.rejects(client.connect(), /does not support SSL/);
  });
});
