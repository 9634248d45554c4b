import type { EventStore, StoredEvent } from '@ledger/event-store';
import type { Kysely } from 'kysely';
import { createDeferredIndex, projectionConsumer, type ProjectionDefinition } from './projection/projection';
import {
  type CheckpointTables,
  ProjectionRunner,
  type ReadStore,
  type RunnerLogger,
} from '@ledger/read-store';

export interface RebuildProgress {
  projection: string;
  position: bigint;
  head: bigint;
}

export interface RebuildResult {
  projection: string;
  /** The position the swapped-in tables are at. */
  position: bigint;
}

/**
 * Rebuilds a projection from the first event into a fresh generation of its
 * tables while the live tables keep answering, then swaps them in one
 * read-store transaction. The swap first applies whatever the live projection
 * got ahead by, so the new tables are never behind what readers saw; the
 * live runner finds its checkpoint moved and carries on from the new one.
 */
export async function rebuildProjection(
  store: EventStore,
  readStore: ReadStore,
  definition: ProjectionDefinition,
  options: { onProgress?: (progress: RebuildProgress) => void; logger?: RunnerLogger } = {},
): Promise<RebuildResult> {
  const suffix = `__rb${Date.now()}`;
  const consumer = projectionConsumer(definition, suffix);
  const runner = new ProjectionRunner({ store, readStore, consumer, logger: options.logger });
  await runner.start();
  try {
    for (;;) {
      const head = await store.headPosition();
      const { position } = await runner.status();
      options.onProgress?.({ projection: definition.name, position, head });
      if (position >= head) break;
      await runner.waitFor(head, 3_600_000).catch(async (error: unknown) => {
        // A stopped rebuild (poison event) must not swap anything in.
        if ((await runner.status()).error) throw error;
      });
    }
  } finally {
    await runner.stop();
  }

  return readStore.inWriteTransaction(async (trx) => {
    const checkpoints = trx as Kysely<CheckpointTables>;
    // Same lock order as the live runner (checkpoint row, then tables), so the two cannot deadlock.
    const live = await selectCheckpoint(checkpoints, definition.name, readStore.kind === 'postgres');
    let position = BigInt((await selectCheckpoint(checkpoints, consumer.name, false))?.position ?? '0');
    const liveAt = BigInt(live?.position ?? '0');
    if (liveAt > position) {
      let batch: StoredEvent[] = [];
      for await (const event of store.readAll({ after: position, limit: Number(liveAt - position) })) {
        batch.push(event);
        if (batch.length === 1000) {
          await consumer.apply(trx, batch);
          batch = [];
        }
      }
      if (batch.length > 0) await consumer.apply(trx, batch);
      position = liveAt;
    }
    for (const table of definition.tables) {
      await trx.schema.alterTable(table).renameTo(`${table}__old${suffix}`).execute();
      await trx.schema.alterTable(`${table}${suffix}`).renameTo(table).execute();
      await trx.schema.dropTable(`${table}__old${suffix}`).execute();
    }
    // The generation caught up without them (it started from zero); the old tables took theirs, and their names, with them.
    for (const index of definition.deferredIndexes ?? []) await createDeferredIndex(trx, index);
    const now = new Date().toISOString();
    await checkpoints
      .insertInto('projection_checkpoints')
      .values({
        name: definition.name,
        position: position.toString(),
        last_recorded_at: null,
        updated_at: now,
        error: null,
      })
      .onConflict((oc) =>
        oc.column('name').doUpdateSet({ position: position.toString(), updated_at: now, error: null }),
      )
      .execute();
    await checkpoints.deleteFrom('projection_checkpoints').where('name', '=', consumer.name).execute();
    // The swapped-in tables were made by the same migrations the live module has recorded.
    await trx.schema.dropTable(`${consumer.name}_migrations`).execute();
    await trx.schema.dropTable(`${consumer.name}_migrations_lock`).execute();
    return { projection: definition.name, position };
  });
}

function selectCheckpoint(db: Kysely<CheckpointTables>, name: string, lock: boolean) {
  const query = db.selectFrom('projection_checkpoints').select('position').where('name', '=', name);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}
