import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface LoadBalancerArgs {
  prefix: string;
  vpcId: pulumi.Input<string>;
  publicSubnetIds: pulumi.Input<string>[];
  /** HTTPS on 443 (and a redirect on 80) when set; plain HTTP on 80 otherwise. */
  certificateArn?: string | undefined;
}

/**
 * The public entry: an internet-facing ALB whose listener answers 404 unless a service's path
 * rule matches. Services attach their own rules (ServiceDeployment), so this file never lists them.
 */
export class LoadBalancer extends pulumi.ComponentResource {
  readonly securityGroupId: pulumi.Output<string>;
  readonly listenerArn: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly arnSuffix: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super('taskoverflow:network:LoadBalancer', name, {}, opts);
    const parent = { parent: this };
    const https = args.certificateArn !== undefined;

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.vpcId,
        description: 'Load balancer: HTTP(S) from the internet',
        tags: { Name: `${args.prefix}-alb` },
      },
      parent,
    );
    for (const port of https ? [80, 443] : [80]) {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-in-${port}`,
        { securityGroupId: securityGroup.id, cidrIpv4: '0.0.0.0/0', ipProtocol: 'tcp', fromPort: port, toPort: port },
        parent,
      );
    }
    // No egress rule here: the Cluster allows it to the tasks' port only (it owns the tasks' group).

    const alb = new aws.lb.LoadBalancer(
      name,
      {
        namePrefix: 'to-',
        loadBalancerType: 'application',
        internal: false,
        securityGroups: [securityGroup.id],
        subnets: args.publicSubnetIds,
        dropInvalidHeaderFields: true,
        // Longer than the 20 s long-polls nobody makes through it, shorter than the default 60 s idle.
        idleTimeout: 30,
      },
      parent,
    );
    const notFound = {
      type: 'fixed-response',
      fixedResponse: { contentType: 'application/json', statusCode: '404', messageBody: '{"error":"not_found"}' },
    };
    const listener = https
      ? new aws.lb.Listener(
          `${name}-https`,
          {
            loadBalancerArn: alb.arn,
            port: 443,
            protocol: 'HTTPS',
            sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
            certificateArn: args.certificateArn,
            defaultActions: [notFound],
          },
          parent,
        )
      : new aws.lb.Listener(
          `${name}-http`,
          { loadBalancerArn: alb.arn, port: 80, protocol: 'HTTP', defaultActions: [notFound] },
          parent,
        );
    if (https) {
      new aws.lb.Listener(
        `${name}-redirect`,
        {
          loadBalancerArn: alb.arn,
          port: 80,
          protocol: 'HTTP',
          defaultActions: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', statusCode: 'HTTP_301' } }],
        },
        parent,
      );
    }

    this.securityGroupId = securityGroup.id;
    this.listenerArn = listener.arn;
    this.arn = alb.arn;
    this.arnSuffix = alb.arnSuffix;
    this.url = pulumi.interpolate`${https ? 'https' : 'http'}://${alb.dnsName}`;
    this.registerOutputs({ url: this.url });
  }
}
