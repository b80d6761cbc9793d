import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { healthPaths, pathPatterns, type ServiceManifest } from '@taskoverflow/events/manifest';

export interface ServiceRouteArgs {
  http: NonNullable<ServiceManifest['http']>;
  service: string;
  vpcId: pulumi.Input<string>;
  listenerArn: pulumi.Input<string>;
  containerPort: number;
}

/** ALB conditions take at most five values in total. */
const maxPathPatterns = 5;

/**
 * An HTTP service's place behind the load balancer: a target group health-checked on the
 * agreed readiness path, and a listener rule at the manifest's priority matching each path
 * prefix and everything below it (as the local gateway does).
 */
export class ServiceRoute extends pulumi.ComponentResource {
  readonly targetGroupArn: pulumi.Output<string>;
  readonly listenerRule: aws.lb.ListenerRule;

  constructor(name: string, args: ServiceRouteArgs, opts?: pulumi.ComponentResourceOptions) {
    super('taskoverflow:network:ServiceRoute', name, {}, opts);
    const parent = { parent: this };
    const { http } = args;

    const patterns = pathPatterns(http.pathPrefixes);
    if (patterns.length > maxPathPatterns) {
      throw new Error(
        `services/${args.service}: an ALB rule takes at most ${maxPathPatterns} path patterns; ${http.pathPrefixes.length} prefixes need ${patterns.length}`,
      );
    }
    const targetGroup = new aws.lb.TargetGroup(
      name,
      {
        port: args.containerPort,
        protocol: 'HTTP',
        targetType: 'ip',
        vpcId: args.vpcId,
        // Shorter than ECS's stop timeout: the target leaves the ALB before SIGKILL could arrive.
        deregistrationDelay: 25,
        // Readiness, not the public health path: a task whose DB or consumer is down gets no traffic.
        healthCheck: {
          path: healthPaths.ready,
          matcher: '200',
          interval: 15,
          timeout: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 3,
        },
      },
      parent,
    );
    this.listenerRule = new aws.lb.ListenerRule(
      name,
      {
        listenerArn: args.listenerArn,
        priority: http.priority,
        actions: [{ type: 'forward', targetGroupArn: targetGroup.arn }],
        conditions: [{ pathPattern: { values: patterns } }],
      },
      parent,
    );

    this.targetGroupArn = targetGroup.arn;
    this.registerOutputs({ targetGroupArn: this.targetGroupArn });
  }
}
