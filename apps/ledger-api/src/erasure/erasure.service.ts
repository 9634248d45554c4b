import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import {
  blockingHolds,
  decideErasure,
  DomainError,
  ERASURE_EVENTS,
  findErasures,
  streamNames,
  tenantStream,
  type ErasureEvent,
  type ErasureSubject,
  type FoundErasure,
} from '@ledger/domain';
import type { EventStore, ValueErasure } from '@ledger/event-store';
import { PROJECTIONS, rebuildProjection, timelineProjection, type TimelineTables } from '@ledger/read-models';
import type { CheckpointTables, ReadStore } from '@ledger/read-store';
import { ProblemError } from '../errors/problem';
import { Pseudonymiser } from '../privacy/pseudonymiser';
import { READ_STORE } from '../read-models/read-store.module';
import type { Caller } from '../request-context/caller';
import { EVENT_STORE } from '../store/event-store.module';
import { legalHoldsOf } from '@ledger/runtime';

export interface ErasureRequest {
  subject: { personId?: string; patientId?: string };
  legalBasis: string;
  requestedBy: string;
  rationale: string;
  alsoFreeTextOf?: string[];
}

export interface ErasureReceipt {
  erasureId: string;
  subjectDigest: string;
  eventsErased: number;
  valuesErased: number;
  /** The ErasureRecorded events: the decision and the evidence of what was erased. */
  recorded: Array<{ eventId: string; position: string; systemId: string | null }>;
  /** The read models rebuilt before answering, so every query already shows ERASED. */
  projectionsRebuilt: string[];
}

/**
 * Erasure of a person's or a patient's values, keeping every hash. In order:
 * finish any recorded erasure a crash interrupted; find the values (reading
 * the log itself, so nothing recorded is missed); decide (role, self-erasure,
 * requester, legal holds); append ErasureRecorded, the durable decision; take
 * the values and their salts out of the store; rebuild the read models that
 * hold values (the timeline holds none), then answer. Erasures run one at a
 * time in this process: two rebuilds of one projection must not race. At
 * start, and before each erasure of a tenant, what a crash left recorded but
 * not erased is erased.
 */
@Injectable()
export class ErasureService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Erasure');
  private queue: Promise<unknown> = Promise.resolve();
  private stopping = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly pseudonymiser: Pseudonymiser,
  ) {}

  /** In the background, so that a long log does not hold the service's start; erasures wait behind it. */
  onApplicationBootstrap(): void {
    if (!this.store.eraseValues) return;
    this.queue = this.queue
      .then(() => this.finishAfterRestart())
      .catch((error: unknown) =>
        this.logger.error({
          msg: 'could not finish the recorded erasures at start; the next erasure of each tenant finishes them',
          error: error instanceof Error ? error.message : String(error),
        }),
      );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.queue;
  }

  /**
   * The tenants with recorded erasures: those the timeline has indexed, and
   * those in the part of the log it has not reached yet (all of it, on a
   * ledger whose timeline has never run).
   */
  private async finishAfterRestart(): Promise<void> {
    const db = this.readStore.db as Kysely<TimelineTables & CheckpointTables>;
    const tenants = new Set<string>();
    // Before the projections first run, neither table exists yet: the whole log is then read.
    const tables = new Set((await db.introspection.getTables()).map((t) => t.name));
    const indexed =
      tables.has('projection_checkpoints') && tables.has('tl_events')
        ? await db
            .selectFrom('projection_checkpoints')
            .select('position')
            .where('name', '=', timelineProjection.name)
            .executeTakeFirst()
        : undefined;
    if (indexed)
      for (const row of await db
        .selectFrom('tl_events')
        .select('tenant_id')
        .distinct()
        .where('type', '=', 'ErasureRecorded')
        .where('position', '<=', indexed.position)
        .execute())
        tenants.add(row.tenant_id);
    for await (const event of this.store.readAll({ after: BigInt(indexed?.position ?? '0') })) {
      if (this.stopping) return;
      if (event.type === 'ErasureRecorded') tenants.add(event.metadata.tenantId);
    }
    for (const tenantId of tenants) if (!this.stopping) await this.finishRecordedErasures(tenantId);
  }

  request(caller: Caller, request: ErasureRequest, correlationId: string): Promise<ErasureReceipt> {
    const run = this.queue.then(() => this.erase(caller, request, correlationId));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async erase(
    caller: Caller,
    request: ErasureRequest,
    correlationId: string,
  ): Promise<ErasureReceipt> {
    const { tenantId } = caller;
    if (!this.store.eraseValues)
      throw new ProblemError({
        status: 501,
        code: 'ERASURE_UNSUPPORTED',
        message: `the ${this.store.kind} store keeps every value inside its hashed events, so none can be erased; erasure needs LEDGER_STORE=sqlite or postgres`,
      });
    const { subject, digest } = this.subjectOf(tenantId, request.subject);
    await this.finishRecordedErasures(tenantId);

    const alsoFreeTextOf = new Set(request.alsoFreeTextOf ?? []);
    const found: FoundErasure[] = [];
    const named = new Set<string>();
    // One event at a time: the whole log is read, and only what is found is kept.
    for await (const event of this.store.readAll()) {
      if (event.metadata.tenantId !== tenantId) continue;
      if (alsoFreeTextOf.has(event.eventId)) named.add(event.eventId);
      if (event.sealed) found.push(...findErasures(subject, [event], alsoFreeTextOf));
    }
    const unknown = [...alsoFreeTextOf].filter((id) => !named.has(id));
    if (unknown.length > 0)
      throw new ProblemError({
        status: 404,
        code: 'NOT_FOUND',
        field: 'alsoFreeTextOf',
        message: `no event ${unknown.join(', ')} in this tenant; name the ids of recorded events whose free text names the subject`,
      });
    const systemIds = [...new Set(found.flatMap((f) => (f.systemId ? [f.systemId] : [])))].sort();

    const erasureId = randomUUID();
    const events = decideErasure({
      erasureId,
      subject,
      subjectDigest: digest,
      legalBasis: request.legalBasis,
      requestedBy: request.requestedBy,
      rationale: request.rationale,
      caller,
      found,
      blockingHolds: blockingHolds(
        await legalHoldsOf(this.store, tenantId),
        { subjectKind: subject.kind, subjectDigest: digest },
        systemIds,
      ).map((hold) => hold.holdId),
    });
    const now = new Date().toISOString();
    const appended = await this.store.append(
      tenantStream(tenantId, streamNames.erasures()),
      events.map((event) => ({
        eventId: randomUUID(),
        type: event.type,
        schemaVersion: ERASURE_EVENTS[event.type].version,
        data: event.data,
        metadata: {
          tenantId,
          actor: {
            id: caller.id,
            role: caller.role,
            ...(caller.onBehalfOf ? { onBehalfOf: caller.onBehalfOf } : {}),
          },
          source: 'ledger-api/graphql',
          occurredAt: now,
          correlationId,
          causationId: erasureId,
        },
      })),
      'any',
    );
    const valuesErased = await this.store.eraseValues(
      found.map(({ eventId, pointers }) => ({ eventId, pointers })),
    );
    const projectionsRebuilt = found.length > 0 ? await this.rebuildReadModels() : [];
    this.logger.log({
      msg: 'erasure recorded and applied',
      erasureId,
      events: found.length,
      values: valuesErased,
    });
    return {
      erasureId,
      subjectDigest: digest,
      eventsErased: found.length,
      valuesErased,
      recorded: appended.events.map((e, i) => ({
        eventId: e.eventId,
        position: e.position.toString(),
        systemId: events[i].data.systemId ?? null,
      })),
      projectionsRebuilt,
    };
  }

  private subjectOf(
    tenantId: string,
    given: ErasureRequest['subject'],
  ): { subject: ErasureSubject; digest: string } {
    const personId = given.personId?.trim() ? given.personId : undefined;
    const patientId = given.patientId?.trim() ? given.patientId : undefined;
    if (personId && !patientId)
      return {
        subject: { kind: 'PERSON', id: personId },
        digest: this.pseudonymiser.subjectDigest(tenantId, 'PERSON', personId),
      };
    if (patientId && !personId)
      return {
        subject: { kind: 'PATIENT', pseudonym: this.pseudonymiser.pseudonymise(tenantId, patientId) },
        digest: this.pseudonymiser.subjectDigest(tenantId, 'PATIENT', patientId),
      };
    throw new DomainError(
      'VALIDATION_FAILED',
      'subject must name exactly one of personId (a person as the identity provider names them) or patientId (the raw patient id; the ledger pseudonymises it)',
      'subject',
    );
  }

  /**
   * Takes out what recorded erasures listed and the store still holds: the
   * decision is appended before the values go, so a crash in between leaves
   * values that the next erasure of the tenant removes. Erasing an erased
   * value changes nothing, so this is safe to repeat.
   */
  private async finishRecordedErasures(tenantId: string): Promise<void> {
    const listed: ValueErasure[] = [];
    for await (const event of this.store.readStream(tenantStream(tenantId, streamNames.erasures())))
      if (event.type === 'ErasureRecorded') listed.push(...(event.data as ErasureEvent['data']).erased);
    if (listed.length === 0) return;
    const finished = await this.store.eraseValues!(listed);
    if (finished > 0) {
      this.logger.warn({ msg: 'finished an erasure a crash had interrupted', tenantId, values: finished });
      await this.rebuildReadModels();
    }
  }

  private async rebuildReadModels(): Promise<string[]> {
    const rebuilt: string[] = [];
    for (const definition of PROJECTIONS) {
      if (definition === timelineProjection) continue;
      await rebuildProjection(this.store, this.readStore, definition as never);
      rebuilt.push(definition.name);
    }
    return rebuilt;
  }
}
