import type { EventStore, NewEvent } from '@ledger/event-store';
import { ERASED } from '@ledger/integrity';
import { loadConfig } from '@ledger/runtime';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLedgerApi } from '../../apps/ledger-api/src/bootstrap';
import { EVENT_STORE } from '../../apps/ledger-api/src/store/event-store.module';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import type { StoreKind } from '../support/ledger-api';
import { interruptedErasure } from '../support/erasure';
import { until } from '../support/until';

const metadata = (actor: string): NewEvent['metadata'] => ({
  tenantId: 'default',
  actor: { id: actor, role: 'emitter' },
  source: 'tests',
  occurredAt: new Date().toISOString(),
  correlationId: randomUUID(),
  causationId: randomUUID(),
});

/*
 * ErasureRecorded is appended before the values are taken out. A service that
 * dies between the two must not leave the values readable: the next start
 * finishes what the record lists.
 */
describe.each<StoreKind>(['sqlite', 'postgres'])('an erasure a crash interrupted (%s)', (kind) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'erasure-restart-'));
  let database: TestDatabase | undefined;
  afterAll(async () => {
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is finished when the service starts again', async () => {
    if (kind === 'postgres') database = await createTestDatabase();
    const config = loadConfig({
      PORT: '0',
      LOG_LEVEL: 'warn',
      LEDGER_DATA_DIR: dataDir,
      LEDGER_STORE: kind,
      ...(database ? { DATABASE_URL: database.url } : {}),
    });
    const access: NewEvent = {
      eventId: randomUUID(),
      type: 'DataAccessed',
      schemaVersion: 1,
      data: {
        actor: 'dr.cy',
        resource: 'Observation/obs-1',
        action: 'R',
        purposeOfUse: 'TREAT',
        outcome: 'success',
        sourceService: 'ehr-gateway',
      },
      metadata: metadata('ehr-gateway'),
    };
    const first = await startLedgerApi(config);
    const store = first.app.get<EventStore>(EVENT_STORE);
    await store.append('default/data-access-ehr-gateway', [access], 'any');
    // What the crash leaves: the decision recorded, the value still there.
    await interruptedErasure(store, { eventId: access.eventId, pointers: ['/data/actor'] });
    await first.app.close();

    const second = await startLedgerApi(config);
    try {
      const restarted = second.app.get<EventStore>(EVENT_STORE);
      const erased = await until(async () => {
        const [event] = await restarted.findByEventIds([access.eventId]);
        return (event.data as { actor: string }).actor === ERASED ? event : undefined;
      }, 30_000);
      expect(erased.sealed!.values['/data/actor']).toEqual({ kind: 'person' });
    } finally {
      await second.app.close();
    }
  }, 120_000);
});
