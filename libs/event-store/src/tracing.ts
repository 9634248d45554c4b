import { SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

export type WithSpan = <T>(
  name: string,
  work: (span: Span) => Promise<T> | T,
  attributes?: Attributes,
) => Promise<T>;

/**
 * Span helper for one instrumentation scope (the app or library that opens
 * the spans). The helper runs `work` in a span named `name`, a child of
 * whatever span is active (the HTTP request's), so the spans started inside it
 * (the store's append) become its children. A thrown error marks the span
 * failed and is rethrown unchanged. Without tracing started this costs a no-op
 * span. `work` receives the span so it can rename it once it knows what it
 * is doing. It lives here, the lowest library that opens spans, so the API and the
 * stores share it.
 */
export function withSpanFor(scope: string): WithSpan {
  const tracer = trace.getTracer(scope);
  return (name, work, attributes = {}) =>
    tracer.startActiveSpan(name, { attributes }, async (span) => {
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
