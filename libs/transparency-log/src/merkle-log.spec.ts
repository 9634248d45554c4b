import { PostgresEventStore, SqliteEventStore, type EventStore } from '@ledger/event-store';
import {
  eventLeafHash,
  formatKeyId,
  hashToBase64,
  InMemoryMerkleLog,
  noteVerifier,
  openCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from '@ledger/integrity';
import type { Kysely } from 'kysely';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openReadStore, ProjectionRunner, type ReadStore } from '@ledger/read-store';
import { exited, LineReader, spawnTs } from '../../../test/support/child-process';
import { newEvent } from '../../../test/support/events';
import { createTestDatabase, type TestDatabase } from '../../../test/support/postgres';
import { LedgerKeys, MissingLedgerKeyError } from './ledger-keys';
import { MerkleLog, type MerkleLogOptions } from './merkle-log';
import { ProofRequestError } from './merkle-proofs';
import { MerkleSealer } from './merkle-sealer';
import type { CheckpointTable, MerkleTables } from './merkle-tables';
import { fileWitness, httpWitness } from './witnesses';

const ORIGIN = 'north-hospital.example/ledger';

interface Target {
  kind: 'sqlite' | 'postgres';
  storeLocation: string;
  readLocation: string;
  keysDir: string;
  dir: string;
  openStore(): Promise<EventStore>;
  openReadStore(): Promise<ReadStore>;
  freshReadStore(): Promise<ReadStore>;
  dispose(): Promise<void>;
}

async function sqliteTarget(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-sealer-'));
  let fresh = 0;
  return {
    kind: 'sqlite',
    dir,
    storeLocation: join(dir, 'events.sqlite'),
    readLocation: join(dir, 'read.sqlite'),
    keysDir: join(dir, 'keys'),
    openStore: () => SqliteEventStore.open(join(dir, 'events.sqlite')),
    openReadStore: () => openReadStore({ kind: 'sqlite', sqliteFile: join(dir, 'read.sqlite') }),
    freshReadStore: () => openReadStore({ kind: 'sqlite', sqliteFile: join(dir, `fresh-${++fresh}.sqlite`) }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresTarget(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-sealer-'));
  const database = await createTestDatabase('ledger_sealer');
  const fresh: TestDatabase[] = [];
  return {
    kind: 'postgres',
    dir,
    storeLocation: database.url,
    readLocation: database.url,
    keysDir: join(dir, 'keys'),
    openStore: () => PostgresEventStore.open(database.url),
    openReadStore: () => openReadStore({ kind: 'postgres', databaseUrl: database.url }),
    async freshReadStore() {
      const other = await createTestDatabase('ledger_sealer_fresh');
      fresh.push(other);
      return openReadStore({ kind: 'postgres', databaseUrl: other.url });
    },
    async dispose() {
      for (const db of [database, ...fresh]) await db.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function appendMany(store: EventStore, count: number): Promise<void> {
  for (let written = 0; written < count; written += 50) {
    const size = Math.min(50, count - written);
    await store.append(
      `sealer-${(written / 50) % 4}`,
      Array.from({ length: size }, (_, i) => newEvent({ n: written + i })),
      'any',
    );
  }
}

/** The log re-derived in memory from the store, the way a verifier would. */
async function derivedLog(store: EventStore): Promise<InMemoryMerkleLog> {
  const log = new InMemoryMerkleLog();
  for await (const event of store.readAll()) log.append(eventLeafHash(event.integrity.hash));
  return log;
}

async function storedCheckpoints(readStore: ReadStore) {
  return (readStore.db as Kysely<CheckpointTable>)
    .selectFrom('merkle_checkpoints')
    .selectAll()
    .orderBy('tree_size')
    .execute();
}

describe.each([
  ['sqlite', sqliteTarget],
  ['postgres', postgresTarget],
])('the sealer on %s', (_name, makeTarget) => {
  let target: Target;
  let store: EventStore;
  let readStore: ReadStore;
  let keys: LedgerKeys;
  const running: MerkleLog[] = [];

  function sealer(options: Partial<MerkleLogOptions> = {}): MerkleLog {
    const log = new MerkleLog({
      store,
      readStore,
      keys,
      origin: ORIGIN,
      checkpointEveryEvents: 100,
      checkpointEveryMs: 60_000,
      ...options,
    });
    running.push(log);
    return log;
  }

  async function sealToHead(log: MerkleLog): Promise<void> {
    await log.runner.waitFor(await store.headPosition(), 60_000);
  }

  beforeEach(async () => {
    target = await makeTarget();
    store = await target.openStore();
    readStore = await target.openReadStore();
    keys = LedgerKeys.open({ keysDir: target.keysDir, origin: ORIGIN });
  });
  afterEach(async () => {
    for (const log of running.splice(0)) await log.stop(0);
    await readStore.close();
    await store.close();
    await target.dispose();
  });

  it('signs a checkpoint every N events whose root is the RFC 9162 root of the events so far, verifiable with the published key', async () => {
    await appendMany(store, 350);
    const log = sealer();
    await log.start();
    await sealToHead(log);

    const derived = await derivedLog(store);
    const checkpoints = await storedCheckpoints(readStore);
    expect(checkpoints.map((c) => Number(c.tree_size))).toEqual([100, 200, 300]);
    const verifiers = keys.verifierKeys().map(noteVerifier);
    for (const row of checkpoints) {
      const opened = openCheckpoint(row.note, verifiers, ORIGIN);
      expect(opened.size).toBe(Number(row.tree_size));
      expect(hashToBase64(opened.rootHash)).toBe(hashToBase64(derived.root(opened.size)));
      expect(row.key_id).toBe(formatKeyId(keys.signer().keyId));
    }
    expect(log.sealer.treeSize).toBe(350);
  });

  it('signs the rest on a timer only when the tree grew, and on a clean stop', async () => {
    await appendMany(store, 130);
    const log = sealer({ checkpointEveryMs: 50 });
    await log.start();
    await sealToHead(log);
    await waitUntil(async () =>
      (await storedCheckpoints(readStore)).some((c) => Number(c.tree_size) === 130),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await storedCheckpoints(readStore)).map((c) => Number(c.tree_size))).toEqual([100, 130]);

    await appendMany(store, 5);
    await sealToHead(log);
    await log.stop(0);
    expect((await storedCheckpoints(readStore)).map((c) => Number(c.tree_size)).pop()).toBe(135);
  });

  it('after a restart, rebuilds its frontier from the stored nodes and carries on with the same tree', async () => {
    await appendMany(store, 170);
    const first = sealer();
    await first.start();
    await sealToHead(first);
    await first.stop(0);

    await appendMany(store, 260);
    const second = sealer();
    await second.start();
    await sealToHead(second);

    // The clean stop signed 170; the count-based ones stay at multiples of 100.
    expect((await storedCheckpoints(readStore)).map((c) => Number(c.tree_size))).toEqual([
      100, 170, 200, 300, 400,
    ]);
    await second.stop(0);
    const derived = await derivedLog(store);
    const latest = await second.proofs.latestCheckpoint();
    expect(latest?.treeSize).toBe(430);
    expect(hashToBase64(latest!.rootHash)).toBe(hashToBase64(derived.root(430)));
  });

  it('serves inclusion proofs that verify against the signed checkpoint, and consistency proofs between checkpoints', async () => {
    await appendMany(store, 250);
    const log = sealer();
    await log.start();
    await sealToHead(log);
    const verifiers = keys.verifierKeys().map(noteVerifier);

    const events: { eventId: string; hash: string }[] = [];
    for await (const e of store.readAll()) events.push({ eventId: e.eventId, hash: e.integrity.hash });
    for (const index of [0, 1, 99, 100, 137, 199]) {
      const proof = await log.proofs.inclusionProof(events[index].eventId);
      expect(proof).toMatchObject({ leafIndex: index, treeSize: 200, eventHash: events[index].hash });
      const checkpoint = openCheckpoint(proof.checkpoint, verifiers, ORIGIN);
      verifyInclusion({
        leafIndex: proof.leafIndex,
        treeSize: checkpoint.size,
        leafHash: eventLeafHash(events[index].hash),
        proof: proof.proof,
        root: checkpoint.rootHash,
      });
    }
    const early = await log.proofs.inclusionProof(events[42].eventId, 100);
    expect(early.treeSize).toBe(100);

    const consistency = await log.proofs.consistencyProof(100, 200);
    verifyConsistency({
      oldSize: 100,
      newSize: 200,
      oldRoot: openCheckpoint(consistency.fromCheckpoint, verifiers).rootHash,
      newRoot: openCheckpoint(consistency.toCheckpoint, verifiers).rootHash,
      proof: consistency.proof,
    });
  });

  it('refuses proofs it cannot give, saying why and which parameter', async () => {
    const log = sealer();
    await log.start();
    await expect(log.proofs.inclusionProof('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'NO_CHECKPOINT',
    });
    await appendMany(store, 120);
    await sealToHead(log);
    const late: string[] = [];
    for await (const e of store.readAll({ after: 110n })) late.push(e.eventId);

    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: ProofRequestError) => ({
          code: error.code,
          parameter: error.parameter,
          message: error.message,
        }),
      );
    expect(await refusal(log.proofs.inclusionProof('00000000-0000-4000-8000-000000000000'))).toMatchObject({
      code: 'UNKNOWN_EVENT',
      parameter: 'eventId',
    });
    expect(await refusal(log.proofs.inclusionProof(late[0]))).toMatchObject({
      code: 'NOT_IN_CHECKPOINT',
      parameter: 'treeSize',
    });
    expect(await refusal(log.proofs.inclusionProof(late[0], 50))).toMatchObject({
      code: 'NO_CHECKPOINT',
      parameter: 'treeSize',
      message: expect.stringContaining('no signed checkpoint of tree size 50'),
    });
    expect(await refusal(log.proofs.consistencyProof(200, 100))).toMatchObject({
      code: 'INVALID_RANGE',
      parameter: 'from',
    });
  });

  it('after a key rotation, signs with the new key while earlier checkpoints still verify with the published keys', async () => {
    await appendMany(store, 100);
    const log = sealer();
    await log.start();
    await sealToHead(log);
    const oldKey = keys.signer().verifierKey;

    const { retired, current } = LedgerKeys.rotate({ keysDir: target.keysDir, origin: ORIGIN });
    expect(retired).toBe(oldKey);
    await appendMany(store, 100);
    await sealToHead(log);

    const [first, second] = await storedCheckpoints(readStore);
    expect(first.key_id).not.toBe(second.key_id);
    const published = keys.verifierKeys();
    expect(published).toEqual([oldKey, current]);
    const verifiers = published.map(noteVerifier);
    expect(openCheckpoint(first.note, verifiers).signatures[0].keyId).toBe(noteVerifier(oldKey).keyId);
    expect(openCheckpoint(second.note, verifiers).signatures[0].keyId).toBe(noteVerifier(current).keyId);
    expect(() => openCheckpoint(first.note, [noteVerifier(current)])).toThrow(
      'no trusted key signed this note',
    );
  });

  it('during a rotation overlap both keys sign; once it is over the retired secret is deleted', () => {
    const options = { keysDir: target.keysDir, origin: ORIGIN };
    const now = new Date('2026-01-01T00:00:00Z');
    const { retired, current, overlapUntil } = LedgerKeys.rotate(options, 2, now);
    expect(overlapUntil).toBe('2026-01-03T00:00:00.000Z');
    const during = keys.signers(new Date('2026-01-02T23:59:59Z')).map((s) => s.verifierKey);
    expect(during).toEqual([current, retired]);
    const retiring = join(target.keysDir, 'ledger.key.retiring');
    expect(statSync(retiring).mode & 0o777).toBe(0o600);
    expect(keys.signers(new Date('2026-01-03T00:00:00Z')).map((s) => s.verifierKey)).toEqual([current]);
    expect(existsSync(retiring)).toBe(false);
  });

  it('hands every checkpoint to a file witness and an HTTP witness, retrying a failing one without holding up sealing', async () => {
    const received: { contentType?: string; authorization?: string; path?: string; body: string }[] = [];
    let refusals = 2;
    const server: Server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        if (refusals-- > 0) {
          response.writeHead(503).end('busy');
          return;
        }
        received.push({
          contentType: request.headers['content-type'],
          authorization: request.headers.authorization,
          path: request.url,
          body,
        });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
      const url = `http://${address}/add-checkpoint`;
      const latest = join(target.dir, 'witness', 'latest.checkpoint');
      const log = sealer({
        witnesses: [
          fileWitness(latest),
          httpWitness(`http://w%40x:s3cret@${address}/add-checkpoint?token=t0ken`),
        ],
        witnessRetryMs: 20,
      });
      await log.start();
      await appendMany(store, 300);
      await sealToHead(log);
      expect((await storedCheckpoints(readStore)).length).toBe(3);
      await waitUntil(async () => received.length === 3);
      await log.witnesses.idle();

      const notes = (await storedCheckpoints(readStore)).map((c) => c.note);
      expect(received.map((r) => r.body)).toEqual(notes);
      expect(received[0].contentType).toMatch(/^text\/plain/);
      // Credentials in the URL travel as Basic authentication (fetch refuses them in a URL); the query stays.
      expect(received[0].authorization).toBe(`Basic ${Buffer.from('w@x:s3cret').toString('base64')}`);
      expect(received[0].path).toBe('/add-checkpoint?token=t0ken');
      expect(readFileSync(join(target.dir, 'witness', '200.checkpoint'), 'utf8')).toBe(notes[1]);
      expect(readFileSync(latest, 'utf8')).toBe(notes[2]);
      // The two 503s are counted as retried failures (served as ledger_witness_failures_total), nothing is left queued.
      expect(log.witnesses.status()).toEqual([
        { witness: latest, queued: 0, unreachable: 0, conflicts: 0 },
        { witness: url, queued: 0, unreachable: 2, conflicts: 0 },
      ]);
    } finally {
      server.close();
    }
  });

  it('killed with SIGKILL while sealing and restarted, it ends with the same nodes, leaves and signed checkpoints as a clean run', async () => {
    await appendMany(store, 2000);
    const head = await store.headPosition();
    let kills = 0;
    for (let round = 0; round < 8; round++) {
      const child = spawnTs('libs/transparency-log/src/testing/run-sealer-child.ts', [
        target.kind,
        target.storeLocation,
        target.kind,
        target.readLocation,
        join(target.dir, 'child-keys'),
      ]);
      const reader = new LineReader(child);
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      const line = await Promise.race([
        reader.waitFor((l) => l.startsWith('applying ') || l.startsWith('caught-up')),
        exited(child).then(({ code }) => {
          throw new Error(`sealer child exited with ${code}:\n${stderr}`);
        }),
      ]);
      if (line.startsWith('caught-up')) {
        await exited(child);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
      child.kill('SIGKILL');
      if ((await exited(child)).signal === 'SIGKILL') kills++;
    }
    expect(kills).toBeGreaterThan(0);

    // Same settings as the child: a checkpoint every 100 events, no timer.
    const finish = async (into: ReadStore) => {
      const runner = new ProjectionRunner({
        store,
        readStore: into,
        consumer: new MerkleSealer({
          readStore: into,
          origin: 'crash.test/ledger',
          signers: () => childKeys.signers(),
          checkpointEveryEvents: 100,
        }),
      });
      await runner.start();
      await runner.waitFor(head, 60_000);
      await runner.stop();
    };
    const childKeys = LedgerKeys.open({
      keysDir: join(target.dir, 'child-keys'),
      origin: 'crash.test/ledger',
    });
    await finish(readStore);
    const clean = await target.freshReadStore();
    try {
      await finish(clean);
      for (const table of ['merkle_nodes', 'merkle_leaves'] as const) {
        const order = table === 'merkle_nodes' ? ['level', 'idx'] : ['leaf_index'];
        const rows = (db: Kysely<object>) =>
          (db as Kysely<MerkleTables>)
            .selectFrom(table)
            .selectAll()
            .orderBy(order as never)
            .execute();
        expect(await rows(readStore.db)).toEqual(await rows(clean.db));
      }
      const notes = async (db: ReadStore) => (await storedCheckpoints(db)).map((c) => c.note);
      expect(await notes(readStore)).toEqual(await notes(clean));
      expect((await notes(clean)).length).toBe(20);
    } finally {
      await clean.close();
    }
  }, 180_000);
});

describe('the ledger signing key', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is generated on first use, readable only by its owner, and its verifier key is published', () => {
    const keysDir = join(dir, 'keys');
    const keys = LedgerKeys.open({ keysDir, origin: ORIGIN });
    expect(statSync(join(keysDir, 'ledger.key')).mode & 0o777).toBe(0o600);
    expect(statSync(keysDir).mode & 0o777).toBe(0o700);
    const vkey = keys.signer().verifierKey;
    expect(vkey).toMatch(new RegExp(`^${ORIGIN.replace('.', '\\.')}\\+[0-9a-f]{8}\\+[A-Za-z0-9+/]+=*$`));
    expect(readFileSync(join(keysDir, 'verifiers.txt'), 'utf8')).toBe(`${vkey}\n`);
    expect(LedgerKeys.open({ keysDir, origin: ORIGIN }).signer().verifierKey).toBe(vkey);
  });

  it('openExisting and rotate create nothing where the ledger has no key, naming what is missing', () => {
    const keysDir = join(dir, 'keys');
    expect(() => LedgerKeys.openExisting({ keysDir, origin: ORIGIN })).toThrow(
      new MissingLedgerKeyError(keysDir),
    );
    expect(() => LedgerKeys.rotate({ keysDir, origin: ORIGIN })).toThrow(MissingLedgerKeyError);
    expect(existsSync(keysDir)).toBe(false);
    mkdirSync(keysDir);
    expect(() => LedgerKeys.openExisting({ keysDir, origin: ORIGIN })).toThrow(
      `there is no ${join(keysDir, 'ledger.key')}`,
    );
    expect(readdirSync(keysDir)).toEqual([]);
    const vkey = LedgerKeys.open({ keysDir, origin: ORIGIN }).signer().verifierKey;
    expect(LedgerKeys.openExisting({ keysDir, origin: ORIGIN }).signer().verifierKey).toBe(vkey);
  });

  it('refuses a key named for another log, naming both names and the fix', () => {
    const keysDir = join(dir, 'keys');
    LedgerKeys.open({ keysDir, origin: ORIGIN });
    expect(() => LedgerKeys.open({ keysDir, origin: 'other.example/ledger' })).toThrow(
      /is named "north-hospital.example\/ledger", but LEDGER_ORIGIN is "other.example\/ledger"/,
    );
  });

  it('loads a key supplied in a file, and will not rotate it', () => {
    const generated = LedgerKeys.open({ keysDir: join(dir, 'elsewhere'), origin: ORIGIN });
    const keys = LedgerKeys.open({
      keysDir: join(dir, 'keys'),
      origin: ORIGIN,
      signingKeyFile: join(dir, 'elsewhere', 'ledger.key'),
    });
    expect(keys.signer().verifierKey).toBe(generated.signer().verifierKey);
    expect(() =>
      LedgerKeys.rotate({
        keysDir: join(dir, 'keys'),
        origin: ORIGIN,
        signingKeyFile: join(dir, 'elsewhere', 'ledger.key'),
      }),
    ).toThrow('LEDGER_SIGNING_KEY_FILE is set');
  });

  it('says which file is missing without quoting any key', () => {
    expect(() =>
      LedgerKeys.open({
        keysDir: join(dir, 'keys'),
        origin: ORIGIN,
        signingKeyFile: join(dir, 'absent.key'),
      }),
    ).toThrow(`the signing key in ${join(dir, 'absent.key')} cannot be used: the file does not exist`);
  });
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
