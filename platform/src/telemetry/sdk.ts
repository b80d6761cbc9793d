import { context, metrics, propagation, trace } from '@opentelemetry/api';
import type { NodeSDK } from '@opentelemetry/sdk-node';

export interface TelemetryHandle {
  /** Whether this process exports anything (traces or metrics). */
  enabled: boolean;
  /** Flushes and stops the SDK once the last service of the process has released it. */
  release(): Promise<void>;
}

const isOn = (value: string | undefined) => value !== undefined && value.trim() !== '' && value.trim() !== 'none';

let sdk: Promise<NodeSDK> | undefined;
let holders = 0;

/**
 * Starts the official OpenTelemetry Node SDK for this process, configured only by the
 * standard `OTEL_*` variables, and only when `OTEL_TRACES_EXPORTER` or `OTEL_METRICS_EXPORTER`
 * asks for an exporter: off by default (the SDK's own default would push OTLP to
 * localhost:4318). `OTEL_METRICS_EXPORTER` follows `OTEL_TRACES_EXPORTER` when unset, so one
 * variable turns on both; logs stay JSON on stdout (`OTEL_LOGS_EXPORTER` defaults to none).
 * `OTEL_SERVICE_NAME` defaults to the service's manifest name. In-process test stacks share
 * one SDK: the first service to start names it.
 */
export async function startTelemetry(serviceName: string): Promise<TelemetryHandle> {
  const env = process.env; // what the SDK reads
  const traces = env.OTEL_TRACES_EXPORTER;
  const enabled = env.OTEL_SDK_DISABLED !== 'true' && (isOn(traces) || isOn(env.OTEL_METRICS_EXPORTER));
  if (!enabled) return { enabled, release: async () => {} };
  sdk ??= (async () => {
    // Defaults only: what was set stays.
    env.OTEL_TRACES_EXPORTER ||= 'none';
    env.OTEL_METRICS_EXPORTER ||= traces;
    env.OTEL_LOGS_EXPORTER ||= 'none';
    // Loaded only when used: a service with telemetry off pays nothing for it.
    const { NodeSDK } = await import('@opentelemetry/sdk-node');
    const started = new NodeSDK({ serviceName: env.OTEL_SERVICE_NAME || serviceName });
    started.start();
    return started;
  })();
  holders++;
  await sdk;
  let released = false;
  return {
    enabled,
    async release() {
      if (released) return;
      released = true;
      holders--;
      if (holders > 0 || !sdk) return;
      const stopping = sdk;
      sdk = undefined;
      await (await stopping).shutdown();
      // Back to the API's no-ops, so what runs next in this process (a test) is untraced again.
      for (const api of [trace, metrics, context, propagation]) api.disable();
    },
  };
}
