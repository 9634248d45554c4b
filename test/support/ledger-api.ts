import type { EventStore } from '@ledger/event-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLedgerApi } from '../../apps/ledger-api/src/bootstrap';
import { loadConfig } from '../../apps/ledger-api/src/config/ledger-config';
import { EVENT_STORE } from '../../apps/ledger-api/src/store/event-store.module';
import { createTestDatabase, type TestDatabase } from './postgres';

export type StoreKind = 'sqlite' | 'postgres';

export interface GraphqlResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string; field?: string; details?: Record<string, unknown> } }>;
}

export interface TestApi {
  url: string;
  store: EventStore;
  dataDir: string;
  graphql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, actor?: string, headers?: Record<string, string>): Promise<GraphqlResponse<T>>;
  post(path: string, body: unknown, actor?: string, headers?: Record<string, string>): Promise<{ status: number; body: Record<string, any> }>;
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
  const headersFor = (actor: string, extra: Record<string, string>) => ({ 'content-type': 'application/json', 'x-actor-id': actor, ...extra });
  return {
    url: base,
    store: app.get<EventStore>(EVENT_STORE),
    dataDir,
    async graphql(query, variables = {}, actor = 'admin.grace', headers = {}) {
      const response = await fetch(`${base}/graphql`, { method: 'POST', headers: headersFor(actor, headers), body: JSON.stringify({ query, variables }) });
      return { status: response.status, ...((await response.json()) as object) };
    },
    async post(path, body, actor = 'svc.tests', headers = {}) {
      const response = await fetch(`${base}${path}`, { method: 'POST', headers: headersFor(actor, headers), body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Record<string, any> };
    },
    async close() {
      await app.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
