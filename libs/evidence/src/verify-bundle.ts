import {
  canonicalJson,
  eventHash,
  eventLeafHash,
  formatKeyId,
  hashToBase64,
  hashToHex,
  IntegrityError,
  noteVerifier,
  openCheckpoint,
  verifyConsistency,
  verifyInclusion,
  verifyNote,
  type NoteVerifier,
  type OpenedCheckpoint,
} from '@ledger/integrity';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import {
  BUNDLE_FORMAT,
  bundleOrder,
  FILE_MEANING,
  manifestNoteText,
  type BundleFileName,
  type BundleManifest,
  type ConsistencyFile,
  type ProofLine,
} from './bundle-format';
import { JsonLines, LineError } from './json-lines';

/*
 * The offline verifier: a bundle file and the verifier keys the recipient
 * trusts, nothing else. No server, no database, no configuration; it imports
 * only the integrity library, so a regulator can read every line it runs.
 */

export type BundleVerification =
  { ok: true; summary: BundleSummary } | { ok: false; file: BundleFileName | 'bundle'; message: string };

export interface BundleSummary {
  exportId: string;
  systemId: string;
  tenantId: string;
  createdAt: string;
  exportedBy: string;
  recipient?: string;
  origin: string;
  events: number;
  firstPosition?: string;
  lastPosition?: string;
  checkpoint: { treeSize: number; rootHash: string; signedBy: string[] };
  consistentWith?: { treeSize: number; rootHash: string };
  files: number;
}

/** The first thing wrong with a bundle: which file, what was found, and what it means. */
class BundleFailure extends Error {
  constructor(
    readonly file: BundleFileName | 'bundle',
    message: string,
  ) {
    super(message);
  }
}

// The small members are read whole; these bounds keep a hostile bundle from exhausting memory.
const SMALL_FILE_LIMIT = 4 * 1024 * 1024;
const HASH_BYTES = 32;

export async function verifyBundle(
  file: string,
  trustedVkeys: readonly string[],
): Promise<BundleVerification> {
  let verifiers: NoteVerifier[];
  try {
    verifiers = trustedVkeys.map((key) => noteVerifier(key.trim()));
  } catch (error) {
    return { ok: false, file: 'bundle', message: `a trusted key is not a verifier key: ${messageOf(error)}` };
  }
  if (verifiers.length === 0)
    return {
      ok: false,
      file: 'bundle',
      message: 'no trusted verifier key given: pass the ledger key you were given out of band',
    };
  try {
    return { ok: true, summary: await new BundleReader(verifiers).read(file) };
  } catch (error) {
    if (error instanceof BundleFailure) return { ok: false, file: error.file, message: error.message };
    return {
      ok: false,
      file: 'bundle',
      message: `the file is not a readable evidence bundle (gzipped tar): ${messageOf(error)}`,
    };
  }
}

class BundleReader {
  private manifestBytes?: Buffer;
  private manifest?: BundleManifest;
  private checkpoint?: OpenedCheckpoint;
  private consistentWith?: { treeSize: number; rootHash: string };
  /** The recomputed hash of each event, in order: what each proof must be the proof of. 32 bytes an event. */
  private eventHashes = Buffer.alloc(HASH_BYTES * 1024);
  private events = 0;
  private firstPosition?: string;
  private lastPosition?: string;

  constructor(private readonly verifiers: NoteVerifier[]) {}

  async read(file: string): Promise<BundleSummary> {
    const archive = extract();
    const input = createReadStream(file);
    const gunzip = createGunzip();
    // Errors of the file or the decompressor surface through the archive iterator.
    input.on('error', (error) => archive.destroy(error));
    gunzip.on('error', (error) => archive.destroy(error));
    input.pipe(gunzip).pipe(archive);

    const seen: string[] = [];
    let expected: BundleFileName[] = ['manifest.json', 'manifest.sig'];
    try {
      for await (const entry of archive) {
        const name = entry.header.name as BundleFileName;
        const position = seen.length;
        seen.push(name);
        if (entry.header.type !== 'file')
          throw new BundleFailure(
            'bundle',
            `member ${JSON.stringify(name)} is not a regular file; a bundle holds only files`,
          );
        if (!expected.includes(name))
          throw new BundleFailure(
            'bundle',
            `member ${JSON.stringify(name)} is not listed in the signed manifest: something was added after export`,
          );
        if (seen.indexOf(name) !== position)
          throw new BundleFailure(name, `${name} appears twice: something was added after export`);
        if (expected[position] !== name) {
          const wanted = expected[position];
          throw new BundleFailure(
            wanted,
            `${wanted} is missing or out of order (${name} came in its place): the bundle was altered after export`,
          );
        }
        await this.member(name, entry);
        if (name === 'manifest.sig')
          expected = bundleOrder(this.manifest!.files.some((f) => f.name === 'consistency.json'));
      }
    } finally {
      input.destroy();
    }
    const missing = expected.find((name) => !seen.includes(name));
    if (missing)
      throw new BundleFailure(
        missing,
        `${missing} is missing from the bundle (${FILE_MEANING[missing]}): the bundle is incomplete`,
      );
    return this.summary(seen.length);
  }

  private async member(name: BundleFileName, content: AsyncIterable<Buffer>): Promise<void> {
    switch (name) {
      case 'manifest.json':
        this.manifestBytes = await readSmall(name, content);
        return;
      case 'manifest.sig':
        return this.checkManifest(await readSmall(name, content));
      case 'checkpoint.note':
        return this.checkCheckpoint(await this.readListed(name, content));
      case 'keys.txt':
        return this.checkKeys(await this.readListed(name, content));
      case 'consistency.json':
        return this.checkConsistency(await this.readListed(name, content));
      case 'events.jsonl':
        return this.streamListed(name, content, (line, n) => this.checkEvent(line, n));
      case 'proofs.jsonl':
        return this.streamListed(name, content, (line, n) => this.checkProof(line, n));
      case 'fhir-bundle.json':
      case 'report.html':
        return this.streamListed(name, content);
    }
  }

  private checkManifest(signature: Buffer): void {
    let text: string;
    try {
      text = verifyNote(signature, this.verifiers).text;
    } catch (error) {
      throw new BundleFailure(
        'manifest.sig',
        `the manifest signature does not verify with the trusted keys: ${messageOf(error)}. Nothing in the bundle can be trusted`,
      );
    }
    const bytes = this.manifestBytes!;
    const signedDigest = /\nsha256 ([0-9a-f]{64})\n$/.exec(text)?.[1];
    const digest = sha256(bytes);
    if (signedDigest !== digest) {
      throw new BundleFailure(
        'manifest.json',
        `its SHA-256 ${digest} is not the ${signedDigest ?? '(none)'} the ledger signed in manifest.sig: the manifest was altered after export`,
      );
    }
    let manifest: BundleManifest;
    try {
      manifest = JSON.parse(bytes.toString('utf8')) as BundleManifest;
    } catch {
      throw new BundleFailure('manifest.json', 'the signed manifest is not JSON');
    }
    if (manifest.format !== BUNDLE_FORMAT)
      throw new BundleFailure(
        'manifest.json',
        `format is ${JSON.stringify(manifest.format)}; this verifier reads ${BUNDLE_FORMAT}`,
      );
    if (text !== manifestNoteText(manifest.origin, bytes)) {
      throw new BundleFailure(
        'manifest.sig',
        `the signed statement is not the one for a ${BUNDLE_FORMAT} manifest of log ${JSON.stringify(manifest.origin)}`,
      );
    }
    this.manifest = manifest;
  }

  private checkCheckpoint(note: Buffer): void {
    const manifest = this.manifest!;
    try {
      this.checkpoint = openCheckpoint(note, this.verifiers, manifest.origin);
    } catch (error) {
      throw new BundleFailure(
        'checkpoint.note',
        `the checkpoint does not verify with the trusted keys: ${messageOf(error)}. No inclusion proof can be trusted without it`,
      );
    }
    const root = hashToBase64(this.checkpoint.rootHash);
    if (this.checkpoint.size !== manifest.checkpoint.treeSize || root !== manifest.checkpoint.rootHash) {
      throw new BundleFailure(
        'checkpoint.note',
        `the checkpoint (size ${this.checkpoint.size}, root ${root}) is not the one the manifest names (size ${manifest.checkpoint.treeSize}, root ${manifest.checkpoint.rootHash})`,
      );
    }
  }

  private checkKeys(text: Buffer): void {
    const listed = new Set<string>();
    text
      .toString('utf8')
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '') return;
        try {
          const key = noteVerifier(line.trim());
          listed.add(`${key.name}+${formatKeyId(key.keyId)}`);
        } catch (error) {
          throw new BundleFailure('keys.txt', `line ${i + 1} is not a verifier key: ${messageOf(error)}`);
        }
      });
    for (const signature of this.checkpoint!.signatures) {
      const id = `${signature.name}+${formatKeyId(signature.keyId)}`;
      if (!listed.has(id))
        throw new BundleFailure(
          'keys.txt',
          `the key ${id} that signed the checkpoint is not among the published keys the bundle lists`,
        );
    }
  }

  private checkConsistency(bytes: Buffer): void {
    const manifest = this.manifest!;
    const checkpoint = this.checkpoint!;
    let file: ConsistencyFile;
    try {
      file = JSON.parse(bytes.toString('utf8')) as ConsistencyFile;
    } catch {
      throw new BundleFailure('consistency.json', 'is not JSON');
    }
    let earlier: OpenedCheckpoint;
    try {
      earlier = openCheckpoint(String(file.from?.checkpoint), this.verifiers, manifest.origin);
    } catch (error) {
      throw new BundleFailure(
        'consistency.json',
        `the earlier checkpoint it starts from does not verify with the trusted keys: ${messageOf(error)}`,
      );
    }
    const earlierRoot = hashToBase64(earlier.rootHash);
    if (
      earlier.size !== manifest.sinceCheckpoint?.treeSize ||
      earlierRoot !== manifest.sinceCheckpoint?.rootHash ||
      file.from.treeSize !== earlier.size ||
      file.from.rootHash !== earlierRoot
    ) {
      throw new BundleFailure(
        'consistency.json',
        `the earlier checkpoint (size ${earlier.size}) is not the one the manifest names`,
      );
    }
    if (file.to?.treeSize !== checkpoint.size || file.to?.rootHash !== hashToBase64(checkpoint.rootHash)) {
      throw new BundleFailure(
        'consistency.json',
        `the proof does not end at the bundled checkpoint (size ${checkpoint.size})`,
      );
    }
    try {
      verifyConsistency({
        oldSize: earlier.size,
        newSize: checkpoint.size,
        oldRoot: earlier.rootHash,
        newRoot: checkpoint.rootHash,
        proof: decodeHashes(file.proof, 'proof'),
      });
    } catch (error) {
      throw new BundleFailure(
        'consistency.json',
        `the log at size ${checkpoint.size} is not proven to extend the earlier checkpoint of size ${earlier.size}: ${messageOf(error)}. If the proof is intact, the ledger rewrote history`,
      );
    }
    this.consistentWith = { treeSize: earlier.size, rootHash: earlierRoot };
  }

  private checkEvent(line: string, n: number): void {
    const manifest = this.manifest!;
    const at = `line ${n}`;
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new BundleFailure('events.jsonl', `${at} is not JSON: the events were altered`);
    }
    const { eventId, type, schemaVersion, stream, revision, position, data, metadata, integrity } = event as {
      eventId: string;
      type: string;
      schemaVersion: number;
      stream: string;
      revision: number;
      position: string;
      data: unknown;
      metadata: { tenantId?: string; occurredAt?: string };
      integrity: { prevHash: string; hash: string };
    };
    if (typeof position !== 'string' || !/^[1-9][0-9]{0,19}$/.test(position))
      throw new BundleFailure('events.jsonl', `${at}: position must be a decimal string`);
    if (!integrity || typeof integrity.hash !== 'string' || !/^[0-9a-f]{64}$/.test(integrity.hash))
      throw new BundleFailure('events.jsonl', `${at}: integrity.hash must be 64 lowercase hex digits`);
    let canonical: string;
    let recomputed: string;
    try {
      canonical = canonicalJson(event);
      recomputed = eventHash({ eventId, type, schemaVersion, stream, revision, data, metadata, integrity });
    } catch (error) {
      throw new BundleFailure('events.jsonl', `${at}: the event cannot be hashed: ${messageOf(error)}`);
    }
    if (canonical !== line)
      throw new BundleFailure(
        'events.jsonl',
        `${at} (event ${eventId}) is not in RFC 8785 canonical form: the line was altered`,
      );
    if (recomputed !== integrity.hash) {
      throw new BundleFailure(
        'events.jsonl',
        `${at}: event ${eventId} (position ${position}) hashes to ${recomputed}, not its recorded ${integrity.hash}: the event was altered`,
      );
    }
    if (this.lastPosition !== undefined && BigInt(position) <= BigInt(this.lastPosition)) {
      throw new BundleFailure(
        'events.jsonl',
        `${at}: position ${position} does not follow ${this.lastPosition}: events must be in the ledger's global order`,
      );
    }
    if (BigInt(position) > BigInt(manifest.scope.throughPosition)) {
      throw new BundleFailure(
        'events.jsonl',
        `${at}: position ${position} is after the checkpoint's last event (${manifest.scope.throughPosition})`,
      );
    }
    if (metadata?.tenantId !== manifest.scope.tenantId)
      throw new BundleFailure(
        'events.jsonl',
        `${at}: event ${eventId} belongs to tenant ${metadata?.tenantId}, not ${manifest.scope.tenantId}`,
      );
    const occurred = Date.parse(String(metadata.occurredAt));
    if (
      (manifest.scope.from && occurred < Date.parse(manifest.scope.from)) ||
      (manifest.scope.to && occurred >= Date.parse(manifest.scope.to))
    ) {
      throw new BundleFailure(
        'events.jsonl',
        `${at}: event ${eventId} occurred at ${metadata.occurredAt}, outside the exported period`,
      );
    }
    this.rememberHash(Buffer.from(integrity.hash, 'hex'));
    this.firstPosition ??= position;
    this.lastPosition = position;
  }

  private checkProof(line: string, n: number): void {
    const checkpoint = this.checkpoint!;
    const at = `line ${n}`;
    if (n > this.events)
      throw new BundleFailure('proofs.jsonl', `${at}: there are more proofs than the ${this.events} events`);
    let proof: ProofLine;
    try {
      proof = JSON.parse(line) as ProofLine;
    } catch {
      throw new BundleFailure('proofs.jsonl', `${at} is not JSON: the proofs were altered`);
    }
    const expected = hashToHex(this.eventHashes.subarray((n - 1) * HASH_BYTES, n * HASH_BYTES));
    if (proof.eventHash !== expected)
      throw new BundleFailure(
        'proofs.jsonl',
        `${at} proves event hash ${String(proof.eventHash)}, but event ${n} of events.jsonl hashes to ${expected}`,
      );
    try {
      verifyInclusion({
        leafIndex: proof.leafIndex,
        treeSize: checkpoint.size,
        leafHash: eventLeafHash(expected),
        proof: decodeHashes(proof.proof, 'proof'),
        root: checkpoint.rootHash,
      });
    } catch (error) {
      throw new BundleFailure(
        'proofs.jsonl',
        `${at}: event ${proof.eventId} is not proven to be leaf ${proof.leafIndex} of the signed log of ${checkpoint.size} events: ${messageOf(error)}`,
      );
    }
  }

  private rememberHash(hash: Buffer): void {
    if ((this.events + 1) * HASH_BYTES > this.eventHashes.length) {
      const grown = Buffer.alloc(this.eventHashes.length * 2);
      this.eventHashes.copy(grown);
      this.eventHashes = grown;
    }
    hash.copy(this.eventHashes, this.events * HASH_BYTES);
    this.events++;
  }

  /** Reads a member the manifest lists whole, and checks its digest before anything reads its content. */
  private async readListed(name: BundleFileName, content: AsyncIterable<Buffer>): Promise<Buffer> {
    const bytes = await readSmall(name, content);
    this.checkDigest(name, bytes.length, sha256(bytes));
    return bytes;
  }

  /** Hashes a member as it streams by, checking each line as it comes; the digest is compared at its end. */
  private async streamListed(
    name: BundleFileName,
    content: AsyncIterable<Buffer>,
    onLine?: (line: string, n: number) => void,
  ): Promise<void> {
    const hash = createHash('sha256');
    const lines = new JsonLines();
    let bytes = 0;
    try {
      for await (const chunk of content) {
        hash.update(chunk);
        bytes += chunk.length;
        if (onLine) for (const line of lines.push(chunk)) onLine(line.text, line.n);
      }
      if (onLine) lines.end();
    } catch (error) {
      // A broken archive stream is the bundle's fault as a whole; a broken line is this file's.
      if (error instanceof LineError) throw new BundleFailure(name, `${error.message}: the file was altered`);
      throw error;
    }
    this.checkDigest(name, bytes, hash.digest('hex'));
    if (name === 'events.jsonl' && this.events !== this.manifest!.counts.events) {
      throw new BundleFailure(
        name,
        `holds ${this.events} events, the manifest says ${this.manifest!.counts.events}`,
      );
    }
    if (name === 'proofs.jsonl' && lines.count !== this.events)
      throw new BundleFailure(
        name,
        `holds ${lines.count} proofs for ${this.events} events: every event needs one`,
      );
  }

  private checkDigest(name: BundleFileName, bytes: number, digest: string): void {
    const listed = this.manifest!.files.find((f) => f.name === name)!;
    if (listed.sha256 !== digest || listed.bytes !== bytes) {
      throw new BundleFailure(
        name,
        `its SHA-256 ${digest} (${bytes} bytes) is not the ${listed.sha256} (${listed.bytes} bytes) the signed manifest lists: ${FILE_MEANING[name]} was altered after export`,
      );
    }
  }

  private summary(files: number): BundleSummary {
    const manifest = this.manifest!;
    const checkpoint = this.checkpoint!;
    return {
      exportId: manifest.exportId,
      systemId: manifest.scope.systemId,
      tenantId: manifest.scope.tenantId,
      createdAt: manifest.createdAt,
      exportedBy: manifest.exportedBy.id,
      ...(manifest.recipient ? { recipient: manifest.recipient } : {}),
      origin: manifest.origin,
      events: this.events,
      firstPosition: this.firstPosition,
      lastPosition: this.lastPosition,
      checkpoint: {
        treeSize: checkpoint.size,
        rootHash: hashToBase64(checkpoint.rootHash),
        signedBy: checkpoint.signatures.map((s) => `${s.name}+${formatKeyId(s.keyId)}`),
      },
      ...(this.consistentWith ? { consistentWith: this.consistentWith } : {}),
      files,
    };
  }
}

async function readSmall(name: BundleFileName, content: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of content) {
    size += chunk.length;
    if (size > SMALL_FILE_LIMIT)
      throw new BundleFailure(name, `is larger than ${SMALL_FILE_LIMIT} bytes; no genuine ${name} is`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Standard base64 that re-encodes to itself, as the checkpoint's root line is written. */
function decodeHashes(values: unknown, what: string): Uint8Array[] {
  if (!Array.isArray(values))
    throw new IntegrityError('MALFORMED_HASH', `${what} must be a list of base64 hashes`);
  return values.map((value, i) => {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0);
    if (bytes.length !== HASH_BYTES || bytes.toString('base64') !== value)
      throw new IntegrityError('MALFORMED_HASH', `${what} hash ${i} is not 32 bytes in standard base64`);
    return new Uint8Array(bytes);
  });
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
