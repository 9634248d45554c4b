import {
  canonicalJson,
  checkWitnessPolicy,
  witnessPolicy as readWitnessPolicy,
  type WitnessPolicy,
  eventHash,
  formatKeyId,
  hashToBase64,
  hashToHex,
  InclusionVerifier,
  integrityHashed,
  IntegrityError,
  isCanonicalText,
  leafHash,
  noteVerifier,
  openCheckpoint,
  sha256Hex,
  verifyConsistency,
  verifyMultiproof,
  verifyNote,
  type NoteVerifier,
  type OpenedCheckpoint,
  type WitnessPolicyResult,
} from '@ledger/integrity';
import { createHash, type X509Certificate } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_V1,
  bundleOrder,
  FILE_MEANING,
  isBundleFormat,
  manifestNoteText,
  type BundleFileName,
  type BundleFormat,
  type BundleManifest,
  type ConsistencyFile,
  type ProofLine,
} from './bundle-format';
import { EventLineThreads } from './event-line-threads';
import {
  checkScope,
  openCarried,
  orderFailure,
  readForSignals,
  scopeOf,
  type EventFields,
  type CheckedLines,
  type EventScope,
} from './event-lines';
import { JsonLines, LineError, unterminated } from './json-lines';
import { describeSignal, SignalRecomputation, type PositionRange } from './signal-recompute';
import { type BundleTimestamp, checkBundleTimestamp } from './verify-timestamp';

/*
 * The offline verifier: a bundle file and the verifier keys the recipient
 * trusts, nothing else. No server, no database, no configuration; it imports
 * only the integrity library and the domain's metric functions, so a
 * regulator can read every line it runs. Past the trust roots (manifest,
 * signature, checkpoint) it keeps checking after a failure, so one run lists
 * every altered event, every failed proof and every signal that does not
 * recompute.
 */

/** One thing found wrong: the file it is in, and what was found and what it means. */
export interface BundleFinding {
  file: BundleFileName | 'bundle';
  message: string;
}

export type BundleVerification =
  | { ok: true; summary: BundleSummary }
  | {
      ok: false;
      /** The first failure, as `failures[0]`. */
      file: BundleFileName | 'bundle';
      message: string;
      failures: BundleFinding[];
      /** How far the checks got, when the trust roots held. */
      summary?: BundleSummary;
    };

export interface BundleSummary {
  format: BundleFormat;
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
  /** What checkpoint.tst attests, when the bundle has one. */
  timestamp?: BundleTimestamp;
  /** Present when a witness policy was given: which trusted witnesses cosigned the checkpoint. */
  witnesses?: WitnessPolicyResult;
  files: number;
  /** The bundle's MonitoringSignalComputed events, and how many were recomputed from its events and matched. */
  signals: { computed: number; recomputed: number };
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
const NO_HASH = Buffer.alloc(HASH_BYTES);
/**
 * What the file is read and inflated by. A bundle inflates to over ten times
 * its size, and at the streams' 16 KiB default handing the chunks along costs
 * more than inflating them; 256 KiB chunks spare most of it at no cost in memory.
 */
const CHUNK_BYTES = 256 * 1024;
/** A hostile bundle could fail on every line: the report lists this many and counts the rest. */
const MAX_FAILURES = 1000;

export interface VerifyBundleOptions {
  /** Trust anchors for checkpoint.tst (the TSA's certificate or its CA); given, a bundle without a token fails. */
  tsaCertificates?: readonly X509Certificate[];
  /** Of these witness keys (cosignature/v1), at least `threshold` must have cosigned the bundle's checkpoint. */
  witnesses?: { keys: readonly string[]; threshold: number };
}

export async function verifyBundle(
  file: string,
  trustedVkeys: readonly string[],
  options: VerifyBundleOptions = {},
): Promise<BundleVerification> {
  const refused = (message: string): BundleVerification => ({
    ok: false,
    file: 'bundle',
    message,
    failures: [{ file: 'bundle', message }],
  });
  let verifiers: NoteVerifier[];
  try {
    verifiers = trustedVkeys.map((key) => noteVerifier(key.trim()));
  } catch (error) {
    return refused(`a trusted key is not a verifier key: ${messageOf(error)}`);
  }
  if (verifiers.length === 0)
    return refused('no trusted verifier key given: pass the ledger key you were given out of band');
  let policy: WitnessPolicy | undefined;
  try {
    policy = options.witnesses && readWitnessPolicy(options.witnesses.keys, options.witnesses.threshold);
  } catch (error) {
    return refused(`the witness policy cannot be applied: ${messageOf(error)}`);
  }
  const reader = new BundleReader(verifiers, options.tsaCertificates, policy);
  try {
    await reader.read(file);
  } catch (error) {
    if (error instanceof BundleFailure) reader.record(error.file, error.message);
    else
      reader.record(
        'bundle',
        `the file is not a readable evidence bundle (gzipped tar): ${messageOf(error)}`,
      );
  } finally {
    await reader.close();
  }
  return reader.result();
}

class BundleReader {
  private manifestBytes?: Buffer;
  private manifest?: BundleManifest;
  private checkpoint?: OpenedCheckpoint;
  private checkpointNote?: Buffer;
  private timestamp?: BundleTimestamp;
  private consistentWith?: { treeSize: number; rootHash: string };
  /** v1: the recomputed hash of each event, in order: what each proof must be the proof of. 32 bytes an event. */
  private eventHashes = Buffer.alloc(HASH_BYTES * 1024);
  private events = 0;
  private firstPosition?: string;
  private lastPosition?: string;
  /** The position of each event, in order (0 for an unreadable line): to find the leaf a signal's checkpoint must cover. */
  private positions = new BigUint64Array(1024);
  private files = 0;
  private readonly failures: BundleFinding[] = [];
  private omittedFailures = 0;
  private recomputation?: SignalRecomputation;
  private inputRanges?: PositionRange[];
  private scope?: EventScope;
  private signals = { computed: 0, recomputed: 0 };
  /** Lines whose proven leaf index a signal's checkpoint claim needs, and the index once proven. */
  private wantedLeaves = new Map<number, number | undefined>();
  private inclusion?: InclusionVerifier;
  private readonly proofHashes = new ProofHashes();
  /** v2: each event's leaf index, in order, as its line states it; proven only by the multiproof. */
  private leafIndices = new Float64Array(1024);
  /** v2: the leaf hash of each event's stated hash, in order, 32 bytes each. */
  private readonly leafHashes = new GrowingBytes();
  /** v2: lines whose leaf cannot be known, so the multiproof cannot be checked. */
  private unreadableLines = 0;
  /** v2: where events.jsonl lines are checked. */
  private lineThreads?: EventLineThreads;
  /** v2: false once a line of events.jsonl cannot be read as text; the lines after it are not told apart. */
  private readingLines = true;
  /** v2: the hashes of multiproof.txt as they are read, 32 bytes each. */
  private multiproof = new GrowingBytes();

  private witnesses?: WitnessPolicyResult;

  constructor(
    private readonly verifiers: NoteVerifier[],
    private readonly tsaCertificates?: readonly X509Certificate[],
    private readonly witnessPolicy?: WitnessPolicy,
  ) {}

  record(file: BundleFileName | 'bundle', message: string): void {
    if (this.failures.length < MAX_FAILURES) this.failures.push({ file, message });
    else this.omittedFailures++;
  }

  async close(): Promise<void> {
    await this.lineThreads?.close();
  }

  result(): BundleVerification {
    const summary = this.manifest && this.checkpoint ? this.summary() : undefined;
    if (this.failures.length === 0) return { ok: true, summary: summary! };
    const failures = [...this.failures];
    if (this.omittedFailures > 0)
      failures.push({ file: 'bundle', message: `and ${this.omittedFailures} more failures not listed` });
    return { ok: false, ...failures[0], failures, ...(summary ? { summary } : {}) };
  }

  async read(file: string): Promise<void> {
    const archive = extract();
    const input = createReadStream(file, { highWaterMark: CHUNK_BYTES });
    const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
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
        this.files++;
        if (name === 'manifest.sig')
          expected = bundleOrder(
            this.manifest!.format,
            this.manifest!.files.map((f) => f.name),
          );
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
    if (this.tsaCertificates?.length && !seen.includes('checkpoint.tst'))
      this.record(
        'checkpoint.tst',
        'a timestamp authority is trusted (--tsa-cert), but the bundle carries no timestamp token for its checkpoint: export it again once the checkpoint is stamped',
      );
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
      case 'checkpoint.tst':
        return this.recorded(async () => this.checkTimestamp(await this.readListed(name, content)));
      case 'keys.txt':
        return this.recorded(async () => this.checkKeys(await this.readListed(name, content)));
      case 'consistency.json':
        return this.recorded(async () => this.checkConsistency(await this.readListed(name, content)));
      case 'events.jsonl':
        if (this.manifest!.format === BUNDLE_FORMAT) await this.streamEventLines(content);
        else await this.streamListed(name, content, (line, n) => this.checkEvent(line, n));
        return this.recomputeSignals();
      case 'proofs.jsonl':
        await this.streamListed(name, content, (line, n) => this.checkProof(line, n));
        return this.checkSignalCheckpoints();
      case 'multiproof.txt':
        await this.streamListed(name, content, (line, n) => this.readProofHash(line, n));
        this.checkMultiproof();
        return this.checkSignalCheckpoints();
      // v2's FHIR view is checked by the digest of its gzipped bytes; its content is the same view v1 carried inflated.
      case 'fhir-bundle.json.gz':
      case 'fhir-bundle.json':
      case 'report.html':
      case 'VERIFY.md':
        return this.streamListed(name, content);
    }
  }

  /** Runs a check whose failure leaves the rest checkable, and records its failure instead of stopping. */
  private async recorded(check: () => Promise<void>): Promise<void> {
    try {
      await check();
    } catch (error) {
      if (!(error instanceof BundleFailure)) throw error;
      this.record(error.file, error.message);
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
    if (!isBundleFormat(manifest.format))
      throw new BundleFailure(
        'manifest.json',
        `format is ${JSON.stringify(manifest.format)}; this verifier reads ${BUNDLE_FORMAT} and ${BUNDLE_FORMAT_V1}`,
      );
    if (manifest.scope?.signalInputs !== undefined) {
      const ranges = manifest.scope.signalInputs;
      const decimal = (v: unknown) => typeof v === 'string' && /^[0-9]{1,20}$/.test(v);
      if (
        !Array.isArray(ranges) ||
        !ranges.every((r) => decimal(r?.firstPosition) && decimal(r?.lastPosition))
      )
        throw new BundleFailure(
          'manifest.json',
          'scope.signalInputs must list position ranges {firstPosition, lastPosition} in decimal',
        );
      this.inputRanges = ranges.map((r) => ({
        first: BigInt(r.firstPosition),
        last: BigInt(r.lastPosition),
      }));
    }
    if (text !== manifestNoteText(manifest.format, manifest.origin, bytes)) {
      throw new BundleFailure(
        'manifest.sig',
        `the signed statement is not the one for a ${manifest.format} manifest of log ${JSON.stringify(manifest.origin)}`,
      );
    }
    this.manifest = manifest;
    this.scope = scopeOf(manifest.scope, this.inputRanges);
    this.recomputation = new SignalRecomputation({
      systemId: manifest.scope.systemId,
      ...(this.inputRanges ? { inputRanges: this.inputRanges } : {}),
    });
    // Started now, so they are ready by the time the events come.
    if (manifest.format === BUNDLE_FORMAT)
      this.lineThreads = new EventLineThreads(this.scope, (verdict) => this.takeLines(verdict));
  }

  private checkCheckpoint(note: Buffer): void {
    const manifest = this.manifest!;
    this.checkpointNote = note;
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
    if (this.witnessPolicy) this.checkWitnesses(note.toString('utf8'), this.witnessPolicy);
  }

  /** Recorded, not thrown: the events and proofs still get checked and reported under a failed policy. */
  private checkWitnesses(note: string, policy: WitnessPolicy): void {
    try {
      this.witnesses = checkWitnessPolicy(note, policy);
    } catch (error) {
      return this.record('checkpoint.note', `a witness cosignature does not verify: ${messageOf(error)}`);
    }
    const { cosignedBy, met } = this.witnesses;
    if (!met)
      this.record(
        'checkpoint.note',
        `the checkpoint is cosigned by ${cosignedBy.length} of the trusted witnesses (${cosignedBy.map((c) => c.witness).join(', ') || 'none'}), fewer than the ${policy.threshold} required`,
      );
  }

  private checkTimestamp(token: Buffer): void {
    try {
      this.timestamp = checkBundleTimestamp(token, this.checkpointNote!, this.tsaCertificates);
    } catch (error) {
      throw new BundleFailure(
        'checkpoint.tst',
        `the timestamp token does not attest this checkpoint: ${messageOf(error)}`,
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
    const at = `line ${n}`;
    const fail = (message: string) => this.record('events.jsonl', `${at}${message}`);
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(line) as Record<string, unknown>;
    } catch {
      fail(' is not JSON: the events were altered');
      return this.rememberEvent(NO_HASH, 0n);
    }
    const { eventId, type, schemaVersion, stream, revision, position, data, metadata, integrity, values } =
      event as {
        eventId: string;
        type: string;
        schemaVersion: number;
        stream: string;
        revision: number;
        position: string;
        data: unknown;
        metadata: { tenantId?: string; occurredAt?: string };
        integrity: { prevHash: string; hash: string; hashScheme?: 2 };
        values?: unknown;
      };
    if (typeof position !== 'string' || !/^[1-9][0-9]{0,19}$/.test(position)) {
      fail(': position must be a decimal string');
      return this.rememberEvent(NO_HASH, 0n);
    }
    if (!integrity || typeof integrity.hash !== 'string' || !/^[0-9a-f]{64}$/.test(integrity.hash)) {
      fail(': integrity.hash must be 64 lowercase hex digits');
      return this.rememberEvent(NO_HASH, 0n);
    }
    let canonical: string | undefined;
    let recomputed: string | undefined;
    if (isCanonicalText(line, event)) {
      canonical = line;
      // Already in canonical order, so this envelope, its keys written in RFC 8785 order, stringifies to what eventHash hashes.
      recomputed = sha256Hex(
        JSON.stringify({
          data,
          eventId,
          integrity: integrityHashed(integrity),
          metadata,
          revision,
          schemaVersion,
          stream,
          type,
        }),
      );
    } else
      try {
        canonical = canonicalJson(event);
        recomputed = eventHash({ eventId, type, schemaVersion, stream, revision, data, metadata, integrity });
      } catch (error) {
        fail(`: the event cannot be hashed: ${messageOf(error)}`);
      }
    if (canonical !== undefined && canonical !== line)
      fail(` (event ${eventId}) is not in RFC 8785 canonical form: the line was altered`);
    if (recomputed !== undefined && recomputed !== integrity.hash)
      fail(
        `: event ${eventId} (position ${position}) hashes to ${recomputed}, not its recorded ${integrity.hash}: the event was altered`,
      );
    const opened = openCarried({ eventId, type, position, data, metadata }, values, fail);
    this.admit(opened, integrity.hash, fail);
  }

  /** v1: the checks that need the events in order, and those of its scope; then the event is kept for the proofs and signals. */
  private admit(event: EventFields, hash: string, fail: (message: string) => void): void {
    const { type, position, data, metadata } = event;
    const at = BigInt(position);
    if (this.lastPosition !== undefined && at <= BigInt(this.lastPosition))
      fail(orderFailure(position, this.lastPosition));
    checkScope(this.scope!, event, fail);
    // An altered event is still recomputed from, so the report says what its alteration changes too.
    if (readForSignals(this.scope!, type, data))
      this.recomputation!.add({ type, position: at, data, metadata: metadata ?? {} });
    // The recorded hash keeps each proof matched to its line; an event that does not hash to it has failed above.
    this.rememberEvent(Buffer.from(hash, 'hex'), at);
    this.firstPosition ??= position;
    this.lastPosition = position;
  }

  /** v2: a batch of lines checked on the line threads, taken in file order. */
  private takeLines(verdict: CheckedLines): void {
    if (!this.readingLines) return;
    const { lines } = verdict;
    this.reserve(this.events + lines);
    this.positions.set(verdict.positions.subarray(0, lines), this.events);
    this.leafIndices.set(verdict.leafIndices.subarray(0, lines), this.events);
    this.leafHashes.push(verdict.leafHashes.subarray(0, lines * HASH_BYTES));
    this.events += lines;
    this.unreadableLines += verdict.unreadable;
    for (const message of verdict.findings) this.record('events.jsonl', message);
    for (const event of verdict.signalEvents) this.recomputation!.add(event);
    if (verdict.admitted) {
      this.firstPosition ??= verdict.admitted.first;
      this.lastPosition = verdict.admitted.last;
    }
    if (verdict.lineError !== undefined) {
      this.record('events.jsonl', `${verdict.lineError}: the file was altered`);
      this.readingLines = false;
    }
  }

  private recomputeSignals(): void {
    const outcome = this.recomputation!.finish();
    this.signals = { computed: outcome.signals, recomputed: outcome.matched };
    for (const { signal, message } of outcome.failures)
      this.record('events.jsonl', `${describeSignal(signal)}: ${message}`);
    // Proofs come next: note which lines' leaf indices the matched signals' checkpoints must be checked against.
    for (const claim of this.recomputation!.checkpointClaims()) {
      for (const position of [claim.lastPosition, claim.signalPosition]) {
        const line = this.lineOf(position);
        if (line !== undefined) this.wantedLeaves.set(line, undefined);
      }
    }
  }

  private checkSignalCheckpoints(): void {
    const checkpoint = this.checkpoint!;
    const leafOf = (position: bigint) => {
      const line = this.lineOf(position);
      return line === undefined ? undefined : this.wantedLeaves.get(line);
    };
    for (const claim of this.recomputation!.checkpointClaims()) {
      const lastLeaf = leafOf(claim.lastPosition);
      const ownLeaf = leafOf(claim.signalPosition);
      const named = `${describeSignal(claim.signal)}: its checkpoint (tree size ${claim.treeSize})`;
      if (lastLeaf === undefined || ownLeaf === undefined)
        this.record(
          'events.jsonl',
          `${named} cannot be checked: its last input or the signal has no proven leaf`,
        );
      else if (lastLeaf >= claim.treeSize)
        this.record(
          'events.jsonl',
          `${named} does not cover its last input at position ${claim.lastPosition}, which is leaf ${lastLeaf}`,
        );
      else if (claim.treeSize > ownLeaf)
        this.record(
          'events.jsonl',
          `${named} could not have been signed before the signal was recorded as leaf ${ownLeaf}`,
        );
      else if (claim.treeSize === checkpoint.size && claim.rootHash !== hashToBase64(checkpoint.rootHash))
        this.record(
          'events.jsonl',
          `${named} has root ${claim.rootHash}, but the bundle's signed checkpoint of that size has root ${hashToBase64(checkpoint.rootHash)}`,
        );
    }
  }

  /** The line (1-based) of the event at a position, by binary search over the positions in order. */
  private lineOf(position: bigint): number | undefined {
    let low = 0;
    let high = this.events;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.positions[mid] < position) low = mid + 1;
      else high = mid;
    }
    return low < this.events && this.positions[low] === position ? low + 1 : undefined;
  }

  private checkProof(line: string, n: number): void {
    const checkpoint = this.checkpoint!;
    const at = `line ${n}`;
    const fail = (message: string) => this.record('proofs.jsonl', `${at}${message}`);
    if (n > this.events) return fail(`: there are more proofs than the ${this.events} events`);
    let proof: ProofLine;
    try {
      proof = JSON.parse(line) as ProofLine;
    } catch {
      return fail(' is not JSON: the proofs were altered');
    }
    const held = this.eventHashes.subarray((n - 1) * HASH_BYTES, n * HASH_BYTES);
    // An unreadable event has already failed; there is no hash to prove.
    if (held.equals(NO_HASH)) return;
    const expected = hashToHex(held);
    if (proof.eventHash !== expected)
      return fail(
        ` proves event hash ${String(proof.eventHash)}, but event ${n} of events.jsonl hashes to ${expected}`,
      );
    try {
      this.inclusion ??= new InclusionVerifier(checkpoint.size, checkpoint.rootHash);
      this.inclusion.verify(proof.leafIndex, leafHash(held), this.proofHashes.decode(proof.proof));
    } catch (error) {
      return fail(
        `: event ${proof.eventId} is not proven to be leaf ${proof.leafIndex} of the signed log of ${checkpoint.size} events: ${messageOf(error)}`,
      );
    }
    if (this.wantedLeaves.has(n)) this.wantedLeaves.set(n, proof.leafIndex);
  }

  private readProofHash(line: string, n: number): void {
    // A subtree the proof names is a sibling on some leaf's path: at most 64 of them a leaf, so a longer proof is not held.
    if (n > (this.events + 1) * 64) {
      if (n === (this.events + 1) * 64 + 1)
        this.record(
          'multiproof.txt',
          `holds more hashes than ${this.events} leaves can need: the proof was altered`,
        );
      return;
    }
    try {
      this.multiproof.push(decodeHash(line, n, 'multiproof.txt line'));
    } catch (error) {
      this.record('multiproof.txt', `line ${n}: ${messageOf(error)}: the proof was altered`);
    }
  }

  /** v2: every event's leaf at once, against the checkpoint's root. */
  private checkMultiproof(): void {
    const checkpoint = this.checkpoint!;
    const proof = this.multiproof.bytes();
    const hashes = proof.length / HASH_BYTES;
    if (this.events === 0) {
      if (hashes > 0) this.record('multiproof.txt', `holds ${hashes} hashes for a bundle of no events`);
      return;
    }
    if (this.unreadableLines > 0)
      return this.record(
        'multiproof.txt',
        `cannot be checked: ${this.unreadableLines} lines of events.jsonl cannot be read, so their leaves are unknown`,
      );
    const leafIndices = this.leafIndices.subarray(0, this.events);
    try {
      verifyMultiproof({
        treeSize: checkpoint.size,
        leafIndices,
        leafHashes: this.leafHashes.bytes(),
        proof,
        root: checkpoint.rootHash,
      });
    } catch (error) {
      return this.record(
        'multiproof.txt',
        `the ${this.events} events' leaves and the ${hashes} proof hashes do not lead to the root of the signed log of ${checkpoint.size} events: ${messageOf(error)}. An event's hash or leaf index in events.jsonl, or a hash here, was altered`,
      );
    }
    for (const line of this.wantedLeaves.keys()) this.wantedLeaves.set(line, leafIndices[line - 1]);
  }

  private rememberEvent(hash: Buffer, position: bigint): void {
    if ((this.events + 1) * HASH_BYTES > this.eventHashes.length) {
      const grown = Buffer.alloc(this.eventHashes.length * 2);
      this.eventHashes.copy(grown);
      this.eventHashes = grown;
    }
    this.reserve(this.events + 1);
    hash.copy(this.eventHashes, this.events * HASH_BYTES);
    this.positions[this.events] = position;
    this.events++;
  }

  /** Room for `events` positions and leaf indices. */
  private reserve(events: number): void {
    if (events <= this.positions.length) return;
    const length = Math.max(events, this.positions.length * 2);
    const positions = new BigUint64Array(length);
    positions.set(this.positions);
    this.positions = positions;
    const leafIndices = new Float64Array(length);
    leafIndices.set(this.leafIndices);
    this.leafIndices = leafIndices;
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
    let reading = onLine !== undefined;
    let bytes = 0;
    const lineFault = (error: unknown) => {
      // A broken line is this file's fault, and the lines after it cannot be told apart; a broken stream is the bundle's.
      if (!(error instanceof LineError)) throw error;
      this.record(name, `${error.message}: the file was altered`);
      reading = false;
    };
    for await (const chunk of content) {
      hash.update(chunk);
      bytes += chunk.length;
      if (reading)
        try {
          for (const line of lines.push(chunk)) onLine!(line.text, line.n);
        } catch (error) {
          lineFault(error);
        }
    }
    if (reading)
      try {
        lines.end();
      } catch (error) {
        lineFault(error);
      }
    this.recordDigest(name, bytes, hash.digest('hex'));
    if (name === 'events.jsonl') this.checkEventCount();
    if (name === 'proofs.jsonl' && lines.count !== this.events)
      this.record(name, `holds ${lines.count} proofs for ${this.events} events: every event needs one`);
  }

  /**
   * v2's events.jsonl: hashed as it streams by, as any member, and cut into
   * batches of whole lines for the line threads, which check them while the
   * rest inflates. The lines' verdicts come back in order (takeLines); the
   * file's digest is compared once they all have.
   */
  private async streamEventLines(content: AsyncIterable<Buffer>): Promise<void> {
    const name = 'events.jsonl';
    const threads = this.lineThreads!;
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of content) {
      hash.update(chunk);
      bytes += chunk.length;
      if (this.readingLines) await threads.write(chunk);
    }
    // Bytes after the last newline: a truncated file must not read as a shorter, valid one.
    if ((await threads.finish()) && this.readingLines)
      this.record(name, `${unterminated(this.events + 1).message}: the file was altered`);
    this.recordDigest(name, bytes, hash.digest('hex'));
    this.checkEventCount();
  }

  private checkEventCount(): void {
    if (this.events !== this.manifest!.counts.events)
      this.record(
        'events.jsonl',
        `holds ${this.events} events, the manifest says ${this.manifest!.counts.events}`,
      );
  }

  private recordDigest(name: BundleFileName, bytes: number, digest: string): void {
    try {
      this.checkDigest(name, bytes, digest);
    } catch (error) {
      if (!(error instanceof BundleFailure)) throw error;
      this.record(error.file, error.message);
    }
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

  private summary(): BundleSummary {
    const manifest = this.manifest!;
    const checkpoint = this.checkpoint!;
    return {
      format: manifest.format,
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
      ...(this.timestamp ? { timestamp: this.timestamp } : {}),
      ...(this.witnesses ? { witnesses: this.witnesses } : {}),
      files: this.files,
      signals: this.signals,
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

/** 32-byte hashes appended in order, in one buffer that doubles as it fills. */
class GrowingBytes {
  private buffer = Buffer.alloc(HASH_BYTES * 64);
  private count = 0;

  /** Appends one hash, or several one after another. */
  push(hashes: Uint8Array): void {
    const end = this.count * HASH_BYTES + hashes.length;
    if (end > this.buffer.length) {
      const grown = Buffer.alloc(Math.max(end, this.buffer.length * 2));
      this.buffer.copy(grown);
      this.buffer = grown;
    }
    this.buffer.set(hashes, this.count * HASH_BYTES);
    this.count = end / HASH_BYTES;
  }

  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.count * HASH_BYTES);
  }
}

/** Standard base64 that re-encodes to itself, as the checkpoint's root line is written. */
function decodeHashes(values: unknown, what: string): Uint8Array[] {
  if (!Array.isArray(values))
    throw new IntegrityError('MALFORMED_HASH', `${what} must be a list of base64 hashes`);
  return values.map((value, i) => decodeHash(value, i, what));
}

function decodeHash(value: unknown, i: number, what: string): Uint8Array {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0);
  if (bytes.length !== HASH_BYTES || bytes.toString('base64') !== value)
    throw new IntegrityError('MALFORMED_HASH', `${what} hash ${i} is not 32 bytes in standard base64`);
  return new Uint8Array(bytes);
}

/**
 * The hashes of one proof after another. Neighbouring leaves share the upper
 * part of their path, so a hash spelled as the last proof spelled it at the
 * same height is that proof's hash, already decoded and checked.
 */
class ProofHashes {
  private texts: unknown[] = [];
  private hashes: Uint8Array[] = [];

  decode(values: unknown): Uint8Array[] {
    if (!Array.isArray(values)) return decodeHashes(values, 'proof');
    // Heights are counted from the root: a longer or shorter path lines up at its top.
    const offset = this.texts.length - values.length;
    const hashes = values.map((value, i) =>
      typeof value === 'string' && this.texts[offset + i] === value
        ? this.hashes[offset + i]
        : decodeHash(value, i, 'proof'),
    );
    this.texts = values;
    this.hashes = hashes;
    return hashes;
  }
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
