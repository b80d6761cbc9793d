import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';

export interface NetworkArgs {
  prefix: string;
  region: string;
  cidr: string;
  availabilityZones: readonly string[];
}

/**
 * VPC with a public and a private subnet per zone. The load balancer and the one NAT gateway sit
 * in the public subnets; tasks and the database only in the private ones. Plain resources rather
 * than awsx.ec2.Vpc so the tests can see every subnet and route.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly publicSubnetIds: pulumi.Output<string>[];
  readonly privateSubnetIds: pulumi.Output<string>[];
  /** The private subnets' way out (ECR, SNS, SQS, Secrets Manager): tasks start only after it exists. */
  readonly privateEgress: aws.ec2.Route;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('taskoverflow:network:Network', name, {}, opts);
    const parent = { parent: this };
    const tags = (suffix: string) => ({ Name: `${args.prefix}-${suffix}` });
    // 10.x.0.0/16 → /20 blocks: public subnets take blocks 0.., private subnets blocks 8..
    const block = (index: number) => {
      const [a, b] = args.cidr.split('.');
      return `${a}.${b}.${index * 16}.0/20`;
    };

    const vpc = new aws.ec2.Vpc(
      name,
      { cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tags('vpc') },
      parent,
    );
    const igw = new aws.ec2.InternetGateway(name, { vpcId: vpc.id, tags: tags('igw') }, parent);

    const publicRoutes = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, tags: tags('public') }, parent);
    new aws.ec2.Route(
      `${name}-public-internet`,
      { routeTableId: publicRoutes.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id },
      parent,
    );

    const publicSubnets = args.availabilityZones.map((zone, index) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-public-${zone}`,
        {
          vpcId: vpc.id,
          cidrBlock: block(index),
          availabilityZone: zone,
          mapPublicIpOnLaunch: false,
          tags: tags(`public-${zone}`),
        },
        parent,
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-public-${zone}`,
        { subnetId: subnet.id, routeTableId: publicRoutes.id },
        parent,
      );
      return subnet;
    });
    const firstPublic = publicSubnets[0];
    if (!firstPublic) throw new Error('Network needs at least one availability zone');

    // One NAT gateway, not one per zone: tasks lose egress if its zone fails, for ~$33/month less per zone.
    const natIp = new aws.ec2.Eip(`${name}-nat`, { domain: 'vpc', tags: tags('nat') }, parent);
    const nat = new aws.ec2.NatGateway(
      `${name}-nat`,
      { subnetId: firstPublic.id, allocationId: natIp.id, tags: tags('nat') },
      { parent: this, dependsOn: [igw] },
    );

    const privateRoutes = new aws.ec2.RouteTable(`${name}-private`, { vpcId: vpc.id, tags: tags('private') }, parent);
    this.privateEgress = new aws.ec2.Route(
      `${name}-private-nat`,
      { routeTableId: privateRoutes.id, destinationCidrBlock: '0.0.0.0/0', natGatewayId: nat.id },
      parent,
    );
    const privateSubnets = args.availabilityZones.map((zone, index) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-private-${zone}`,
        {
          vpcId: vpc.id,
          cidrBlock: block(index + 8),
          availabilityZone: zone,
          mapPublicIpOnLaunch: false,
          tags: tags(`private-${zone}`),
        },
        parent,
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-private-${zone}`,
        { subnetId: subnet.id, routeTableId: privateRoutes.id },
        parent,
      );
      return subnet;
    });

    // S3 traffic (claim checks, calendars) skips the NAT gateway: the gateway endpoint is free, NAT bytes are not.
    new aws.ec2.VpcEndpoint(
      `${name}-s3`,
      {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${args.region}.s3`,
        vpcEndpointType: 'Gateway',
        routeTableIds: [privateRoutes.id],
        tags: tags('s3'),
      },
      parent,
    );

    this.vpcId = vpc.id;
    this.publicSubnetIds = publicSubnets.map((subnet) => subnet.id);
    this.privateSubnetIds = privateSubnets.map((subnet) => subnet.id);
    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
    });
  }
}
