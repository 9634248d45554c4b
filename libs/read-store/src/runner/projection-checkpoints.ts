import type { Kysely, Migration } from 'kysely';

/** One row per projection: how far it has applied the global order, and why it stopped if it did. */
export interface ProjectionCheckpointsTable {
  name: string;
  /** Decimal text: store positions are 64-bit, beyond what a JavaScript number holds exactly. */
  position: string;
  /** The ledger's `recordedAt` of the last applied event. */
  last_recorded_at: string | null;
  updated_at: string;
  /** Set when the projection stopped on an event it could not apply; cleared by the next advance. */
  error: string | null;
}

export interface CheckpointTables {
  projection_checkpoints: ProjectionCheckpointsTable;
}

export const CHECKPOINTS_MODULE = 'projection_checkpoints';

export const checkpointMigrations: Record<string, Migration> = {
  '0001_projection_checkpoints': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('projection_checkpoints')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('position', 'text', (c) => c.notNull())
        .addColumn('last_recorded_at', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .execute();
    },
  },
};
