import assert from 'node:assert/strict';
import { claimCheckedEventTypes, taskRolePolicy } from '@taskoverflow/events/aws-contract';
import { backfillServices } from '@taskoverflow/events/backfill';
import { healthPaths, pathPatterns, type ServiceManifest } from '@taskoverflow/events/manifest';
import { loadManifests } from '@taskoverflow/events/manifests';
import { buildTopology } from '@taskoverflow/events/topology';
import { serviceDbKey } from '@taskoverflow/platform';
import { checkStack, stackPolicies } from './policies/policies.ts';
import { maxConnections, poolSizePerTask, reservedConnections } from './src/database-capacity.ts';
import { containerHealthCheck, stopTimeoutSeconds } from './src/service-deployment.ts';
import { type RecordedResource, runProgram, stackConfigFromFile } from './testing/mocks.ts';

interface Statement {
  Sid: string;
  Action: string[];
  Resource: string | string[];
}
interface Container {
  name: string;
  portMappings: { containerPort: number }[];
  healthCheck?: { command: string[]; startPeriod: number };
  image: string;
  stopTimeout: number;
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
  logConfiguration: { options: Record<string, string> };
}

const devConfig = stackConfigFromFile(new URL('../Pulumi.dev.yaml', import.meta.url));
const statements = (resource: RecordedResource | undefined): Statement[] =>
  (JSON.parse(String(resource?.inputs.policy)) as { Statement: Statement[] }).Statement;
const resources = (list: readonly RecordedResource[], type: string) =>
  list.filter((resource) => resource.type === type);
const named = (list: readonly RecordedResource[], type: string, name: string) => {
  const found = list.find((resource) => resource.type === type && resource.name === name);
  assert.ok(found, `no ${type} named ${name}`);
  return found;
};

describe('infra: the Pulumi program under mocks (dev stack config)', () => {
  let stack: RecordedResource[];
  let outputs: Record<string, unknown>;
  let manifests: ServiceManifest[];

  before(async () => {
    manifests = await loadManifests();
    ({ resources: stack, outputs } = await runProgram('dev', devConfig));
  });

  const consumers = () => manifests.filter((manifest) => manifest.consumes.length > 0);
  const httpServices = () => manifests.filter((manifest) => manifest.http);
  const hasDatabase = (manifest: ServiceManifest) => manifest.database !== false;

  it('when every policy runs over every registered resource, then none reports a violation', () => {
    const topology = buildTopology(manifests);
    assert.ok(stack.length > 100, `expected the whole stack, got ${stack.length} resources`);
    assert.deepEqual(checkStack(stackPolicies(manifests, topology), stack), []);
  });

  it('when the manifests are read, then each consumer gets its queue and DLQ named as buildTopology names them', () => {
    const queueNames = resources(stack, 'aws:sqs/queue:Queue')
      .map((queue) => queue.inputs.name)
      .sort();
    const expected = buildTopology(manifests)
      .consumers.flatMap((consumer) => [consumer.queueName, consumer.dlqName])
      .sort();
    assert.deepEqual(queueNames, expected);
    for (const manifest of consumers()) {
      const queue = named(stack, 'aws:sqs/queue:Queue', manifest.name);
      assert.equal(queue.inputs.visibilityTimeoutSeconds, manifest.queue.visibilityTimeoutSeconds);
      assert.equal(JSON.parse(String(queue.inputs.redrivePolicy)).maxReceiveCount, manifest.queue.maxReceiveCount);
      const allow = JSON.parse(
        String(
          named(stack, 'aws:sqs/redriveAllowPolicy:RedriveAllowPolicy', `${manifest.name}-dlq`).inputs
            .redriveAllowPolicy,
        ),
      );
      assert.deepEqual(allow, {
        redrivePermission: 'byQueue',
        sourceQueueArns: [`arn:aws:sqs:us-east-1:123456789012:taskoverflow-${manifest.name}`],
      });
    }
  });

  it('when a subscription is made, then it filters exactly the events its manifest consumes', () => {
    const subscriptions = resources(stack, 'aws:sns/topicSubscription:TopicSubscription').filter(
      (sub) => sub.inputs.protocol === 'sqs',
    );
    assert.equal(subscriptions.length, consumers().length);
    for (const manifest of consumers()) {
      const subscription = named(stack, 'aws:sns/topicSubscription:TopicSubscription', manifest.name);
      assert.deepEqual(JSON.parse(String(subscription.inputs.filterPolicy)), { type: [...manifest.consumes].sort() });
      assert.equal(subscription.inputs.endpoint, `arn:aws:sqs:us-east-1:123456789012:taskoverflow-${manifest.name}`);
      assert.equal(subscription.inputs.topic, 'arn:aws:sns:us-east-1:123456789012:taskoverflow-events');
    }
  });

  it('when the key is created, then its policy lets SNS and SQS use it within this account', () => {
    const key = resources(stack, 'aws:kms/key:Key');
    assert.equal(key.length, 1);
    assert.equal(key[0]?.inputs.enableKeyRotation, true);
    const services = statements(key[0]).find(
      (statement) => statement.Sid === 'MessagingServicesEncrypt',
    ) as unknown as {
      Principal: { Service: string[] };
    };
    assert.ok(
      services.Principal.Service.includes('sns.amazonaws.com') &&
        services.Principal.Service.includes('sqs.amazonaws.com'),
    );
  });

  it('when task roles are made, then each policy is exactly what the AWS contract derives from its manifest', () => {
    const stackArns = {
      topicArn: 'arn:aws:sns:us-east-1:123456789012:taskoverflow-events',
      keyArn: 'arn:aws:kms:us-east-1:123456789012:key/events-key',
      bucketArn: 'arn:aws:s3:::storage-bucket',
    };
    const queueArnOf = (service: string) => `arn:aws:sqs:us-east-1:123456789012:taskoverflow-${service}`;
    for (const manifest of manifests) {
      const queueArn = queueArnOf(manifest.name);
      const expected = taskRolePolicy(manifest, {
        ...stackArns,
        queue: manifest.consumes.length > 0 ? { queueArn, dlqArn: `${queueArn}-dlq` } : undefined,
        backfillQueueArns: backfillServices(manifests).map((target) => queueArnOf(target.name)),
      });
      const policy = resources(stack, 'aws:iam/rolePolicy:RolePolicy').find(
        (resource) => resource.name === `${manifest.name}-task`,
      );
      assert.deepEqual(policy ? JSON.parse(String(policy.inputs.policy)) : undefined, expected);
    }
  });

  it('when a service consumes an event that may travel by claim check, then its role reads claim checks', () => {
    const readers = resources(stack, 'aws:iam/rolePolicy:RolePolicy')
      .filter((policy) => statements(policy).some((statement) => statement.Sid === 'ReadClaimChecks'))
      .map((policy) => policy.name.replace(/-task$/, ''))
      .sort();
    const consumersOfClaimChecks = manifests
      .filter((manifest) => manifest.consumes.some((type) => claimCheckedEventTypes.includes(type)))
      .map((manifest) => manifest.name)
      .sort();
    assert.ok(claimCheckedEventTypes.includes('CalendarRequested'));
    assert.deepEqual(readers, consumersOfClaimChecks);
    assert.ok(readers.includes('audit') && readers.includes('calendar'), 'audit stores CalendarRequested too');
  });

  it('when execution roles are made, then each pulls only its image, writes only its logs and reads only its secret', () => {
    for (const manifest of manifests) {
      const bySid = Object.fromEntries(
        statements(named(stack, 'aws:iam/rolePolicy:RolePolicy', `${manifest.name}-execution`)).map((s) => [s.Sid, s]),
      );
      assert.equal(
        bySid.PullOwnImage?.Resource,
        `arn:aws:ecr:us-east-1:123456789012:repository/taskoverflow/${manifest.name}`,
      );
      assert.equal(
        bySid.WriteOwnLogs?.Resource,
        `arn:aws:logs:us-east-1:123456789012:log-group:/taskoverflow/${manifest.name}:*`,
      );
      assert.equal(
        bySid.ReadOwnSecret?.Resource,
        hasDatabase(manifest) ? `arn:aws:secretsmanager:us-east-1:123456789012:${manifest.name}` : undefined,
      );
    }
  });

  it('when task definitions are made, then each runs its own image with its env, its own secret and a stop timeout over the 25 s drain', () => {
    for (const manifest of manifests) {
      const definition = named(stack, 'aws:ecs/taskDefinition:TaskDefinition', manifest.name);
      assert.equal(definition.inputs.cpu, String(manifest.resources.cpu));
      assert.equal(definition.inputs.memory, String(manifest.resources.memoryMiB));
      const [container] = JSON.parse(String(definition.inputs.containerDefinitions)) as Container[];
      assert.ok(container);
      assert.match(container.image, new RegExp(`/taskoverflow/${manifest.name}@sha256:`));
      assert.ok(container.stopTimeout > 25 && container.stopTimeout === stopTimeoutSeconds);
      const env = Object.fromEntries(container.environment.map(({ name, value }) => [name, value]));
      assert.equal(env.EVENTS_TOPIC_ARN, 'arn:aws:sns:us-east-1:123456789012:taskoverflow-events');
      assert.equal(
        env.EVENTS_QUEUE_URL,
        manifest.consumes.length > 0
          ? `https://sqs.us-east-1.amazonaws.com/123456789012/taskoverflow-${manifest.name}`
          : undefined,
      );
      assert.equal(env.PORT, '8080', 'every service serves its health endpoints');
      assert.equal(env.AWS_ENDPOINT_URL, undefined);
      assert.equal(container.logConfiguration.options['awslogs-group'], `/taskoverflow/${manifest.name}`);
      if (!hasDatabase(manifest)) {
        assert.deepEqual(container.secrets, []);
        continue;
      }
      assert.deepEqual(container.secrets, [
        {
          name: serviceDbKey(manifest.name),
          valueFrom: `arn:aws:secretsmanager:us-east-1:123456789012:${manifest.name}`,
        },
      ]);
      const version = named(stack, 'aws:secretsmanager/secretVersion:SecretVersion', manifest.name);
      assert.deepEqual(version.secretInputs, ['secretString'], 'the database URL stays a Pulumi secret');
      const secretValue = version.inputs.secretString;
      assert.match(
        String(secretValue),
        new RegExp(
          `^postgres://taskoverflow_${manifest.name}:p+@db\\..+:5432/taskoverflow_${manifest.name}\\?sslmode=verify-full&sslrootcert=/app/rds-ca.pem$`,
        ),
      );
    }
  });

  it('when a service keeps no data (web: database false), then it gets no database secret, URL or pool', () => {
    const without = manifests.filter((manifest) => !hasDatabase(manifest)).map((manifest) => manifest.name);
    assert.deepEqual(without, ['web']);
    const secrets = resources(stack, 'aws:secretsmanager/secret:Secret').map((secret) => secret.name);
    assert.ok(secrets.includes('todo') && !secrets.includes('web'), secrets.join(', '));
    assert.equal(
      resources(stack, 'random:index/randomPassword:RandomPassword').some(
        (password) => password.name === 'web-db-password',
      ),
      false,
    );
  });

  it('when images are built, then each comes from its own Dockerfile with the repo root as context for linux/arm64 (Graviton)', () => {
    for (const manifest of manifests) {
      const image = named(stack, 'awsx:ecr:Image', manifest.name);
      assert.match(String(image.inputs.dockerfile), new RegExp(`/services/${manifest.name}/Dockerfile$`));
      assert.equal(`${image.inputs.context}/services/${manifest.name}/Dockerfile`, image.inputs.dockerfile);
      assert.equal(image.inputs.platform, 'linux/arm64');
      const definition = named(stack, 'aws:ecs/taskDefinition:TaskDefinition', manifest.name);
      assert.deepEqual(definition.inputs.runtimePlatform, { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' });
      const repository = named(stack, 'aws:ecr/repository:Repository', manifest.name);
      assert.equal(repository.inputs.name, `taskoverflow/${manifest.name}`);
      const lifecycle = JSON.parse(
        String(named(stack, 'aws:ecr/lifecyclePolicy:LifecyclePolicy', manifest.name).inputs.policy),
      );
      assert.equal(lifecycle.rules[0].selection.countNumber, Number(devConfig['taskoverflow:ecrKeepImages']));
      assert.equal(
        named(stack, 'aws:cloudwatch/logGroup:LogGroup', manifest.name).inputs.retentionInDays,
        Number(devConfig['taskoverflow:logRetentionDays']),
      );
    }
  });

  it('when services are made, then they run on Fargate in private subnets with the configured desired counts', () => {
    const desired = JSON.parse(devConfig['taskoverflow:desiredCounts'] ?? '{}') as Record<string, number>;
    for (const manifest of manifests) {
      const service = named(stack, 'aws:ecs/service:Service', manifest.name);
      assert.equal(service.inputs.launchType, 'FARGATE');
      assert.equal(service.inputs.desiredCount, desired[manifest.name] ?? manifest.scaling.minTasks);
      const network = service.inputs.networkConfiguration as { subnets: string[]; assignPublicIp: boolean };
      assert.deepEqual(network.subnets.sort(), ['network-private-us-east-1a-id', 'network-private-us-east-1b-id']);
      assert.equal(((service.inputs.loadBalancers as unknown[]) ?? []).length, manifest.http ? 1 : 0);
    }
  });

  it('when a first deploy runs, then each service waits for its secret value and the NAT route, and pulumi up waits for steady state', () => {
    const natRoute = named(stack, 'aws:ec2/route:Route', 'network-private-nat');
    assert.equal(natRoute.inputs.natGatewayId, 'network-nat-id');
    for (const manifest of manifests) {
      const service = named(stack, 'aws:ecs/service:Service', manifest.name);
      const waitsFor = (type: string, name: string) => service.dependsOn.includes(`${type}::${name}`);
      const secret = waitsFor('aws:secretsmanager/secretVersion:SecretVersion', manifest.name);
      assert.equal(secret, hasDatabase(manifest), 'its secret value, when it has a database');
      assert.ok(waitsFor('aws:ec2/route:Route', 'network-private-nat'), `${manifest.name} waits for the NAT route`);
      assert.ok(waitsFor('aws:iam/rolePolicy:RolePolicy', `${manifest.name}-execution`), 'its execution policy');
      assert.equal(service.inputs.waitForSteadyState, true);
      assert.deepEqual(service.inputs.deploymentCircuitBreaker, { enable: true, rollback: true });
    }
  });

  it('when the database is bootstrapped, then one task holds the master URL, gives every service its role, and runs before any service', () => {
    const definition = named(stack, 'aws:ecs/taskDefinition:TaskDefinition', 'db-bootstrap');
    const [container] = JSON.parse(String(definition.inputs.containerDefinitions)) as (Container & {
      command: string[];
    })[];
    assert.deepEqual(container?.command, ['node', '/app/infra/docker/db-bootstrap.ts']);
    assert.deepEqual(
      container?.secrets.map((secret) => secret.name).sort(),
      ['DB_MASTER_URL', ...manifests.filter(hasDatabase).map((manifest) => serviceDbKey(manifest.name))].sort(),
    );
    const masterUrl = named(stack, 'aws:secretsmanager/secretVersion:SecretVersion', 'db-master-url');
    assert.match(
      String(masterUrl.inputs.secretString),
      /^postgres:\/\/taskoverflow:p+@.+\/postgres\?sslmode=verify-full&/,
    );
    // No service task definition can reach the master: only the bootstrap's execution role reads it.
    const readers = resources(stack, 'aws:iam/rolePolicy:RolePolicy').filter((policy) =>
      String(policy.inputs.policy).includes(':db-master-url'),
    );
    assert.deepEqual(
      readers.map((policy) => policy.name),
      ['db-bootstrap-execution'],
    );
    const run = named(stack, 'command:local:Command', 'db-bootstrap');
    assert.match(String(run.inputs.create), /aws ecs run-task[\s\S]+aws ecs wait tasks-stopped[\s\S]+exitCode/);
    for (const manifest of manifests) {
      const service = named(stack, 'aws:ecs/service:Service', manifest.name);
      assert.ok(
        service.dependsOn.includes('command:local:Command::db-bootstrap'),
        `${manifest.name} after the bootstrap`,
      );
    }
  });

  it('when containers are defined, then every one (calendar included) has a port and an ECS health check on readiness', () => {
    for (const manifest of manifests) {
      const definition = named(stack, 'aws:ecs/taskDefinition:TaskDefinition', manifest.name);
      const [container] = JSON.parse(String(definition.inputs.containerDefinitions)) as Container[];
      assert.deepEqual(
        container?.portMappings.map((mapping) => mapping.containerPort),
        [8080],
      );
      assert.deepEqual(container?.healthCheck, containerHealthCheck);
      assert.deepEqual(container?.healthCheck?.command, ['CMD', 'node', '/app/infra/docker/healthcheck.ts']);
    }
  });

  it('when a service serves HTTP, then it gets a path rule at its manifest priority and a health check on its health path', () => {
    const rules = resources(stack, 'aws:lb/listenerRule:ListenerRule');
    assert.equal(rules.length, httpServices().length);
    for (const manifest of httpServices()) {
      const rule = named(stack, 'aws:lb/listenerRule:ListenerRule', manifest.name);
      assert.equal(rule.inputs.priority, manifest.http?.priority);
      const conditions = rule.inputs.conditions as { pathPattern: { values: string[] } }[];
      assert.deepEqual(conditions[0]?.pathPattern.values, pathPatterns(manifest.http?.pathPrefixes ?? []));
      const group = named(stack, 'aws:lb/targetGroup:TargetGroup', manifest.name);
      assert.equal((group.inputs.healthCheck as { path: string }).path, healthPaths.ready);
      assert.equal(group.inputs.targetType, 'ip');
    }
    const listeners = resources(stack, 'aws:lb/listener:Listener');
    assert.deepEqual(
      listeners.map((listener) => [listener.inputs.protocol, listener.inputs.port]),
      [['HTTP', 80]],
    );
  });

  it('when autoscaling is set, then consumers track backlog per task and HTTP services track CPU within manifest bounds', () => {
    for (const manifest of manifests) {
      const target = named(stack, 'aws:appautoscaling/target:Target', manifest.name);
      assert.equal(target.inputs.minCapacity, manifest.scaling.minTasks);
      assert.equal(target.inputs.maxCapacity, manifest.scaling.maxTasks);
      const policies = resources(stack, 'aws:appautoscaling/policy:Policy').filter((policy) =>
        policy.name.startsWith(`${manifest.name}-`),
      );
      const backlog = policies.find((policy) => policy.name === `${manifest.name}-backlog`);
      assert.equal(backlog !== undefined, manifest.consumes.length > 0);
      if (backlog) {
        const tracking = backlog.inputs.targetTrackingScalingPolicyConfiguration as {
          targetValue: number;
          customizedMetricSpecification: {
            metrics: {
              id: string;
              expression?: string;
              metricStat?: { metric: { metricName: string; dimensions: { value: string }[] } };
            }[];
          };
        };
        assert.equal(tracking.targetValue, manifest.scaling.backlogPerTask);
        const metrics = tracking.customizedMetricSpecification.metrics;
        assert.deepEqual(metrics.find((metric) => metric.id === 'visible')?.metricStat?.metric.dimensions, [
          { name: 'QueueName', value: `taskoverflow-${manifest.name}` },
        ]);
        assert.equal(
          metrics.find((metric) => metric.id === 'tasks')?.metricStat?.metric.metricName,
          'RunningTaskCount',
        );
        assert.match(String(metrics.find((metric) => metric.expression)?.expression), /visible \/ /);
      }
      assert.equal(
        policies.some((policy) => policy.name === `${manifest.name}-cpu`),
        manifest.http !== undefined,
      );
    }
  });

  it('when the database is made, then it is private, encrypted, backed up and its password lives in Secrets Manager', () => {
    const [instance] = resources(stack, 'aws:rds/instance:Instance');
    assert.equal(instance?.inputs.publiclyAccessible, false);
    assert.equal(instance?.inputs.storageEncrypted, true);
    assert.equal(instance?.inputs.backupRetentionPeriod, Number(devConfig['taskoverflow:dbBackupRetentionDays']));
    const master = JSON.parse(
      String(named(stack, 'aws:secretsmanager/secretVersion:SecretVersion', 'db-master').inputs.secretString),
    );
    assert.equal(master.password, instance?.inputs.password);
    assert.ok(instance?.secretInputs.includes('password'));
    const ingress = resources(stack, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').filter(
      (rule) => rule.inputs.securityGroupId === 'db-sg-id',
    );
    assert.deepEqual(
      ingress.map((rule) => [rule.inputs.referencedSecurityGroupId, rule.inputs.fromPort]),
      [['cluster-tasks-id', 5432]],
    );
  });

  it("when pools are sized, then every task at twice every service's max task count stays under max_connections", () => {
    const withDatabase = manifests.filter(hasDatabase);
    const pool = poolSizePerTask(String(devConfig['taskoverflow:dbInstanceClass']), withDatabase);
    const tasksAtWorst = 2 * withDatabase.reduce((sum, manifest) => sum + manifest.scaling.maxTasks, 0);
    assert.ok(tasksAtWorst * pool + reservedConnections <= maxConnections('db.t4g.micro'));
    for (const manifest of manifests) {
      const [container] = JSON.parse(
        String(named(stack, 'aws:ecs/taskDefinition:TaskDefinition', manifest.name).inputs.containerDefinitions),
      ) as Container[];
      const poolSize = container?.environment.find((variable) => variable.name === 'DB_POOL_SIZE')?.value;
      assert.equal(poolSize, hasDatabase(manifest) ? String(pool) : undefined);
    }
    assert.throws(
      () =>
        poolSizePerTask(
          'db.t4g.micro',
          manifests.map((m) => ({ ...m, scaling: { ...m.scaling, maxTasks: 40 } })),
        ),
      /too few/,
    );
  });

  it("when the load balancer sends, then it reaches only the tasks' container port", () => {
    const egress = resources(stack, 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule').filter(
      (rule) => rule.inputs.securityGroupId === 'alb-sg-id',
    );
    assert.deepEqual(
      egress.map((rule) => [
        rule.inputs.referencedSecurityGroupId,
        rule.inputs.fromPort,
        rule.inputs.toPort,
        rule.inputs.cidrIpv4,
      ]),
      [['cluster-tasks-id', 8080, 8080, undefined]],
    );
  });

  it('when the bucket is made, then calendars and claim checks expire and incomplete multipart uploads are aborted', () => {
    const lifecycle = named(stack, 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration', 'storage');
    const rules = lifecycle.inputs.rules as {
      filter: { prefix: string };
      expiration?: { days: number };
      abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
    }[];
    assert.deepEqual(
      rules.filter((rule) => rule.expiration).map((rule) => [rule.filter.prefix, rule.expiration?.days]),
      [
        ['calendars/', Number(devConfig['taskoverflow:calendarsExpiryDays'])],
        ['claim-checks/', Number(devConfig['taskoverflow:claimChecksExpiryDays'])],
      ],
    );
    const abort = rules.filter((rule) => rule.abortIncompleteMultipartUpload);
    assert.deepEqual(
      abort.map((rule) => [rule.filter.prefix, rule.abortIncompleteMultipartUpload?.daysAfterInitiation]),
      [['', 1]],
    );
  });

  it('when alarms are made, then each consumer has a DLQ-depth and a message-age alarm and the ALB a 5xx alarm', () => {
    const alarms = resources(stack, 'aws:cloudwatch/metricAlarm:MetricAlarm');
    for (const manifest of consumers()) {
      const dlq = named(stack, 'aws:cloudwatch/metricAlarm:MetricAlarm', `alarms-${manifest.name}-dlq`);
      assert.deepEqual([dlq.inputs.threshold, dlq.inputs.comparisonOperator], [0, 'GreaterThanThreshold']);
      assert.deepEqual(dlq.inputs.dimensions, { QueueName: `taskoverflow-${manifest.name}-dlq` });
      const age = named(stack, 'aws:cloudwatch/metricAlarm:MetricAlarm', `alarms-${manifest.name}-age`);
      assert.equal(age.inputs.threshold, Number(devConfig['taskoverflow:oldestMessageAgeAlarmSeconds']));
    }
    assert.equal(alarms.length, consumers().length * 2 + 1);
    assert.ok(
      alarms.every(
        (alarm) =>
          (alarm.inputs.alarmActions as string[])[0] === 'arn:aws:sns:us-east-1:123456789012:taskoverflow-alarms',
      ),
    );
  });

  it('when the program finishes, then it exports the API URL, topic ARN, queue URLs and repository URLs', () => {
    assert.equal(outputs.apiUrl, 'http://alb.us-east-1.elb.amazonaws.com');
    assert.equal(outputs.topicArn, 'arn:aws:sns:us-east-1:123456789012:taskoverflow-events');
    assert.deepEqual(
      Object.keys(outputs.queueUrls as object).sort(),
      consumers()
        .map((manifest) => manifest.name)
        .sort(),
    );
    assert.deepEqual(
      Object.keys(outputs.repositoryUrls as object).sort(),
      manifests.map((manifest) => manifest.name).sort(),
    );
  });
});

describe('infra: the Pulumi program with a certificate and an alarm e-mail', () => {
  it('when a certificate ARN is configured, then the ALB serves HTTPS, redirects HTTP and the API URL is https', async () => {
    const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
    const { resources: stack, outputs } = await runProgram('https', {
      ...devConfig,
      'taskoverflow:certificateArn': certificateArn,
      'taskoverflow:alarmEmail': 'oncall@example.com',
      'taskoverflow:dbDeletionProtection': 'true',
    });
    // A protected database leaves a final snapshot whose name no earlier destroy can have taken.
    const [instance] = resources(stack, 'aws:rds/instance:Instance');
    assert.equal(instance?.inputs.finalSnapshotIdentifier, 'taskoverflow-final-0a1b2c3d');
    assert.equal(instance?.inputs.skipFinalSnapshot, false);
    const listeners = resources(stack, 'aws:lb/listener:Listener');
    const https = listeners.find((listener) => listener.inputs.protocol === 'HTTPS');
    assert.equal(https?.inputs.certificateArn, certificateArn);
    const redirect = listeners.find((listener) => listener.inputs.port === 80) as RecordedResource;
    assert.equal((redirect.inputs.defaultActions as { type: string }[])[0]?.type, 'redirect');
    assert.match(String(outputs.apiUrl), /^https:\/\//);
    const email = resources(stack, 'aws:sns/topicSubscription:TopicSubscription').filter(
      (sub) => sub.inputs.protocol === 'email',
    );
    assert.deepEqual(
      email.map((sub) => sub.inputs.endpoint),
      ['oncall@example.com'],
    );
    assert.ok(
      resources(stack, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').some(
        (rule) => rule.inputs.fromPort === 443,
      ),
    );
  });
});

describe('infra: the Pulumi program with the cheap profile (Pulumi.cheap.yaml)', () => {
  it('when the cheap stack is built, then calendar runs on Spot for x86, the rest on ARM64, without Container Insights or backlog scaling', async () => {
    const cheap = stackConfigFromFile(new URL('../Pulumi.cheap.yaml', import.meta.url));
    const { resources: stack } = await runProgram('cheap', cheap);
    const manifests = await loadManifests();
    const cluster = resources(stack, 'aws:ecs/cluster:Cluster')[0];
    assert.deepEqual(cluster?.inputs.settings, [{ name: 'containerInsights', value: 'disabled' }]);
    for (const manifest of manifests) {
      const service = named(stack, 'aws:ecs/service:Service', manifest.name);
      const definition = named(stack, 'aws:ecs/taskDefinition:TaskDefinition', manifest.name);
      const image = named(stack, 'awsx:ecr:Image', manifest.name);
      const spot = !manifest.http;
      assert.deepEqual(
        service.inputs.capacityProviderStrategies,
        spot ? [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] : undefined,
        manifest.name,
      );
      assert.equal(service.inputs.launchType, spot ? undefined : 'FARGATE');
      const architecture = spot ? 'X86_64' : 'ARM64';
      assert.equal((definition.inputs.runtimePlatform as { cpuArchitecture: string }).cpuArchitecture, architecture);
      assert.equal(image.inputs.platform, spot ? 'linux/amd64' : 'linux/arm64');
      assert.ok(service.dependsOn.includes('aws:ecs/clusterCapacityProviders:ClusterCapacityProviders::cluster'));
    }
    assert.ok(named(stack, 'aws:ecs/service:Service', 'calendar'), 'calendar has no public API');
    assert.deepEqual(
      resources(stack, 'aws:appautoscaling/policy:Policy').filter((policy) => policy.name.endsWith('-backlog')),
      [],
    );
  });
});
