import { LocalIssuer } from '@ledger/auth';
import type { EventStore } from '@ledger/event-store';
import {
  cosignatureVerifier,
  generateCosignatureKey,
  generateNoteKey,
  noteSigner,
  noteVerifier,
  openCheckpoint,
  signCheckpoint,
  verifyCosignatures,
} from '@ledger/integrity';
import { loadConfig } from '@ledger/runtime';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLedgerApi } from '../../apps/ledger-api/src/bootstrap';
import { EVENT_STORE } from '../../apps/ledger-api/src/store/event-store.module';
import { seedDemoOrganisation } from '../../apps/govledger-cli/src/demo/demo-organisation';
import { LedgerClient } from '../../apps/govledger-cli/src/demo/ledger-client';
import { govledger, offlineEnv } from '../evidence/evidence-fixture';
import { buildGoVerifier } from '../interop/go-verifier';
import { exited, LineReader, spawnTs } from '../support/child-process';
import { newEvent } from '../support/events';
import { until } from '../support/until';

/*
 * Two organisations each run a ledger and a witness (`govledger witness`, a
 * real child process with its own SQLite file); each witnesses the other's
 * ledger over real HTTP. Then a third ledger signs another history under the
 * first ledger's key, and the witness that saw the first one refuses it.
 * SQLite only: the witnessing is the same code over either read store.
 */

const ORIGIN_A = 'a.example/ledger';
const ORIGIN_B = 'b.example/ledger';
const SYSTEM = 'sepsis-predictor';

let dir: string;
const keyA = generateNoteKey(ORIGIN_A);
const keyB = generateNoteKey(ORIGIN_B);
/** Run by organisation B, it witnesses ledger A; and the other way round. */
const witnessOfA = generateCosignatureKey('b.example/witness');
const witnessOfB = generateCosignatureKey('a.example/witness');
const witnesses: ChildProcessWithoutNullStreams[] = [];
const ledgers: Ledger[] = [];
let urlOfWitnessA: string;
let urlOfWitnessB: string;

interface Ledger {
  url: string;
  dataDir: string;
  store: EventStore;
  close(): Promise<void>;
}

async function startLedger(dataDir: string, env: Record<string, string>): Promise<Ledger> {
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    LEDGER_DATA_DIR: dataDir,
    LEDGER_STORE: 'sqlite',
    LEDGER_CHECKPOINT_EVERY_MS: '300',
    ...env,
  });
  const { app, url } = await startLedgerApi(config);
  const ledger = {
    url: url.replace('[::1]', '127.0.0.1'),
    dataDir,
    store: app.get<EventStore>(EVENT_STORE),
    close: () => app.close(),
  };
  ledgers.push(ledger);
  return ledger;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `govledger witness` as an operator runs it; resolves once it listens. */
async function startWitness(name: string, origin: string, vkeys: string[], port: number): Promise<string> {
  const keyFile = join(dir, `${name}.key`);
  const child = spawnTs('apps/govledger-cli/src/main.ts', [
    'witness',
    '--key-file',
    keyFile,
    '--state',
    join(dir, `${name}-state`, 'witness.sqlite'),
    '--log',
    [origin, ...vkeys].join(' '),
    '--listen',
    `127.0.0.1:${port}`,
  ]);
  witnesses.push(child);
  const line = await new LineReader(child).waitFor((l) => l.includes('+'), 60_000);
  return line.trim();
}

async function stopWitness(child: ChildProcessWithoutNullStreams): Promise<void> {
  child.kill('SIGTERM');
  await exited(child);
  witnesses.splice(witnesses.indexOf(child), 1);
}

async function checkpointOf(ledger: Ledger): Promise<string> {
  return (await fetch(`${ledger.url}/checkpoint`)).text();
}

/** How many events a checkpoint note covers. */
const sizeOf = (note: string) => Number(note.split('\n')[1]);

/**
 * The ledger's latest checkpoint once it covers at least `size` events and carries a cosignature by `witness`.
 * At least: the service may seal another event meanwhile, and the checkpoint of exactly `size` is then never cosigned.
 */
async function cosignedAt(
  ledger: Ledger,
  witness: string,
  size: number,
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const note = await checkpointOf(ledger);
    if (sizeOf(note) >= size && verifyCosignatures(note, [cosignatureVerifier(witness)]).length === 1)
      return note;
    if (Date.now() > deadline)
      throw new Error(`no cosigned checkpoint of ${size} or more events within ${timeoutMs} ms: ${note}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The cosigned checkpoint over everything the ledger's store holds. Read from the store, not from the latest
 * checkpoint: an event `govledger export` appended (its EvidenceExported) may not be sealed yet, and a size read
 * from the checkpoint would then be overtaken as the test goes on.
 */
async function cosignedThroughHead(ledger: Ledger, witness: string): Promise<string> {
  return cosignedAt(ledger, witness, Number(await ledger.store.headPosition()));
}

async function append(ledger: Ledger, count: number, tag: string): Promise<number> {
  for (let i = 0; i < count; i++) await ledger.store.append(`${tag}-${i % 3}`, [newEvent({ tag, i })], 'any');
  return Number(await ledger.store.headPosition());
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'witnessing-'));
  writeFileSync(join(dir, 'a.ledger.key'), `${keyA.signerKey}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'b.ledger.key'), `${keyB.signerKey}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'witness-of-a.key'), `${witnessOfA.signerKey}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'witness-of-b.key'), `${witnessOfB.signerKey}\n`, { mode: 0o600 });
  for (const name of ['witness-of-a', 'witness-of-b']) mkdirSync(join(dir, `${name}-state`));
  const [portA, portB] = [await freePort(), await freePort()];
  urlOfWitnessA = `http://127.0.0.1:${portA}`;
  urlOfWitnessB = `http://127.0.0.1:${portB}`;
  const printed = await Promise.all([
    startWitness('witness-of-a', ORIGIN_A, [keyA.verifierKey], portA),
    startWitness('witness-of-b', ORIGIN_B, [keyB.verifierKey], portB),
  ]);
  expect(printed).toEqual([witnessOfA.verifierKey, witnessOfB.verifierKey]);
}, 120_000);

afterAll(async () => {
  await Promise.all(ledgers.map((l) => l.close()));
  await Promise.all([...witnesses].map(stopWitness));
  rmSync(dir, { recursive: true, force: true });
});

describe('witness paths that cannot be written stop the start with exit 78, naming the setting', () => {
  it('ledger-api exits 78 when LEDGER_WITNESSES names a directory, instead of failing every checkpoint', async () => {
    const child = spawnTs('apps/ledger-api/src/main.ts', [], {
      PORT: '0',
      LEDGER_DATA_DIR: join(dir, 'never-started'),
      LEDGER_WITNESSES: dir,
    });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    expect((await exited(child)).code).toBe(78);
    expect(stderr).toContain(`LEDGER_WITNESSES: ${dir} is a directory`);
  }, 60_000);

  it('govledger witness exits 78 naming --state when it is a directory', async () => {
    const child = spawnTs('apps/govledger-cli/src/main.ts', [
      'witness',
      '--key-file',
      join(dir, 'witness-of-a.key'),
      '--state',
      dir,
      '--log',
      `${ORIGIN_A} ${keyA.verifierKey}`,
    ]);
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    expect((await exited(child)).code).toBe(78);
    expect(stderr).toContain(`govledger: --state: ${dir} is a directory`);
  }, 60_000);
});

describe('two ledgers witness each other', () => {
  let ledgerA: Ledger;
  let ledgerB: Ledger;
  let uncosignedBundle: string;
  const envA = () => ({
    LEDGER_ORIGIN: ORIGIN_A,
    LEDGER_SIGNING_KEY_FILE: join(dir, 'a.ledger.key'),
  });

  beforeAll(async () => {
    // Ledger A starts with no witness: its first bundle is uncosigned.
    const dataA = join(dir, 'ledger-a');
    ledgerA = await startLedger(dataA, envA());
    const issuer = await LocalIssuer.open(join(dataA, 'keys'), 'govledger-local', 'govledger');
    await seedDemoOrganisation(new LedgerClient(ledgerA.url, issuer, 'default'), {
      accessEvents: 0,
      onProgress: () => undefined,
    });
    uncosignedBundle = join(dir, 'uncosigned.tar.gz');
    const exported = await govledger(
      ['export', '--system', SYSTEM, '--out', uncosignedBundle, '--actor', 'ops.olga'],
      { ...offlineEnv(), LEDGER_DATA_DIR: dataA, ...envA() },
    );
    expect(exported.stderr).not.toContain('failed');
    expect(exported.code).toBe(0);
    await ledgerA.close();
    ledgers.splice(ledgers.indexOf(ledgerA), 1);
    // Restarted with organisation B's witness added: it starts from the latest checkpoint, whatever came before.
    ledgerA = await startLedger(dataA, {
      ...envA(),
      LEDGER_TLOG_WITNESSES: `${urlOfWitnessA} ${witnessOfA.verifierKey}`,
    });
    ledgerB = await startLedger(join(dir, 'ledger-b'), {
      LEDGER_ORIGIN: ORIGIN_B,
      LEDGER_SIGNING_KEY_FILE: join(dir, 'b.ledger.key'),
      LEDGER_CHECKPOINT_EVERY_EVENTS: '5',
      LEDGER_TLOG_WITNESSES: `${urlOfWitnessB} ${witnessOfB.verifierKey}`,
    });
  }, 180_000);

  it("serves each ledger's checkpoint with the other organisation's cosignature, which verifies", async () => {
    const noteA = await cosignedThroughHead(ledgerA, witnessOfA.verifierKey);
    expect(openCheckpoint(noteA, [noteVerifier(keyA.verifierKey)], ORIGIN_A).size).toBe(
      Number(await ledgerA.store.headPosition()),
    );

    const sizeB = await append(ledgerB, 12, 'b');
    const noteB = await cosignedAt(ledgerB, witnessOfB.verifierKey, sizeB);
    // A witness key is no log key: the ledger's own check sees the cosignature as an unknown signer, and passes.
    expect(openCheckpoint(noteB, [noteVerifier(keyB.verifierKey)], ORIGIN_B).size).toBe(sizeOf(noteB));
    expect(sizeOf(noteB)).toBeGreaterThanOrEqual(sizeB);
    expect(verifyCosignatures(noteB, [cosignatureVerifier(witnessOfA.verifierKey)])).toEqual([]);

    // Growing again: the witness checks a consistency proof from the size it cosigned.
    const grown = await append(ledgerB, 7, 'b2');
    await cosignedAt(ledgerB, witnessOfB.verifierKey, grown);

    // govledger verify applies the same policy to the latest checkpoint and the cosignatures the ledger stored.
    const envB = {
      ...offlineEnv(),
      LEDGER_DATA_DIR: ledgerB.dataDir,
      LEDGER_ORIGIN: ORIGIN_B,
      LEDGER_SIGNING_KEY_FILE: join(dir, 'b.ledger.key'),
    };
    const verified = await govledger(['verify', '--witness-key', witnessOfB.verifierKey], envB);
    expect(verified.stdout).toContain(
      'witnesses: 1 of the trusted witnesses cosigned the checkpoint (at least 1 required)',
    );
    expect(verified.code).toBe(0);
    const otherWitness = await govledger(['verify', '--witness-key', witnessOfA.verifierKey], envB);
    expect(otherWitness.stdout).toContain('WITNESS POLICY NOT MET: 0 of the trusted witnesses cosigned');
    expect(otherWitness.code).toBe(1);
  }, 90_000);

  it("Go's sumdb/note opens the cosigned checkpoint with the log's key and the witness's", async () => {
    const noteA = await checkpointOf(ledgerA);
    const goVerify = buildGoVerifier(dir);
    writeFileSync(join(dir, 'a.vkeys'), `${keyA.verifierKey}\n`);
    writeFileSync(join(dir, 'a.cosigned'), noteA);
    const run = (note: string) =>
      spawnSync(
        goVerify,
        ['cosigned', '--vkeys', join(dir, 'a.vkeys'), '--witness', witnessOfA.verifierKey, '--note', note],
        { encoding: 'utf8' },
      );
    const good = run(join(dir, 'a.cosigned'));
    expect(good.stderr).toBe('');
    expect(JSON.parse(good.stdout)).toEqual({ signedBy: [ORIGIN_A, 'b.example/witness'] });
    // One byte of the cosignature's time changed: Go refuses the note.
    const lines = noteA.trimEnd().split('\n');
    const [dash, name, base64] = lines[lines.length - 1].split(' ');
    const bytes = Buffer.from(base64, 'base64');
    bytes[11] ^= 1;
    lines[lines.length - 1] = `${dash} ${name} ${bytes.toString('base64')}`;
    writeFileSync(join(dir, 'a.tampered'), `${lines.join('\n')}\n`);
    expect(run(join(dir, 'a.tampered')).status).toBe(1);
  }, 120_000);

  it('verify-bundle --witness-key K --witness-threshold 1 passes on a cosigned bundle and fails on an uncosigned one', async () => {
    await cosignedThroughHead(ledgerA, witnessOfA.verifierKey);
    const cosignedBundle = join(dir, 'cosigned.tar.gz');
    const exported = await govledger(
      ['export', '--system', SYSTEM, '--out', cosignedBundle, '--actor', 'ops.olga'],
      {
        ...offlineEnv(),
        LEDGER_DATA_DIR: ledgerA.dataDir,
        ...envA(),
      },
    );
    expect(exported.code).toBe(0);
    const policy = [
      '--trusted-key',
      keyA.verifierKey,
      '--witness-key',
      witnessOfA.verifierKey,
      '--witness-threshold',
      '1',
    ];
    const cosigned = await govledger(['verify-bundle', cosignedBundle, ...policy], offlineEnv());
    expect(cosigned.stdout).toContain(
      'witnesses: 1 of the trusted witnesses cosigned the checkpoint (at least 1 required)',
    );
    expect(cosigned.stdout).toContain(
      `cosigned by ${witnessOfA.verifierKey.split('+').slice(0, 2).join('+')} at `,
    );
    expect(cosigned.code).toBe(0);

    const uncosigned = await govledger(['verify-bundle', uncosignedBundle, ...policy], offlineEnv());
    expect(uncosigned.stdout).toContain(
      'FAIL: checkpoint.note: the checkpoint is cosigned by 0 of the trusted witnesses (none), fewer than the 1 required',
    );
    expect(uncosigned.code).toBe(1);
    // Without a policy the same bundle is intact: the witness requirement is the recipient's, not the bundle's.
    expect(
      (await govledger(['verify-bundle', uncosignedBundle, '--trusted-key', keyA.verifierKey], offlineEnv()))
        .code,
    ).toBe(0);
  }, 120_000);

  it('a forked log under the same key is refused by the witness with 409 and shows WITNESS_CONFLICT', async () => {
    // The size the witness holds for ledger A: the fork below grows from it.
    const held = sizeOf(await cosignedThroughHead(ledgerA, witnessOfA.verifierKey));
    // Another history signed with ledger A's key: the same origin, other events.
    const forked = await startLedger(join(dir, 'ledger-a-fork'), {
      ...envA(),
      LEDGER_CHECKPOINT_EVERY_EVENTS: String(held),
      LEDGER_TLOG_WITNESSES: `${urlOfWitnessA} ${witnessOfA.verifierKey}`,
    });
    await append(forked, held + 3, 'fork');
    const ready = await until(async () => {
      const body = (await (await fetch(`${forked.url}/health/ready`)).json()) as Record<string, any>;
      return body.alerts ? body : undefined;
    }, 30_000);
    expect(ready.alerts).toEqual(['WITNESS_CONFLICT']);
    expect(ready.witnessConflicts).toEqual([
      expect.objectContaining({ witness: `${urlOfWitnessA}/`, witnessSize: held }),
    ]);
    const metrics = await (await fetch(`${forked.url}/metrics`)).text();
    expect(metrics).toContain(`ledger_witness_conflict{witness="${urlOfWitnessA}/"} 1`);
    expect(metrics).toMatch(
      new RegExp(`ledger_witness_failures_total\\{witness="${urlOfWitnessA}/",reason="conflict"\\} 1`),
    );

    // Asked directly with a checkpoint of the very size it holds, signed by A's key over another root: 409 and its size.
    const fork = signCheckpoint(
      { origin: ORIGIN_A, size: held, rootHash: new Uint8Array(32).fill(7) },
      noteSigner(keyA.signerKey),
    );
    const response = await fetch(`${urlOfWitnessA}/add-checkpoint`, {
      method: 'POST',
      body: `old ${held}\n\n${fork}`,
    });
    expect(response.status).toBe(409);
    expect(await response.text()).toBe(`${held}\n`);
    // The genuine ledger is unaffected: no conflict, its witness still cosigns.
    const genuine = (await (await fetch(`${ledgerA.url}/health/ready`)).json()) as Record<string, unknown>;
    expect(genuine.alerts).toBeUndefined();
  }, 120_000);
});
