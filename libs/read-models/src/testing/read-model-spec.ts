import { EVENT_SCHEMAS, isEventType, type DomainEventOf, type EventType } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import type { Kysely } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectionConsumer, type ProjectionDefinition } from '../projection/projection';
import { readModelProjection, type ReadModel } from '../projection/read-model';
import { migrateModule, openReadStore } from '@ledger/read-store';

/** The instant a given event occurred at unless it says otherwise. */
export const GIVEN_AT = '2026-01-01T00:00:00.000Z';

/** An event as a spec gives it: its type and data, and optionally when and for which tenant. */
export type GivenEvent = {
  [T in EventType]: { type: T; data: DomainEventOf<T>['data']; at?: string; tenant?: string };
}[EventType];

/** Any event as the store may hold it, a type the domain does not know included. */
export interface GivenStoredEvent {
  type: string;
  data: Record<string, unknown>;
  at?: string;
  tenant?: string;
}

type Rows<DB> = { [Table in keyof DB]: Array<DB[Table]> };

/**
 * given(events).then(rows) for one read model, on a real SQLite read store.
 * The events are stored in the order given (positions 1, 2, …; event ids
 * `e1`, `e2`, …) and go the projector's way: upcast, canHandle, evolve, all in
 * one transaction. Then they are applied all over again, as a replay after a
 * crash would apply them, and `then` must hold after both. `then` names every
 * table of the read model, so nothing else may have been written.
 */
export function readModelSpec<DB extends object>(model: ReadModel<DB, EventType>) {
  const { given, close } = projectionSpec<DB>(readModelProjection('spec', [model as ReadModel]));
  return { given: (...events: GivenEvent[]) => given(...events), close };
}

/** The same for a projection of stored events, such as the timeline. */
export function projectionSpec<DB extends object>(definition: ProjectionDefinition) {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-read-model-'));
  let databases = 0;
  return {
    given: (...events: GivenStoredEvent[]) => ({
      then: async (expected: Rows<DB>): Promise<void> => {
        const readStore = await openReadStore({
          kind: 'sqlite',
          sqliteFile: join(dir, `${++databases}.sqlite`),
        });
        try {
          const consumer = projectionConsumer(definition);
          await migrateModule(readStore, consumer.name, consumer.migrations);
          const stored = events.map(storedEvent);
          for (const pass of ['applied', 'replayed']) {
            await readStore.inWriteTransaction((trx) => consumer.apply(trx, stored));
            const actual: Record<string, unknown[]> = {};
            for (const table of Object.keys(expected))
              actual[table] = comparable(
                await (readStore.db as Kysely<Record<string, object>>)
                  .selectFrom(table)
                  .selectAll()
                  .execute(),
              );
            const wanted = Object.fromEntries(
              Object.entries(expected).map(([table, rows]) => [table, comparable(rows as object[])]),
            );
            expect({ pass, tables: actual }).toEqual({ pass, tables: wanted });
          }
        } finally {
          await readStore.close();
        }
      },
    }),
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function storedEvent(given: GivenStoredEvent, index: number): StoredEvent {
  const at = given.at ?? GIVEN_AT;
  const eventId = `e${index + 1}`;
  return {
    eventId,
    type: given.type,
    schemaVersion: isEventType(given.type) ? EVENT_SCHEMAS[given.type].version : 1,
    stream: `${given.tenant ?? 't1'}/spec`,
    revision: index,
    position: BigInt(index + 1),
    data: given.data,
    metadata: {
      tenantId: given.tenant ?? 't1',
      actor: { id: 'spec', role: 'governance-admin' },
      source: 'spec',
      occurredAt: at,
      recordedAt: at,
      correlationId: eventId,
      causationId: eventId,
    },
    integrity: { prevHash: '', hash: '' },
  };
}

/** Rows as the read store hands them back, in a stable order, values as text as in a projection dump. */
function comparable(rows: readonly object[]): Array<Record<string, string | null>> {
  return rows
    .map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([column, value]) => [column, value === null ? null : String(value)]),
      ),
    )
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
