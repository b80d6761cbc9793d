import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { ServiceManifest } from '@taskoverflow/events/manifest';

export interface ServiceScalingArgs {
  manifest: ServiceManifest;
  clusterName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
  /** Set for consumers: scale on visible messages per running task. */
  queueName?: pulumi.Input<string> | undefined;
  /** Backlog per task needs Container Insights' RunningTaskCount; without it consumers keep minTasks. */
  containerInsights: boolean;
}

/**
 * Target tracking within the manifest's min/max: HTTP services on average CPU, consumers on
 * backlog per task (the AWS-recommended metric for queue workers, since queue depth alone
 * does not say whether more tasks would help). A service that is both gets both policies;
 * it scales out when either asks and in only when both agree.
 */
export class ServiceScaling extends pulumi.ComponentResource {
  constructor(name: string, args: ServiceScalingArgs, opts?: pulumi.ComponentResourceOptions) {
    super('taskoverflow:compute:ServiceScaling', name, {}, opts);
    const parent = { parent: this };
    const { manifest } = args;

    const target = new aws.appautoscaling.Target(
      name,
      {
        serviceNamespace: 'ecs',
        scalableDimension: 'ecs:service:DesiredCount',
        resourceId: pulumi.interpolate`service/${args.clusterName}/${args.serviceName}`,
        minCapacity: manifest.scaling.minTasks,
        maxCapacity: manifest.scaling.maxTasks,
      },
      parent,
    );
    const common = {
      policyType: 'TargetTrackingScaling',
      resourceId: target.resourceId,
      scalableDimension: target.scalableDimension,
      serviceNamespace: target.serviceNamespace,
    };

    if (manifest.http) {
      new aws.appautoscaling.Policy(
        `${name}-cpu`,
        {
          ...common,
          targetTrackingScalingPolicyConfiguration: {
            targetValue: manifest.scaling.cpuTargetPercent,
            predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' },
            scaleInCooldown: 120,
            scaleOutCooldown: 60,
          },
        },
        parent,
      );
    }
    if (args.queueName !== undefined && args.containerInsights) {
      new aws.appautoscaling.Policy(
        `${name}-backlog`,
        {
          ...common,
          targetTrackingScalingPolicyConfiguration: {
            targetValue: manifest.scaling.backlogPerTask,
            scaleInCooldown: 120,
            scaleOutCooldown: 60,
            customizedMetricSpecification: {
              metrics: [
                {
                  id: 'visible',
                  returnData: false,
                  metricStat: {
                    stat: 'Sum',
                    metric: {
                      namespace: 'AWS/SQS',
                      metricName: 'ApproximateNumberOfMessagesVisible',
                      dimensions: [{ name: 'QueueName', value: args.queueName }],
                    },
                  },
                },
                {
                  id: 'tasks',
                  returnData: false,
                  metricStat: {
                    stat: 'Average',
                    metric: {
                      namespace: 'ECS/ContainerInsights',
                      metricName: 'RunningTaskCount',
                      dimensions: [
                        { name: 'ClusterName', value: args.clusterName },
                        { name: 'ServiceName', value: args.serviceName },
                      ],
                    },
                  },
                },
                // With no task running the whole backlog counts against one, so scale-out still starts.
                {
                  id: 'backlogPerTask',
                  label: 'Backlog per task',
                  returnData: true,
                  expression: 'visible / IF(tasks > 0, tasks, 1)',
                },
              ],
            },
          },
        },
        parent,
      );
    }
    this.registerOutputs({});
  }
}
