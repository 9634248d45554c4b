import {
  hashedEnvelopeOf,
  limitPageCache,
  SqliteEventRows,
  SqliteEventStore,
  type EventHeader,
  type EventStore,
  type StoredEvent,
  type UnparsedEvent,
} from '@ledger/event-store';
import Database from 'better-sqlite3';
import { availableParallelism } from 'node:os';
import {
  consistencyProofRequest,
  emptyFrontier,
  frontierRoot,
  GENESIS_HASH,
  hashToBase64,
  IntegrityError,
  type NoteVerifier,
  openCheckpoint,
  parseCheckpoint,
  verifyConsistency,
} from '@ledger/integrity';
import type { Kysely } from 'kysely';
import type { ReadStore } from '@ledger/read-store';
import { ContentChecks, type WalkPlace } from './content-checks';
import { recomputedHash, valuesFindings, type ContentVerdict } from './event-hashes';
import { noteText } from './merkle-proofs';
import { fetchNodes } from './merkle-node-store';
import { RebuiltLogs } from './rebuilt-logs';
import type { CheckpointTable, MerkleLeavesTable, MerkleTables } from './merkle-tables';

/** What `govledger verify` can find, named for what was done to the log. */
export type DamageKind =
  | 'edited-event'
  | 'deleted-event'
  | 'inserted-event'
  | 'reordered-events'
  | 'bad-signature'
  | 'inconsistent-checkpoint'
  /** A value or salt kept beside a scheme-2 event does not open the commitment its hash covers: forged or altered. */
  | 'value-mismatch'
  /** A scheme-2 event's values, or one of them, were deleted outside an erasure (which keeps each entry's kind). */
  | 'values-missing'
  /** The events no longer produce a signed root, and nothing narrows down how. */
  | 'rewritten-history';

export interface Damage {
  kind: DamageKind;
  /** 0-based place in the global order where the log stops matching: orders the findings. */
  leafIndex: number;
  /** The store position of the damaged event, or of the last event a damaged checkpoint covers. */
  position?: bigint;
  /** For checkpoint damage: the checkpoint's tree size. */
  treeSize?: number;
  message: string;
}

export interface VerifyOptions {
  store: EventStore;
  /** Where the sealer keeps its checkpoints and leaf record. Without one, only hashes, chains and order are checked. */
  readStore?: ReadStore;
  /** Every key the ledger ever published; checkpoints signed by anything else are refused. */
  verifiers: readonly NoteVerifier[];
  origin: string;
  /** A checkpoint kept outside the database (a witness's copy) that the current log must extend. */
  against?: { label: string; note: string };
  onProgress?: (eventsChecked: number) => void;
}

export interface VerifyReport {
  events: number;
  streams: number;
  checkpoints: number;
  latestCheckpoint?: { treeSize: number; rootHash: string };
  /** Set when `against` was given and verified: the log extends it. */
  extendsWitnessed?: { treeSize: number; consistencyProofTo?: number };
  /** Every finding, first bad place first. Empty when the log is intact. */
  damage: Damage[];
  /** Trouble that is not damage to the ledger itself (the sealer's own record, missing checkpoints). */
  warnings: string[];
}

interface TrustedRoot {
  treeSize: number;
  root: Uint8Array;
  source: string;
}

/** What the walk over the log reads of each event: its content is checked only through its recomputed hash. */
type LoggedEvent = Pick<StoredEvent, 'eventId' | 'stream' | 'revision' | 'position' | 'integrity'>;

interface StreamState {
  revision: number;
  hash: string;
  prevHash: string;
  position: bigint;
  leafIndex: number;
  eventId: string;
}

const LEAF_PAGE = 2000;
/** Headers the walk reads at a time from a SQLite store. */
const HEADER_PAGE = 2000;
/**
 * Threads checking content, one per core up to four: the checks are most of
 * verify's work (about 20 µs of CPU per bench event, reading the row
 * included, against the walk's 8 and the Merkle thread's 3), so on two cores
 * they take both while the walk, which reads only headers, takes its share.
 */
const CONTENT_THREADS = Math.max(1, Math.min(4, availableParallelism()));
/** Orders an event's content findings take: its hash, then at most one of each kind of values finding. */
const CONTENT_FINDINGS = 3;

/**
 * Re-derives everything the ledger claims from the raw events: every event
 * hash, every stream's chain, the global order, and the Merkle log, whose
 * roots must match every checkpoint signed by a published key. Memory stays
 * O(log n + streams): the log is rebuilt as a frontier, never held whole.
 *
 * Damage is located from several angles: a hash that no longer matches
 * (edited), a gap in positions or revisions (deleted), a revision out of
 * order (reordered), a chain link to the wrong event (edited or inserted), and,
 * where only the signed roots notice, a walk beside the sealer's record of
 * which event it sealed at each leaf, trusted only as far as the signed
 * roots confirm it. Beside each scheme-2 event, the values kept outside its
 * hash must open the commitments it covers (erased ones are simply gone).
 */
export async function verifyLedger(options: VerifyOptions): Promise<VerifyReport> {
  return new Verification(options).run();
}

class Verification {
  /** Each finding with its order of discovery in a walk that checks one event at a time (see report). */
  private readonly damage: Array<{ finding: Damage; order: number }> = [];
  private order = 0;
  private readonly warnings: string[] = [];
  private readonly streams = new Map<string, StreamState>();
  /** Revisions seen out of order and already reported: `${stream}\u0000${revision}`. */
  private readonly expectedLater = new Set<string>();
  private readonly trusted: TrustedRoot[] = [];
  private readonly compareSizes = new Set<number>();
  private derivedRoots = new Map<number, Uint8Array>();
  private sealedRoots = new Map<number, Uint8Array>();
  private readonly positionsAt = new Map<number, bigint>();
  private witnessed?: TrustedRoot;
  private witnessedResult?: { treeSize: number; consistencyProofTo?: number };
  private sealedCandidate?: Damage;
  private lastPosition = 0n;
  private logs!: RebuiltLogs;
  /** Content checks on threads of their own, for events read as stored text. */
  private checks?: ContentChecks;
  /** The walk's own read-only connection to a SQLite store, for the events' headers. */
  private rows?: SqliteEventRows;
  private sealedLeaves?: SealedLeaves;
  private count = 0;
  private hasMerkleTables = false;

  constructor(private readonly options: VerifyOptions) {}

  async run(): Promise<VerifyReport> {
    const { readStore } = this.options;
    if (readStore) {
      const tables = new Set((await readStore.db.introspection.getTables()).map((t) => t.name));
      this.hasMerkleTables = tables.has('merkle_checkpoints') && tables.has('merkle_leaves');
    }
    if (this.hasMerkleTables) await this.loadCheckpoints();
    else
      this.warnings.push(
        'no signed checkpoints found: event hashes, chains and order were checked, but nothing outside the database vouches for them',
      );
    this.openWitnessed();
    this.logs = new RebuiltLogs(this.compareSizes);
    try {
      return await this.walk();
    } finally {
      this.rows?.close();
      this.sealedLeaves?.close();
      await Promise.all([this.logs.close(), this.checks?.close()]);
    }
  }

  private async walk(): Promise<VerifyReport> {
    const { store } = this.options;

    const gapless = store.kind === 'sqlite' || store.kind === 'postgres';
    let expectedPosition = 1n;
    const sealed = (this.sealedLeaves = this.hasMerkleTables
      ? new SealedLeaves(this.options.readStore!, this.warnings)
      : undefined);
    let lockstep = sealed !== undefined;

    // A SQLite file the content checks read themselves, each thread its own batches: the walk reads only the headers.
    const sqliteFile =
      store instanceof SqliteEventStore && store.path !== ':memory:' ? store.path : undefined;
    const headers = (this.rows =
      sqliteFile === undefined ? undefined : SqliteEventRows.openReadOnly(sqliteFile));
    const unparsed = headers ? undefined : store.readAllUnparsed?.();
    if (headers || unparsed)
      this.checks = new ContentChecks((event, place, verdict) => this.judgeContent(event, place, verdict), {
        sqliteFile,
        threads: CONTENT_THREADS,
      });
    // Pages, so that a SQLite walk awaits nothing per event but what it must.
    const pages: AsyncIterable<ReadonlyArray<StoredEvent | UnparsedEvent | EventHeader>> = headers
      ? headerPages(headers)
      : onePerPage<StoredEvent | UnparsedEvent>(unparsed ?? store.readAll());
    for await (const page of pages)
      for (const event of page) {
        const leafIndex = this.count;
        if (gapless && event.position !== expectedPosition) {
          const missing =
            event.position - 1n === expectedPosition
              ? `position ${expectedPosition} is`
              : `positions ${expectedPosition} to ${event.position - 1n} are`;
          this.report({
            kind: 'deleted-event',
            leafIndex,
            position: expectedPosition,
            message: `${missing} missing from the global order: an event was deleted`,
          });
        }
        expectedPosition = event.position + 1n;
        this.lastPosition = event.position;
        // The event's content findings take their place here, whenever its check answers.
        const place = { leafIndex, order: this.order };
        this.order += CONTENT_FINDINGS;
        if (this.checks) {
          const waiting = this.checks.add(event as UnparsedEvent | EventHeader, place);
          if (waiting) await waiting;
        } else {
          const stored = event as StoredEvent;
          this.judgeContent(stored, place, {
            hash: recomputedHash({ ...hashedEnvelopeOf(stored), integrity: stored.integrity }),
            findings: valuesFindings(stored),
          });
        }
        const skipped = this.checkChain(event, leafIndex);
        if (skipped) await skipped;

        let leaf = sealed?.next();
        if (leaf instanceof Promise) leaf = await leaf;
        // While the sealer's record matches the events leaf for leaf, its log is the same one: shared rather than hashed twice.
        const shared = !this.logs.forked && leaf?.event_hash === event.integrity.hash;
        if (!shared) this.logs.fork();
        this.logs.appendEvent(event.integrity.hash);
        if (leaf) {
          if (!shared) this.logs.appendSealed(leaf.event_hash);
          if (lockstep) {
            const kept = this.compareWithSealed(event, leaf, leafIndex);
            lockstep = typeof kept === 'boolean' ? kept : await kept;
          }
        } else {
          lockstep = false;
        }
        this.count++;
        if (this.compareSizes.has(this.count)) this.positionsAt.set(this.count, event.position);
        if (this.count % 1000 === 0) this.options.onProgress?.(this.count);
      }
    await this.checks?.finish();
    this.options.onProgress?.(this.count);
    if (sealed) await this.drainSealed(sealed, lockstep);
    ({ events: this.derivedRoots, sealed: this.sealedRoots } = await this.logs.roots());
    this.checkSealedRecord();
    this.judgeSealedCandidate();
    this.compareCheckpoints();
    await this.judgeWitnessed();

    const latest = this.trusted.filter((t) => t.source === 'store').pop();
    return {
      events: this.count,
      streams: this.streams.size,
      checkpoints: this.trusted.filter((t) => t.source === 'store').length,
      ...(latest
        ? { latestCheckpoint: { treeSize: latest.treeSize, rootHash: hashToBase64(latest.root) } }
        : {}),
      ...(this.witnessedResult ? { extendsWitnessed: this.witnessedResult } : {}),
      damage: this.sorted(),
      warnings: this.warnings,
    };
  }

  /**
   * One finding of each kind per place: the first discovered in walk order
   * stands, even when an event's content check answers after later events
   * were walked (`order` is where it was discovered).
   */
  private report(finding: Damage, order = this.order++): void {
    const same = this.damage.find(
      (d) => d.finding.kind === finding.kind && d.finding.leafIndex === finding.leafIndex,
    );
    if (!same) this.damage.push({ finding, order });
    else if (order < same.order) Object.assign(same, { finding, order });
  }

  /**
   * By leaf; at one leaf a finding about the kept values comes last: values
   * are kept by position, so an event moved elsewhere has none beside it, and
   * the move is what to name first.
   */
  private sorted(): Damage[] {
    const aboutValues = ({ finding }: { finding: Damage }) =>
      Number(finding.kind === 'values-missing' || finding.kind === 'value-mismatch');
    return [...this.damage]
      .sort(
        (a, b) =>
          a.finding.leafIndex - b.finding.leafIndex || aboutValues(a) - aboutValues(b) || a.order - b.order,
      )
      .map((d) => d.finding);
  }

  private hasEventDamageBefore(leafIndex: number): boolean {
    return this.damage.some((d) => d.finding.leafIndex < leafIndex && isEventDamage(d.finding.kind));
  }

  /** An event's recomputed hash and its kept values, judged at its place in the walk. */
  private judgeContent(event: LoggedEvent, { leafIndex, order }: WalkPlace, verdict: ContentVerdict): void {
    if (verdict.hash !== event.integrity.hash) {
      this.report(
        {
          kind: 'edited-event',
          leafIndex,
          position: event.position,
          message: `event ${event.eventId} (stream ${event.stream}, revision ${event.revision}) no longer matches its stored hash: its content was changed after it was written`,
        },
        order,
      );
    }
    verdict.findings.forEach(({ kind, message }, i) =>
      this.report({ kind, leafIndex, position: event.position, message }, order + 1 + i),
    );
  }

  /** Synchronous, but for a revision ahead of the chain, which needs a look at the stream: that case returns a promise. */
  private checkChain(event: LoggedEvent, leafIndex: number): Promise<void> | undefined {
    const previous = this.streams.get(event.stream);
    const expectedRevision = previous ? previous.revision + 1 : 0;
    const state: StreamState = {
      revision: event.revision,
      hash: event.integrity.hash,
      prevHash: event.integrity.prevHash,
      position: event.position,
      leafIndex,
      eventId: event.eventId,
    };

    if (event.revision === expectedRevision) {
      const expectedPrev = previous ? previous.hash : GENESIS_HASH;
      if (event.integrity.prevHash !== expectedPrev) {
        if (previous && event.integrity.prevHash === previous.prevHash) {
          this.report({
            kind: 'inserted-event',
            leafIndex: previous.leafIndex,
            position: previous.position,
            message: `event ${previous.eventId} (stream ${event.stream}, revision ${previous.revision}) was inserted: the next event of its stream chains past it, to the event before`,
          });
        } else if (previous) {
          this.report({
            kind: 'edited-event',
            leafIndex: previous.leafIndex,
            position: previous.position,
            message: `event ${previous.eventId} (stream ${event.stream}, revision ${previous.revision}) was changed: the next event of its stream chains to a different hash`,
          });
        } else {
          this.report({
            kind: 'edited-event',
            leafIndex,
            position: event.position,
            message: `event ${event.eventId} opens stream ${event.stream} but does not chain to the genesis hash: its link was changed`,
          });
        }
      }
      this.streams.set(event.stream, state);
      return;
    }

    if (event.revision > expectedRevision) {
      this.streams.set(event.stream, state);
      return this.checkSkipped(event, leafIndex, expectedRevision, previous);
    }

    if (this.expectedLater.delete(`${event.stream}\u0000${event.revision}`)) return undefined;
    this.report({
      kind: 'inserted-event',
      leafIndex,
      position: event.position,
      message: `event ${event.eventId} claims revision ${event.revision} of stream ${event.stream}, which already reached revision ${previous?.revision}: it was inserted`,
    });
    return undefined;
  }

  /** A revision ahead of its stream's chain: the skipped ones are either later in the log (reordered) or gone (deleted). */
  private async checkSkipped(
    event: LoggedEvent,
    leafIndex: number,
    expectedRevision: number,
    previous: StreamState | undefined,
  ): Promise<void> {
    const skipped = await firstOf(
      this.options.store.readStream(event.stream, { from: expectedRevision, limit: 1 }),
    );
    if (skipped && skipped.revision < event.revision) {
      for (let r = expectedRevision; r < event.revision; r++)
        this.expectedLater.add(`${event.stream}\u0000${r}`);
      this.report({
        kind: 'reordered-events',
        leafIndex,
        position: event.position,
        message: `revision ${event.revision} of stream ${event.stream} (event ${event.eventId}) comes before revision ${expectedRevision}, which is at position ${skipped.position}: events were reordered`,
      });
    } else {
      const range =
        event.revision - 1 === expectedRevision
          ? `revision ${expectedRevision} is`
          : `revisions ${expectedRevision} to ${event.revision - 1} are`;
      this.report({
        kind: 'deleted-event',
        leafIndex,
        position: event.position,
        message: `${range} missing from stream ${event.stream} (found at position ${event.position}, after ${previous ? `position ${previous.position}` : 'the stream start'}): an event was deleted`,
      });
    }
  }

  /**
   * Compares one event with what the sealer saw at the same leaf; returns
   * whether to keep walking beside it. Synchronous where they match (every
   * leaf of an intact log): only locating a divergence reads the stores.
   */
  private compareWithSealed(
    event: LoggedEvent,
    leaf: MerkleLeavesTable,
    leafIndex: number,
  ): boolean | Promise<boolean> {
    if (leaf.event_id === event.eventId) {
      if (leaf.event_hash === event.integrity.hash) return true;
      this.sealedCandidate = {
        kind: 'edited-event',
        leafIndex,
        position: event.position,
        message: `event ${event.eventId} at position ${event.position} was sealed with hash ${leaf.event_hash} and now has hash ${event.integrity.hash}: it was rewritten`,
      };
      return false;
    }
    return this.locateDivergence(event, leaf, leafIndex);
  }

  /** The sealer saw another event at this leaf: whether this one was inserted, the sealed one deleted, or the two reordered. */
  private async locateDivergence(
    event: LoggedEvent,
    leaf: MerkleLeavesTable,
    leafIndex: number,
  ): Promise<false> {
    const readStore = this.options.readStore!;
    const eventWasSealed = await (readStore.db as Kysely<MerkleTables>)
      .selectFrom('merkle_leaves')
      .select('leaf_index')
      .where('event_id', '=', event.eventId)
      .executeTakeFirst();
    if (!eventWasSealed) {
      this.sealedCandidate = {
        kind: 'inserted-event',
        leafIndex,
        position: event.position,
        message: `event ${event.eventId} at position ${event.position} was inserted: when the log was sealed, event ${leaf.event_id} stood here`,
      };
    } else if ((await this.options.store.findByEventIds([leaf.event_id])).length === 0) {
      this.sealedCandidate = {
        kind: 'deleted-event',
        leafIndex,
        position: BigInt(leaf.position),
        message: `event ${leaf.event_id}, sealed at position ${leaf.position}, is no longer in the store: it was deleted`,
      };
    } else {
      this.sealedCandidate = {
        kind: 'reordered-events',
        leafIndex,
        position: event.position,
        message: `event ${event.eventId} now stands at position ${event.position}, where event ${leaf.event_id} was sealed (it was sealed at leaf ${eventWasSealed.leaf_index}): events were reordered`,
      };
    }
    return false;
  }

  /** Sealed leaves beyond the last event: the log lost its tail. They also finish the sealed roots for the checkpoints they reach. */
  private async drainSealed(sealed: SealedLeaves, lockstep: boolean): Promise<void> {
    const largest = Math.max(0, ...this.compareSizes);
    while (this.logs.sealedSize < largest) {
      const leaf = await sealed.next();
      if (!leaf) break;
      if (lockstep && !this.sealedCandidate) {
        this.sealedCandidate = {
          kind: 'deleted-event',
          leafIndex: this.logs.sealedSize,
          position: BigInt(leaf.position),
          message: `event ${leaf.event_id}, sealed at position ${leaf.position}, is no longer in the store: the end of the log was deleted`,
        };
      }
      this.logs.appendSealed(leaf.event_hash);
    }
  }

  /**
   * The sealer's record is in the same database as the events, so it only
   * locates damage where a signed root confirms it: the first checkpoint at
   * or after the divergence must have the sealed leaves' root.
   */
  private judgeSealedCandidate(): void {
    const candidate = this.sealedCandidate;
    if (!candidate) return;
    const covering = this.trusted.find((t) => t.treeSize > candidate.leafIndex);
    if (!covering) {
      this.report({
        ...candidate,
        message: `${candidate.message} (after the latest signed checkpoint, by the sealer's record)`,
      });
      return;
    }
    const sealedRoot = this.sealedRoots.get(covering.treeSize);
    if (sealedRoot && bytesEqual(sealedRoot, covering.root)) this.report(candidate);
  }

  /** The sealer's record is not evidence, but a doctored one means proofs served from it fail: worth a warning. */
  private checkSealedRecord(): void {
    const doctored = this.trusted.find((t) => {
      const sealedRoot = this.sealedRoots.get(t.treeSize);
      return sealedRoot !== undefined && !bytesEqual(sealedRoot, t.root);
    });
    if (doctored) {
      this.warnings.push(
        `the sealer's leaf record (merkle_leaves) does not reproduce the root of checkpoint ${doctored.treeSize}, so it cannot locate damage; proofs served from it may fail`,
      );
    }
  }

  private compareCheckpoints(): void {
    const fromStore = this.trusted.filter((t) => t.source === 'store');
    let reportedRewrite = false;
    let lastGood = 0;
    for (const checkpoint of fromStore) {
      if (checkpoint.treeSize > this.count) {
        this.report({
          kind: 'deleted-event',
          leafIndex: this.count,
          position: this.lastPosition + 1n,
          message: `checkpoint ${checkpoint.treeSize} covers ${checkpoint.treeSize} events, but the store holds ${this.count}: events were deleted from the end of the log`,
        });
        continue;
      }
      const derived = this.derivedRoots.get(checkpoint.treeSize)!;
      if (bytesEqual(derived, checkpoint.root)) {
        lastGood = checkpoint.treeSize;
        continue;
      }
      if (this.hasEventDamageBefore(checkpoint.treeSize)) continue;
      const laterMatch = fromStore.find(
        (t) =>
          t.treeSize > checkpoint.treeSize &&
          t.treeSize <= this.count &&
          bytesEqual(this.derivedRoots.get(t.treeSize)!, t.root),
      );
      if (laterMatch) {
        this.report({
          kind: 'inconsistent-checkpoint',
          leafIndex: checkpoint.treeSize - 1,
          position: this.positionsAt.get(checkpoint.treeSize),
          treeSize: checkpoint.treeSize,
          message: `checkpoint ${checkpoint.treeSize} carries a valid signature but a root the log never had, while the later checkpoint ${laterMatch.treeSize} matches the log: the key signed two different histories`,
        });
      } else if (!reportedRewrite) {
        reportedRewrite = true;
        this.report({
          kind: 'rewritten-history',
          leafIndex: lastGood,
          treeSize: checkpoint.treeSize,
          message: `the events no longer produce the root signed in checkpoint ${checkpoint.treeSize}: an event after leaf ${lastGood} and up to ${checkpoint.treeSize} was edited, deleted, inserted or reordered`,
        });
      }
    }
  }

  private async judgeWitnessed(): Promise<void> {
    const witnessed = this.witnessed;
    if (!witnessed) return;
    if (witnessed.treeSize > this.count) {
      this.report({
        kind: 'deleted-event',
        leafIndex: this.count,
        position: this.lastPosition + 1n,
        message: `${witnessed.source} covers ${witnessed.treeSize} events, but the store holds ${this.count}: events were deleted from the end of the log`,
      });
      return;
    }
    const derived =
      witnessed.treeSize === 0 ? frontierRoot(emptyFrontier()) : this.derivedRoots.get(witnessed.treeSize)!;
    if (!bytesEqual(derived, witnessed.root)) {
      if (this.hasEventDamageBefore(witnessed.treeSize)) return;
      const stored = this.trusted.find((t) => t.source === 'store' && t.treeSize === witnessed.treeSize);
      this.report(
        stored && !bytesEqual(stored.root, witnessed.root)
          ? {
              kind: 'inconsistent-checkpoint',
              leafIndex: witnessed.treeSize - 1,
              treeSize: witnessed.treeSize,
              message: `${witnessed.source} and the stored checkpoint of the same size ${witnessed.treeSize} have different roots, both validly signed: the log was forked`,
            }
          : {
              kind: 'rewritten-history',
              leafIndex: Math.max(0, witnessed.treeSize - 1),
              treeSize: witnessed.treeSize,
              message: `the current log does not extend ${witnessed.source}: its first ${witnessed.treeSize} events no longer produce the witnessed root`,
            },
      );
      return;
    }
    this.witnessedResult = {
      treeSize: witnessed.treeSize,
      ...(await this.proveWitnessedExtended(witnessed)),
    };
  }

  /** The proof a verifier outside would ask for: consistency from the witnessed size to the latest checkpoint, from the sealer's nodes. */
  private async proveWitnessedExtended(witnessed: TrustedRoot): Promise<{ consistencyProofTo?: number }> {
    const latest = this.trusted.filter((t) => t.source === 'store').pop();
    if (!latest || latest.treeSize < witnessed.treeSize || !this.hasMerkleTables) return {};
    try {
      const proof = await fetchNodes(
        this.options.readStore!.db as Kysely<MerkleTables>,
        consistencyProofRequest(witnessed.treeSize, latest.treeSize),
      );
      verifyConsistency({
        oldSize: witnessed.treeSize,
        newSize: latest.treeSize,
        oldRoot: witnessed.root,
        newRoot: latest.root,
        proof,
      });
      return { consistencyProofTo: latest.treeSize };
    } catch (error) {
      this.warnings.push(
        `the sealer's stored nodes give no valid consistency proof from ${witnessed.treeSize} to ${latest.treeSize} (${error instanceof Error ? error.message : String(error)}); the re-derived log extends the witnessed checkpoint nonetheless`,
      );
      return {};
    }
  }

  private async loadCheckpoints(): Promise<void> {
    const rows = await (this.options.readStore!.db as Kysely<CheckpointTable>)
      .selectFrom('merkle_checkpoints')
      .select(['tree_size', 'note'])
      .orderBy('tree_size')
      .execute();
    for (const row of rows) {
      const treeSize = Number(row.tree_size);
      try {
        const checkpoint = openCheckpoint(row.note, this.options.verifiers, this.options.origin);
        if (checkpoint.size !== treeSize) {
          this.warnings.push(
            `the checkpoint stored as tree size ${treeSize} is a note for tree size ${checkpoint.size}; it is checked as ${checkpoint.size}`,
          );
        }
        this.trusted.push({ treeSize: checkpoint.size, root: checkpoint.rootHash, source: 'store' });
        this.compareSizes.add(checkpoint.size);
      } catch (error) {
        if (!(error instanceof IntegrityError)) throw error;
        this.report({
          kind: 'bad-signature',
          leafIndex: Math.max(0, treeSize - 1),
          treeSize,
          message: `the checkpoint of tree size ${treeSize} does not verify with the published keys: ${error.message}`,
        });
      }
    }
    this.trusted.sort((a, b) => a.treeSize - b.treeSize);
    if (rows.length === 0)
      this.warnings.push(
        'the sealer has signed no checkpoint yet: nothing outside the database vouches for the events',
      );
  }

  private openWitnessed(): void {
    const against = this.options.against;
    if (!against) return;
    const source = `the witnessed checkpoint ${against.label}`;
    try {
      const checkpoint = openCheckpoint(against.note, this.options.verifiers, this.options.origin);
      this.witnessed = { treeSize: checkpoint.size, root: checkpoint.rootHash, source };
      if (checkpoint.size > 0) this.compareSizes.add(checkpoint.size);
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
      let claimed = 0;
      try {
        claimed = parseCheckpoint(noteText(against.note)).size;
      } catch {
        // Unreadable: reported at the start of the log.
      }
      this.report({
        kind: 'bad-signature',
        leafIndex: Math.max(0, claimed - 1),
        treeSize: claimed,
        message: `${source} does not verify with the published keys: ${error.message}`,
      });
    }
  }
}

/**
 * The sealer's leaf record, leaf by leaf in order, read a page at a time: only
 * the first leaf of a page waits for the database, so the verifier's per-event
 * loop stays synchronous between pages. A SQLite record is read on a
 * read-only connection of its own, rows as arrays: through the query builder,
 * reading a 1M-leaf record cost the walk about twice the CPU.
 */
class SealedLeaves {
  private page: MerkleLeavesTable[] = [];
  private at = 0;
  private expectedLeaf = 0;
  private ended = false;
  private readonly sqlite?: {
    database: Database.Database;
    page: Database.Statement<[number, number], LeafRow>;
  };

  constructor(
    private readonly readStore: ReadStore,
    private readonly warnings: string[],
  ) {
    if (readStore.sqliteFile === undefined) return;
    const database = new Database(readStore.sqliteFile, { readonly: true, fileMustExist: true });
    limitPageCache(database, 'single-pass');
    const page = database
      .prepare<[number, number], LeafRow>(
        'SELECT leaf_index, position, event_id, event_hash FROM merkle_leaves WHERE leaf_index >= ? ORDER BY leaf_index LIMIT ?',
      )
      .raw();
    this.sqlite = { database, page };
  }

  /** The next sealed leaf, or undefined once the record ends (or skips a leaf, which ends its use). */
  next(): MerkleLeavesTable | undefined | Promise<MerkleLeavesTable | undefined> {
    if (this.at < this.page.length) return this.take();
    if (this.ended) return undefined;
    return this.read().then(() => (this.at < this.page.length ? this.take() : undefined));
  }

  close(): void {
    this.sqlite?.database.close();
  }

  private take(): MerkleLeavesTable | undefined {
    const leaf = this.page[this.at++];
    if (Number(leaf.leaf_index) !== this.expectedLeaf) {
      this.warnings.push(
        `the sealer's leaf record skips from leaf ${this.expectedLeaf - 1} to ${leaf.leaf_index}; it is used no further`,
      );
      this.ended = true;
      this.page = [];
      return undefined;
    }
    this.expectedLeaf++;
    return leaf;
  }

  private async read(): Promise<void> {
    this.page = this.sqlite
      ? this.sqlite.page
          .all(this.expectedLeaf, LEAF_PAGE)
          .map(([leaf_index, position, event_id, event_hash]) => ({
            leaf_index,
            position,
            event_id,
            event_hash,
          }))
      : await (this.readStore.db as Kysely<MerkleTables>)
          .selectFrom('merkle_leaves')
          .selectAll()
          .where('leaf_index', '>=', this.expectedLeaf)
          .orderBy('leaf_index')
          .limit(LEAF_PAGE)
          .execute();
    this.at = 0;
    if (this.page.length < LEAF_PAGE) this.ended = true;
  }
}

type LeafRow = [number, string, string, string];

/** Every event's header, in store order, a page at a time. */
async function* headerPages(rows: SqliteEventRows): AsyncIterable<EventHeader[]> {
  for (let after = 0; ;) {
    const page = rows.headers(after, HEADER_PAGE);
    if (page.length > 0) yield page;
    if (page.length < HEADER_PAGE) return;
    after = Number(page[page.length - 1].position);
  }
}

/** A store's events one at a time, as pages of one. */
async function* onePerPage<T>(events: AsyncIterable<T>): AsyncIterable<T[]> {
  for await (const event of events) yield [event];
}

function isEventDamage(kind: DamageKind): boolean {
  return (
    kind === 'edited-event' ||
    kind === 'deleted-event' ||
    kind === 'inserted-event' ||
    kind === 'reordered-events' ||
    kind === 'rewritten-history'
  );
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

async function firstOf<T>(iterable: AsyncIterable<T>): Promise<T | undefined> {
  for await (const item of iterable) return item;
  return undefined;
}
