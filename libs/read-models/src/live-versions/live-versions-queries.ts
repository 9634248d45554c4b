import type { Kysely } from 'kysely';
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
