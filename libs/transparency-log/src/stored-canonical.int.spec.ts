import { SqliteEventStore } from '@ledger/event-store';
import { canonicalJson, GENESIS_HASH } from '@ledger/integrity';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect, newEvent } from '../../../test/support/events';
import { verifyLedger } from './ledger-verifier';

/**
 * verify hashes SQLite's data and metadata text as stored when it is the
 * canonical text append hashed, and parses and canonicalises it otherwise
 * (rows written before the store kept canonical text). Either way, one
 * changed byte is an edited event.
 */
describe('verify on stored canonical text and on older rows (SQLite)', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-stored-canonical-'));
    file = join(dir, 'events.sqlite');
    const store = await SqliteEventStore.open(file);
    try {
      // Keys out of canonical order, as an emitter builds them.
      for (const n of [1, 2, 3])
        await store.append('system-1', [newEvent({ zeta: n, alpha: `approved by dr.ada ${n}` })], 'any');
    } finally {
      await store.close();
    }
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Raw SQL on the events, as an administrator who switched off the append-only guard. */
  function tamper(...statements: string[]): void {
    const db = new Database(file);
    try {
      db.exec('DROP TRIGGER IF EXISTS events_forbid_update;');
      for (const statement of statements) db.exec(statement);
    } finally {
      db.close();
    }
  }

  function column(position: number, name: 'data' | 'metadata'): string {
    const db = new Database(file, { readonly: true });
    try {
      return (
        db.prepare(`SELECT ${name} AS text FROM events WHERE position = ?`).get(position) as { text: string }
      ).text;
    } finally {
      db.close();
    }
  }

  /** The text a store wrote before it kept canonical text: JSON.stringify in the emitter's key order. */
  function writeOldStyle(position: number): void {
    const data = JSON.parse(column(position, 'data')) as { alpha: string; zeta: number };
    const metadata = JSON.parse(column(position, 'metadata')) as Record<string, unknown>;
    const reversed = Object.fromEntries(Object.entries(metadata).reverse());
    const oldData = JSON.stringify({ zeta: data.zeta, alpha: data.alpha });
    tamper(
      `UPDATE events SET data = '${oldData}', metadata = '${JSON.stringify(reversed)}' WHERE position = ${position}`,
    );
    expect(column(position, 'data')).not.toBe(canonicalJson(data));
  }

  async function verify() {
    const store = await SqliteEventStore.open(file);
    try {
      return await verifyLedger({ store, verifiers: [], origin: 'stored-canonical.test/ledger' });
    } finally {
      await store.close();
    }
  }

  it('stores the canonical text it hashed, which reads back as the same values', async () => {
    expect(column(1, 'data')).toBe('{"alpha":"approved by dr.ada 1","zeta":1}');
    const store = await SqliteEventStore.open(file);
    try {
      const [first] = await collect(store.readAll());
      expect(first.data).toEqual({ zeta: 1, alpha: 'approved by dr.ada 1' });
      expect(column(1, 'metadata')).toBe(canonicalJson(first.metadata));
    } finally {
      await store.close();
    }
  });

  it('verifies a stored-canonical row and an older, non-canonical row alike', async () => {
    writeOldStyle(2);
    const report = await verify();
    expect(report.events).toBe(3);
    expect(report.damage).toEqual([]);
  });

  it('names one flipped byte in the data of either kind of row as an edited event', async () => {
    writeOldStyle(2);
    tamper(
      `UPDATE events SET data = replace(data, 'dr.ada', 'dr.adb') WHERE position IN (1, 2)`,
      // Spaces outside any value: no longer the hashed text, but the same value, which the parsing path accepts.
      `UPDATE events SET data = replace(data, '":', '": ') WHERE position = 3`,
    );
    const report = await verify();
    expect(report.damage.map((d) => [d.kind, d.position])).toEqual([
      ['edited-event', 1n],
      ['edited-event', 2n],
    ]);
  });

  it('names an edit that moves text between data and metadata so that the joined text still hashes', async () => {
    // Data shaped like the envelope's own members, as an emitter may send it.
    const store = await SqliteEventStore.open(file);
    try {
      await store.append(
        'system-2',
        [newEvent({ a: 1, eventId: 'forged', integrity: { prevHash: GENESIS_HASH }, metadata: {} })],
        'no_stream',
      );
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    const { event_id: eventId, metadata } = db
      .prepare('SELECT event_id, metadata FROM events WHERE position = 4')
      .get() as { event_id: string; metadata: string };
    db.close();
    const moved = `{}},"eventId":"${eventId}","integrity":{"prevHash":"${GENESIS_HASH}"},"metadata":${metadata}`;
    tamper(
      `UPDATE events SET data = '{"a":1', event_id = 'forged', metadata = '${moved}' WHERE position = 4`,
    );
    const report = await verify();
    expect(report.damage.map((d) => [d.kind, d.position])).toEqual([['edited-event', 4n]]);
  });
});
