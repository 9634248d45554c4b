import type { Kysely, Migration } from 'kysely';

/*
 * The sealer's tables. Hashes are lowercase hex, as event hashes are stored,
 * so an administrator can compare them by eye. Sizes and indices are bigint
 * in the schema (returned as text by PostgreSQL, as numbers by SQLite).
 */

/** Every perfect subtree above the leaves, written once when completed: with the leaf record, all any proof needs. */
export interface MerkleNodesTable {
  level: number;
  idx: number | string;
  hash: string;
}

/** Which event is which leaf, and the leaf's hash (from `event_hash`): finds an event's leaf for a proof, and tells `verify` what the sealer saw. */
export interface MerkleLeavesTable {
  leaf_index: number | string;
  /** The event's store position, decimal text (64-bit on some stores). */
  position: string;
  event_id: string;
  event_hash: string;
}

/**
 * Signed checkpoints. Evidence, not a read model: never dropped when
 * projections are rebuilt, which is why its migrations are a module of their own.
 */
export interface MerkleCheckpointsTable {
  tree_size: number | string;
  root_hash: string;
  /** The C2SP signed note exactly as signed and served. */
  note: string;
  /** The signing key's id (8 hex digits), telling which key a checkpoint needs after a rotation. */
  key_id: string;
  created_at: string;
}

/**
 * RFC 3161 timestamp tokens over checkpoints, one per checkpoint, written once
 * (an append-only table: evidence, like the checkpoints it stamps).
 */
export interface CheckpointTimestampsTable {
  tree_size: number | string;
  /** The DER TimeStampToken in standard base64. */
  token: string;
  /** The TSA's genTime, ISO 8601. */
  gen_time: string;
  /** The TSA certificate's subject. */
  tsa: string;
  created_at: string;
}

/**
 * Witness cosignatures of signed checkpoints, one row per witness and tree
 * size, written once (a repeat is ignored). Evidence, beside the checkpoints.
 * A witness's largest cosigned size is where its client resumes after a restart.
 */
export interface MerkleCosignaturesTable {
  tree_size: number | string;
  /** The witness key as `<name>+<key id>`, the note's own name for it. */
  witness: string;
  /** The cosignature line as served under the checkpoint, without its newline. */
  line: string;
  /** The witness's time in the cosignature, seconds since the epoch. */
  cosigned_at: number | string;
}

export interface MerkleTables {
  merkle_nodes: MerkleNodesTable;
  merkle_leaves: MerkleLeavesTable;
}

export interface CheckpointTable {
  merkle_checkpoints: MerkleCheckpointsTable;
  merkle_checkpoint_timestamps: CheckpointTimestampsTable;
  merkle_cosignatures: MerkleCosignaturesTable;
}

export const MERKLE_LOG_MODULE = 'merkle_log';
export const MERKLE_CHECKPOINTS_MODULE = 'merkle_checkpoints';

export const merkleLogMigrations: Record<string, Migration> = {
  '0001_merkle_nodes_and_leaves': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('merkle_nodes')
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('idx', 'bigint', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('merkle_nodes_pk', ['level', 'idx'])
        .execute();
      await db.schema
        .createTable('merkle_leaves')
        .addColumn('leaf_index', 'bigint', (c) => c.primaryKey())
        .addColumn('position', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull().unique())
        .addColumn('event_hash', 'text', (c) => c.notNull())
        .execute();
    },
  },
};

export const merkleCheckpointMigrations: Record<string, Migration> = {
  '0001_merkle_checkpoints': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('merkle_checkpoints')
        .addColumn('tree_size', 'bigint', (c) => c.primaryKey())
        .addColumn('root_hash', 'text', (c) => c.notNull())
        .addColumn('note', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0002_merkle_checkpoint_timestamps': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('merkle_checkpoint_timestamps')
        .addColumn('tree_size', 'bigint', (c) => c.primaryKey())
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('gen_time', 'text', (c) => c.notNull())
        .addColumn('tsa', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0003_merkle_cosignatures': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('merkle_cosignatures')
        .addColumn('tree_size', 'bigint', (c) => c.notNull())
        .addColumn('witness', 'text', (c) => c.notNull())
        .addColumn('line', 'text', (c) => c.notNull())
        .addColumn('cosigned_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('merkle_cosignatures_pk', ['witness', 'tree_size'])
        .execute();
    },
  },
};
