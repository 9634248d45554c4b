import { assertNever } from '@ledger/domain';
import { utc } from '../projection/projection';
import type { ProjectedEvent, ReadModel } from '../projection/read-model';
import { liveVersionsMigrations, type LiveVersionsTables } from './live-versions-tables';

const canHandle = ['ModelVersionDeployed', 'TakedownDecided', 'AiSystemReinstated'] as const;

/**
 * One row per event that changed what serves patients, keyed by that event,
 * so a replay inserts nothing new.
 */
export const liveVersionsReadModel: ReadModel<LiveVersionsTables, (typeof canHandle)[number]> = {
  tables: ['reg_live_versions'],
  migrations: liveVersionsMigrations,
  canHandle,
  async evolve(db, events) {
    for (const event of events)
      await db
        .insertInto('reg_live_versions')
        .values(liveFrom(event))
        .onConflict((oc) => oc.doNothing())
        .execute();
  },
};

function liveFrom(
  event: ProjectedEvent<(typeof canHandle)[number]>,
): LiveVersionsTables['reg_live_versions'] {
  const row = {
    tenant_id: event.metadata.tenantId,
    position: event.position.toString(),
    event_id: event.eventId,
  };
  switch (event.type) {
    case 'ModelVersionDeployed': {
      const d = event.data;
      return {
        ...row,
        system_id: d.systemId,
        from_at: utc(d.deployedAt),
        version: d.version,
        cause: event.type,
      };
    }
    case 'TakedownDecided': {
      const d = event.data;
      return {
        ...row,
        system_id: d.systemId,
        from_at: utc(d.decidedAt),
        version: d.action === 'rollback' ? (d.toVersion ?? null) : null,
        cause: `${event.type}:${d.action}`,
      };
    }
    case 'AiSystemReinstated': {
      const d = event.data;
      return {
        ...row,
        system_id: d.systemId,
        from_at: utc(d.decidedAt),
        version: d.version,
        cause: event.type,
      };
    }
    default:
      return assertNever(event);
  }
}
