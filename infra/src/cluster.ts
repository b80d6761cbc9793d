import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface ClusterArgs {
  prefix: string;
  vpcId: pulumi.Input<string>;
  /** The load balancer's security group, the only source admitted to containers. */
  loadBalancerSecurityGroupId: pulumi.Input<string>;
  containerPort: number;
  containerInsights: boolean;
}

/**
 * The ECS cluster and the security group every task runs in: no inbound traffic except from
 * the load balancer to the container port; outbound open (AWS APIs through the NAT gateway).
 * Container Insights (on unless the stack turns it off) gives consumer autoscaling its RunningTaskCount.
 */
export class Cluster extends pulumi.ComponentResource {
  readonly clusterArn: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly taskSecurityGroupId: pulumi.Output<string>;
  /** A service choosing Spot must be created after the cluster allows it. */
  readonly capacityProviders: aws.ecs.ClusterCapacityProviders;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('taskoverflow:compute:Cluster', name, {}, opts);
    const parent = { parent: this };

    const cluster = new aws.ecs.Cluster(
      name,
      {
        name: args.prefix,
        settings: [{ name: 'containerInsights', value: args.containerInsights ? 'enabled' : 'disabled' }],
      },
      parent,
    );
    // Both capacity providers, so a service may choose Spot (spotForConsumers).
    this.capacityProviders = new aws.ecs.ClusterCapacityProviders(
      name,
      { clusterName: cluster.name, capacityProviders: ['FARGATE', 'FARGATE_SPOT'] },
      parent,
    );
    const tasks = new aws.ec2.SecurityGroup(
      `${name}-tasks`,
      {
        vpcId: args.vpcId,
        description: 'Service tasks: inbound from the load balancer only',
        tags: { Name: `${args.prefix}-tasks` },
      },
      parent,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-tasks-from-alb`,
      {
        securityGroupId: tasks.id,
        referencedSecurityGroupId: args.loadBalancerSecurityGroupId,
        ipProtocol: 'tcp',
        fromPort: args.containerPort,
        toPort: args.containerPort,
      },
      parent,
    );
    // The load balancer may reach the tasks' port and nothing else.
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-alb-to-tasks`,
      {
        securityGroupId: args.loadBalancerSecurityGroupId,
        referencedSecurityGroupId: tasks.id,
        ipProtocol: 'tcp',
        fromPort: args.containerPort,
        toPort: args.containerPort,
      },
      parent,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-tasks-out`,
      { securityGroupId: tasks.id, cidrIpv4: '0.0.0.0/0', ipProtocol: '-1' },
      parent,
    );

    this.clusterArn = cluster.arn;
    this.clusterName = cluster.name;
    this.taskSecurityGroupId = tasks.id;
    this.registerOutputs({ clusterArn: this.clusterArn, taskSecurityGroupId: this.taskSecurityGroupId });
  }
}
