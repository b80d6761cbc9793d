import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';

export interface DatabaseArgs {
  prefix: string;
  vpcId: pulumi.Input<string>;
  subnetIds: pulumi.Input<string>[];
  /** The service tasks' security group, the only one admitted on 5432. */
  clientSecurityGroupId: pulumi.Input<string>;
  instanceClass: string;
  engineVersion: string;
  allocatedStorageGiB: number;
  multiAz: boolean;
  backupRetentionDays: number;
  deletionProtection: boolean;
}

const masterUser = 'taskoverflow';
/** Where each service image keeps the RDS CA bundle (see the Dockerfiles). */
export const rdsCaBundlePath = '/app/rds-ca.pem';

/**
 * One RDS PostgreSQL instance in the private subnets. Each service gets its own database on it
 * (created by the service on first start), reached through a URL kept in that service's secret.
 * The password is generated once (random.RandomPassword keeps it in the encrypted state) and
 * stored in Secrets Manager for operators.
 */
export class Database extends pulumi.ComponentResource {
  readonly securityGroupId: pulumi.Output<string>;
  readonly address: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly masterSecretArn: pulumi.Output<string>;
  private readonly password: pulumi.Output<string>;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super('taskoverflow:database:Database', name, {}, opts);
    const parent = { parent: this };

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.vpcId,
        description: 'PostgreSQL, reachable from service tasks only',
        tags: { Name: `${args.prefix}-db` },
      },
      parent,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-from-tasks`,
      {
        securityGroupId: securityGroup.id,
        referencedSecurityGroupId: args.clientSecurityGroupId,
        ipProtocol: 'tcp',
        fromPort: 5432,
        toPort: 5432,
      },
      parent,
    );
    const subnets = new aws.rds.SubnetGroup(name, { subnetIds: args.subnetIds }, parent);
    // Alphanumeric so it can sit in a URL without escaping.
    const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, parent);

    const instance = new aws.rds.Instance(
      name,
      {
        identifierPrefix: `${args.prefix}-`,
        engine: 'postgres',
        engineVersion: args.engineVersion,
        instanceClass: args.instanceClass,
        allocatedStorage: args.allocatedStorageGiB,
        storageType: 'gp3',
        storageEncrypted: true,
        dbName: 'taskoverflow',
        username: masterUser,
        password: password.result,
        dbSubnetGroupName: subnets.name,
        vpcSecurityGroupIds: [securityGroup.id],
        publiclyAccessible: false,
        multiAz: args.multiAz,
        backupRetentionPeriod: args.backupRetentionDays,
        deletionProtection: args.deletionProtection,
        copyTagsToSnapshot: true,
        // Tear-down should not leave a snapshot behind unless deletion protection says this stack matters.
        skipFinalSnapshot: !args.deletionProtection,
        finalSnapshotIdentifier: args.deletionProtection ? `${args.prefix}-final` : undefined,
        autoMinorVersionUpgrade: true,
        performanceInsightsEnabled: false,
      },
      parent,
    );

    const masterSecret = new aws.secretsmanager.Secret(
      `${name}-master`,
      { namePrefix: `${args.prefix}/db/master-`, recoveryWindowInDays: 0 },
      parent,
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-master`,
      {
        secretId: masterSecret.id,
        secretString: pulumi.jsonStringify({
          engine: 'postgres',
          host: instance.address,
          port: instance.port,
          username: masterUser,
          password: password.result,
        }),
      },
      parent,
    );

    this.securityGroupId = securityGroup.id;
    this.address = instance.address;
    this.port = instance.port;
    this.masterSecretArn = masterSecret.arn;
    this.password = password.result;
    this.registerOutputs({ address: this.address, masterSecretArn: this.masterSecretArn });
  }

  /** The exact database a service uses, named as platform's serviceDatabaseUrl would (`taskoverflow_<service>`). */
  serviceUrl(service: string): pulumi.Output<string> {
    const database = `taskoverflow_${service.replaceAll('-', '_')}`;
    // verify-full: node-postgres checks the certificate chain against the RDS CAs baked into the
    // image (infra/docker/rds-ca-bundle.ts) and the host name against the instance address.
    return pulumi.secret(
      pulumi.interpolate`postgres://${masterUser}:${this.password}@${this.address}:${this.port}/${database}?sslmode=verify-full&sslrootcert=${rdsCaBundlePath}`,
    );
  }
}
