import type { Kysely } from 'kysely';
import type { SystemsTables } from '../systems/systems-tables';
import type { LiveVersionsTables } from './live-versions-tables';

/** The version serving patients at `at` (null while suspended or retired), with the event that made it so. */
export async function liveVersionAt(
  db: Kysely<LiveVersionsTables>,
  tenant: string,
  systemId: string,
  at: string,
) {
  return db
    .selectFrom('reg_live_versions')
    .selectAll()
    .where('tenant_id', '=', tenant)
    .where('system_id', '=', systemId)
    .where('from_at', '<=', at)
    .orderBy('from_at', 'desc')
    .orderBy('position', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * Whether the tenant has the system (undefined if not) and the version serving
 * patients at `at` (null while none does), in one statement: `accountability`
 * asks both on every request, and each statement is a query built, sent and read.
 */
export async function systemLiveVersionAt(
  db: Kysely<SystemsTables & LiveVersionsTables>,
  tenant: string,
  systemId: string,
  at: string,
) {
  return db
    .selectFrom('reg_systems as s')
    .select((eb) =>
      eb
        .selectFrom('reg_live_versions as l')
        .select('l.version')
        .whereRef('l.tenant_id', '=', 's.tenant_id')
        .whereRef('l.system_id', '=', 's.system_id')
        .where('l.from_at', '<=', at)
        .orderBy('l.from_at', 'desc')
        .orderBy('l.position', 'desc')
        .limit(1)
        .as('live_version'),
    )
    .where('s.tenant_id', '=', tenant)
    .where('s.system_id', '=', systemId)
    .executeTakeFirst();
}
