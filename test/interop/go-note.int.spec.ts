import {
  consistencyProofRequest,
  eventHash,
  eventLeafHash,
  generateNoteKey,
  GENESIS_HASH,
  hashToBase64,
  InMemoryMerkleLog,
  noteSigner,
  readNodes,
  signCheckpoint,
  signNote,
} from '@ledger/integrity';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGoVerifier } from './go-verifier';

/*
 * Anyone must be able to check our checkpoints and proofs with tools we did
 * not write. This suite hands what the ledger produces to Go's
 * golang.org/x/mod/sumdb/note and sumdb/tlog (through go-verify/main.go) and
 * asserts that Go accepts the genuine article and rejects tampered copies.
 * Go and x/mod come from Debian, offline, in GOPATH mode.
 */

const ORIGIN = 'ledger.example/north-hospital';
let workDir: string;
let goVerify: string;

let fileCount = 0;
function file(content: string): string {
  const path = join(workDir, `input-${++fileCount}`);
  writeFileSync(path, content);
  return path;
}

function go(...args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const run = spawnSync(goVerify, args, { encoding: 'utf8' });
  if (run.status === 2 || run.error)
    throw new Error(`go-verify was called wrongly: ${run.error?.message ?? run.stderr}`);
  return { ok: run.status === 0, stdout: run.stdout, stderr: run.stderr };
}

const lines = (hashes: Uint8Array[]): string => hashes.map((hash) => `${hashToBase64(hash)}\n`).join('');

function flipFirstBit(hashes: Uint8Array[], element: number): Uint8Array[] {
  return hashes.map((hash, i) =>
    i === element ? Uint8Array.from(hash, (byte, j) => (j === 0 ? byte ^ 0x80 : byte)) : hash,
  );
}

/** A small ledger: real event hashes, chained per stream, as the store writes them. */
const eventHashes: string[] = [];
const log = new InMemoryMerkleLog();
for (let i = 0; i < 37; i++) {
  const hash = eventHash({
    eventId: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    type: 'ModelVersionDeployed',
    schemaVersion: 1,
    stream: `ai-system-${i % 3}`,
    revision: Math.floor(i / 3),
    data: { version: `1.${i}` },
    metadata: { tenantId: 't1', actor: { id: 'dr.ada', role: 'model-owner' } },
    integrity: { prevHash: i < 3 ? GENESIS_HASH : eventHashes[i - 3] },
  });
  eventHashes.push(hash);
  log.append(eventLeafHash(hash));
}

const key = generateNoteKey(ORIGIN);
const signer = noteSigner(key.signerKey);
const checkpointAt = (size: number, by = signer) =>
  signCheckpoint({ origin: ORIGIN, size, rootHash: log.root(size) }, by);

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'go-interop-'));
  goVerify = buildGoVerifier(workDir);
});

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe("Go's sumdb/note reading the ledger's checkpoints", () => {
  it('accepts a checkpoint the ledger signed, and reads the same origin, size and root', () => {
    const result = go('checkpoint', '-vkeys', file(key.verifierKey), '-note', file(checkpointAt(37)));
    expect(result).toMatchObject({ ok: true });
    expect(JSON.parse(result.stdout)).toEqual({ origin: ORIGIN, size: 37, root: hashToBase64(log.root()) });
  });

  it('rejects the checkpoint once its tree size or root is edited', () => {
    const note = checkpointAt(37);
    const resized = go(
      'checkpoint',
      '-vkeys',
      file(key.verifierKey),
      '-note',
      file(note.replace('\n37\n', '\n36\n')),
    );
    expect(resized).toMatchObject({ ok: false, stderr: expect.stringContaining('invalid signature') });
    const rerooted = go(
      'checkpoint',
      '-vkeys',
      file(key.verifierKey),
      '-note',
      file(note.replace(hashToBase64(log.root()), hashToBase64(log.root(36)))),
    );
    expect(rerooted).toMatchObject({ ok: false, stderr: expect.stringContaining('invalid signature') });
  });

  it('rejects a checkpoint signed by a key other than the published one', () => {
    const impostor = noteSigner(generateNoteKey(ORIGIN).signerKey);
    const result = go(
      'checkpoint',
      '-vkeys',
      file(key.verifierKey),
      '-note',
      file(checkpointAt(37, impostor)),
    );
    expect(result).toMatchObject({ ok: false, stderr: expect.stringContaining('no verifiable signatures') });
  });

  it('verifies checkpoints from before and after a key rotation with the published old and new keys', () => {
    const newKey = generateNoteKey(ORIGIN);
    const published = file(`${key.verifierKey}\n${newKey.verifierKey}\n`);
    const before = file(checkpointAt(20));
    const after = file(checkpointAt(37, noteSigner(newKey.signerKey)));
    expect(go('checkpoint', '-vkeys', published, '-note', before)).toMatchObject({ ok: true });
    expect(go('checkpoint', '-vkeys', published, '-note', after)).toMatchObject({ ok: true });
    expect(go('checkpoint', '-vkeys', file(key.verifierKey), '-note', after)).toMatchObject({ ok: false });
  });

  it("signs, from the ledger's signer key, exactly the note the ledger signs", () => {
    const text = `${ORIGIN}\n37\n${hashToBase64(log.root())}\n`;
    const result = go('sign', '-skey', file(key.signerKey), '-text', file(text));
    expect(result).toMatchObject({ ok: true, stdout: signNote(text, [signer]) });
  });
});

describe("Go's sumdb/tlog checking the ledger's proofs", () => {
  const vkeys = () => file(key.verifierKey);

  it('accepts the inclusion proof of every event against the signed checkpoint', () => {
    const note = file(checkpointAt(37));
    for (let index = 0; index < eventHashes.length; index++) {
      const proof = file(lines(log.proveInclusion(index)));
      const result = go(
        'inclusion',
        '-vkeys',
        vkeys(),
        '-note',
        note,
        '-index',
        String(index),
        '-event-hash',
        eventHashes[index],
        '-proof',
        proof,
      );
      expect({ index, ...result }).toMatchObject({ index, ok: true });
    }
  });

  it('rejects an inclusion proof with a flipped bit, for the neighbouring event, or one hash short', () => {
    const note = file(checkpointAt(37));
    const proof = log.proveInclusion(12);
    const check = (index: number, hashes: Uint8Array[]) =>
      go(
        'inclusion',
        '-vkeys',
        vkeys(),
        '-note',
        note,
        '-index',
        String(index),
        '-event-hash',
        eventHashes[12],
        '-proof',
        file(lines(hashes)),
      );
    expect(check(12, proof)).toMatchObject({ ok: true });
    proof.forEach((_, element) =>
      expect(check(12, flipFirstBit(proof, element))).toMatchObject({ ok: false }),
    );
    expect(check(13, proof)).toMatchObject({ ok: false });
    expect(check(11, proof)).toMatchObject({ ok: false });
    expect(check(12, proof.slice(0, -1))).toMatchObject({ ok: false });
  });

  it('accepts the consistency proof between signed checkpoints of the growing log', () => {
    const newer = file(checkpointAt(37));
    for (const oldSize of [1, 2, 13, 16, 32, 36, 37]) {
      const proof = file(lines(readNodes(consistencyProofRequest(oldSize, 37), log)));
      const result = go(
        'consistency',
        '-vkeys',
        vkeys(),
        '-old',
        file(checkpointAt(oldSize)),
        '-new',
        newer,
        '-proof',
        proof,
      );
      expect({ oldSize, ...result }).toMatchObject({ oldSize, ok: true });
    }
  });

  it('rejects a consistency proof with a flipped bit, or paired with another checkpoint', () => {
    const proof = log.proveConsistency(13, 37);
    const check = (oldSize: number, hashes: Uint8Array[]) =>
      go(
        'consistency',
        '-vkeys',
        vkeys(),
        '-old',
        file(checkpointAt(oldSize)),
        '-new',
        file(checkpointAt(37)),
        '-proof',
        file(lines(hashes)),
      );
    expect(check(13, proof)).toMatchObject({ ok: true });
    proof.forEach((_, element) =>
      expect(check(13, flipFirstBit(proof, element))).toMatchObject({ ok: false }),
    );
    expect(check(14, proof)).toMatchObject({ ok: false });
  });

  it("computes from the same events the same root and proofs as the ledger, with tlog's own tree", () => {
    const events = file(eventHashes.join('\n'));
    for (const [index, oldSize] of [
      [0, 1],
      [12, 13],
      [36, 20],
    ]) {
      const result = go(
        'tree',
        '-event-hashes',
        events,
        '-index',
        String(index),
        '-old-size',
        String(oldSize),
      );
      expect(result).toMatchObject({ ok: true });
      expect(JSON.parse(result.stdout)).toEqual({
        size: 37,
        root: hashToBase64(log.root()),
        inclusion: log.proveInclusion(index).map(hashToBase64),
        consistency: log.proveConsistency(oldSize).map(hashToBase64),
      });
    }
  });
});
