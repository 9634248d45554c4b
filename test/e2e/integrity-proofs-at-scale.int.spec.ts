import { PostgresEventStore, SqliteEventStore, type EventStore, type StoredEvent } from '@ledger/event-store';
import {
  eventLeafHash,
  noteVerifier,
  openCheckpoint,
  type NoteVerifier,
  verifyConsistency,
  verifyInclusion,
} from '@ledger/integrity';
import { type CheckpointTable, LedgerKeys, MerkleLog } from '@ledger/transparency-log';
import { openReadStore, type ReadStore } from '@ledger/read-store';
import type { Kysely } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEvent } from '../support/events';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

const ORIGIN = 'scale.test/ledger';
const EVENTS = 100_000;
const CHECKPOINT_EVERY = 1000;

/** A small deterministic generator, so a failing pair can be replayed. */
function pairs(count: number, max: number, seed = 20260314): Array<[number, number]> {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31), state);
  return Array.from({ length: count }, () => {
    const a = next() % max;
    const b = next() % max;
    return a <= b ? [a, b] : [b, a];
  });
}

describe.each([['sqlite'], ['postgres']])('proofs at scale on %s: a 100k-event log', (kind) => {
  let dir: string;
  let database: TestDatabase | undefined;
  let store: EventStore;
  let readStore: ReadStore;
  let log: MerkleLog;
  let verifiers: NoteVerifier[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-scale-'));
    if (kind === 'postgres') database = await createTestDatabase('ledger_scale');
    store =
      kind === 'sqlite'
        ? await SqliteEventStore.open(join(dir, 'events.sqlite'), { synchronous: 'NORMAL' })
        : await PostgresEventStore.open(database!.url);
    readStore =
      kind === 'sqlite'
        ? await openReadStore({ kind: 'sqlite', sqliteFile: join(dir, 'read.sqlite') })
        : await openReadStore({ kind: 'postgres', databaseUrl: database!.url });
    for (let written = 0; written < EVENTS; written += 1000) {
      await store.append(
        `scale-${(written / 1000) % 17}`,
        Array.from({ length: 1000 }, (_, i) => newEvent({ n: written + i })),
        'any',
      );
    }
    const keys = LedgerKeys.open({ keysDir: join(dir, 'keys'), origin: ORIGIN });
    verifiers = keys.verifierKeys().map(noteVerifier);
    log = new MerkleLog({
      store,
      readStore,
      keys,
      origin: ORIGIN,
      checkpointEveryEvents: CHECKPOINT_EVERY,
      checkpointEveryMs: 3_600_000,
    });
    await log.start();
    await log.runner.waitFor(BigInt(EVENTS), 300_000);
  }, 600_000);

  afterAll(async () => {
    await log?.stop(0);
    await readStore?.close();
    await store?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('proves every one of the 100k events included in the latest signed checkpoint', async () => {
    const latest = await log.proofs.latestCheckpoint();
    expect(latest?.treeSize).toBe(EVENTS);
    const checkpoint = openCheckpoint(latest!.note, verifiers, ORIGIN);
    let verified = 0;
    const check = async (batch: StoredEvent[]) => {
      const proofs = await log.proofs.inclusionProofs(batch.map((e) => e.eventId));
      batch.forEach((event, i) => {
        // Against the signed root and the event as stored, not against what the proof service says about either.
        verifyInclusion({
          leafIndex: verified,
          treeSize: checkpoint.size,
          leafHash: eventLeafHash(event.integrity.hash),
          proof: proofs[i].proof,
          root: checkpoint.rootHash,
        });
        verified++;
      });
    };
    let batch: StoredEvent[] = [];
    for await (const event of store.readAll()) {
      batch.push(event);
      if (batch.length === 1000) {
        await check(batch);
        batch = [];
      }
    }
    await check(batch);
    expect(verified).toBe(EVENTS);
  }, 600_000);

  it('proves 50 random pairs of checkpoints consistent', async () => {
    const rows = await (readStore.db as Kysely<CheckpointTable>)
      .selectFrom('merkle_checkpoints')
      .select(['tree_size', 'note'])
      .orderBy('tree_size')
      .execute();
    expect(rows).toHaveLength(EVENTS / CHECKPOINT_EVERY);
    const checkpoints = rows.map((row) => openCheckpoint(row.note, verifiers, ORIGIN));
    for (const [a, b] of pairs(50, checkpoints.length)) {
      const [older, newer] = [checkpoints[a], checkpoints[b]];
      const proof = await log.proofs.consistencyProof(older.size, newer.size);
      verifyConsistency({
        oldSize: older.size,
        newSize: newer.size,
        oldRoot: older.rootHash,
        newRoot: newer.rootHash,
        proof: proof.proof,
      });
    }
  }, 120_000);
});
