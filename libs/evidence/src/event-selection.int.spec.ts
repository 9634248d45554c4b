import type { EventStore, StoredEvent } from '@ledger/event-store';
import { timelineProjection, type TimelineTables } from '@ledger/read-models';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScopedEvents, type EvidenceDb } from './event-selection';

const dir = mkdtempSync(join(tmpdir(), 'event-selection-'));
const db = new Kysely<TimelineTables>({
  dialect: new SqliteDialect({ database: new Database(join(dir, 'read.sqlite')) }),
});
afterAll(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const DATASET = 't1/dataset-icu';
const IN_PERIOD = '2026-03-10T00:00:00.000Z';
const BEFORE = '2026-01-01T00:00:00.000Z';

interface Row {
  position: number;
  stream?: string;
  system_id?: string | null;
  type?: string;
  tenant_id?: string;
  occurred_at?: string;
}

/** The store answers only what the timeline names, as a real one holding those events would. */
const store = {
  async findByEventIds(ids: string[]) {
    return ids.map((id) => ({ eventId: id, position: BigInt(id.slice(1)) }) as StoredEvent);
  },
} as unknown as EventStore;

async function positions(events: ScopedEvents): Promise<{ pages: number[]; all: number[] }> {
  const pages: number[] = [];
  const all: number[] = [];
  for await (const page of events.pages()) {
    pages.push(page.length);
    all.push(...page.map((e) => Number(e.position)));
  }
  return { pages, all };
}

beforeAll(async () => {
  for (const migrate of Object.values(timelineProjection.migrations)) await migrate(db as Kysely<unknown>);
  const rows: Row[] = [];
  // The system's accesses, with its dataset's events among them and other systems' and tenants' around them.
  for (let p = 1; p <= 700; p++) {
    if (p % 100 === 7) rows.push({ position: p, stream: DATASET, system_id: null, type: 'DatasetApproved' });
    else if (p % 10 === 3) rows.push({ position: p, system_id: 'other' });
    else if (p % 10 === 4) rows.push({ position: p, system_id: 'sepsis', tenant_id: 't2' });
    else rows.push({ position: p, system_id: 'sepsis' });
  }
  // In the dataset's stream and about the system: one event, found once.
  rows.push({ position: 701, stream: DATASET, system_id: 'sepsis', type: 'DatasetApproved' });
  // Outside the period: a plan (always in a cut bundle), a signal input in its range, one out of it.
  rows.push({ position: 702, system_id: 'sepsis', type: 'MonitoringPlanned', occurred_at: BEFORE });
  rows.push({ position: 703, system_id: 'sepsis', type: 'AiOutputProduced', occurred_at: BEFORE });
  rows.push({ position: 704, system_id: 'sepsis', type: 'AiOutputProduced', occurred_at: BEFORE });
  rows.push({
    position: 705,
    stream: DATASET,
    system_id: null,
    type: 'DatasetApproved',
    occurred_at: BEFORE,
  });
  // Past the sealed checkpoint.
  rows.push({ position: 800, system_id: 'sepsis' }, { position: 801, stream: DATASET, system_id: null });
  await db
    .insertInto('tl_events')
    .values(
      rows.map((r) => ({
        position: String(r.position),
        tenant_id: r.tenant_id ?? 't1',
        stream: r.stream ?? `t1/access-${r.position % 3}`,
        system_id: r.system_id === undefined ? 'sepsis' : r.system_id,
        type: r.type ?? 'DataAccessed',
        occurred_at: r.occurred_at ?? IN_PERIOD,
        recorded_at: r.occurred_at ?? IN_PERIOD,
        event_id: `e${r.position}`,
      })),
    )
    .execute();
});

describe('the events an export bundles', () => {
  it("are the system's and its datasets', each once, in position order, a page of at most 250 at a time, up to the sealed position", async () => {
    const events = new ScopedEvents(
      db as unknown as EvidenceDb,
      store,
      { tenantId: 't1', systemId: 'sepsis' },
      [DATASET],
      705n,
    );
    const expected = Array.from({ length: 705 }, (_, i) => i + 1).filter(
      (p) => p > 700 || (p % 10 !== 3 && p % 10 !== 4),
    );
    const { pages, all } = await positions(events);
    expect(all).toEqual(expected);
    expect(pages.slice(0, -1).every((n) => n === 250)).toBe(true);
    expect(await events.count()).toBe(expected.length);
  });

  it('in a cut bundle are those of the period, the plans, and the signal inputs in their ranges', async () => {
    const events = new ScopedEvents(
      db as unknown as EvidenceDb,
      store,
      { tenantId: 't1', systemId: 'sepsis', from: '2026-03-01T00:00:00.000Z' },
      [DATASET],
      705n,
      [{ first: 703n, last: 703n }],
    );
    const { all } = await positions(events);
    expect(all.filter((p) => p > 690)).toEqual([691, 692, 695, 696, 697, 698, 699, 700, 701, 702, 703]);
    expect(await events.count()).toBe(all.length);
  });
});
