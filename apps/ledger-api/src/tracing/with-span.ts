import { SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';

const tracer = trace.getTracer('ledger-api');

/**
 * Runs `work` in a span named `name`, a child of whatever span is active (the
 * HTTP request's, see http-tracing.ts), so the spans started inside it (the
 * store's append) become its children. A thrown error marks the span failed
 * and is rethrown unchanged. Without tracing started this costs a no-op span.
 */
export function withSpan<T>(
  name: string,
  work: () => Promise<T> | T,
  attributes: Attributes = {},
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}
