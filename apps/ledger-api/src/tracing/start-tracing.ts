import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { NodeSDK } from '@opentelemetry/sdk-node';

export interface Tracing {
  /** Exports the spans still batched, then stops: call it before the process exits. */
  shutdown(): Promise<void>;
}

/**
 * Exports this process's traces over OTLP/HTTP to `<endpoint>/v1/traces`.
 * Started before Nest and the store are loaded (main.ts), so the tracer
 * provider is in place before the first span, and any instrumentation added
 * later patches modules before they are required. Traces only: metrics stay on
 * /metrics (Prometheus) and logs on stdout (pino), so the SDK's own metric and
 * log exporters are switched off.
 */
export function startTracing(endpoint: string, serviceName = 'ledger-api'): Tracing {
  const sdk = new NodeSDK({
    serviceName,
    traceExporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` }),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
