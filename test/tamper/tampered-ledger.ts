import {
  type ErasableFieldsOf,
  PostgresEventStore,
  SqliteEventStore,
  type EventStore,
} from '@ledger/event-store';
import { eventHash, GENESIS_HASH } from '@ledger/integrity';
import { type CheckpointTable, LedgerKeys, MerkleLog } from '@ledger/transparency-log';
import { openReadStore, type ReadStore } from '@ledger/read-store';
import Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, spawnTs } from '../support/child-process';
import { newEvent } from '../support/events';
import { createTestDatabase, type TestDatabase, withClient } from '../support/postgres';

export type Kind = 'sqlite' | 'postgres';

export const ORIGIN = 'tamper.test/ledger';
export const EVENTS = 100;
export const CHECKPOINT_EVERY = 20;
/** Positions whose events are alone in their stream: swapping them breaks no chain, only the signed roots notice. */
export const LONE_EVENTS = [30, 70];
/**
 * The first position written under hash scheme 2: the events before it were
 * written by a store that sealed nothing (scheme 1, as every event stored
 * before scheme 2 existed), the rest by one that seals who acted and the note.
 */
export const FIRST_SCHEME_2 = 61;
const ERASABLE_FIELDS: ErasableFieldsOf = () => [
  { pointer: '/metadata/actor/id', kind: 'person' },
  { pointer: '/data/note', kind: 'text' },
];

/** The stream of the event at `position` in the fixture: four interleaved streams, and two lone events. */
export function streamAt(position: number): string {
  if (LONE_EVENTS.includes(position)) return `lone-${position}`;
  return `system-${position % 4}`;
}

export interface VerifyRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A real ledger on a real store, sealed with signed checkpoints every 20
 * events, that a test then damages with raw SQL the way a database
 * administrator could, after switching off the append-only guard.
 */
export class TamperedLedger {
  private constructor(
    readonly kind: Kind,
    readonly dataDir: string,
    private readonly database?: TestDatabase,
  ) {}

  /**
   * The sealed ledger every test starts from, written once per store: each test
   * damages its own `copy()`, so no damage carries over and none is re-sealed.
   */
  static async create(kind: Kind): Promise<TamperedLedger> {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-tamper-'));
    const database = kind === 'postgres' ? await createTestDatabase('ledger_tamper') : undefined;
    const ledger = new TamperedLedger(kind, dataDir, database);
    let store = await ledger.openStore();
    const readStore = await ledger.openReadStore();
    try {
      for (let position = 1; position <= EVENTS; position++) {
        if (position === FIRST_SCHEME_2) {
          await store.close();
          store = await ledger.openStore(ERASABLE_FIELDS);
        }
        await store.append(
          streamAt(position),
          [newEvent({ position, note: 'approved by dr.ada' }, { type: 'ModelVersionValidated' })],
          'any',
        );
      }
      const keys = LedgerKeys.open({ keysDir: join(dataDir, 'keys'), origin: ORIGIN });
      const sealer = new MerkleLog({
        store,
        readStore,
        keys,
        origin: ORIGIN,
        checkpointEveryEvents: CHECKPOINT_EVERY,
        checkpointEveryMs: 3_600_000,
      });
      await sealer.start();
      await sealer.runner.waitFor(BigInt(EVENTS));
      await sealer.stop(0);
    } finally {
      await readStore.close();
      await store.close();
    }
    return ledger;
  }

  /** The same sealed ledger, byte for byte, in a data directory (and database) of its own: files and keys copied, the database made from this one as its template. */
  async copy(): Promise<TamperedLedger> {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-tamper-'));
    cpSync(this.dataDir, dataDir, { recursive: true });
    const database = this.database ? await createTestDatabase('ledger_tamper', this.database) : undefined;
    return new TamperedLedger(this.kind, dataDir, database);
  }

  get env(): NodeJS.ProcessEnv {
    return {
      LEDGER_DATA_DIR: this.dataDir,
      LEDGER_STORE: this.kind,
      LEDGER_READ_STORE: this.kind,
      LEDGER_ORIGIN: ORIGIN,
      LOG_LEVEL: 'silent',
      ...(this.database ? { DATABASE_URL: this.database.url } : {}),
    };
  }

  /** The store as written to: given erasable fields, it seals new events under scheme 2; any store reads both schemes. */
  openStore(erasableFields?: ErasableFieldsOf): Promise<EventStore> {
    return this.kind === 'sqlite'
      ? SqliteEventStore.open(join(this.dataDir, 'events.sqlite'), { erasableFields })
      : PostgresEventStore.open(this.database!.url, { erasableFields });
  }

  openReadStore(): Promise<ReadStore> {
    return this.kind === 'sqlite'
      ? openReadStore({ kind: 'sqlite', sqliteFile: join(this.dataDir, 'read.sqlite') })
      : openReadStore({ kind: 'postgres', databaseUrl: this.database!.url });
  }

  /** Raw SQL on the events and the values kept beside them, as an administrator: the append-only triggers are switched off first. */
  async tamperEvents(...statements: string[]): Promise<void> {
    if (this.kind === 'sqlite') {
      const db = new Database(join(this.dataDir, 'events.sqlite'));
      try {
        db.exec(
          'DROP TRIGGER IF EXISTS events_forbid_update; DROP TRIGGER IF EXISTS events_forbid_delete; DROP TRIGGER IF EXISTS event_values_forbid_delete;',
        );
        for (const statement of statements) db.exec(statement);
      } finally {
        db.close();
      }
      return;
    }
    await withClient(this.database!.url, async (client) => {
      await client.query('ALTER TABLE events DISABLE TRIGGER ALL');
      await client.query('ALTER TABLE event_values DISABLE TRIGGER ALL');
      for (const statement of statements) await client.query(statement);
    });
  }

  /** Raw SQL on the sealer's tables (checkpoints, leaves, nodes), which carry no triggers. */
  async tamperReadStore(statement: string, parameters: unknown[] = []): Promise<void> {
    if (this.kind === 'sqlite') {
      const db = new Database(join(this.dataDir, 'read.sqlite'));
      try {
        db.prepare(statement).run(...parameters);
      } finally {
        db.close();
      }
      return;
    }
    let placeholder = 0;
    const numbered = statement.replace(/\?/g, () => `$${++placeholder}`);
    await withClient(this.database!.url, (client) => client.query(numbered, parameters));
  }

  async checkpointNote(treeSize: number): Promise<string> {
    const readStore = await this.openReadStore();
    try {
      const row = await (readStore.db as Kysely<CheckpointTable>)
        .selectFrom('merkle_checkpoints')
        .select('note')
        .where('tree_size', '=', treeSize)
        .executeTakeFirstOrThrow();
      return row.note;
    } finally {
      await readStore.close();
    }
  }

  /** SQL for an event row, hashed correctly for its own content, as a forger would write it. */
  forgedEventRow(position: number): string {
    const eventId = randomUUID();
    const metadata = { ...newEvent().metadata, recordedAt: '2026-03-14T09:00:00.000Z' };
    const data = { note: 'validation passed for patients over 80' };
    const envelope = {
      eventId,
      type: 'ModelVersionValidated',
      schemaVersion: 1,
      stream: 'forged-stream',
      revision: 0,
      data,
      metadata,
      integrity: { prevHash: GENESIS_HASH },
    };
    const hash = eventHash(envelope);
    const quote = (value: unknown) => `'${JSON.stringify(value).replace(/'/g, "''")}'`;
    return (
      'INSERT INTO events (position, event_id, stream, revision, type, schema_version, data, metadata, prev_hash, hash) ' +
      `VALUES (${position}, '${eventId}', 'forged-stream', 0, 'ModelVersionValidated', 1, ${quote(data)}, ${quote(metadata)}, '${GENESIS_HASH}', '${hash}')`
    );
  }

  /** `govledger verify`, in its own process, against this ledger's configured store. */
  async verify(...args: string[]): Promise<VerifyRun> {
    const child = spawnTs('apps/govledger-cli/src/main.ts', ['verify', ...args], this.env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const { code } = await exited(child);
    return { code, stdout, stderr };
  }

  async dispose(): Promise<void> {
    await this.database?.drop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
