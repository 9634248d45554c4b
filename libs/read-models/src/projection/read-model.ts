import { upcast, type DomainEventOf, type EventType } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import type { Kysely } from 'kysely';
import type { DeferredIndex, Migrations, ProjectionDefinition } from './projection';

/** A stored event as a read model sees it: the envelope as stored, the data upcast to the current schema. */
export type ProjectedEvent<T extends EventType = EventType> = T extends EventType
  ? Omit<StoredEvent, 'type' | 'data'> & DomainEventOf<T>
  : never;

/**
 * One read model: the tables a query reads together, how they are created,
 * the event types that change them and how. It reads and writes only its own
 * tables, so the models of one projection are independent of each other.
 */
export interface ReadModel<DB extends object = Record<string, object>, T extends EventType = EventType> {
  /** Every table it owns; a rebuild swaps them with the rest of its projection's. */
  readonly tables: readonly (keyof DB & string)[];
  /**
   * Versioned and append-only. Keys are shared by the read models of one
   * projection: the models' migrations under one key run together, in the
   * projection's order, so a database whose projection recorded that key
   * before the models were split apart opens unchanged.
   */
  readonly migrations: Migrations;
  readonly deferredIndexes?: readonly DeferredIndex[];
  /** The event types it handles; no other event reaches `evolve`. */
  readonly canHandle: readonly T[];
  /**
   * Applies a batch's events of the handled types, in log order, inside the
   * transaction that also advances the projection's checkpoint. Applying an
   * event again (a replay after a crash) leaves the rows as they were.
   */
  evolve(db: Kysely<DB>, events: readonly ProjectedEvent<T>[]): Promise<void>;
}

/**
 * Runs read models as one projection: one subscription, one checkpoint, and
 * every batch applied to all of them in the transaction that advances it, so
 * a query reading several of them sees them all at the same position.
 */
export function readModelProjection(name: string, models: readonly ReadModel[]): ProjectionDefinition {
  const handled = new Set<string>(models.flatMap((model) => model.canHandle));
  return {
    name,
    tables: models.flatMap((model) => model.tables),
    migrations: mergedMigrations(models),
    deferredIndexes: models.flatMap((model) => model.deferredIndexes ?? []),
    async apply(db, events) {
      const projected = events.filter((event) => handled.has(event.type)).map(project);
      for (const model of models) {
        const mine = projected.filter((event) => model.canHandle.includes(event.type));
        if (mine.length > 0) await model.evolve(db as Kysely<Record<string, object>>, mine);
      }
    },
  };
}

function project(stored: StoredEvent): ProjectedEvent {
  return { ...stored, ...upcast(stored) } as ProjectedEvent;
}

function mergedMigrations(models: readonly ReadModel[]): Migrations {
  const merged: Migrations = {};
  for (const model of models)
    for (const [key, up] of Object.entries(model.migrations)) {
      const before = merged[key];
      merged[key] = before
        ? async (db) => {
            await before(db);
            await up(db);
          }
        : up;
    }
  return merged;
}
