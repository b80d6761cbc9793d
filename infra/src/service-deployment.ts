import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { executionRolePolicy, taskRolePolicy } from '@taskoverflow/events/aws-contract';
import { backfillServices, backfillTargets } from '@taskoverflow/events/backfill';
import type { ServiceManifest } from '@taskoverflow/events/manifest';
import type { ConsumerQueue } from './consumer-queue.ts';
import type { ServiceDatabaseAccess } from './database.ts';
import type { ServiceImage } from './service-image.ts';
import { ServiceRoute } from './service-route.ts';
import { ServiceScaling } from './service-scaling.ts';
import { collectorContainer, collectorPolicy, serviceTelemetryEnv } from './telemetry.ts';

/** Stand-ins for ARNs, to ask the contract whether a manifest needs a task policy at all. */
const arnPlaceholders = {
  topicArn: 'topic',
  keyArn: 'key',
  bucketArn: 'bucket',
  queue: { queueArn: 'queue', dlqArn: 'dlq' },
};

/** Every container listens here; the Dockerfile sets the same PORT. */
export const containerPort = 8080;
/**
 * The image's health script (infra/docker/healthcheck.ts) asks `healthPaths.ready`. Start period:
 * migrations and the consumer's first receive; three failures 30 s apart replace the task.
 */
export const containerHealthCheck = {
  command: ['CMD', 'node', '/app/infra/docker/healthcheck.ts'],
  interval: 30,
  timeout: 5,
  retries: 3,
  startPeriod: 60,
};

/** Longer than the consumer runtime's 25 s drain, so ECS does not SIGKILL a draining task. */
export const stopTimeoutSeconds = 30;

export interface ServiceDeploymentArgs {
  manifest: ServiceManifest;
  prefix: string;
  region: string;
  accountId: pulumi.Input<string>;
  /** Its image, built before any service so the database bootstrap can run in one. */
  image: ServiceImage;
  /** Its database role's URL secret (Database.serviceDatabase); none for `database: false`. */
  database: ServiceDatabaseAccess | undefined;
  /** Created only after these: the database bootstrap. */
  startAfter: pulumi.Resource[];
  cpuArchitecture: 'ARM64' | 'X86_64';
  dbPoolSize: number;
  /** Fargate Spot instead of on-demand (services without a public API, in the cheap profile). */
  spot: boolean;
  containerInsights: boolean;
  vpcId: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<string>[];
  /** The private subnets' NAT route: a task started before it cannot pull its image or read its secret. */
  privateEgress: pulumi.Resource;
  taskSecurityGroupId: pulumi.Input<string>;
  clusterArn: pulumi.Input<string>;
  clusterName: pulumi.Input<string>;
  listenerArn: pulumi.Input<string>;
  topicArn: pulumi.Input<string>;
  keyArn: pulumi.Input<string>;
  bucketName: pulumi.Input<string>;
  bucketArn: pulumi.Input<string>;
  queue?: ConsumerQueue | undefined;
  /** Every service's queue by name: the event store replays into those of services asking for backfill. */
  queues: Record<string, ConsumerQueue>;
  /** All manifests, for the event store's backfill targets. */
  manifests: readonly ServiceManifest[];
  desiredCount: number;
  logRetentionDays: number;
  /** Token verification and API settings (ApiAccess.serviceEnv). */
  apiEnv?: Record<string, pulumi.Input<string>>;
  /** The stack's OTel metrics log group: when set, an ADOT collector sidecar exports traces and metrics. */
  telemetry?: { metricsLogGroupName: string; metricsLogGroupArn: pulumi.Input<string> } | undefined;
}

/**
 * Everything one service needs to run, derived from its manifest: its image (ServiceImage),
 * log group, database secret, least-privilege roles, Fargate task definition and service,
 * its load balancer route if it serves HTTP (ServiceRoute) and its autoscaling (ServiceScaling).
 * The same code for every service, so adding a folder under services/ is all a new one needs.
 */
export class ServiceDeployment extends pulumi.ComponentResource {
  readonly repositoryUrl: pulumi.Output<string>;
  readonly imageUri: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;

  constructor(name: string, args: ServiceDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super('taskoverflow:compute:ServiceDeployment', name, {}, opts);
    const parent = { parent: this };
    const { manifest, prefix } = args;
    const fullName = `${prefix}-${manifest.name}`;

    const { image } = args;

    const logGroup = new aws.cloudwatch.LogGroup(
      name,
      { name: `/${prefix}/${manifest.name}`, retentionInDays: args.logRetentionDays },
      parent,
    );

    const { database } = args;

    const assumedByEcsTasks = pulumi.jsonStringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'ecs-tasks.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:SourceAccount': args.accountId } },
        },
      ],
    });
    const taskRole = new aws.iam.Role(
      `${name}-task`,
      { namePrefix: `${fullName}-task-`.slice(0, 38), assumeRolePolicy: assumedByEcsTasks },
      parent,
    );
    // The event store's replays go to the queues of the services whose manifests ask for backfill, and no other.
    const backfillQueues = manifest.eventStore
      ? backfillServices(args.manifests).map((target) => {
          const queue = args.queues[target.name];
          if (!queue) throw new Error(`${target.name} asks for backfill but has no queue`);
          return { service: target.name, queue };
        })
      : [];
    const backfillQueueArns = pulumi.all(backfillQueues.map(({ queue }) => queue.queueArn));
    // Every grant comes from the AWS contract in events/: infra resolves the ARNs and nothing more.
    const taskPolicyJson = pulumi
      .all([args.topicArn, args.keyArn, args.bucketArn, args.queue?.queueArn, args.queue?.dlqArn, backfillQueueArns])
      .apply(([topicArn, keyArn, bucketArn, queueArn, dlqArn, backfillArns]) =>
        JSON.stringify(
          taskRolePolicy(manifest, {
            topicArn,
            keyArn,
            bucketArn,
            queue: queueArn && dlqArn ? { queueArn, dlqArn } : undefined,
            backfillQueueArns: backfillArns,
          }),
        ),
      );
    // Whether a service needs AWS at all follows from its manifest alone, before any ARN exists.
    const needsAws = taskRolePolicy(manifest, arnPlaceholders) !== undefined;
    const taskPolicy = needsAws
      ? [new aws.iam.RolePolicy(`${name}-task`, { role: taskRole.id, policy: taskPolicyJson }, parent)]
      : [];
    const executionRole = new aws.iam.Role(
      `${name}-execution`,
      { namePrefix: `${fullName}-exec-`.slice(0, 38), assumeRolePolicy: assumedByEcsTasks },
      parent,
    );
    const executionPolicy = new aws.iam.RolePolicy(
      `${name}-execution`,
      {
        role: executionRole.id,
        policy: pulumi
          .all([image.repositoryArn, logGroup.arn, database?.secretArn])
          .apply(([repositoryArn, logGroupArn, secretArn]) =>
            JSON.stringify(
              executionRolePolicy({ repositoryArn, logGroupArn, secretArns: secretArn ? [secretArn] : [] }),
            ),
          ),
      },
      parent,
    );

    const environment: Record<string, pulumi.Input<string>> = {
      LOG_LEVEL: 'info',
      AWS_REGION: args.region,
      EVENTS_TOPIC_ARN: args.topicArn,
      EVENTS_BUCKET: args.bucketName,
      // Every task's share of max_connections at twice every service's max tasks (database-capacity.ts).
      ...(database ? { DB_POOL_SIZE: String(args.dbPoolSize) } : {}),
      // Every service serves its health endpoints on PORT, consumers without an API included.
      PORT: String(containerPort),
      ...(args.queue ? { EVENTS_QUEUE_URL: args.queue.queueUrl } : {}),
      ...args.apiEnv,
      ...(args.telemetry ? serviceTelemetryEnv : {}),
      ...(manifest.eventStore
        ? {
            BACKFILL_TARGETS: pulumi
              .all(Object.fromEntries(backfillQueues.map(({ service, queue }) => [service, queue.queueUrl])))
              .apply((urls) => JSON.stringify(backfillTargets(args.manifests, (service) => urls[service]))),
          }
        : {}),
    };
    const { telemetry } = args;
    const collector = telemetry
      ? [
          collectorContainer({
            metricsLogGroup: telemetry.metricsLogGroupName,
            logGroupName: logGroup.name,
            region: args.region,
          }),
        ]
      : [];
    if (telemetry) {
      const policy = pulumi.output(telemetry.metricsLogGroupArn).apply(collectorPolicy);
      new aws.iam.RolePolicy(`${name}-telemetry`, { role: taskRole.id, policy }, parent);
    }
    const taskDefinition = new aws.ecs.TaskDefinition(
      name,
      {
        family: fullName,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: String(manifest.resources.cpu),
        memory: String(manifest.resources.memoryMiB),
        runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: args.cpuArchitecture },
        taskRoleArn: taskRole.arn,
        executionRoleArn: executionRole.arn,
        volumes: [{ name: 'tmp' }],
        containerDefinitions: pulumi.jsonStringify([
          {
            name: manifest.name,
            image: image.imageUri,
            essential: true,
            // Nothing but /tmp (a task volume) is writable; the image's code cannot be changed at run time.
            readonlyRootFilesystem: true,
            mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp' }],
            stopTimeout: stopTimeoutSeconds,
            portMappings: [{ containerPort, protocol: 'tcp' }],
            // ECS ignores the image's HEALTHCHECK; this is the same script asking readiness, so a
            // consumer stuck on AccessDenied is replaced and fails its deployment (circuit breaker).
            healthCheck: containerHealthCheck,
            environment: Object.entries(environment).map(([key, value]) => ({ name: key, value })),
            secrets: database ? [{ name: database.envKey, valueFrom: database.secretArn }] : [],
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': logGroup.name,
                'awslogs-region': args.region,
                'awslogs-stream-prefix': manifest.name,
              },
            },
          },
          ...collector,
        ]),
      },
      parent,
    );

    const route = manifest.http
      ? new ServiceRoute(
          name,
          {
            http: manifest.http,
            service: manifest.name,
            vpcId: args.vpcId,
            listenerArn: args.listenerArn,
            containerPort,
          },
          parent,
        )
      : undefined;

    const service = new aws.ecs.Service(
      name,
      {
        name: manifest.name,
        cluster: args.clusterArn,
        taskDefinition: taskDefinition.arn,
        // Spot: ECS replaces an interrupted task; its queue redelivers what it had not finished.
        ...(args.spot
          ? { capacityProviderStrategies: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] }
          : { launchType: 'FARGATE' }),
        desiredCount: args.desiredCount,
        networkConfiguration: {
          subnets: args.privateSubnetIds,
          securityGroups: [args.taskSecurityGroupId],
          assignPublicIp: false,
        },
        loadBalancers: route
          ? [{ targetGroupArn: route.targetGroupArn, containerName: manifest.name, containerPort }]
          : [],
        healthCheckGracePeriodSeconds: route ? containerHealthCheck.startPeriod : undefined,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        propagateTags: 'SERVICE',
        // `pulumi up` returns only once the tasks run healthy, and fails (after the circuit
        // breaker's rollback) when they do not: a broken first deploy is loud, not green.
        waitForSteadyState: true,
      },
      // Autoscaling owns the running count after the first deployment.
      {
        parent: this,
        ignoreChanges: ['desiredCount'],
        dependsOn: [
          executionPolicy,
          ...taskPolicy,
          ...(database ? [database.secretValue] : []),
          args.privateEgress,
          ...args.startAfter,
          ...(route ? [route.listenerRule] : []),
        ],
      },
    );

    new ServiceScaling(
      name,
      {
        manifest,
        clusterName: args.clusterName,
        serviceName: service.name,
        queueName: args.queue?.queueName,
        containerInsights: args.containerInsights,
      },
      parent,
    );

    this.repositoryUrl = image.repositoryUrl;
    this.imageUri = image.imageUri;
    this.serviceName = service.name;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl, imageUri: this.imageUri });
  }
}
