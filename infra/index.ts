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
import { Database } from './src/database.ts';
import { LoadBalancer } from './src/load-balancer.ts';
import { Messaging } from './src/messaging.ts';
import { Network } from './src/network.ts';
import { containerPort, ServiceDeployment } from './src/service-deployment.ts';
import { Storage } from './src/storage.ts';

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
});
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

const deployments = Object.fromEntries(
  manifests.map((manifest) => [
    manifest.name,
    new ServiceDeployment(manifest.name, {
      manifest,
      prefix,
      region,
      accountId,
      repoRoot,
      vpcId: network.vpcId,
      privateSubnetIds: network.privateSubnetIds,
      taskSecurityGroupId: cluster.taskSecurityGroupId,
      clusterArn: cluster.clusterArn,
      clusterName: cluster.clusterName,
      listenerArn: loadBalancer.listenerArn,
      topicArn: messaging.topicArn,
      keyArn: messaging.keyArn,
      bucketName: storage.bucketName,
      bucketArn: storage.bucketArn,
      databaseUrl: database.serviceUrl(manifest.name),
      queue: messaging.queues[manifest.name],
      desiredCount: config.desiredCounts[manifest.name] ?? manifest.scaling.minTasks,
      logRetentionDays: config.logRetentionDays,
      ecrKeepImages: config.ecrKeepImages,
      apiEnv: apiAccess.serviceEnv,
    }),
  ]),
);

const alarms = new Alarms('alarms', {
  prefix,
  keyArn: messaging.keyArn,
  queues: messaging.queues,
  loadBalancerArnSuffix: loadBalancer.arnSuffix,
  oldestMessageAgeSeconds: config.oldestMessageAgeAlarmSeconds,
  alb5xxThreshold: config.alb5xxAlarmThreshold,
  email: config.alarmEmail,
});

export const apiUrl = loadBalancer.url;
export const topicArn = messaging.topicArn;
export const bucketName = storage.bucketName;
export const alarmTopicArn = alarms.topicArn;
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
