import { fileURLToPath } from 'node:url';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { claimCheckPrefix } from '@taskoverflow/events';
import { loadManifests } from '@taskoverflow/events/manifests';
import { buildTopology } from '@taskoverflow/events/topology';
import { Alarms } from './src/alarms.ts';
import { ApiAccess } from './src/api-access.ts';
import { Cluster } from './src/cluster.ts';
import { loadStackConfig } from './src/config.ts';
import { Dashboard } from './src/dashboard.ts';
import { Database, type ServiceDatabaseAccess } from './src/database.ts';
import { DatabaseBootstrap } from './src/database-bootstrap.ts';
import { poolSizePerTask } from './src/database-capacity.ts';
import { LoadBalancer } from './src/load-balancer.ts';
import { Messaging } from './src/messaging.ts';
import { Network } from './src/network.ts';
import { containerPort, ServiceDeployment } from './src/service-deployment.ts';
import { ServiceImage } from './src/service-image.ts';
import { Storage } from './src/storage.ts';
import { metricsLogGroup } from './src/telemetry.ts';

// The Pulumi program: wiring only. Everything per service comes from services/*/service.ts.
const manifests = await loadManifests();
const config = loadStackConfig(manifests.map((manifest) => manifest.name));
const region = new pulumi.Config('aws').require('region');
const accountId = aws.getCallerIdentityOutput().accountId;
const repoRoot = fileURLToPath(new URL('../', import.meta.url)).replace(/\/$/, '');
const { prefix } = config;

const network = new Network('network', {
  prefix,
  region,
  cidr: config.vpcCidr,
  availabilityZones: config.availabilityZones,
});
const loadBalancer = new LoadBalancer('alb', {
  prefix,
  vpcId: network.vpcId,
  publicSubnetIds: network.publicSubnetIds,
  certificateArn: config.certificateArn,
});
const cluster = new Cluster('cluster', {
  prefix,
  vpcId: network.vpcId,
  loadBalancerSecurityGroupId: loadBalancer.securityGroupId,
  containerPort,
  containerInsights: config.containerInsights,
});
// Fargate Spot has no ARM64: a service put on Spot is built and run for X86_64.
const onSpot = (manifest: (typeof manifests)[number]) => config.spotForConsumers && !manifest.http;
const architectureOf = (manifest: (typeof manifests)[number]) => (onSpot(manifest) ? 'X86_64' : config.cpuArchitecture);
const database = new Database('db', {
  prefix,
  vpcId: network.vpcId,
  subnetIds: network.privateSubnetIds,
  clientSecurityGroupId: cluster.taskSecurityGroupId,
  instanceClass: config.dbInstanceClass,
  engineVersion: config.dbEngineVersion,
  allocatedStorageGiB: config.dbAllocatedStorageGiB,
  multiAz: config.dbMultiAz,
  backupRetentionDays: config.dbBackupRetentionDays,
  deletionProtection: config.dbDeletionProtection,
});
const storage = new Storage('storage', {
  prefix,
  expiryDays: { 'calendars/': config.calendarsExpiryDays, [claimCheckPrefix]: config.claimChecksExpiryDays },
});
const apiAccess = new ApiAccess('api', {
  prefix,
  authPublicKeys: config.authPublicKeys && JSON.stringify(config.authPublicKeys),
  authAnonymousScopes: config.authAnonymousScopes,
  corsAllowedOrigins: config.corsAllowedOrigins,
  wafRateLimitPerFiveMinutes: config.wafRateLimitPerFiveMinutes,
  loadBalancerArn: loadBalancer.arn,
});
const messaging = new Messaging('events', { topology: buildTopology(manifests, prefix), accountId });
// OpenTelemetry: an ADOT collector beside each service; metrics land here, traces in X-Ray.
const otelMetrics = metricsLogGroup(prefix, config.logRetentionDays);

// Images first: the one-off database bootstrap runs in one of them before any service starts.
const images = Object.fromEntries(
  manifests.map((manifest) => [
    manifest.name,
    new ServiceImage(manifest.name, {
      repositoryName: `${prefix}/${manifest.name}`,
      repoRoot,
      service: manifest.name,
      keepImages: config.ecrKeepImages,
      cpuArchitecture: architectureOf(manifest),
    }),
  ]),
);
const imageOf = (service: string) => {
  const image = images[service];
  if (!image) throw new Error(`no image for ${service}`);
  return image;
};
// Only services that keep data get a role, a database and its secret (web has `database: false`).
const withDatabase = manifests.filter((manifest) => manifest.database !== false);
const serviceDatabases: Record<string, ServiceDatabaseAccess> = Object.fromEntries(
  withDatabase.map((manifest) => [manifest.name, database.serviceDatabase(manifest.name)]),
);
const databaseBootstrap = new DatabaseBootstrap('db-bootstrap', {
  prefix,
  region,
  clusterArn: cluster.clusterArn,
  subnetIds: network.privateSubnetIds,
  securityGroupId: cluster.taskSecurityGroupId,
  cpuArchitecture: architectureOf(manifests[0] as (typeof manifests)[number]),
  image: imageOf(manifests[0]?.name ?? ''),
  masterUrlSecretArn: database.masterUrlSecretArn,
  after: [database.masterUrlValue, network.privateEgress],
  services: serviceDatabases,
  logRetentionDays: config.logRetentionDays,
});

const deployments = Object.fromEntries(
  manifests.map((manifest) => [
    manifest.name,
    new ServiceDeployment(manifest.name, {
      manifest,
      prefix,
      region,
      accountId,
      image: imageOf(manifest.name),
      database: serviceDatabases[manifest.name],
      startAfter: [databaseBootstrap.done, cluster.capacityProviders],
      cpuArchitecture: architectureOf(manifest),
      spot: onSpot(manifest),
      containerInsights: config.containerInsights,
      dbPoolSize: poolSizePerTask(config.dbInstanceClass, withDatabase),
      vpcId: network.vpcId,
      privateSubnetIds: network.privateSubnetIds,
      privateEgress: network.privateEgress,
      taskSecurityGroupId: cluster.taskSecurityGroupId,
      clusterArn: cluster.clusterArn,
      clusterName: cluster.clusterName,
      listenerArn: loadBalancer.listenerArn,
      topicArn: messaging.topicArn,
      keyArn: messaging.keyArn,
      bucketName: storage.bucketName,
      bucketArn: storage.bucketArn,
      queue: messaging.queues[manifest.name],
      queues: messaging.queues,
      manifests,
      desiredCount: config.desiredCounts[manifest.name] ?? manifest.scaling.minTasks,
      logRetentionDays: config.logRetentionDays,
      apiEnv: apiAccess.serviceEnv,
      telemetry: { metricsLogGroupName: `/${prefix}/otel-metrics`, metricsLogGroupArn: otelMetrics.arn },
    }),
  ]),
);

const dashboard = new Dashboard('dashboard', {
  prefix,
  region,
  manifests,
  queues: messaging.queues,
  clusterName: cluster.clusterName,
});
const alarms = new Alarms('alarms', {
  prefix,
  keyArn: messaging.keyArn,
  queues: messaging.queues,
  loadBalancerArnSuffix: loadBalancer.arnSuffix,
  oldestMessageAgeSeconds: config.oldestMessageAgeAlarmSeconds,
  alb5xxThreshold: config.alb5xxAlarmThreshold,
  email: config.alarmEmail,
  dashboardUrl: dashboard.url,
});

export const apiUrl = loadBalancer.url;
export const topicArn = messaging.topicArn;
export const bucketName = storage.bucketName;
export const alarmTopicArn = alarms.topicArn;
export const dashboardUrl = dashboard.url;
export const databaseSecretArn = database.masterSecretArn;
export const tokenSigningKeySecretArn = apiAccess.signingKeySecretArn;
export const queueUrls = Object.fromEntries(
  Object.entries(messaging.queues).map(([service, queue]) => [service, queue.queueUrl]),
);
export const dlqUrls = Object.fromEntries(
  Object.entries(messaging.queues).map(([service, queue]) => [service, queue.dlqUrl]),
);
export const repositoryUrls = Object.fromEntries(
  Object.entries(deployments).map(([service, deployment]) => [service, deployment.repositoryUrl]),
);
