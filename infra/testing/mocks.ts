import { readFileSync } from 'node:fs';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';

/** One resource the program registered, with the inputs it was given. */
export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** Top-level input keys Pulumi marked secret (their values are unwrapped in `inputs`). */
  secretInputs: string[];
  /** `type::name` of every resource the engine creates first (`dependsOn` and inputs' sources). */
  dependsOn: string[];
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getDependenciesList(): string[];
}
/** `urn:pulumi:<stack>::<project>::<parent$…$type>::<name>` → `type::name`. */
const typeAndName = (urn: string) => {
  const parts = urn.split('::');
  return `${parts.at(-2)?.split('$').pop()}::${parts.at(-1)}`;
};

/** How the SDK marks a secret value on the wire to the (mock) engine. */
const secretSignature = '4dabf18193072939515e22adb298388d';
const isSecret = (value: unknown): value is { value: unknown } =>
  typeof value === 'object' && value !== null && secretSignature in value && 'value' in value;
function unwrapSecrets(value: unknown): unknown {
  if (isSecret(value)) return unwrapSecrets(value.value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, unwrapSecrets(inner)]));
  return value;
}

const accountId = '123456789012';
const region = 'us-east-1';

/** Outputs AWS would compute, so the program's interpolations resolve to realistic values. */
function computedState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const resourceName = String(inputs.name ?? name);
  const arnOf = (service: string, resource: string) => `arn:aws:${service}:${region}:${accountId}:${resource}`;
  switch (type) {
    case 'aws:sqs/queue:Queue':
      return {
        arn: arnOf('sqs', resourceName),
        url: `https://sqs.${region}.amazonaws.com/${accountId}/${resourceName}`,
      };
    case 'aws:sns/topic:Topic':
      return { arn: arnOf('sns', resourceName) };
    case 'aws:kms/key:Key':
      return { arn: arnOf('kms', `key/${name}`), keyId: `${name}-key-id` };
    case 'aws:ecr/repository:Repository':
      return {
        arn: arnOf('ecr', `repository/${resourceName}`),
        repositoryUrl: `${accountId}.dkr.ecr.${region}.amazonaws.com/${resourceName}`,
      };
    case 'awsx:ecr:Image':
      return { imageUri: `${String(inputs.repositoryUrl)}@sha256:${'0'.repeat(64)}` };
    case 'aws:s3/bucket:Bucket':
      return { arn: `arn:aws:s3:::${name}-bucket`, bucket: `${name}-bucket` };
    case 'aws:cloudwatch/logGroup:LogGroup':
      return { arn: arnOf('logs', `log-group:${resourceName}`) };
    case 'aws:lb/loadBalancer:LoadBalancer':
      return {
        arn: arnOf('elasticloadbalancing', `loadbalancer/app/${name}/0123`),
        arnSuffix: `app/${name}/0123`,
        dnsName: `${name}.${region}.elb.amazonaws.com`,
      };
    case 'aws:rds/instance:Instance':
      return { address: `${name}.abc.${region}.rds.amazonaws.com`, port: 5432, arn: arnOf('rds', `db:${name}`) };
    case 'aws:ecs/service:Service':
      return { name: resourceName };
    case 'aws:ecs/cluster:Cluster':
      return { arn: arnOf('ecs', `cluster/${resourceName}`) };
    case 'random:index/randomId:RandomId':
      return { hex: '0a1b2c3d' };
    case 'random:index/randomPassword:RandomPassword':
      return { result: 'p'.repeat(Number(inputs.length ?? 16)) };
    default:
      return { arn: arnOf(type.split(':')[1]?.split('/')[0] ?? 'x', name) };
  }
}

/**
 * Runs the Pulumi program (infra/index.ts) under mocks, as the pulumi/examples mocha tests do:
 * mocks first, then the import. Returns every resource it registered and its exports. `run`
 * names the run; it becomes the import's query string, so each run evaluates the program afresh.
 */
export async function runProgram(
  run: string,
  config: Record<string, string>,
): Promise<{ resources: RecordedResource[]; outputs: Record<string, unknown> }> {
  const resources: RecordedResource[] = [];
  const dependencies = new Map<string, string[]>();
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
        const secretInputs = Object.entries(args.inputs as Record<string, unknown>)
          .filter(([, value]) => isSecret(value))
          .map(([key]) => key);
        resources.push({ type: args.type, name: args.name, inputs, secretInputs, dependsOn: [] });
        return { id: `${args.name}-id`, state: { ...inputs, ...computedState(args.type, args.name, inputs) } };
      },
      call: (args) => (args.token === 'aws:index/getCallerIdentity:getCallerIdentity' ? { accountId } : args.inputs),
    },
    'taskoverflow',
    'dev',
    false,
  );
  pulumi.runtime.setAllConfig(config);
  // The mock's newResource is not told a resource's dependencies; the request to the monitor is.
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(request: RegisterRequest, callback: unknown): unknown;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    dependencies.set(`${request.getType()}::${request.getName()}`, request.getDependenciesList().map(typeAndName));
    return register(request, callback);
  };
  const module = (await import(new URL(`../index.ts?${run}`, import.meta.url).href)) as Record<string, unknown>;
  const outputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(module)) outputs[key] = await resolve(value);
  // Wait for every registration the program started, not only the ones its exports depend on.
  await pulumi.runtime.disconnect();
  for (const resource of resources) {
    resource.dependsOn = dependencies.get(`${resource.type}::${resource.name}`) ?? [];
  }
  return { resources, outputs };
}

/** Resolves outputs nested in plain objects (the program exports records of outputs). */
export async function resolve(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    return resolve(await new Promise((done) => value.apply(done)));
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = await Promise.all(
      Object.entries(value).map(async ([key, inner]) => [key, await resolve(inner)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

/** A stack file's `config:` as the Pulumi CLI hands it to the program: namespaced keys, string values. */
export function stackConfigFromFile(path: string | URL): Record<string, string> {
  const file = parse(readFileSync(path, 'utf8')) as { config?: Record<string, unknown> };
  return Object.fromEntries(
    Object.entries(file.config ?? {}).map(([key, value]) => [
      key,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
}
