import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { ServiceManifest } from '@taskoverflow/events/manifest';
import type { ConsumerQueue } from './consumer-queue.ts';
import { metricsNamespace } from './telemetry.ts';

export interface DashboardArgs {
  prefix: string;
  region: string;
  manifests: readonly ServiceManifest[];
  queues: Record<string, ConsumerQueue>;
  clusterName: pulumi.Input<string>;
}

/** A CloudWatch metric line: namespace, name, dimension pairs (values may be Outputs), then options. */
type Metric = unknown[];
const WIDTH = 6;

/**
 * One CloudWatch dashboard built from the manifests: a row per service with throughput, lag
 * p99, errors, dead-letter depth and running tasks. Alarms link to it (`url`), so whoever is
 * paged lands on the row of the service that woke them.
 */
export class Dashboard extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: DashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    super('taskoverflow:observability:Dashboard', name, {}, opts);
    const dashboardName = `${args.prefix}-services`;
    // jsonStringify resolves the queue and cluster names (Outputs) inside the widgets.
    const body = pulumi.jsonStringify({
      widgets: dashboardWidgets(args.manifests, args.queues, args.clusterName, args.region),
    });
    const dashboard = new aws.cloudwatch.Dashboard(name, { dashboardName, dashboardBody: body }, { parent: this });
    this.name = dashboard.dashboardName;
    this.url = pulumi.interpolate`https://${args.region}.console.aws.amazon.com/cloudwatch/home?region=${args.region}#dashboards/dashboard/${dashboard.dashboardName}`;
    this.registerOutputs({ name: this.name, url: this.url });
  }
}

/** The widgets, row by row; exported for the tests. */
export function dashboardWidgets(
  manifests: readonly ServiceManifest[],
  queues: Record<string, ConsumerQueue>,
  clusterName: pulumi.Input<string>,
  region: string,
) {
  const consumer = 'messaging.consumer.group.name';
  return manifests.flatMap((manifest, row) => {
    const service = manifest.name;
    const queue = queues[service];
    const widget = (column: number, title: string, metrics: Metric[], stat = 'Sum') => ({
      type: 'metric',
      x: column * WIDTH,
      y: row * 6,
      width: WIDTH,
      height: 6,
      properties: { title: `${service}: ${title}`, region, stat, period: 60, view: 'timeSeries', metrics },
    });
    const throughput: Metric[] = queue
      ? [['AWS/SQS', 'NumberOfMessagesDeleted', 'QueueName', queue.queueName, { label: 'events handled' }]]
      : [];
    if (manifest.http) {
      throughput.push([
        metricsNamespace,
        'http.server.request.duration',
        'service.name',
        service,
        { stat: 'SampleCount', label: 'requests' },
      ]);
    }
    const errors: Metric[] = queue
      ? ['retried', 'dead_lettered'].map((outcome) => [
          metricsNamespace,
          'taskoverflow.consumer.outcomes',
          consumer,
          service,
          'taskoverflow.outcome',
          outcome,
          { label: outcome },
        ])
      : [];
    return [
      widget(0, 'throughput', throughput),
      widget(
        1,
        'lag p99 (s)',
        queue ? [[metricsNamespace, 'taskoverflow.consumer.lag', consumer, service]] : [],
        'p99',
      ),
      widget(2, 'errors', errors),
      widget(
        3,
        'dead letters · tasks',
        [
          ...(queue
            ? [
                [
                  'AWS/SQS',
                  'ApproximateNumberOfMessagesVisible',
                  'QueueName',
                  queue.dlqName,
                  { stat: 'Maximum', label: 'DLQ depth' },
                ],
              ]
            : []),
          [
            'ECS/ContainerInsights',
            'RunningTaskCount',
            'ClusterName',
            clusterName,
            'ServiceName',
            service,
            { stat: 'Average', label: 'tasks' },
          ],
        ],
        'Maximum',
      ),
    ];
  });
}
