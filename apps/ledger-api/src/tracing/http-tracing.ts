import { context, propagation, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const tracer = trace.getTracer('ledger-api');

/** The operation a GraphQL request names, without parsing the document: enough to tell requests apart in a trace. */
function graphqlOperation(body: unknown): { type?: string; name?: string } {
  const { query, operationName } = (body ?? {}) as { query?: unknown; operationName?: unknown };
  const head =
    typeof query === 'string'
      ? /^\s*(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/.exec(query)
      : null;
  return {
    type: head?.[1] ?? (typeof query === 'string' ? 'query' : undefined),
    name: typeof operationName === 'string' ? operationName : head?.[2],
  };
}

/**
 * One server span per HTTP request, the root (or, given a `traceparent`
 * header, the continuation) of everything the request causes: commands,
 * appends, and what they call. The rest of the request runs inside the span's
 * context (`done` is called within it), which is how later spans find their parent.
 */
export function traceHttpRequests(fastify: FastifyInstance): void {
  const spans = new WeakMap<FastifyRequest, Span>();

  fastify.addHook('onRequest', (request, _reply, done) => {
    const parent = propagation.extract(context.active(), request.headers);
    // The route pattern, not the URL: span names stay few and carry no identifiers.
    const route = request.routeOptions.url ?? 'unmatched';
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route } },
      parent,
    );
    spans.set(request, span);
    context.with(trace.setSpan(parent, span), done);
  });

  fastify.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request);
    if (span && request.routeOptions.url === '/graphql') {
      const { type, name } = graphqlOperation(request.body);
      if (type) span.setAttribute('graphql.operation.type', type);
      if (name) span.setAttribute('graphql.operation.name', name);
      span.updateName(`${request.method} /graphql ${[type, name].filter(Boolean).join(' ')}`.trimEnd());
    }
    done();
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
}
