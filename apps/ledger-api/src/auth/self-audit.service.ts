import { Inject, Injectable, Logger } from '@nestjs/common';
import type { EventStore } from '@ledger/event-store';
import { randomUUID } from 'node:crypto';
import {
  EVENT_SCHEMAS,
  recordAccessDenied,
  recordPatientLookup,
  streamNames,
  tenantStream,
} from '@ledger/domain';
import type { Caller } from '../request-context/caller';
import { EVENT_STORE } from '../store/event-store.module';

/** Requests refused before a tenant is known are recorded under this pseudo-tenant. */
export const UNAUTHENTICATED_TENANT = 'unauthenticated';

/**
 * The ledger records its own sensitive use as ledger events: every refused
 * request and every lookup by patient. Recording never blocks the answer to
 * the caller; a failure to record is logged for operators.
 */
@Injectable()
export class SelfAuditService {
  private readonly logger = new Logger('SelfAudit');

  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async accessDenied(details: {
    caller?: Caller;
    operation: string;
    reason: string;
    status: number;
  }): Promise<void> {
    const { caller, operation, reason, status } = details;
    const event = recordAccessDenied({
      ...(caller ? { principal: caller.id, role: caller.role } : {}),
      operation,
      reason,
      status,
    });
    await this.append(caller?.tenantId ?? UNAUTHENTICATED_TENANT, caller, event);
  }

  async patientLookup(caller: Caller, patientPseudonym: string, operation: string): Promise<void> {
    await this.append(
      caller.tenantId,
      caller,
      recordPatientLookup({ actor: caller.id, role: caller.role, patientPseudonym, operation }),
    );
  }

  private async append(
    tenantId: string,
    caller: Caller | undefined,
    event: { type: keyof typeof EVENT_SCHEMAS; data: object },
  ): Promise<void> {
    const eventId = randomUUID();
    try {
      await this.store.append(
        tenantStream(tenantId, streamNames.ledgerSelfAudit()),
        [
          {
            eventId,
            type: event.type,
            schemaVersion: EVENT_SCHEMAS[event.type].version,
            data: event.data,
            metadata: {
              tenantId,
              actor: { id: caller?.id ?? 'anonymous', role: caller?.role ?? 'none' },
              source: 'ledger-api/self-audit',
              occurredAt: new Date().toISOString(),
              correlationId: eventId,
              causationId: eventId,
              purposeOfUse: 'AUDIT',
            },
          },
        ],
        'any',
      );
    } catch (error) {
      this.logger.error({ msg: 'could not record a self-audit event', type: event.type, err: error });
    }
  }
}
