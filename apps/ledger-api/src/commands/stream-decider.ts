import { randomUUID } from 'node:crypto';
import { EVENT_SCHEMAS, stateFrom, upcast, type Decider, type DomainEvent } from '@ledger/domain';
import { EventStoreError, type EventStore } from '@ledger/event-store';
import { eventMetadata, type CommandContext } from './command-context';

export interface CommandReceipt {
  stream: string;
  revision: number;
  events: Array<{ eventId: string; type: string; revision: number; position: string; hash: string }>;
}

/** Concurrent commands on one stream: re-deciding against fresh state is safe because deciders are pure. */
const ATTEMPTS = 3;

export async function loadState<C, E, S>(
  store: EventStore,
  stream: string,
  decider: Decider<C, E, S>,
): Promise<{ state: S; revision: number | 'no_stream' }> {
  const history: E[] = [];
  let revision: number | 'no_stream' = 'no_stream';
  for await (const stored of store.readStream(stream)) {
    history.push(upcast(stored) as E);
    revision = stored.revision;
  }
  return { state: stateFrom(decider, history), revision };
}

/**
 * The command path: load the stream, decide, append at the revision decided
 * against. A concurrent append makes the append fail with CONCURRENCY_CONFLICT;
 * the command is then decided again on the new state, a few times, before the
 * conflict is reported.
 */
export async function executeOnStream<C, E extends DomainEvent, S>(
  store: EventStore,
  stream: string,
  decider: Decider<C, E, S>,
  prepare: (state: S) => Promise<C> | C,
  ctx: CommandContext,
): Promise<CommandReceipt> {
  for (let attempt = 1; ; attempt++) {
    const { state, revision } = await loadState(store, stream, decider);
    const events = decider.decide(await prepare(state), state);
    if (events.length === 0)
      return { stream, revision: revision === 'no_stream' ? -1 : revision, events: [] };
    const metadata = eventMetadata(ctx);
    try {
      const result = await store.append(
        stream,
        events.map((e) => ({
          eventId: randomUUID(),
          type: e.type,
          schemaVersion: EVENT_SCHEMAS[e.type].version,
          data: e.data,
          metadata,
        })),
        revision,
      );
      return {
        stream,
        revision: result.nextExpectedRevision,
        events: result.events.map((r, i) => ({
          eventId: r.eventId,
          type: events[i].type,
          revision: r.revision,
          position: r.position.toString(),
          hash: r.hash,
        })),
      };
    } catch (error) {
      if (!(error instanceof EventStoreError && error.code === 'CONCURRENCY_CONFLICT' && attempt < ATTEMPTS))
        throw error;
    }
  }
}
