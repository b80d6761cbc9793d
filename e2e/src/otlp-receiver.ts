// A stand-in for an OpenTelemetry collector: accepts OTLP over HTTP with JSON bodies
// (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) and keeps what arrives, for tests to inspect.
import { createServer } from 'node:http';

type AnyValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
type KeyValue = { key: string; value: AnyValue };

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP span kind: 2 server, 4 producer, 5 consumer. */
  kind: number;
  attributes: Record<string, unknown>;
}

export interface ReceivedPoint {
  service: string;
  metric: string;
  attributes: Record<string, unknown>;
}

export interface OtlpReceiver {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  spans: ReceivedSpan[];
  points: ReceivedPoint[];
  close(): Promise<void>;
}

const plainValue = (value: AnyValue) =>
  value.stringValue ?? (value.intValue === undefined ? (value.doubleValue ?? value.boolValue) : Number(value.intValue));
const attributesOf = (list: KeyValue[] = []) =>
  Object.fromEntries(list.map(({ key, value }) => [key, plainValue(value)]));
const serviceOf = (resource: { attributes?: KeyValue[] } | undefined) =>
  String(attributesOf(resource?.attributes)['service.name']);

interface TracesRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      spans?: (Omit<ReceivedSpan, 'service' | 'attributes'> & { attributes?: KeyValue[] })[];
    }[];
  }[];
}
type DataPoints = { dataPoints?: { attributes?: KeyValue[] }[] };
interface MetricsRequest {
  resourceMetrics?: {
    resource?: { attributes?: KeyValue[] };
    scopeMetrics?: {
      metrics?: ({ name: string } & Record<string, DataPoints | string>)[];
    }[];
  }[];
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const points: ReceivedPoint[] = [];
  const server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    if (request.url === '/v1/traces') {
      for (const resourceSpans of (JSON.parse(body) as TracesRequest).resourceSpans ?? []) {
        const service = serviceOf(resourceSpans.resource);
        for (const scope of resourceSpans.scopeSpans ?? []) {
          for (const span of scope.spans ?? []) {
            spans.push({
              ...span,
              service,
              parentSpanId: span.parentSpanId ?? '',
              attributes: attributesOf(span.attributes),
            });
          }
        }
      }
    } else if (request.url === '/v1/metrics') {
      for (const resourceMetrics of (JSON.parse(body) as MetricsRequest).resourceMetrics ?? []) {
        const service = serviceOf(resourceMetrics.resource);
        for (const scope of resourceMetrics.scopeMetrics ?? []) {
          for (const metric of scope.metrics ?? []) {
            // Whatever the kind (sum, gauge, histogram), its data points carry the attributes.
            for (const data of Object.values(metric)) {
              if (typeof data === 'string') continue;
              for (const point of data.dataPoints ?? []) {
                points.push({ service, metric: metric.name, attributes: attributesOf(point.attributes) });
              }
            }
          }
        }
      }
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    points,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
