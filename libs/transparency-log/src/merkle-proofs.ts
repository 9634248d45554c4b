import {
  consistencyProofRequest,
  type Cosignature,
  eventLeafHash,
  formatKeyId,
  inclusionProofRequest,
  multiproofRequests,
  IntegrityError,
  parseCheckpoint,
  verifyConsistency,
  verifyInclusion,
  verifyMultiproof,
} from '@ledger/integrity';
import type { Kysely } from 'kysely';
import type { ReadStore } from '@ledger/read-store';
import { fetchNodeHashes, fetchNodes, MerkleStoreDamagedError, nodeKey } from './merkle-node-store';
import type {
  CheckpointTable,
  MerkleCheckpointsTable,
  MerkleLeavesTable,
  MerkleTables,
} from './merkle-tables';

const LEAVES_PER_QUERY = 500;

export type ProofRequestErrorCode =
  /** No event with this id has been sealed (it does not exist, or the sealer has not reached it yet). */
  | 'UNKNOWN_EVENT'
  /** No signed checkpoint of the asked tree size, or none at all yet. */
  | 'NO_CHECKPOINT'
  /** The event is sealed, but after the checkpoint asked for. */
  | 'NOT_IN_CHECKPOINT'
  /** The sizes cannot form a consistency proof. */
  | 'INVALID_RANGE';

export class ProofRequestError extends Error {
  constructor(
    readonly code: ProofRequestErrorCode,
    message: string,
    /** The request parameter at fault, for the edge to name. */
    readonly parameter?: string,
  ) {
    super(message);
    this.name = 'ProofRequestError';
  }
}

export interface StoredCheckpoint {
  treeSize: number;
  rootHash: Uint8Array;
  /** The signed note, verbatim. */
  note: string;
  keyId: string;
  createdAt: string;
}

export interface InclusionProof {
  eventId: string;
  position: bigint;
  /** The event's `integrity.hash` (hex): the leaf is SHA-256(0x00 || these 32 bytes). */
  eventHash: string;
  leafIndex: number;
  leafHash: Uint8Array;
  treeSize: number;
  rootHash: Uint8Array;
  /** Audit path, leaf end first (RFC 9162 §2.1.3). */
  proof: Uint8Array[];
  /** The signed checkpoint whose root the proof leads to. */
  checkpoint: string;
}

export interface ConsistencyProof {
  fromSize: number;
  toSize: number;
  fromRoot: Uint8Array;
  toRoot: Uint8Array;
  /** RFC 9162 §2.1.4 consistency proof. */
  proof: Uint8Array[];
  fromCheckpoint: string;
  toCheckpoint: string;
}

/**
 * Inclusion and consistency proofs against signed checkpoints, read from the
 * sealer's tables. Every proof is checked against the checkpoint's root
 * before it is returned, so damaged storage shows as an error here rather
 * than as a proof a verifier rejects.
 */
export class MerkleProofService {
  constructor(private readonly readStore: ReadStore) {}

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    const row = await this.checkpoints()
      .selectFrom('merkle_checkpoints')
      .selectAll()
      .orderBy('tree_size', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toCheckpoint(row);
  }

  /** The checkpoint's note with every stored witness cosignature appended, as c2sp.org/tlog-witness serves it. */
  async cosignedNote(checkpoint: StoredCheckpoint): Promise<string> {
    const rows = await this.checkpoints()
      .selectFrom('merkle_cosignatures')
      .select('line')
      .where('tree_size', '=', checkpoint.treeSize)
      .orderBy('witness')
      .execute();
    return checkpoint.note + rows.map((row) => `${row.line}\n`).join('');
  }

  /** Keeps cosignatures a witness returned (already verified); one already held is kept as it was. */
  async addCosignatures(treeSize: number, cosignatures: readonly Cosignature[]): Promise<void> {
    if (cosignatures.length === 0) return;
    await this.checkpoints()
      .insertInto('merkle_cosignatures')
      .values(
        cosignatures.map((c) => ({
          tree_size: treeSize,
          witness: `${c.name}+${formatKeyId(c.keyId)}`,
          line: c.line,
          cosigned_at: c.timestamp,
        })),
      )
      .onConflict((oc) => oc.columns(['witness', 'tree_size']).doNothing())
      .execute();
  }

  /** The largest tree size `witness` (`<name>+<key id>`) has cosigned, 0 for none. */
  async cosignedSize(witness: string): Promise<number> {
    const row = await this.checkpoints()
      .selectFrom('merkle_cosignatures')
      .select((eb) => eb.fn.max('tree_size').as('size'))
      .where('witness', '=', witness)
      .executeTakeFirst();
    return Number(row?.size ?? 0);
  }

  async checkpointOfSize(treeSize: number): Promise<StoredCheckpoint | undefined> {
    const row = await this.checkpoints()
      .selectFrom('merkle_checkpoints')
      .selectAll()
      .where('tree_size', '=', treeSize)
      .executeTakeFirst();
    return row && toCheckpoint(row);
  }

  /**
   * The first signed checkpoint whose tree holds the event, or undefined while
   * the sealer has not reached it or no checkpoint has been signed since.
   */
  async checkpointCovering(eventId: string): Promise<StoredCheckpoint | undefined> {
    const leaf = await this.nodes()
      .selectFrom('merkle_leaves')
      .select('leaf_index')
      .where('event_id', '=', eventId)
      .executeTakeFirst();
    if (!leaf) return undefined;
    const row = await this.checkpoints()
      .selectFrom('merkle_checkpoints')
      .selectAll()
      .where('tree_size', '>', Number(leaf.leaf_index))
      .orderBy('tree_size')
      .limit(1)
      .executeTakeFirst();
    return row && toCheckpoint(row);
  }

  /** Proves that the event is in the log as signed at `treeSize` (default: the latest checkpoint). */
  async inclusionProof(eventId: string, treeSize?: number): Promise<InclusionProof> {
    return (await this.inclusionProofs([eventId], treeSize))[0];
  }

  /**
   * Proofs for many events against one checkpoint with a few queries, each
   * stored node read once: what an evidence export of thousands of events needs.
   */
  async inclusionProofs(eventIds: readonly string[], treeSize?: number): Promise<InclusionProof[]> {
    const checkpoint = await this.requireCheckpoint(treeSize, 'treeSize');
    const located = (await this.locate(eventIds, checkpoint)).map(({ leaf, leafIndex }) => ({
      leaf,
      leafIndex,
      request: inclusionProofRequest(leafIndex, checkpoint.treeSize),
    }));
    const hashes = await fetchNodeHashes(
      this.nodes(),
      located.flatMap(({ request }) => request.nodes),
    );
    return located.map(({ leaf, leafIndex, request }) => {
      const leafHash = eventLeafHash(leaf.event_hash);
      const proof = request.assemble(request.nodes.map((node) => hashes.get(nodeKey(node))!));
      try {
        verifyInclusion({
          leafIndex,
          treeSize: checkpoint.treeSize,
          leafHash,
          proof,
          root: checkpoint.rootHash,
        });
      } catch (error) {
        throw damaged(error, `the inclusion proof of leaf ${leafIndex} in checkpoint ${checkpoint.treeSize}`);
      }
      return {
        eventId: leaf.event_id,
        position: BigInt(leaf.position),
        eventHash: leaf.event_hash,
        leafIndex,
        leafHash,
        treeSize: checkpoint.treeSize,
        rootHash: checkpoint.rootHash,
        proof,
        checkpoint: checkpoint.note,
      };
    });
  }

  /** Each event's leaf index, in the order asked, each of them within the checkpoint of `treeSize`. */
  async leafIndices(eventIds: readonly string[], treeSize: number): Promise<number[]> {
    const checkpoint = await this.requireCheckpoint(treeSize, 'treeSize');
    return (await this.locate(eventIds, checkpoint)).map(({ leafIndex }) => leafIndex);
  }

  /**
   * One proof for many leaves (ascending) against the checkpoint of
   * `treeSize`: the hashes of the subtrees that hold none of them, left to
   * right, 32 bytes each one after another, checked against the checkpoint's
   * root before it is handed out. Read a part at a time (see
   * multiproofRequests), so what it holds is the proof's bytes.
   */
  async multiproof(
    leafIndices: ArrayLike<number>,
    leafHashes: Uint8Array,
    treeSize: number,
  ): Promise<Uint8Array> {
    const checkpoint = await this.requireCheckpoint(treeSize, 'treeSize');
    const parts: Uint8Array[] = [];
    for (const request of multiproofRequests(leafIndices, checkpoint.treeSize)) {
      const hashes = await fetchNodeHashes(this.nodes(), request.nodes);
      parts.push(Buffer.concat(request.assemble(request.nodes.map((node) => hashes.get(nodeKey(node))!))));
    }
    const proof = Buffer.concat(parts);
    try {
      verifyMultiproof({
        treeSize: checkpoint.treeSize,
        leafIndices,
        leafHashes,
        proof,
        root: checkpoint.rootHash,
      });
    } catch (error) {
      throw damaged(
        error,
        `the multiproof of ${leafIndices.length} leaves in checkpoint ${checkpoint.treeSize}`,
      );
    }
    return proof;
  }

  private async locate(
    eventIds: readonly string[],
    checkpoint: StoredCheckpoint,
  ): Promise<Array<{ leaf: MerkleLeavesTable; leafIndex: number }>> {
    const leaves = new Map<string, MerkleLeavesTable>();
    for (let i = 0; i < eventIds.length; i += LEAVES_PER_QUERY) {
      const rows = await this.nodes()
        .selectFrom('merkle_leaves')
        .selectAll()
        .where('event_id', 'in', eventIds.slice(i, i + LEAVES_PER_QUERY))
        .execute();
      for (const row of rows) leaves.set(row.event_id, row);
    }
    return eventIds.map((eventId) => {
      const leaf = leaves.get(eventId);
      if (!leaf)
        throw new ProofRequestError(
          'UNKNOWN_EVENT',
          `no sealed event has eventId ${eventId}; it does not exist, or the sealer has not reached it yet`,
          'eventId',
        );
      const leafIndex = Number(leaf.leaf_index);
      if (leafIndex >= checkpoint.treeSize) {
        throw new ProofRequestError(
          'NOT_IN_CHECKPOINT',
          `event ${eventId} is leaf ${leafIndex}, after the checkpoint of tree size ${checkpoint.treeSize}; ask for a later checkpoint or wait for the next one`,
          'treeSize',
        );
      }
      return { leaf, leafIndex };
    });
  }

  /** Proves that the checkpoint of `fromSize` is a prefix of the one of `toSize` (default: the latest). */
  async consistencyProof(fromSize: number, toSize?: number): Promise<ConsistencyProof> {
    const to = await this.requireCheckpoint(toSize, 'to');
    if (fromSize > to.treeSize) {
      throw new ProofRequestError(
        'INVALID_RANGE',
        `from (${fromSize}) must not exceed to (${to.treeSize}): a log only grows`,
        'from',
      );
    }
    const from = await this.requireCheckpoint(fromSize, 'from');
    const proof = await fetchNodes(this.nodes(), consistencyProofRequest(from.treeSize, to.treeSize));
    try {
      verifyConsistency({
        oldSize: from.treeSize,
        newSize: to.treeSize,
        oldRoot: from.rootHash,
        newRoot: to.rootHash,
        proof,
      });
    } catch (error) {
      throw damaged(error, `the consistency proof from checkpoint ${from.treeSize} to ${to.treeSize}`);
    }
    return {
      fromSize: from.treeSize,
      toSize: to.treeSize,
      fromRoot: from.rootHash,
      toRoot: to.rootHash,
      proof,
      fromCheckpoint: from.note,
      toCheckpoint: to.note,
    };
  }

  private async requireCheckpoint(
    treeSize: number | undefined,
    parameter: string,
  ): Promise<StoredCheckpoint> {
    if (treeSize === undefined) {
      const latest = await this.latestCheckpoint();
      if (!latest)
        throw new ProofRequestError(
          'NO_CHECKPOINT',
          'no checkpoint has been signed yet; the sealer signs one after the first events',
          parameter,
        );
      return latest;
    }
    const checkpoint = await this.checkpointOfSize(treeSize);
    if (!checkpoint) {
      throw new ProofRequestError(
        'NO_CHECKPOINT',
        `${parameter}: there is no signed checkpoint of tree size ${treeSize}; GET /checkpoint names the latest`,
        parameter,
      );
    }
    return checkpoint;
  }

  private nodes(): Kysely<MerkleTables> {
    return this.readStore.db as Kysely<MerkleTables>;
  }

  private checkpoints(): Kysely<CheckpointTable> {
    return this.readStore.db as Kysely<CheckpointTable>;
  }
}

function toCheckpoint(row: MerkleCheckpointsTable): StoredCheckpoint {
  const treeSize = Number(row.tree_size);
  let parsed;
  try {
    parsed = parseCheckpoint(noteText(row.note));
  } catch (error) {
    throw damaged(error, `the stored checkpoint of tree size ${treeSize}`);
  }
  if (parsed.size !== treeSize)
    throw new MerkleStoreDamagedError(
      `the stored checkpoint of tree size ${treeSize} holds a note for size ${parsed.size}`,
    );
  return {
    treeSize,
    rootHash: parsed.rootHash,
    note: row.note,
    keyId: row.key_id,
    createdAt: row.created_at,
  };
}

/** The signed text of a note: everything before the blank line that starts its signatures. */
export function noteText(note: string): string {
  const split = note.lastIndexOf('\n\n');
  return split < 0 ? note : note.slice(0, split + 1);
}

function damaged(error: unknown, what: string): Error {
  if (!(error instanceof IntegrityError)) return error instanceof Error ? error : new Error(String(error));
  return new MerkleStoreDamagedError(
    `${what} does not hold (${error.message}): the sealer's stored tree is damaged; run govledger verify`,
  );
}
