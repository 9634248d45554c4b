import { SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

const tracer = trace.getTracer('ledger-api');

/**
 * Runs `work` in a span named `name`, a child of whatever span is active (the
 * HTTP request's, see http-tracing.ts), so the spans started inside it (the
 * store's append) become its children. A thrown error marks the span failed
 * and is rethrown unchanged. Without tracing started this costs a no-op span.
 * `work` receives the span so it can rename it once it knows what it is doing.
 */
export function withSpan<T>(
  name: string,
  work: (span: Span) => Promise<T> | T,
  attributes: Attributes = {},
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}
