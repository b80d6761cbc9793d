import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { telemetryCollectorPolicy } from '@taskoverflow/events/aws-contract';
import { stringify } from 'yaml';

/**
 * The AWS Distro for OpenTelemetry collector runs beside every service container (a sidecar):
 * the service exports OTLP to localhost, the collector sends traces to X-Ray and metrics to
 * CloudWatch as embedded-metric-format logs in the `TaskOverflow` namespace, with the
 * dimensions the dashboard reads. Only the collector holds these permissions.
 */
export const adotImage = 'public.ecr.aws/aws-observability/aws-otel-collector:latest';
export const metricsNamespace = 'TaskOverflow';

/** What each service container is told: the standard OTEL_* variables, 10 % of writes traced. */
export const serviceTelemetryEnv = {
  OTEL_TRACES_EXPORTER: 'otlp',
  OTEL_METRICS_EXPORTER: 'otlp',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
  // The sampling decision travels with the event, so a sampled write is sampled in every consumer.
  OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
  OTEL_TRACES_SAMPLER_ARG: '0.1',
};

/** The collector's configuration (passed in AOT_CONFIG_CONTENT). */
export function collectorConfig(metricsLogGroup: string): string {
  const consumer = 'messaging.consumer.group.name';
  return stringify({
    receivers: { otlp: { protocols: { grpc: { endpoint: '127.0.0.1:4317' }, http: { endpoint: '127.0.0.1:4318' } } } },
    processors: { batch: {} },
    exporters: {
      awsxray: {},
      awsemf: {
        namespace: metricsNamespace,
        log_group_name: metricsLogGroup,
        resource_to_telemetry_conversion: { enabled: true },
        dimension_rollup_option: 'NoDimensionRollup',
        metric_declarations: [
          {
            dimensions: [[consumer]],
            metric_name_selectors: [
              'taskoverflow.consumer.lag',
              'messaging.process.duration',
              'taskoverflow.consumer.in_flight',
            ],
          },
          {
            dimensions: [[consumer, 'taskoverflow.outcome']],
            metric_name_selectors: ['taskoverflow.consumer.outcomes'],
          },
          {
            dimensions: [['service.name']],
            metric_name_selectors: [
              'taskoverflow.outbox.pending',
              'taskoverflow.outbox.oldest_pending_age',
              'messaging.client.operation.duration',
              'http.server.request.duration',
            ],
          },
        ],
      },
    },
    service: {
      pipelines: {
        traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['awsxray'] },
        metrics: { receivers: ['otlp'], processors: ['batch'], exporters: ['awsemf'] },
      },
    },
  });
}

/** The sidecar's container definition; it logs to the service's own log group. */
export function collectorContainer(args: {
  metricsLogGroup: string;
  logGroupName: pulumi.Input<string>;
  region: string;
}) {
  return {
    name: 'otel-collector',
    image: adotImage,
    essential: false, // the service keeps serving if the collector dies; telemetry is lost, not requests
    memoryReservation: 64,
    environment: [{ name: 'AOT_CONFIG_CONTENT', value: collectorConfig(args.metricsLogGroup) }],
    logConfiguration: {
      logDriver: 'awslogs',
      options: { 'awslogs-group': args.logGroupName, 'awslogs-region': args.region, 'awslogs-stream-prefix': 'otel' },
    },
  };
}

/** What the collector needs on the task role, from the AWS contract (infra writes no action). */
export const collectorPolicy = (metricsLogGroupArn: string) =>
  JSON.stringify(telemetryCollectorPolicy(metricsLogGroupArn));

/** The log group the collectors write metrics to (one for the stack). */
export function metricsLogGroup(prefix: string, retentionInDays: number, opts?: pulumi.CustomResourceOptions) {
  return new aws.cloudwatch.LogGroup('otel-metrics', { name: `/${prefix}/otel-metrics`, retentionInDays }, opts);
}
