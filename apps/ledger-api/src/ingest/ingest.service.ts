import { Inject, Injectable } from '@nestjs/common';
import { EventStoreError, type EventStore, type NewEvent, type StoredEvent } from '@ledger/event-store';
import {
  EVENT_SCHEMAS,
  flagOutput,
  streamOf,
  tenantEventId,
  tenantStream,
  type ClinicalUseEventOf,
  type DomainEvent,
  type OutputFinding,
} from '@ledger/domain';
import { instantRange, LedgerConfig } from '@ledger/runtime';
import type { AuditEvent } from '@medplum/fhirtypes';
import { ProblemError } from '../errors/problem';
import { Pseudonymiser } from '../privacy/pseudonymiser';
import type { Caller } from '../request-context/caller';
import { EVENT_STORE } from '../store/event-store.module';
import { withSpan } from '../tracing/with-span';
import { AuditSources } from './audit-sources';
import { toIngestedEvent, type ItemProblem } from './ingest-item';
import { RegistryHistories } from './registry-histories';

export type ItemResult =
  | {
      index: number;
      /** The emitter's own id for the item, as it sent it. */
      eventId: string;
      /** The ledger's id for the stored event (derived from the tenant and eventId): what proofs and exports name. */
      ledgerEventId: string;
      status: 'accepted' | 'duplicate';
      revision: number;
      position: string;
      /** An output only: what the ledger found it contradicts in the registry, each stored as an AiOutputFlagged. */
      findings?: OutputFinding[];
    }
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

export interface IngestOptions {
  /**
   * All or nothing (a FHIR transaction): when any item is refused, none is
   * stored, and the items refused for nothing of their own are answered
   * NOT_STORED. A resend of a stored whole is acknowledged as duplicates.
   */
  atomic?: boolean;
  /** The AuditEvent each item was mapped from, by index: the FHIR route's, never a caller's, so only it can keep one. */
  originals?: readonly AuditEvent[];
}

/** An item that passed every check: the event to store, and the emitter's own id for it. */
interface ValidItem {
  index: number;
  emitterEventId: string;
  event: NewEvent;
  stream: string;
  /** An output's findings, each appended right after it; undefined for anything but an output. */
  flags?: Array<{ finding: OutputFinding; event: NewEvent }>;
}

type Rejection = Extract<ItemResult, { status: 'rejected' }>;

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * Batch ingest: each item is validated on its own and answered on its own.
 * Valid items go to the emitter's own streams (data access, clinical use);
 * each stream's items are appended in one atomic append, so a batch never
 * half-applies within a stream. An output is checked against its system's
 * registry as it is stored, and what it contradicts is appended right after it.
 *
 * Idempotency is per tenant: an emitter's eventId is stored under an id
 * derived from it and the tenant (tenantEventId), so tenants cannot collide,
 * block or probe each other's ids.
 */
@Injectable()
export class IngestService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly pseudonymiser: Pseudonymiser,
    private readonly auditSources: AuditSources,
    private readonly registries: RegistryHistories,
    private readonly config: LedgerConfig,
  ) {}

  async ingest(
    items: unknown[],
    caller: Caller,
    correlationId: string | undefined,
    { atomic = false, originals }: IngestOptions = {},
  ): Promise<IngestResult> {
    if (!ID.test(caller.id))
      throw new ProblemError({
        status: 400,
        code: 'VALIDATION_FAILED',
        field: 'sub',
        message: "the emitting service's id (its token's sub) must be 1-128 letters, digits or . _ : -",
      });
    const dates = instantRange(this.config);
    const results: ItemResult[] = [];
    const checked: ValidItem[] = [];
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const { event, problems } = toIngestedEvent(
        item,
        caller,
        correlationId,
        this.pseudonymiser,
        dates,
        originals?.[index],
      );
      if (!event)
        return results.push({
          index,
          eventId: eventIdOf(item),
          status: 'rejected',
          error: { ...problems[0], message: problems.map((p) => p.message).join('; '), problems },
        });
      if (seen.has(event.eventId))
        return results.push(
          rejected(
            index,
            event.eventId,
            'VALIDATION_FAILED',
            'eventId repeats an earlier item of this batch',
          ),
        );
      seen.add(event.eventId);
      checked.push({
        index,
        emitterEventId: event.eventId,
        // The item's data names its emitter (sourceService is the caller's own id), and so its stream.
        stream: tenantStream(caller.tenantId, streamOf(event as DomainEvent)),
        event: {
          ...event,
          eventId: tenantEventId(caller.tenantId, event.eventId),
          metadata: { ...event.metadata, emitterEventId: event.eventId },
        },
      });
    });
    const streams = [...new Set(checked.map((v) => v.stream))];
    if (atomic && streams.length > 1)
      throw new ProblemError({
        status: 400,
        code: 'VALIDATION_FAILED',
        field: 'events',
        message: `an all-or-nothing request is stored in one append, so all its items must be of one kind: data access, or clinical use (outputs, responses, outcomes); this one mixes ${streams.length} streams. Send them as separate requests`,
      });
    const refused = await this.notAuditSource(checked, caller);
    results.push(...refused);
    const valid = await this.withFindings(
      checked.filter((v) => !refused.some((r) => r.index === v.index)),
      caller,
    );
    if (atomic && results.length > 0) results.push(...valid.map(notStored));
    else
      for (const stream of streams) {
        const ofStream = valid.filter((v) => v.stream === stream);
        results.push(
          ...(await withSpan(
            'ingest batch',
            () =>
              atomic ? this.appendWhole(stream, caller, ofStream) : this.appendAll(stream, caller, ofStream),
            { 'ledger.stream': stream, 'ledger.items': ofStream.length },
          )),
        );
      }
    results.sort((a, b) => a.index - b.index);
    return {
      accepted: results.filter((r) => r.status === 'accepted').length,
      duplicates: results.filter((r) => r.status === 'duplicate').length,
      rejected: results.filter((r) => r.status === 'rejected').length,
      results,
    };
  }

  /**
   * An item may name an AI system only if its emitter is one of the system's
   * registered audit sources: otherwise any emitter could put accesses,
   * outputs, responses or outcomes on any system's record. Each system of the
   * batch is looked up once.
   */
  private async notAuditSource(items: ValidItem[], caller: Caller): Promise<Rejection[]> {
    const systemOf = (v: ValidItem) => (v.event.data as { systemId?: string }).systemId;
    const systems = [...new Set(items.map(systemOf).filter((s): s is string => s !== undefined))];
    const allowed = new Map(
      await Promise.all(
        systems.map(
          async (s) => [s, await this.auditSources.isSource(caller.tenantId, s, caller.id)] as const,
        ),
      ),
    );
    return items.flatMap((v) => {
      const systemId = systemOf(v);
      if (systemId === undefined || allowed.get(systemId)) return [];
      return [
        {
          index: v.index,
          eventId: v.emitterEventId,
          status: 'rejected' as const,
          error: {
            code: 'NOT_AUDIT_SOURCE',
            field: 'data.systemId',
            message:
              v.event.type === 'DataAccessed'
                ? `${caller.id} is not a registered audit source of AI system ${systemId}, so it may not report data access on its behalf; the system's governance registers its audit sources (registerAuditSource), or leave data.systemId out`
                : `${caller.id} is not a registered audit source of AI system ${systemId}, so it may not report its ${v.event.type} events; the system's governance registers its audit sources (registerAuditSource)`,
          },
        },
      ];
    });
  }

  /**
   * Checks each output against its system's registry at the output's own
   * occurredAt and as it arrives (each system of the batch read once, from its own stream) and
   * attaches what it contradicts. The flag is the ledger's own event: its id
   * derives from the output's, and its time is the output's, so a resend
   * builds the same flag and is acknowledged as its duplicate.
   */
  private async withFindings(items: ValidItem[], caller: Caller): Promise<ValidItem[]> {
    const outputs = items.filter((v) => v.event.type === 'AiOutputProduced');
    const systems = [...new Set(outputs.map((v) => (v.event.data as { systemId: string }).systemId))];
    const histories = new Map(
      await Promise.all(systems.map(async (s) => [s, await this.registries.of(caller.tenantId, s)] as const)),
    );
    const receivedAt = new Date().toISOString();
    return items.map((item) => {
      if (item.event.type !== 'AiOutputProduced') return item;
      const data = item.event.data as ClinicalUseEventOf<'AiOutputProduced'>['data'];
      const flag = flagOutput(
        { data, occurredAt: item.event.metadata.occurredAt, outputEventId: item.event.eventId },
        histories.get(data.systemId)!,
        receivedAt,
      );
      if (!flag) return { ...item, flags: [] };
      const { metadata } = item.event;
      return {
        ...item,
        flags: [
          {
            finding: flag.event.data.finding,
            event: {
              eventId: flag.eventId,
              type: flag.event.type,
              schemaVersion: EVENT_SCHEMAS.AiOutputFlagged.version,
              data: flag.event.data,
              metadata: {
                tenantId: metadata.tenantId,
                actor: metadata.actor,
                source: FLAG_SOURCE,
                occurredAt: metadata.occurredAt,
                correlationId: metadata.correlationId,
                causationId: item.event.eventId,
              },
            },
          },
        ],
      };
    });
  }

  /**
   * Items already stored are answered one by one by the store itself (a
   * duplicate, or EVENT_ID_REUSED when the content differs); the new ones go
   * in one append.
   */
  private async appendAll(stream: string, caller: Caller, items: ValidItem[]): Promise<ItemResult[]> {
    if (items.length === 0) return [];
    const { resolved, stored } = await this.resolveStored(items, caller);
    const results: ItemResult[] = [];
    for (const item of resolved.filter((i) => stored.has(i.event.eventId)))
      results.push(await this.appendOne(stream, item));
    const fresh = resolved.filter((i) => !stored.has(i.event.eventId));
    if (fresh.length === 0) return results;
    try {
      const appended = await this.store.append(stream, fresh.flatMap(eventsOf), 'any');
      return results.concat(answeredAll(fresh, appended.events, 'accepted'));
    } catch (error) {
      // Another request stored one of these ids meanwhile: answer each item on its own.
      if (!isReused(error)) throw error;
      for (const item of fresh) results.push(await this.appendOne(stream, item));
      return results;
    }
  }

  /** All items in one append: stored together, acknowledged together as a resend, or refused together. */
  private async appendWhole(stream: string, caller: Caller, items: ValidItem[]): Promise<ItemResult[]> {
    if (items.length === 0) return [];
    const { resolved } = await this.resolveStored(items, caller);
    try {
      const appended = await this.store.append(stream, resolved.flatMap(eventsOf), 'any');
      return answeredAll(resolved, appended.events, appended.duplicate ? 'duplicate' : 'accepted');
    } catch (error) {
      if (!isReused(error)) throw error;
      const culprit = resolved.find((i) => i.event.eventId === error.details.eventId) ?? resolved[0];
      return resolved.map((item) =>
        item === culprit
          ? rejected(
              item.index,
              item.emitterEventId,
              'EVENT_ID_REUSED',
              `eventId ${item.emitterEventId} is already stored, with other content or without the other items of this request; all of them are stored together or not at all, so resend the request exactly, or use new eventIds`,
            )
          : notStored(item),
      );
    }
  }

  /**
   * Which items the store already holds, for the caller's tenant only. An
   * event stored before ids were derived per tenant carries the emitter's id
   * as its eventId and no emitterEventId; a resend of it must still be its
   * duplicate, so such an item is matched in the form it was stored in. A
   * stored output keeps only the flags stored with it: the registry may have
   * learnt more since, but an output is checked once, as it is first stored.
   */
  private async resolveStored(
    items: ValidItem[],
    caller: Caller,
  ): Promise<{ resolved: ValidItem[]; stored: Set<string> }> {
    const found = new Map<string, StoredEvent>(
      (
        await this.store.findByEventIds(
          items.flatMap((i) => [i.emitterEventId, ...eventsOf(i).map((e) => e.eventId)]),
        )
      ).map((e) => [e.eventId, e]),
    );
    const resolved = items.map((item) => {
      const legacy = found.get(item.emitterEventId);
      if (found.has(item.event.eventId))
        return { ...item, flags: item.flags?.filter((f) => found.has(f.event.eventId)) };
      if (legacy?.metadata.tenantId !== caller.tenantId || legacy.metadata.emitterEventId !== undefined)
        return item;
      const { emitterEventId: _, ...metadata } = item.event.metadata;
      return { ...item, event: { ...item.event, eventId: item.emitterEventId, metadata } };
    });
    return { resolved, stored: new Set(resolved.map((i) => i.event.eventId).filter((id) => found.has(id))) };
  }

  private async appendOne(stream: string, item: ValidItem): Promise<ItemResult> {
    try {
      const { duplicate, events } = await this.store.append(stream, eventsOf(item), 'any');
      return answered(item, events[0], duplicate ? 'duplicate' : 'accepted');
    } catch (error) {
      if (!isReused(error)) throw error;
      // The store's own message names its derived id; the emitter knows the event by its own.
      return rejected(
        item.index,
        item.emitterEventId,
        'EVENT_ID_REUSED',
        `eventId ${item.emitterEventId} is already stored with different content; use a new eventId for a new event (resending the same item is safe)`,
      );
    }
  }
}

function isReused(error: unknown): error is EventStoreError {
  return error instanceof EventStoreError && error.code === 'EVENT_ID_REUSED';
}

/** An item's event and, for an output, its flags right after it: stored together or not at all. */
function eventsOf(item: ValidItem): NewEvent[] {
  return [item.event, ...(item.flags ?? []).map((f) => f.event)];
}

/** Each item answered by its own event, among the events of an append of `items.flatMap(eventsOf)`. */
function answeredAll(
  items: ValidItem[],
  appended: Array<{ eventId: string; revision: number; position: bigint }>,
  status: 'accepted' | 'duplicate',
): ItemResult[] {
  let k = 0;
  return items.map((item) => {
    const result = answered(item, appended[k], status);
    k += eventsOf(item).length;
    return result;
  });
}

function answered(
  item: ValidItem,
  appended: { eventId: string; revision: number; position: bigint },
  status: 'accepted' | 'duplicate',
): ItemResult {
  return {
    index: item.index,
    eventId: item.emitterEventId,
    ledgerEventId: appended.eventId,
    status,
    revision: appended.revision,
    position: appended.position.toString(),
    ...(item.flags ? { findings: item.flags.map((f) => f.finding) } : {}),
  };
}

/** The ledger raised the flag, at ingest; the emitter stays its actor, since its output caused it. */
const FLAG_SOURCE = 'ledger-api/output-check';

function rejected(index: number, eventId: string | undefined, code: string, message: string): Rejection {
  return { index, eventId, status: 'rejected', error: { code, field: 'eventId', message } };
}

function notStored(item: ValidItem): Rejection {
  return {
    index: item.index,
    eventId: item.emitterEventId,
    status: 'rejected',
    error: {
      code: 'NOT_STORED',
      message: 'valid, but not stored: another item of this all-or-nothing request was refused',
    },
  };
}

function eventIdOf(item: unknown): string | undefined {
  const id = (item as { eventId?: unknown } | null)?.eventId;
  return typeof id === 'string' && id.length <= 64 ? id : undefined;
}
