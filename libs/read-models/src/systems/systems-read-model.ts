import { assertNever } from '@ledger/domain';
import type { Kysely } from 'kysely';
import { json, utc } from '../projection/projection';
import type { ProjectedEvent, ReadModel } from '../projection/read-model';
import { systemsMigrations, type SystemsTables } from './systems-tables';

const canHandle = [
  'AiSystemRegistered',
  'AiSystemStatusChanged',
  'ModelVersionDeployed',
  'TakedownDecided',
  'AiSystemReinstated',
] as const;

type Db = Kysely<SystemsTables>;

/**
 * Each system as registered, with its status and the version deployed now.
 * A registration inserts (a second time, nothing); every later change is an
 * update guarded by the row's last position, so a replay cannot undo a newer one.
 */
export const systemsReadModel: ReadModel<SystemsTables, (typeof canHandle)[number]> = {
  tables: ['reg_systems', 'reg_system_sites'],
  migrations: systemsMigrations,
  canHandle,
  async evolve(db, events) {
    for (const event of events) await evolveEvent(db, event);
  },
};

async function evolveEvent(db: Db, event: ProjectedEvent<(typeof canHandle)[number]>): Promise<void> {
  const tenant_id = event.metadata.tenantId;
  const position = event.position.toString();
  switch (event.type) {
    case 'AiSystemRegistered': {
      const d = event.data;
      await db
        .insertInto('reg_systems')
        .values({
          tenant_id,
          system_id: d.systemId,
          name: d.name,
          intended_use: d.intendedUse,
          clinical_domain: d.clinicalDomain,
          risk_class: d.riskClass,
          supplier: d.supplier,
          vendor_name: d.vendorName ?? null,
          sites: json(d.sites),
          status: 'proposed',
          deployed_version: null,
          registered_at: utc(event.metadata.occurredAt),
          registered_event_id: event.eventId,
          last_position: position,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      if (d.sites.length > 0)
        await db
          .insertInto('reg_system_sites')
          .values(d.sites.map((site) => ({ tenant_id, system_id: d.systemId, site })))
          .onConflict((oc) => oc.doNothing())
          .execute();
      return;
    }
    case 'AiSystemStatusChanged':
      return updateSystem(db, tenant_id, event.data.systemId, position, { status: event.data.to });
    case 'ModelVersionDeployed':
      return updateSystem(db, tenant_id, event.data.systemId, position, {
        deployed_version: event.data.version,
      });
    case 'TakedownDecided': {
      const { action, systemId, toVersion } = event.data;
      // A suspended system keeps its version (it returns on reinstatement); a rollback changes it; retirement ends it.
      if (action === 'suspend') return;
      return updateSystem(db, tenant_id, systemId, position, {
        deployed_version: action === 'rollback' ? (toVersion ?? null) : null,
      });
    }
    case 'AiSystemReinstated':
      return updateSystem(db, tenant_id, event.data.systemId, position, {
        deployed_version: event.data.version,
      });
    default:
      return assertNever(event);
  }
}

/** Updates a system row unless this event (or a later one) was already applied to it. */
async function updateSystem(
  db: Db,
  tenant: string,
  systemId: string,
  position: string,
  set: Partial<SystemsTables['reg_systems']>,
): Promise<void> {
  await db
    .updateTable('reg_systems')
    .set({ ...set, last_position: position })
    .where('tenant_id', '=', tenant)
    .where('system_id', '=', systemId)
    .where((eb) => eb(eb.cast('last_position', 'bigint'), '<', eb.cast(eb.val(position), 'bigint')))
    .execute();
}
