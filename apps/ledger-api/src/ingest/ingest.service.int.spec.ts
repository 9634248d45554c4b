import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@ledger/event-store';
import { loadConfig } from '@ledger/runtime';
import { ProblemError } from '../errors/problem';
import { Pseudonymiser } from '../privacy/pseudonymiser';
import type { Caller } from '../request-context/caller';
import { AuditSources } from './audit-sources';
import { IngestService } from './ingest.service';
import { RegistryHistories } from './registry-histories';

/**
 * The all-or-nothing mode is reached only through FHIR transactions, each of
 * one resource type, so a mixed request cannot come over HTTP today; the
 * service still refuses one whole rather than half-store it in two appends.
 */
describe('IngestService on a real SQLite store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ingest-service-'));
  let store: SqliteEventStore;
  let ingest: IngestService;
  const caller: Caller = { id: 'ehr-gateway', role: 'emitter', tenantId: 'default' };
  const access = () => ({
    eventId: randomUUID(),
    type: 'DataAccessed',
    occurredAt: '2026-03-14T09:00:00Z',
    data: { actor: 'dr.bob', datasetId: 'icu', action: 'R', purposeOfUse: 'TREAT', outcome: 'success' },
  });
  const outcome = () => ({
    eventId: randomUUID(),
    type: 'OutcomeObserved',
    occurredAt: '2026-03-14T09:00:00Z',
    data: {
      outputId: 'o-1',
      systemId: 'sepsis',
      label: 'sepsis',
      observedAt: '2026-03-14T09:00:00Z',
      source: 'chart',
    },
  });

  beforeAll(async () => {
    store = await SqliteEventStore.open(join(dir, 'events.sqlite'));
    ingest = new IngestService(
      store,
      new Pseudonymiser(Buffer.alloc(32, 1)),
      new AuditSources(store),
      new RegistryHistories(store),
      loadConfig({ LEDGER_DATA_DIR: dir }),
    );
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an all-or-nothing request whose items belong to two streams, storing nothing', async () => {
    const refusal = await ingest
      .ingest([access(), outcome()], caller, undefined, { atomic: true })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ProblemError);
    expect((refusal as ProblemError).problem).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'events',
    });
    expect(await store.headPosition()).toBe(0n);
  });

  it('stores an all-or-nothing request of one kind', async () => {
    const result = await ingest.ingest([access(), access()], caller, undefined, { atomic: true });
    expect(result).toMatchObject({ accepted: 2, rejected: 0 });
  });
});
