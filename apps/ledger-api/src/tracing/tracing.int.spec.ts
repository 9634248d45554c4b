import 'reflect-metadata';
import { Body, Controller, Inject, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { EventStoreDbEventStore, type EventStore } from '@ledger/event-store';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newEvent } from '../../../../test/support/events';
import { FakeEsdbClient } from '../../../../libs/event-store/src/eventstoredb/testing/fake-esdb-client';
import { traceHttpRequests } from './http-tracing';
import { startTracing, type Tracing } from './start-tracing';
import { withSpan } from './with-span';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

const STORE = Symbol('STORE');

@Controller()
class GraphqlLikeController {
  constructor(@Inject(STORE) private readonly store: EventStore) {}

  /** Stands in for a mutation resolver: the command span where the handler would open it, around the store's append. */
  @Post('graphql')
  async mutate(@Body() _body: unknown) {
    const result = await withSpan('command RegisterAiSystem', () =>
      this.store.append('ai-system-sepsis-1', [newEvent({ name: 'Sepsis predictor' })], 'any'),
    );
    return { data: { registerAiSystem: { revision: result.nextExpectedRevision } } };
  }
}

describe('tracing: OTLP export of one request end to end', () => {
  let collector: Server;
  let received: ExportedSpan[];
  let tracing: Tracing;
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    received = [];
    collector = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        if (req.url === '/v1/traces') {
          const payload = JSON.parse(body) as {
            resourceSpans: Array<{ scopeSpans: Array<{ spans: ExportedSpan[] }> }>;
          };
          for (const rs of payload.resourceSpans) for (const ss of rs.scopeSpans) received.push(...ss.spans);
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    tracing = startTracing(`http://127.0.0.1:${(collector.address() as AddressInfo).port}`);

    // The real adapter (its own append span), over a client faked at its boundary: no EventStoreDB runs here.
    const store = await EventStoreDbEventStore.overClient(new FakeEsdbClient());
    @Module({ controllers: [GraphqlLikeController], providers: [{ provide: STORE, useValue: store }] })
    class TracedModule {}
    app = await NestFactory.create<NestFastifyApplication>(TracedModule, new FastifyAdapter(), {
      logger: false,
    });
    traceHttpRequests(app.getHttpAdapter().getInstance());
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => collector?.close(resolve));
  });

  it('exports the HTTP span, the command span inside it and the append span inside that, to the collector at OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${callerTrace}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ query: 'mutation RegisterSepsis { registerAiSystem(input: {}) { revision } }' }),
    });
    expect(response.status).toBe(201);
    await tracing.shutdown(); // flushes the batch to the collector

    const byName = (name: string) => received.find((s) => s.name === name);
    const http = byName('POST /graphql mutation RegisterSepsis');
    const command = byName('command RegisterAiSystem');
    const append = byName('eventstoredb.append');
    expect(http).toBeDefined();
    expect(command).toBeDefined();
    expect(append).toBeDefined();
    expect(http!.kind).toBe(2); // SERVER
    // The caller's trace continues: the request span is the child of the traceparent it was sent.
    expect([http!.traceId, command!.traceId, append!.traceId]).toEqual([
      callerTrace,
      callerTrace,
      callerTrace,
    ]);
    expect(http!.parentSpanId).toBe('00f067aa0ba902b7');
    expect(command!.parentSpanId).toBe(http!.spanId);
    expect(append!.parentSpanId).toBe(command!.spanId);
    const attribute = (span: ExportedSpan, key: string) => span.attributes.find((a) => a.key === key)?.value;
    expect(attribute(http!, 'graphql.operation.type')).toEqual({ stringValue: 'mutation' });
    expect(attribute(http!, 'http.response.status_code')).toEqual({ intValue: 201 });
    expect(attribute(append!, 'ledger.stream')).toEqual({ stringValue: 'ai-system-sepsis-1' });
  });
});
