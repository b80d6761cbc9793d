// The cloud side of issue 16 under Pulumi mocks: an ADOT collector beside every service, a
// dashboard built from the manifests, and alarms that say what to do and link to it.
import assert from 'node:assert/strict';
import type { ServiceManifest } from '@taskoverflow/events/manifest';
import { loadManifests } from '@taskoverflow/events/manifests';
import { adotImage } from './src/telemetry.ts';
import { type RecordedResource, runProgram, stackConfigFromFile } from './testing/mocks.ts';

interface Container {
  name: string;
  image: string;
  essential?: boolean;
  environment: { name: string; value: string }[];
}

const devConfig = stackConfigFromFile(new URL('../Pulumi.dev.yaml', import.meta.url));
const ofType = (list: readonly RecordedResource[], type: string) => list.filter((resource) => resource.type === type);

describe('infra: traces, metrics, dashboard and alarms (dev stack config)', () => {
  let stack: RecordedResource[];
  let outputs: Record<string, unknown>;
  let manifests: ServiceManifest[];

  before(async () => {
    manifests = await loadManifests();
    ({ resources: stack, outputs } = await runProgram('observability', devConfig));
  });

  it('when a service is deployed, then an ADOT collector runs beside it and the service exports OTLP to it, 10 % sampled', () => {
    for (const manifest of manifests) {
      const definition = stack.find(
        (r) => r.type === 'aws:ecs/taskDefinition:TaskDefinition' && r.name === manifest.name,
      );
      const containers = JSON.parse(String(definition?.inputs.containerDefinitions)) as Container[];
      const [service, collector] = containers;
      assert.equal(collector?.image, adotImage, manifest.name);
      assert.equal(collector?.essential, false, 'a dead collector loses telemetry, not requests');
      const env = Object.fromEntries(service?.environment.map(({ name, value }) => [name, value]) ?? []);
      assert.equal(env.OTEL_EXPORTER_OTLP_ENDPOINT, 'http://localhost:4318');
      assert.equal(env.OTEL_TRACES_SAMPLER, 'parentbased_traceidratio');
      assert.equal(env.OTEL_TRACES_SAMPLER_ARG, '0.1');
      const config = collector?.environment.find((item) => item.name === 'AOT_CONFIG_CONTENT')?.value ?? '';
      assert.match(config, /awsxray/);
      assert.match(config, /namespace: TaskOverflow/);
    }
  });

  it('when the collector writes, then its task role allows exactly X-Ray writes and the metrics log group', () => {
    for (const manifest of manifests) {
      const policy = stack.find(
        (r) => r.type === 'aws:iam/rolePolicy:RolePolicy' && r.name === `${manifest.name}-telemetry`,
      );
      const statements = (
        JSON.parse(String(policy?.inputs.policy)) as { Statement: { Action: string[]; Resource: unknown }[] }
      ).Statement;
      assert.deepEqual(statements.flatMap((statement) => statement.Action).sort(), [
        'logs:CreateLogStream',
        'logs:DescribeLogStreams',
        'logs:PutLogEvents',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
      assert.ok(JSON.stringify(statements[1]?.Resource).includes('otel-metrics'), 'logs only in the metrics group');
    }
  });

  it('when the dashboard is built, then every service has a row with throughput, lag p99, errors, dead letters and tasks', () => {
    const [dashboard] = ofType(stack, 'aws:cloudwatch/dashboard:Dashboard');
    const widgets = (
      JSON.parse(String(dashboard?.inputs.dashboardBody)) as { widgets: { properties: { title: string } }[] }
    ).widgets;
    for (const manifest of manifests) {
      const titles = widgets
        .map((widget) => widget.properties.title)
        .filter((title) => title.startsWith(`${manifest.name}:`));
      assert.deepEqual(titles, [
        `${manifest.name}: throughput`,
        `${manifest.name}: lag p99 (s)`,
        `${manifest.name}: errors`,
        `${manifest.name}: dead letters · tasks`,
      ]);
    }
    assert.match(String(outputs.dashboardUrl), /#dashboards\/dashboard\/taskoverflow-services$/);
  });

  it('when an alarm fires, then its description says what to do and links to the dashboard', () => {
    const alarms = ofType(stack, 'aws:cloudwatch/metricAlarm:MetricAlarm');
    assert.ok(alarms.length > 0);
    for (const alarm of alarms) {
      const description = String(alarm.inputs.alarmDescription);
      assert.match(description, /Dashboard: https:\/\/.*taskoverflow-services$/, alarm.name);
    }
    const dlq = alarms.find((alarm) => alarm.name === 'alarms-audit-dlq');
    assert.match(String(dlq?.inputs.alarmDescription), /npx taskoverflow dlq peek audit/);
  });
});
