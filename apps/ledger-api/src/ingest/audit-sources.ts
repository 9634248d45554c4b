import { Inject, Injectable } from '@nestjs/common';
import { streamNames, tenantStream } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { EVENT_STORE } from '../store/event-store.module';

/** Systems whose audit sources are remembered; beyond it the least recently added is forgotten and re-read when asked. */
const MAX_SYSTEMS = 10_000;

interface KnownSources {
  sources: Set<string>;
  /** The last revision of the system's stream read; the next look reads only what came after. */
  revision: number;
}

/**
 * Who may report data access on behalf of an AI system: the services its
 * governance registered as its audit sources (registerAuditSource). Read from
 * the system's own stream, so a registration counts from the moment it is
 * stored, with no projection lag. Registrations are never withdrawn, so a
 * source once seen is answered from memory: the hot ingest path reads the
 * store only for an emitter not yet known as a source, and then only the
 * system's events since the last look.
 */
@Injectable()
export class AuditSources {
  private readonly known = new Map<string, KnownSources>();

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async isSource(tenantId: string, systemId: string, emitterId: string): Promise<boolean> {
    const stream = tenantStream(tenantId, streamNames.aiSystem(systemId));
    const known = this.known.get(stream) ?? { sources: new Set<string>(), revision: -1 };
    if (known.sources.has(emitterId)) return true;
    for await (const event of this.store.readStream(stream, { from: known.revision + 1 })) {
      if (event.type === 'AuditSourceRegistered')
        known.sources.add((event.data as { sourceService: string }).sourceService);
      known.revision = Math.max(known.revision, event.revision);
    }
    if (known.revision >= 0) this.remember(stream, known);
    return known.sources.has(emitterId);
  }

  private remember(stream: string, known: KnownSources): void {
    this.known.delete(stream);
    this.known.set(stream, known);
    if (this.known.size > MAX_SYSTEMS) this.known.delete(this.known.keys().next().value!);
  }
}
