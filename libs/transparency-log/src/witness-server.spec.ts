import {
  cosignatureVerifier,
  generateCosignatureKey,
  generateNoteKey,
  hashToBase64,
  InMemoryMerkleLog,
  leafHash,
  noteSigner,
  signCheckpoint,
  verifyCosignatures,
} from '@ledger/integrity';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_REQUEST_BYTES, WitnessServer } from './witness-server';

/*
 * The witness over real HTTP and a real SQLite file: every answer
 * c2sp.org/tlog-witness specifies, and a state that survives a restart.
 */

const ORIGIN = 'witness-spec.example/log';
const logKey = generateNoteKey(ORIGIN);
const witnessKey = generateCosignatureKey('witness-spec.example/w');
let dir: string;
let server: WitnessServer;
let url: string;

function tree(leaves: number, salt = 'a'): InMemoryMerkleLog {
  const log = new InMemoryMerkleLog();
  for (let i = 0; i < leaves; i++) log.append(leafHash(new TextEncoder().encode(`${salt}${i}`)));
  return log;
}

function checkpoint(log: InMemoryMerkleLog, signer = noteSigner(logKey.signerKey), origin = ORIGIN): string {
  return signCheckpoint({ origin, size: log.size, rootHash: log.root() }, signer);
}

async function add(
  old: number,
  proof: Uint8Array[],
  note: string,
): Promise<{ status: number; body: string }> {
  const body = `old ${old}\n${proof.map((h) => `${hashToBase64(h)}\n`).join('')}\n${note}`;
  const response = await fetch(`${url}/add-checkpoint`, { method: 'POST', body });
  return { status: response.status, body: await response.text() };
}

async function open(): Promise<void> {
  server = new WitnessServer({
    stateFile: join(dir, 'witness.sqlite'),
    signerKey: witnessKey.signerKey,
    logs: [{ origin: ORIGIN, verifierKeys: [logKey.verifierKey] }],
    requestsPerMinute: 1000,
  });
  const address = await server.listen(0, '127.0.0.1');
  url = `http://127.0.0.1:${address.port}`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'witness-server-'));
  await open();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('govledger witness (c2sp.org/tlog-witness)', () => {
  const log = tree(5);

  it('cosigns a first checkpoint from size 0 with a cosignature that verifies', async () => {
    const note = checkpoint(log);
    const answer = await add(0, [], note);
    expect(answer.status).toBe(200);
    expect(
      verifyCosignatures(note + answer.body, [cosignatureVerifier(witnessKey.verifierKey)]),
    ).toHaveLength(1);
    expect(server.latest(ORIGIN)).toEqual({ size: 5, rootHash: hashToBase64(log.root()) });
  });

  it('cosigns growth only with a consistency proof from the size it holds, and remembers it across a restart', async () => {
    const grown = tree(9);
    expect((await add(5, [], checkpoint(grown))).status).toBe(422);
    expect((await add(5, grown.proveConsistency(5, 9), checkpoint(grown))).status).toBe(200);
    await server.close();
    await open();
    expect(server.latest(ORIGIN)?.size).toBe(9);
    // A log that lost its place (old 0) is told the size to prove from.
    const stale = await add(0, [], checkpoint(tree(12)));
    expect(stale).toEqual({ status: 409, body: '9\n' });
  });

  it('refuses a rollback and a fork with 409, and a fork proven from the held size with 422', async () => {
    expect(await add(9, [], checkpoint(tree(9, 'fork')))).toEqual({ status: 409, body: '9\n' });
    expect((await add(5, tree(5).proveConsistency(5, 5), checkpoint(tree(5)))).status).toBe(409);
    const fork = tree(12, 'fork');
    expect((await add(9, fork.proveConsistency(9, 12), checkpoint(fork))).status).toBe(422);
    expect(server.latest(ORIGIN)?.size).toBe(9);
  });

  it.each([
    [
      'an unknown origin',
      404,
      () =>
        add(
          0,
          [],
          checkpoint(
            tree(1),
            noteSigner(generateNoteKey('other.example/log').signerKey),
            'other.example/log',
          ),
        ),
    ],
    [
      'a checkpoint signed by another key',
      403,
      () => add(9, [], checkpoint(tree(9), noteSigner(generateNoteKey(ORIGIN).signerKey))),
    ],
    ['an old size above the checkpoint', 400, () => add(12, [], checkpoint(tree(9)))],
    [
      'a request without "old"',
      400,
      () => fetch(`${url}/add-checkpoint`, { method: 'POST', body: `\n${checkpoint(tree(9))}` }),
    ],
  ])('answers %s with %i', async (_, status, send) => {
    expect((await send()).status).toBe(status);
  });

  it(`refuses a body over ${MAX_REQUEST_BYTES} bytes with 413`, async () => {
    const response = await fetch(`${url}/add-checkpoint`, {
      method: 'POST',
      body: 'x'.repeat(MAX_REQUEST_BYTES + 1),
    });
    expect(response.status).toBe(413);
  });
});
