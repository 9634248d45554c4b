import type { StoredEvent } from '@ledger/event-store';
import { migrateModule, openReadStore, type ReadStore } from '@ledger/read-store';
import type { Kysely } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectionConsumer } from '../projection/projection';
import { clinicalUseProjection } from '../projections';
import { appliedThrough } from '../pages';
import { findOutputs, outputCursorOf, windowOutputs } from './clinical-use-queries';
import type { ClinicalUseTables } from './clinical-use-tables';

const dir = mkdtempSync(join(tmpdir(), 'ledger-cu-queries-'));
const consumer = projectionConsumer(clinicalUseProjection);
let readStore: ReadStore;
let position = 0;

function stored(type: string, data: Record<string, unknown>, at: string): StoredEvent {
  position++;
  return {
    eventId: `e${position}`,
    type,
    schemaVersion: 1,
    stream: 't1/clinical-use-svc',
    revision: position - 1,
    position: BigInt(position),
    data,
    metadata: {
      tenantId: 't1',
      actor: { id: 'svc', role: 'emitter' },
      source: 'svc',
      occurredAt: at,
      recordedAt: at,
      correlationId: 'c',
      causationId: 'c',
    },
    integrity: { prevHash: '', hash: '' },
  };
}

const output = (i: number, at: string) =>
  stored(
    'AiOutputProduced',
    {
      outputId: `out-${String(i).padStart(2, '0')}`,
      systemId: 'sepsis',
      modelVersion: i % 2 ? 'v1' : 'v2',
      site: 'north',
      encounterPseudonym: 'a'.repeat(64),
      inputDigest: 'b'.repeat(64),
      score: i / 30,
      alerted: i % 3 === 0,
      sourceService: 'svc',
    },
    at,
  );

// Three outputs share each instant, so pages must break ties by output id.
const instantOf = (i: number) => new Date(Date.UTC(2026, 0, 5, 9, Math.floor(i / 3))).toISOString();
const db = () => readStore.db as Kysely<ClinicalUseTables>;

beforeAll(async () => {
  readStore = await openReadStore({ kind: 'sqlite', sqliteFile: join(dir, 'read.sqlite') });
  await migrateModule(readStore, consumer.name, consumer.migrations);
  const events = [
    ...Array.from({ length: 24 }, (_, i) => output(i, instantOf(i))),
    stored(
      'ClinicianResponseRecorded',
      {
        outputId: 'out-04',
        systemId: 'sepsis',
        response: 'overridden',
        actor: 'dr.ada',
        respondedAt: instantOf(5),
        sourceService: 'svc',
      },
      instantOf(5),
    ),
    stored(
      'OutcomeObserved',
      {
        outputId: 'out-07',
        systemId: 'sepsis',
        label: 'sepsis',
        observedAt: instantOf(20),
        source: 'chart review',
        sourceService: 'svc',
      },
      instantOf(20),
    ),
  ];
  // The runner's checkpoint table, as the runner keeps it: the position the projection applied through.
  await readStore.db.schema
    .createTable('projection_checkpoints')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('position', 'text', (c) => c.notNull())
    .execute();
  await applyAndCheckpoint(events);
});

function applyAndCheckpoint(events: StoredEvent[]) {
  return readStore.inWriteTransaction(async (trx) => {
    await consumer.apply(trx, events);
    await (trx as Kysely<{ projection_checkpoints: { name: string; position: string } }>)
      .insertInto('projection_checkpoints')
      .values({ name: 'clinical_use', position: String(position) })
      .onConflict((oc) => oc.column('name').doUpdateSet({ position: String(position) }))
      .execute();
  });
}

afterAll(async () => {
  await readStore.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('reading a computed window', () => {
  it('streams every output of the window once, in order, across pages that split a shared instant', async () => {
    const window = { from: instantOf(3), to: instantOf(18) };
    const pages: string[][] = [];
    for await (const rows of windowOutputs(db(), 't1', 'sepsis', window, { pageSize: 4 }))
      pages.push(rows.map((r) => r.output_id));
    expect(pages.flat()).toEqual(
      Array.from({ length: 15 }, (_, i) => `out-${String(i + 3).padStart(2, '0')}`),
    );
    expect(pages.map((p) => p.length)).toEqual([4, 4, 4, 3]);
  });

  it('keeps only outputs with the part a metric reads, when asked', async () => {
    const ids = async (having: 'response' | 'outcome label') => {
      const found: string[] = [];
      for await (const rows of windowOutputs(
        db(),
        't1',
        'sepsis',
        { from: instantOf(0), to: instantOf(30) },
        { having },
      ))
        found.push(...rows.map((r) => r.output_id));
      return found;
    };
    expect(await ids('response')).toEqual(['out-04']);
    expect(await ids('outcome label')).toEqual(['out-07']);
  });

  it('sees one snapshot of the read store while writers go on', async () => {
    const seen = await readStore.inReadSnapshot(async (trx) => {
      const before = await appliedThrough(trx as never, 'clinical_use');
      await applyAndCheckpoint([output(90, instantOf(10))]);
      let rows = 0;
      for await (const page of windowOutputs(trx as never, 't1', 'sepsis', {
        from: instantOf(0),
        to: instantOf(30),
      }))
        rows += page.length;
      return { before, rows };
    });
    expect(seen).toEqual({ before: 26n, rows: 24 });
    expect(await appliedThrough(readStore.db as never, 'clinical_use')).toBe(27n);
  });
});

describe('the outputs connection', () => {
  it('pages newest first without repeating or skipping an output', async () => {
    const ids: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await findOutputs(db(), 't1', { systemId: 'sepsis', version: 'v2' }, { first: 5, after });
      ids.push(...page.rows.map((r) => r.output_id));
      if (!page.hasNextPage) break;
      after = outputCursorOf(page.rows[page.rows.length - 1]);
    }
    const v2 = [...Array.from({ length: 12 }, (_, i) => `out-${String(i * 2).padStart(2, '0')}`), 'out-90'];
    expect([...ids].sort()).toEqual(v2.sort());
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('filters by response, none included, and by whether the outcome is known', async () => {
    const find = async (filter: object) =>
      (await findOutputs(db(), 't1', { systemId: 'sepsis', ...filter }, { first: 100 })).rows.map(
        (r) => r.output_id,
      );
    expect(await find({ responses: ['overridden'] })).toEqual(['out-04']);
    expect(await find({ responses: ['none'] })).not.toContain('out-04');
    expect((await find({ responses: ['none', 'overridden'] })).length).toBe(25);
    expect(await find({ responses: [] })).toEqual([]);
    expect(await find({ outcomeKnown: true })).toEqual(['out-07']);
    expect(await find({ outcomeKnown: false })).not.toContain('out-07');
  });

  it('refuses a cursor it did not issue, naming the argument', async () => {
    await expect(
      findOutputs(db(), 't1', { systemId: 'sepsis' }, { first: 5, after: 'bm9wZQ' }),
    ).rejects.toMatchObject({
      field: 'after',
    });
  });
});
