import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { CliContext } from '../context.ts';

/** SQS publishes its metrics every minute; a few minutes back always holds the latest one. */
const lookbackMs = 5 * 60_000;

/**
 * `ApproximateAgeOfOldestMessage` per queue name from CloudWatch (what the age alarm
 * watches in AWS), in one call. A live queue cannot be sampled by receiving: that counts
 * towards its maxReceiveCount (ADR 0101). Returns undefined, with a note, when the endpoint
 * has no CloudWatch (fauxqs); a queue without a recent datapoint maps to null.
 */
export async function oldestAgesFromCloudWatch(
  context: CliContext,
  queueNames: readonly string[],
): Promise<Map<string, number | null> | undefined> {
  if (queueNames.length === 0) return new Map();
  const target = context.target();
  const cloudwatch = new CloudWatchClient({
    region: target.region,
    endpoint: target.endpoint,
    ...(target.endpoint && !context.env.AWS_ACCESS_KEY_ID
      ? { credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }
      : {}),
    maxAttempts: 1,
  });
  const queries: MetricDataQuery[] = queueNames.map((name, index) => ({
    Id: `q${index}`,
    MetricStat: {
      Metric: {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: name }],
      },
      Period: 60,
      Stat: 'Maximum',
    },
  }));
  try {
    const now = Date.now();
    const { MetricDataResults = [] } = await cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: new Date(now - lookbackMs),
        // One period ahead, so the minute in progress is a whole period and not cut off.
        EndTime: new Date(now + 60_000),
        ScanBy: 'TimestampDescending',
      }),
    );
    const ages = new Map<string, number | null>(queueNames.map((name) => [name, null]));
    for (const result of MetricDataResults) {
      const name = queueNames[Number(result.Id?.slice(1))];
      const latest = result.Values?.[0];
      if (name !== undefined && latest !== undefined) ages.set(name, Math.round(latest));
    }
    return ages;
  } catch (error) {
    context.note(`note: no oldest age for live queues: CloudWatch GetMetricData failed (${(error as Error).name})`);
    return undefined;
  } finally {
    cloudwatch.destroy();
  }
}
