import { LocalIssuer, type Role } from '@ledger/auth';
import type { EventStore } from '@ledger/event-store';
import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@ledger/runtime';
import { startLedgerApi } from '../../apps/ledger-api/src/bootstrap';
import { SelfAuditService } from '../../apps/ledger-api/src/auth/self-audit.service';
import { EVENT_STORE } from '../../apps/ledger-api/src/store/event-store.module';
import { createTestDatabase, type TestDatabase } from './postgres';

export type StoreKind = 'sqlite' | 'postgres';

export interface GraphqlResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{
    message: string;
    path?: string[];
    extensions?: { code?: string; field?: string; details?: Record<string, unknown> };
  }>;
}

export interface TestApi {
  url: string;
  store: EventStore;
  dataDir: string;
  /** The PostgreSQL database of a postgres ledger, for a CLI run against the same store. */
  databaseUrl?: string;
  /** The Fastify instance underneath, for route listings. */
  fastify: FastifyInstance;
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    actor?: string,
    headers?: Record<string, string>,
  ): Promise<GraphqlResponse<T>>;
  post(
    path: string,
    body: unknown,
    actor?: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, any> }>;
  /** A bearer token from the service's local issuer; GraphQL calls default to governance-admin, ingest to emitter. */
  token(
    sub: string,
    role: Role,
    options?: { tenantId?: string; systems?: string[]; eventTypes?: string[]; ttlSeconds?: number },
  ): Promise<string>;
  /** Writes the refusals the service has counted so far, as it would at the end of the minute. */
  flushSelfAudit(): Promise<void>;
  close(): Promise<void>;
}

/** The real service, in this process, on a real store and a free port, spoken to over real HTTP. */
export async function startTestApi(kind: StoreKind, env: Record<string, string> = {}): Promise<TestApi> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-api-'));
  let database: TestDatabase | undefined;
  if (kind === 'postgres') database = await createTestDatabase();
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'warn',
    LEDGER_DATA_DIR: dataDir,
    LEDGER_STORE: kind,
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...env,
  });
  const { app, url } = await startLedgerApi(config);
  const base = url.replace('[::1]', '127.0.0.1');
  const issuer = await LocalIssuer.open(join(dataDir, 'keys'), config.AUTH_ISSUER, config.AUTH_AUDIENCE);
  const token: TestApi['token'] = (sub, role, options = {}) =>
    issuer.issue(
      {
        id: sub,
        role,
        tenantId: options.tenantId ?? 'default',
        systems: options.systems,
        eventTypes: options.eventTypes,
      },
      options.ttlSeconds ?? 600,
    );
  const headersFor = async (actor: string, role: Role, extra: Record<string, string>) => ({
    'content-type': 'application/json',
    authorization: `Bearer ${await token(actor, role)}`,
    ...extra,
  });
  return {
    token,
    url: base,
    store: app.get<EventStore>(EVENT_STORE),
    fastify: app.getHttpAdapter().getInstance(),
    dataDir,
    databaseUrl: database?.url,
    async graphql(query, variables = {}, actor = 'admin.grace', headers = {}) {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: await headersFor(actor, 'governance-admin', headers),
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, ...((await response.json()) as object) };
    },
    async post(path, body, actor = 'svc.tests', headers = {}) {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: await headersFor(actor, 'emitter', headers),
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    },
    flushSelfAudit: () => app.get(SelfAuditService).flush(),
    async close() {
      await app.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Queries answer from the read models; a test that just wrote waits until every projection has applied it. */
export async function caughtUp(api: TestApi): Promise<void> {
  for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
    const { data } = await api.graphql<{
      ledger: { headPosition: string; projections: Array<{ position: string }> };
    }>('{ ledger { headPosition projections { position } } }');
    if (data && data.ledger.projections.every((p) => BigInt(p.position) >= BigInt(data.ledger.headPosition)))
      return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('projections did not catch up within 20 s');
}
