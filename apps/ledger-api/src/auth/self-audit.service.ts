import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EventStore, NewEvent } from '@ledger/event-store';
import { randomUUID } from 'node:crypto';
import {
  EVENT_SCHEMAS,
  recordAccessDenied,
  recordDataAccessExport,
  recordPatientLookup,
  streamNames,
  tenantStream,
} from '@ledger/domain';
import { LedgerConfig } from '@ledger/runtime';
import type { Caller } from '../request-context/caller';
import { EVENT_STORE } from '../store/event-store.module';
import { MINUTE_MS, RefusalTally, type RefusalCount } from './refusal-tally';

/** Requests refused before a tenant is known are recorded under this pseudo-tenant. */
export const UNAUTHENTICATED_TENANT = 'unauthenticated';

/**
 * The ledger records its own sensitive use as ledger events: refused requests,
 * every lookup by patient and every CSV export of data access. Refusals are counted in memory and written once
 * a minute, one AccessDenied per caller, operation, status and reason with its
 * count, so a flood of refused requests costs a few events, not one each; what
 * is counted when the service stops is written as it closes. Recording never
 * blocks the answer to the caller; a failure to record is logged for operators.
 */
@Injectable()
export class SelfAuditService {
  private readonly logger = new Logger('SelfAudit');
  private tally?: RefusalTally;
  private timer?: NodeJS.Timeout;
  private readonly writing = new Set<Promise<void>>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly config: LedgerConfig,
  ) {}

  /** Counts one refused request; `address` names the client when no verified token named the caller. */
  accessDenied(details: {
    caller?: Caller;
    address?: string;
    operation: string;
    reason: string;
    status: number;
  }): void {
    const { caller, address, operation, reason, status } = details;
    const now = Date.now();
    const minute = RefusalTally.minuteOf(now);
    if (this.tally?.minute !== minute) {
      this.write(this.tally);
      this.tally = new RefusalTally(minute, this.config.LEDGER_REFUSAL_TALLIES_PER_MINUTE);
      clearTimeout(this.timer);
      // A quiet next minute still gets this one's events written, soon after it ends.
      this.timer = setTimeout(() => this.flush(), (minute + 1) * MINUTE_MS - now).unref();
    }
    this.tally.add(
      caller
        ? { tenantId: caller.tenantId, principal: caller.id, role: caller.role, operation, reason, status }
        : // An address comes from the socket, or from X-Forwarded-For through a trusted proxy; never longer than the event allows.
          { tenantId: UNAUTHENTICATED_TENANT, address: address?.slice(0, 64), operation, reason, status },
      now,
    );
  }

  /** Writes every refusal counted so far, and waits for writes already under way: at shutdown, nothing counted is lost. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.write(this.tally);
    this.tally = undefined;
    await Promise.all(this.writing);
  }

  async patientLookup(caller: Caller, patientPseudonym: string, operation: string): Promise<void> {
    const event = recordPatientLookup({ actor: caller.id, role: caller.role, patientPseudonym, operation });
    await this.append(caller.tenantId, [selfAuditEvent(event, caller.tenantId, caller, new Date())]);
  }

  /**
   * Records a CSV export of data access and returns the event's id. Unlike the
   * other records this one is awaited and its failure is the caller's: the CSV
   * is handed out only once its export is in the ledger.
   */
  async dataAccessExport(
    caller: Caller,
    details: Omit<Parameters<typeof recordDataAccessExport>[0], 'actor' | 'role'>,
  ): Promise<string> {
    const event = selfAuditEvent(
      recordDataAccessExport({ actor: caller.id, role: caller.role, ...details }),
      caller.tenantId,
      caller,
      new Date(),
    );
    await this.store.append(selfAuditStream(caller.tenantId), [event], 'any');
    return event.eventId;
  }

  private write(tally: RefusalTally | undefined): void {
    if (!tally || tally.size === 0) return;
    const byTenant = new Map<string, RefusalCount[]>();
    for (const count of tally.entries())
      byTenant.set(count.tenantId, [...(byTenant.get(count.tenantId) ?? []), count]);
    for (const [tenantId, counts] of byTenant) {
      const events = counts.map((c) =>
        selfAuditEvent(
          recordAccessDenied({
            ...(c.principal ? { principal: c.principal, role: c.role } : {}),
            ...(c.address ? { address: c.address } : {}),
            operation: c.operation,
            reason: c.reason,
            status: c.status,
            count: c.count,
            firstAt: new Date(c.firstAt).toISOString(),
            lastAt: new Date(c.lastAt).toISOString(),
          }),
          tenantId,
          c.principal ? { id: c.principal, role: c.role ?? 'none' } : undefined,
          new Date(c.lastAt),
        ),
      );
      const writing = this.append(tenantId, events).finally(() => this.writing.delete(writing));
      this.writing.add(writing);
    }
  }

  private async append(tenantId: string, events: NewEvent[]): Promise<void> {
    try {
      await this.store.append(selfAuditStream(tenantId), events, 'any');
    } catch (error) {
      this.logger.error({
        msg: 'could not record self-audit events',
        types: [...new Set(events.map((e) => e.type))],
        err: error,
      });
    }
  }
}

const selfAuditStream = (tenantId: string) => tenantStream(tenantId, streamNames.ledgerSelfAudit());

function selfAuditEvent(
  event: { type: keyof typeof EVENT_SCHEMAS; data: object },
  tenantId: string,
  actor: { id: string; role: string } | undefined,
  occurredAt: Date,
): NewEvent {
  const eventId = randomUUID();
  return {
    eventId,
    type: event.type,
    schemaVersion: EVENT_SCHEMAS[event.type].version,
    data: event.data,
    metadata: {
      tenantId,
      actor: { id: actor?.id ?? 'anonymous', role: actor?.role ?? 'none' },
      source: 'ledger-api/self-audit',
      occurredAt: occurredAt.toISOString(),
      correlationId: eventId,
      causationId: eventId,
      purposeOfUse: 'AUDIT',
    },
  };
}
