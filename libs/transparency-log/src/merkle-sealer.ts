import type { StoredEvent } from '@ledger/event-store';
import {
  appendLeaf,
  emptyFrontier,
  eventLeafHash,
  formatKeyId,
  type Frontier,
  frontierRequest,
  frontierRoot,
  hashToHex,
  type NoteSigner,
  signCheckpoint,
} from '@ledger/integrity';
import type { Kysely } from 'kysely';
import { type Consumer, migrateModule, type ReadStore } from '@ledger/read-store';
import { fetchNodes } from './merkle-node-store';
import {
  type CheckpointTable,
  MERKLE_CHECKPOINTS_MODULE,
  MERKLE_LOG_MODULE,
  merkleCheckpointMigrations,
  merkleLogMigrations,
  type MerkleCheckpointsTable,
  type MerkleLeavesTable,
  type MerkleNodesTable,
  type MerkleTables,
} from './merkle-tables';

export interface MerkleSealerOptions {
  readStore: ReadStore;
  /** The log's name: the first line of every checkpoint. */
  origin: string;
  /** The signing keys, current first (two during a rotation's overlap); asked before every checkpoint, so a rotated key is picked up. */
  signers: () => readonly NoteSigner[];
  /** A checkpoint whenever the tree size is a multiple of this. */
  checkpointEveryEvents: number;
  /** Called after a checkpoint is committed: hand it to the witnesses. */
  onCheckpoint?: (note: string, treeSize: number) => void;
  clock?: () => Date;
}

interface SealedState {
  readonly frontier: Frontier;
  readonly lastCheckpointSize: number;
}

// Rows per INSERT: well under SQLite's 32766 and PostgreSQL's 65535 bound parameters.
const ROWS_PER_INSERT = 1000;

/**
 * The sealer: a deterministic projection of the store's global order into an
 * RFC 9162 Merkle log. Each event becomes a leaf (SHA-256(0x00 || event hash))
 * with O(log n) work; the perfect subtrees it completes are written in the same
 * transaction as the runner's checkpoint, so the stored tree always matches
 * the checkpoint exactly, after any crash. Only the frontier (log2 n hashes)
 * lives in memory, rebuilt from the stored nodes on start.
 */
export class MerkleSealer implements Consumer<MerkleTables> {
  readonly name = MERKLE_LOG_MODULE;
  readonly migrations = merkleLogMigrations;
  private state: SealedState = { frontier: emptyFrontier(), lastCheckpointSize: 0 };
  private prepared?: { state: SealedState; checkpoints: MerkleCheckpointsTable[] };
  private readonly clock: () => Date;

  constructor(private readonly options: MerkleSealerOptions) {
    if (!Number.isSafeInteger(options.checkpointEveryEvents) || options.checkpointEveryEvents < 1) {
      throw new RangeError(
        `checkpointEveryEvents must be a whole number of 1 or more, got ${options.checkpointEveryEvents}`,
      );
    }
    this.clock = options.clock ?? (() => new Date());
  }

  /** Leaves sealed and committed. */
  get treeSize(): number {
    return this.state.frontier.size;
  }

  async open(db: Kysely<MerkleTables>): Promise<void> {
    await migrateModule(this.options.readStore, MERKLE_CHECKPOINTS_MODULE, merkleCheckpointMigrations);
    const leaves = await db
      .selectFrom('merkle_leaves')
      .select((eb) => eb.fn.max('leaf_index').as('last'))
      .executeTakeFirst();
    const size = leaves?.last === null || leaves?.last === undefined ? 0 : Number(leaves.last) + 1;
    const frontier = await fetchNodes(db, frontierRequest(size));
    const checkpoints = await this.checkpointsDb()
      .selectFrom('merkle_checkpoints')
      .select((eb) => eb.fn.max('tree_size').as('last'))
      .executeTakeFirst();
    this.state = { frontier, lastCheckpointSize: Number(checkpoints?.last ?? 0) };
    this.prepared = undefined;
  }

  async apply(trx: Kysely<MerkleTables>, events: readonly StoredEvent[]): Promise<void> {
    let { frontier, lastCheckpointSize } = this.state;
    const nodes: MerkleNodesTable[] = [];
    const leaves: MerkleLeavesTable[] = [];
    const checkpoints: MerkleCheckpointsTable[] = [];
    for (const event of events) {
      const appended = appendLeaf(frontier, eventLeafHash(event.integrity.hash));
      // The leaf itself (level 0) is in the leaf record; only the subtrees it completed are stored as nodes.
      for (const { level, index, hash } of appended.completed)
        if (level > 0) nodes.push({ level, idx: index, hash: hashToHex(hash) });
      leaves.push({
        leaf_index: frontier.size,
        position: event.position.toString(),
        event_id: event.eventId,
        event_hash: event.integrity.hash,
      });
      frontier = appended.frontier;
      // At every multiple of N, whatever time-based checkpoints came between: the sizes are predictable and the same on every replay.
      if (frontier.size % this.options.checkpointEveryEvents === 0) {
        checkpoints.push(this.checkpoint(frontier));
        lastCheckpointSize = frontier.size;
      }
    }
    for (let i = 0; i < nodes.length; i += ROWS_PER_INSERT)
      await trx
        .insertInto('merkle_nodes')
        .values(nodes.slice(i, i + ROWS_PER_INSERT))
        .execute();
    for (let i = 0; i < leaves.length; i += ROWS_PER_INSERT)
      await trx
        .insertInto('merkle_leaves')
        .values(leaves.slice(i, i + ROWS_PER_INSERT))
        .execute();
    if (checkpoints.length > 0) {
      await (trx as unknown as Kysely<CheckpointTable>)
        .insertInto('merkle_checkpoints')
        .values(checkpoints)
        .onConflict((oc) => oc.column('tree_size').doNothing())
        .execute();
    }
    this.prepared = { state: { frontier, lastCheckpointSize }, checkpoints };
  }

  committed(): void {
    if (!this.prepared) return;
    const { state, checkpoints } = this.prepared;
    this.prepared = undefined;
    // A time-based checkpoint may have been written while this batch ran.
    this.state = {
      frontier: state.frontier,
      lastCheckpointSize: Math.max(state.lastCheckpointSize, this.state.lastCheckpointSize),
    };
    for (const row of checkpoints) this.options.onCheckpoint?.(row.note, Number(row.tree_size));
  }

  /**
   * The time-based checkpoint: signs the committed tree if it grew since the
   * last checkpoint. Runs beside the runner; it only reads committed state, and
   * the tree of a given size has one root, so a race can at worst sign one
   * size twice, identically (Ed25519 signatures are deterministic).
   */
  async checkpointIfGrown(): Promise<number | undefined> {
    const { frontier, lastCheckpointSize } = this.state;
    if (frontier.size <= lastCheckpointSize) return undefined;
    const row = this.checkpoint(frontier);
    await this.checkpointsDb()
      .insertInto('merkle_checkpoints')
      .values(row)
      .onConflict((oc) => oc.column('tree_size').doNothing())
      .execute();
    if (this.state.lastCheckpointSize < frontier.size)
      this.state = { ...this.state, lastCheckpointSize: frontier.size };
    this.options.onCheckpoint?.(row.note, frontier.size);
    return frontier.size;
  }

  private checkpoint(frontier: Frontier): MerkleCheckpointsTable {
    const signers = this.options.signers();
    const rootHash = frontierRoot(frontier);
    return {
      tree_size: frontier.size,
      root_hash: hashToHex(rootHash),
      note: signCheckpoint({ origin: this.options.origin, size: frontier.size, rootHash }, signers),
      key_id: formatKeyId(signers[0].keyId),
      created_at: this.clock().toISOString(),
    };
  }

  private checkpointsDb(): Kysely<CheckpointTable> {
    return this.options.readStore.db as Kysely<CheckpointTable>;
  }
}
