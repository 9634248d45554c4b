import { Inject, Injectable } from '@nestjs/common';
import { EventStoreError, type EventStore, type NewEvent } from '@ledger/event-store';
import { streamNames, tenantStream } from '@ledger/domain';
import { ProblemError } from '../errors/problem';
import { Pseudonymiser } from '../privacy/pseudonymiser';
import type { Caller } from '../request-context/caller';
import { EVENT_STORE } from '../store/event-store.module';
import { withSpan } from '../tracing/with-span';
import { toIngestedEvent, type ItemProblem } from './ingest-item';

export type ItemResult =
  | { index: number; eventId: string; status: 'accepted' | 'duplicate'; revision: number; position: string }
  | {
      index: number;
      eventId?: string;
      status: 'rejected';
      error: { code: string; field?: string; message: string; problems?: ItemProblem[] };
    };

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: ItemResult[];
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * Batch ingest: each item is validated on its own and answered on its own.
 * Valid items of one batch share one stream (the emitter's) and are appended
 * in one atomic append, so a batch never half-applies within a stream.
 */
@Injectable()
export class IngestService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly pseudonymiser: Pseudonymiser,
  ) {}

  async ingest(items: unknown[], caller: Caller, correlationId: string | undefined): Promise<IngestResult> {
    if (!ID.test(caller.id))
      throw new ProblemError({
        status: 400,
        code: 'VALIDATION_FAILED',
        field: 'sub',
        message: "the emitting service's id (its token's sub) must be 1-128 letters, digits or . _ : -",
      });
    const results: ItemResult[] = [];
    const valid: Array<{ index: number; event: NewEvent }> = [];
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const { event, problems } = toIngestedEvent(item, caller, correlationId, this.pseudonymiser);
      if (!event)
        return results.push({
          index,
          eventId: eventIdOf(item),
          status: 'rejected',
          error: { ...problems[0], message: problems.map((p) => p.message).join('; '), problems },
        });
      if (seen.has(event.eventId))
        return results.push({
          index,
          eventId: event.eventId,
          status: 'rejected',
          error: {
            code: 'VALIDATION_FAILED',
            field: 'eventId',
            message: 'eventId repeats an earlier item of this batch',
          },
        });
      seen.add(event.eventId);
      valid.push({ index, event });
    });
    const stream = tenantStream(caller.tenantId, streamNames.dataAccess(caller.id));
    results.push(
      ...(await withSpan('ingest batch', () => this.appendAll(stream, valid), {
        'ledger.stream': stream,
        'ledger.items': items.length,
      })),
    );
    results.sort((a, b) => a.index - b.index);
    return {
      accepted: results.filter((r) => r.status === 'accepted').length,
      duplicates: results.filter((r) => r.status === 'duplicate').length,
      rejected: results.filter((r) => r.status === 'rejected').length,
      results,
    };
  }

  /**
   * Items already stored are answered one by one by the store itself (a
   * duplicate, or EVENT_ID_REUSED when the content differs); the new ones go
   * in one append.
   */
  private async appendAll(
    stream: string,
    items: Array<{ index: number; event: NewEvent }>,
  ): Promise<ItemResult[]> {
    if (items.length === 0) return [];
    const stored = new Set(
      (await this.store.findByEventIds(items.map((i) => i.event.eventId))).map((e) => e.eventId),
    );
    const results: ItemResult[] = [];
    for (const { index, event } of items.filter((i) => stored.has(i.event.eventId)))
      results.push(await this.appendOne(stream, index, event));
    const fresh = items.filter((i) => !stored.has(i.event.eventId));
    if (fresh.length === 0) return results;
    try {
      const appended = await this.store.append(
        stream,
        fresh.map((i) => i.event),
        'any',
      );
      return results.concat(
        appended.events.map((e, k) => ({
          index: fresh[k].index,
          eventId: e.eventId,
          status: 'accepted' as const,
          revision: e.revision,
          position: e.position.toString(),
        })),
      );
    } catch (error) {
      // Another request stored one of these ids meanwhile: answer each item on its own.
      if (!(error instanceof EventStoreError && error.code === 'EVENT_ID_REUSED')) throw error;
      for (const { index, event } of fresh) results.push(await this.appendOne(stream, index, event));
      return results;
    }
  }

  private async appendOne(stream: string, index: number, event: NewEvent): Promise<ItemResult> {
    try {
      const { duplicate, events } = await this.store.append(stream, [event], 'any');
      return {
        index,
        eventId: event.eventId,
        status: duplicate ? 'duplicate' : 'accepted',
        revision: events[0].revision,
        position: events[0].position.toString(),
      };
    } catch (error) {
      if (!(error instanceof EventStoreError && error.code === 'EVENT_ID_REUSED')) throw error;
      return {
        index,
        eventId: event.eventId,
        status: 'rejected',
        error: { code: error.code, field: 'eventId', message: error.message },
      };
    }
  }
}

function eventIdOf(item: unknown): string | undefined {
  const id = (item as { eventId?: unknown } | null)?.eventId;
  return typeof id === 'string' && id.length <= 64 ? id : undefined;
}
