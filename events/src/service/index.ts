export { type ServiceConfig, serviceEnvSchema } from './config.ts';
export { createServiceApp, type ReadinessCheck, type ServiceAppOptions } from './http-app.ts';
export {
  type DatabaseService,
  type RunningService,
  type RunOptions,
  runService,
  type ServiceDefinition,
  type ServiceDeps,
  type ServiceParts,
} from './run-service.ts';
