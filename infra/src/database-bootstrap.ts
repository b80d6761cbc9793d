import * as aws from '@pulumi/aws';
import * as command from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';
import { executionRolePolicy } from '@taskoverflow/events/aws-contract';
import type { ServiceDatabaseAccess } from './database.ts';
import type { ServiceImage } from './service-image.ts';

export interface DatabaseBootstrapArgs {
  prefix: string;
  region: string;
  clusterArn: pulumi.Input<string>;
  subnetIds: pulumi.Input<string>[];
  securityGroupId: pulumi.Input<string>;
  cpuArchitecture: 'ARM64' | 'X86_64';
  /** Any service image: each holds infra/docker/db-bootstrap.ts and node-postgres. */
  image: ServiceImage;
  masterUrlSecretArn: pulumi.Input<string>;
  /** Run only once these exist: the master URL's value, the NAT route. */
  after: pulumi.Resource[];
  services: Record<string, ServiceDatabaseAccess>;
  logRetentionDays: number;
}

/**
 * The one-off task that holds the RDS master credentials (ADR 0063): it creates each service's
 * role and database (infra/docker/db-bootstrap.ts). `pulumi up` runs it with the AWS CLI and
 * waits for it to exit 0 before any service starts; it runs again only when its task definition
 * or a service's secret changes. No service task can read the master secret.
 */
export class DatabaseBootstrap extends pulumi.ComponentResource {
  /** Services start after this. */
  readonly done: command.local.Command;

  constructor(name: string, args: DatabaseBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
    super('taskoverflow:database:DatabaseBootstrap', name, {}, opts);
    const parent = { parent: this };
    const services = Object.values(args.services);

    const logGroup = new aws.cloudwatch.LogGroup(
      name,
      { name: `/${args.prefix}/${name}`, retentionInDays: args.logRetentionDays },
      parent,
    );
    const executionRole = new aws.iam.Role(
      `${name}-execution`,
      {
        namePrefix: `${args.prefix}-dbboot-exec-`.slice(0, 38),
        assumeRolePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      },
      parent,
    );
    const executionPolicy = new aws.iam.RolePolicy(
      `${name}-execution`,
      {
        role: executionRole.id,
        policy: pulumi
          .all([
            args.image.repositoryArn,
            logGroup.arn,
            pulumi.all([args.masterUrlSecretArn, ...services.map((service) => service.secretArn)]),
          ])
          .apply(([repositoryArn, logGroupArn, secretArns]) =>
            JSON.stringify(executionRolePolicy({ repositoryArn, logGroupArn, secretArns })),
          ),
      },
      parent,
    );
    const taskDefinition = new aws.ecs.TaskDefinition(
      name,
      {
        family: `${args.prefix}-${name}`,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: args.cpuArchitecture },
        executionRoleArn: executionRole.arn,
        containerDefinitions: pulumi.jsonStringify([
          {
            name,
            image: args.image.imageUri,
            essential: true,
            readonlyRootFilesystem: true,
            command: ['node', '/app/infra/docker/db-bootstrap.ts'],
            environment: [{ name: 'DB_SERVICE_URL_VARS', value: services.map((service) => service.envKey).join(',') }],
            secrets: [
              { name: 'DB_MASTER_URL', valueFrom: args.masterUrlSecretArn },
              ...services.map((service) => ({ name: service.envKey, valueFrom: service.secretArn })),
            ],
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': logGroup.name,
                'awslogs-region': args.region,
                'awslogs-stream-prefix': name,
              },
            },
          },
        ]),
      },
      parent,
    );

    // Runs where `pulumi up` runs (the AWS CLI v2 and the deployer's credentials): start the
    // task, wait for it to stop, fail the deployment unless it exited 0.
    this.done = new command.local.Command(
      name,
      {
        create: runTaskScript,
        interpreter: ['/bin/bash', '-c'],
        environment: {
          AWS_REGION: args.region,
          CLUSTER: args.clusterArn,
          TASK_DEFINITION: taskDefinition.arn,
          NETWORK: pulumi
            .all([pulumi.all(args.subnetIds), args.securityGroupId])
            .apply(([subnets, group]) =>
              JSON.stringify({ awsvpcConfiguration: { subnets, securityGroups: [group], assignPublicIp: 'DISABLED' } }),
            ),
        },
        triggers: [taskDefinition.arn, ...services.map((service) => service.secretValue.versionId)],
      },
      { parent: this, dependsOn: [executionPolicy, ...services.map((service) => service.secretValue), ...args.after] },
    );
    this.registerOutputs({ taskDefinitionArn: taskDefinition.arn });
  }
}

export const runTaskScript = [
  'set -euo pipefail',
  'task=$(aws ecs run-task --cluster "$CLUSTER" --task-definition "$TASK_DEFINITION" --launch-type FARGATE --network-configuration "$NETWORK" --query "tasks[0].taskArn" --output text)',
  'aws ecs wait tasks-stopped --cluster "$CLUSTER" --tasks "$task"',
  'code=$(aws ecs describe-tasks --cluster "$CLUSTER" --tasks "$task" --query "tasks[0].containers[0].exitCode" --output text)',
  'if [ "$code" != "0" ]; then echo "database bootstrap task $task exited $code; see its log group" >&2; exit 1; fi',
].join('\n');
