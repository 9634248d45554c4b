import type { Kysely } from 'kysely';
import type { MonitoringTables } from './monitoring-tables';

/** Every plan, in every tenant, that the ledger computes itself: what the monitoring worker works through. */
export function computedPlans(db: Kysely<MonitoringTables>) {
  return db
    .selectFrom('reg_monitoring_plans')
    .selectAll()
    .where('computation', 'is not', null)
    .orderBy('tenant_id')
    .orderBy('system_id')
    .orderBy('metric')
    .execute();
}

/** The end of the latest window computed for a metric, as the registry has seen it. */
export async function lastComputedWindow(
  db: Kysely<MonitoringTables>,
  tenant: string,
  systemId: string,
  metric: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom('reg_signals')
    .select((eb) => eb.fn.max('window_to').as('last'))
    .where('tenant_id', '=', tenant)
    .where('system_id', '=', systemId)
    .where('metric', '=', metric)
    .where('method', '=', 'computed')
    .executeTakeFirst();
  return row?.last ?? undefined;
}

/**
 * A system's computed signals whose window ends in [from, to), by metric,
 * then population (the whole first, then bands), then window: the series
 * `aiSystem.performance` shows.
 */
export function computedSignals(
  db: Kysely<MonitoringTables>,
  tenant: string,
  systemId: string,
  filter: { from?: string; to?: string; subgroup?: string },
) {
  let query = db
    .selectFrom('reg_signals')
    .selectAll()
    .where('tenant_id', '=', tenant)
    .where('system_id', '=', systemId)
    .where('method', '=', 'computed');
  if (filter.from) query = query.where('window_to', '>=', filter.from);
  if (filter.to) query = query.where('window_to', '<', filter.to);
  if (filter.subgroup !== undefined) query = query.where('subgroup', '=', filter.subgroup);
  return query.orderBy('metric').orderBy('subgroup').orderBy('window_to').execute();
}
