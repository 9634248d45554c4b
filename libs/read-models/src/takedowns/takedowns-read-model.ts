import { assertNever } from '@ledger/domain';
import type { Kysely } from 'kysely';
import { json, utc } from '../projection/projection';
import type { ProjectedEvent, ReadModel } from '../projection/read-model';
import { takedownsMigrations, type TakedownsTables } from './takedowns-tables';

const canHandle = ['TakedownDecided', 'TakedownRatified', 'AiSystemReinstated'] as const;

type Db = Kysely<TakedownsTables>;
type Decision = TakedownsTables['reg_decisions'];

/** A row per decision, inserted once; a ratification completes its emergency decision. */
export const takedownsReadModel: ReadModel<TakedownsTables, (typeof canHandle)[number]> = {
  tables: ['reg_decisions'],
  migrations: takedownsMigrations,
  canHandle,
  async evolve(db, events) {
    for (const event of events) await evolveEvent(db, event);
  },
};

async function evolveEvent(db: Db, event: ProjectedEvent<(typeof canHandle)[number]>): Promise<void> {
  switch (event.type) {
    case 'TakedownDecided': {
      const d = event.data;
      return insertDecision(db, event, {
        action: d.action,
        from_version: d.fromVersion ?? null,
        to_version: d.toVersion ?? null,
        emergency: d.emergency ? 1 : 0,
        ratification_due_by: d.ratificationDueBy ? utc(d.ratificationDueBy) : null,
      });
    }
    case 'AiSystemReinstated':
      return insertDecision(db, event, {
        action: 'reinstate',
        from_version: null,
        to_version: event.data.version,
        emergency: 0,
        ratification_due_by: null,
      });
    case 'TakedownRatified': {
      const d = event.data;
      await db
        .updateTable('reg_decisions')
        .set({ ratified_by: d.ratifiedBy, ratified_at: utc(d.ratifiedAt), ratified_event_id: event.eventId })
        .where('tenant_id', '=', event.metadata.tenantId)
        .where('system_id', '=', d.systemId)
        .where('decision_id', '=', d.decisionId)
        .execute();
      return;
    }
    default:
      return assertNever(event);
  }
}

/** What a takedown and a reinstatement record alike; `kind` is what sets them apart. */
async function insertDecision(
  db: Db,
  event: ProjectedEvent<'TakedownDecided' | 'AiSystemReinstated'>,
  kind: Pick<Decision, 'action' | 'from_version' | 'to_version' | 'emergency' | 'ratification_due_by'>,
): Promise<void> {
  const d = event.data;
  await db
    .insertInto('reg_decisions')
    .values({
      tenant_id: event.metadata.tenantId,
      system_id: d.systemId,
      decision_id: d.decisionId,
      ...kind,
      rationale: d.rationale,
      evidence: json(d.evidence),
      decided_by: d.decidedBy,
      decided_at: utc(d.decidedAt),
      ratified_by: null,
      ratified_at: null,
      event_id: event.eventId,
      ratified_event_id: null,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}
