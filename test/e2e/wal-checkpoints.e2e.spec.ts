import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApi, type TestApi } from '../support/ledger-api';
import { until } from '../support/until';

/**
 * What one SQLite file holds without its write-ahead log: a copy of the file
 * alone, as a careless backup would take it. Until a checkpoint copies the log
 * back, a table created or a row written since is not in it.
 */
function countInFileAlone(dataDir: string, name: string, sql: string): number {
  const scratch = mkdtempSync(join(tmpdir(), 'file-alone-'));
  try {
    copyFileSync(join(dataDir, name), join(scratch, name));
    const database = new Database(join(scratch, name), { readonly: true });
    try {
      return (database.prepare(sql).get() as { n: number }).n;
    } catch {
      return 0;
    } finally {
      database.close();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

describe('the service checkpoints its SQLite files while it runs (SQLite)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi('sqlite', { LEDGER_PSEUDONYM_KEY: 'c'.repeat(64) });
  });
  afterAll(() => api.close());

  it('copies what it appends and projects into events.sqlite and read.sqlite within seconds, far below the 1,000 pages at which a commit would', async () => {
    const events = Array.from({ length: 5 }, (_, n) => ({
      eventId: randomUUID(),
      type: 'DataAccessed',
      occurredAt: '2026-03-14T09:00:00Z',
      purposeOfUse: 'TREAT',
      data: {
        actor: `dr.${n}`,
        datasetId: 'icu-vitals',
        patientId: `MRN-${n}`,
        action: 'R',
        purposeOfUse: 'TREAT',
        outcome: 'success',
      },
    }));
    const { status, body } = await api.post('/v1/events', { events }, 'ehr-gateway');
    expect({ status, accepted: body.accepted }).toEqual({ status: 200, accepted: 5 });
    const head = Number(await api.store.headPosition());

    await until(
      async () =>
        countInFileAlone(api.dataDir, 'events.sqlite', 'SELECT count(*) AS n FROM events') >= head
          ? true
          : undefined,
      10_000,
    );
    await until(
      async () =>
        countInFileAlone(
          api.dataDir,
          'read.sqlite',
          `SELECT count(*) AS n FROM projection_checkpoints WHERE CAST(position AS INTEGER) >= ${head}`,
        ) > 0
          ? true
          : undefined,
      10_000,
    );
  });
});
