import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { executionRolePolicy, taskRolePolicy } from '@taskoverflow/events/aws-contract';
import type { ServiceManifest } from '@taskoverflow/events/manifest';
import type { ConsumerQueue } from './consumer-queue.ts';
import { ServiceImage } from './service-image.ts';
import { ServiceRoute } from './service-route.ts';
import { ServiceScaling } from './service-scaling.ts';

/** Stand-ins for ARNs, to ask the contract whether a manifest needs a task policy at all. */
const arnPlaceholders = {
  topicArn: 'topic',
  keyArn: 'key',
  bucketArn: 'bucket',
  queue: { queueArn: 'queue', dlqArn: 'dlq' },
};

/** Every container listens here; the Dockerfile sets the same PORT. */
export const containerPort = 8080;
/** Longer than the consumer runtime's 25 s drain, so ECS does not SIGKILL a draining task. */
export const stopTimeoutSeconds = 30;

export interface ServiceDeploymentArgs {
  manifest: ServiceManifest;
  prefix: string;
  region: string;
  accountId: pulumi.Input<string>;
  /** Absolute path of the repository root: the Docker build context. */
  repoRoot: string;
  vpcId: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<string>[];
  taskSecurityGroupId: pulumi.Input<string>;
  clusterArn: pulumi.Input<string>;
  clusterName: pulumi.Input<string>;
  listenerArn: pulumi.Input<string>;
  topicArn: pulumi.Input<string>;
  keyArn: pulumi.Input<string>;
  bucketName: pulumi.Input<string>;
  bucketArn: pulumi.Input<string>;
  databaseUrl: pulumi.Input<string>;
  queue?: ConsumerQueue | undefined;
  desiredCount: number;
  logRetentionDays: number;
  ecrKeepImages: number;
  /** Token verification and API settings (ApiAccess.serviceEnv). */
  apiEnv?: Record<string, pulumi.Input<string>>;
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

    const image = new ServiceImage(
      name,
      {
        repositoryName: `${prefix}/${manifest.name}`,
        repoRoot: args.repoRoot,
        service: manifest.name,
        keepImages: args.ecrKeepImages,
      },
      parent,
    );

    const logGroup = new aws.cloudwatch.LogGroup(
      name,
      { name: `/${prefix}/${manifest.name}`, retentionInDays: args.logRetentionDays },
      parent,
    );

    const databaseSecretKey = `${manifest.name.toUpperCase().replaceAll('-', '_')}_DATABASE_URL`;
    const secret = new aws.secretsmanager.Secret(
      name,
      {
        name: `${prefix}/${manifest.name}/database-url`,
        description: `${databaseSecretKey} of ${manifest.name}`,
        recoveryWindowInDays: 0,
      },
      parent,
    );
    new aws.secretsmanager.SecretVersion(name, { secretId: secret.id, secretString: args.databaseUrl }, parent);

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
    // Every grant comes from the AWS contract in events/: infra resolves the ARNs and nothing more.
    const taskPolicyJson = pulumi
      .all([args.topicArn, args.keyArn, args.bucketArn, args.queue?.queueArn, args.queue?.dlqArn])
      .apply(([topicArn, keyArn, bucketArn, queueArn, dlqArn]) =>
        JSON.stringify(
          taskRolePolicy(manifest, {
            topicArn,
            keyArn,
            bucketArn,
            queue: queueArn && dlqArn ? { queueArn, dlqArn } : undefined,
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
          .all([image.repositoryArn, logGroup.arn, secret.arn])
          .apply(([repositoryArn, logGroupArn, secretArn]) =>
            JSON.stringify(executionRolePolicy({ repositoryArn, logGroupArn, secretArn })),
          ),
      },
      parent,
    );

    const environment: Record<string, pulumi.Input<string>> = {
      LOG_LEVEL: 'info',
      AWS_REGION: args.region,
      EVENTS_TOPIC_ARN: args.topicArn,
      EVENTS_BUCKET: args.bucketName,
      // db.t4g.micro allows ~80 connections; 4 per task keeps every service at its max task count under that.
      DB_POOL_SIZE: '4',
      ...(manifest.http ? { PORT: String(containerPort) } : {}),
      ...(args.queue ? { EVENTS_QUEUE_URL: args.queue.queueUrl } : {}),
      ...args.apiEnv,
    };
    const taskDefinition = new aws.ecs.TaskDefinition(
      name,
      {
        family: fullName,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: String(manifest.resources.cpu),
        memory: String(manifest.resources.memoryMiB),
        runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
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
            portMappings: manifest.http ? [{ containerPort, protocol: 'tcp' }] : [],
            environment: Object.entries(environment).map(([key, value]) => ({ name: key, value })),
            secrets: [{ name: databaseSecretKey, valueFrom: secret.arn }],
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': logGroup.name,
                'awslogs-region': args.region,
                'awslogs-stream-prefix': manifest.name,
              },
            },
          },
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
        launchType: 'FARGATE',
        desiredCount: args.desiredCount,
        networkConfiguration: {
          subnets: args.privateSubnetIds,
          securityGroups: [args.taskSecurityGroupId],
          assignPublicIp: false,
        },
        loadBalancers: route
          ? [{ targetGroupArn: route.targetGroupArn, containerName: manifest.name, containerPort }]
          : [],
        healthCheckGracePeriodSeconds: route ? 30 : undefined,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        propagateTags: 'SERVICE',
        waitForSteadyState: false,
      },
      // Autoscaling owns the running count after the first deployment.
      {
        parent: this,
        ignoreChanges: ['desiredCount'],
        dependsOn: [executionPolicy, ...taskPolicy, ...(route ? [route.listenerRule] : [])],
      },
    );

    new ServiceScaling(
      name,
      { manifest, clusterName: args.clusterName, serviceName: service.name, queueName: args.queue?.queueName },
      parent,
    );

    this.repositoryUrl = image.repositoryUrl;
    this.imageUri = image.imageUri;
    this.serviceName = service.name;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl, imageUri: this.imageUri });
  }
}
