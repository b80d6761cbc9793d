import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';

export interface ServiceDatabaseAccess {
  /** The env var ECS fills from the secret, e.g. `TODO_DATABASE_URL`. */
  envKey: string;
  secretArn: pulumi.Output<string>;
  /** The secret's value: a task started before it exists fails with ResourceNotFoundException. */
  secretValue: aws.secretsmanager.SecretVersion;
}

// verify-full: node-postgres checks the certificate chain against the RDS CAs baked into the
// image (infra/docker/rds-ca-bundle.ts) and the host name against the instance address.
const verifiedUrl = (
  user: string,
  password: pulumi.Input<string>,
  address: pulumi.Input<string>,
  port: pulumi.Input<number>,
  database: string,
) =>
  pulumi.secret(
    pulumi.interpolate`postgres://${user}:${password}@${address}:${port}/${database}?sslmode=verify-full&sslrootcert=${rdsCaBundlePath}`,
  );

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
 * One RDS PostgreSQL instance in the private subnets. Each service gets its own role and database
 * on it (made by the one-off bootstrap task), reached through a URL kept in that service's secret.
 * The password is generated once (random.RandomPassword keeps it in the encrypted state) and
 * stored in Secrets Manager for operators.
 */
export class Database extends pulumi.ComponentResource {
  readonly securityGroupId: pulumi.Output<string>;
  readonly address: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly masterSecretArn: pulumi.Output<string>;
  /** The master URL, read only by the bootstrap task's execution role. */
  readonly masterUrlSecretArn: pulumi.Output<string>;
  readonly masterUrlValue: aws.secretsmanager.SecretVersion;
  private readonly prefix: string;

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

    const snapshotSuffix = new random.RandomId(`${name}-final-snapshot`, { byteLength: 4 }, parent);
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
        // Snapshot names are unique per account and region: a fixed one fails the second destroy.
        finalSnapshotIdentifier: args.deletionProtection
          ? pulumi.interpolate`${args.prefix}-final-${snapshotSuffix.hex}`
          : undefined,
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
    this.prefix = args.prefix;
    const masterUrl = new aws.secretsmanager.Secret(
      `${name}-master-url`,
      { namePrefix: `${args.prefix}/db/master-url-`, recoveryWindowInDays: 0 },
      parent,
    );
    this.masterUrlValue = new aws.secretsmanager.SecretVersion(
      `${name}-master-url`,
      {
        secretId: masterUrl.id,
        secretString: verifiedUrl(masterUser, password.result, instance.address, instance.port, 'postgres'),
      },
      parent,
    );
    this.masterUrlSecretArn = masterUrl.arn;
    this.registerOutputs({ address: this.address, masterSecretArn: this.masterSecretArn });
  }

  /**
   * A service's own database access (ADR 0063): a login role named like its database
   * (`taskoverflow_<service>`), a generated password, and the URL secret ECS injects as
   * `<SERVICE>_DATABASE_URL`. The one-off bootstrap task creates the role and its database.
   */
  serviceDatabase(service: string): ServiceDatabaseAccess {
    const database = `taskoverflow_${service.replaceAll('-', '_')}`;
    const parent = { parent: this };
    const password = new random.RandomPassword(`${service}-db-password`, { length: 32, special: false }, parent);
    const envKey = `${service.toUpperCase().replaceAll('-', '_')}_DATABASE_URL`;
    const secret = new aws.secretsmanager.Secret(
      service,
      {
        name: `${this.prefix}/${service}/database-url`,
        description: `${envKey} of ${service}`,
        recoveryWindowInDays: 0,
      },
      parent,
    );
    const version = new aws.secretsmanager.SecretVersion(
      service,
      { secretId: secret.id, secretString: verifiedUrl(database, password.result, this.address, this.port, database) },
      parent,
    );
    return { envKey, secretArn: secret.arn, secretValue: version };
  }
}
