import { Inject, Injectable } from '@nestjs/common';
import {
  evolveRegistryHistory,
  initialRegistryHistory,
  streamNames,
  tenantStream,
  upcast,
  type AiSystemEvent,
  type RegistryHistory,
} from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { EVENT_STORE } from '../store/event-store.module';

/** Systems whose history is remembered; beyond it the least recently used is forgotten and re-read when asked. */
const MAX_SYSTEMS = 10_000;

/**
 * Each AI system's registry history (status and live version over time), as
 * an output is checked against it. Read from the system's own stream, the
 * authority, never from a read model that may lag: a takedown counts from
 * the moment it is stored. The hot ingest path reads only the events stored
 * since its last look, one read per system per batch.
 */
@Injectable()
export class RegistryHistories {
  private readonly known = new Map<string, { history: RegistryHistory; revision: number }>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async of(tenantId: string, systemId: string): Promise<RegistryHistory> {
    const stream = tenantStream(tenantId, streamNames.aiSystem(systemId));
    let { history, revision } = this.known.get(stream) ?? { history: initialRegistryHistory(), revision: -1 };
    for await (const stored of this.store.readStream(stream, { from: revision + 1 })) {
      history = evolveRegistryHistory(history, upcast(stored) as AiSystemEvent);
      revision = stored.revision;
    }
    // Concurrent batches each fold their own copy; the furthest one read is kept.
    const latest = this.known.get(stream);
    if (latest && latest.revision >= revision) return history;
    this.known.delete(stream);
    this.known.set(stream, { history, revision });
    if (this.known.size > MAX_SYSTEMS) this.known.delete(this.known.keys().next().value!);
    return history;
  }
}
