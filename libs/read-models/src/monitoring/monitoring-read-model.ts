import { assertNever } from '@ledger/domain';
import type { Kysely } from 'kysely';
import { utc } from '../projection/projection';
import type { ProjectedEvent, ReadModel } from '../projection/read-model';
import { monitoringMigrations, type MonitoringTables } from './monitoring-tables';

const canHandle = [
  'MonitoringPlanned',
  'MonitoringSourceRegistered',
  'MonitoringSignalRecorded',
  'MonitoringSignalComputed',
  'MonitoringThresholdBreached',
] as const;

/**
 * A plan per metric, replaced by the next plan for that metric; a row per
 * registered source; a row per signal; a breach marks its signal once.
 */
export const monitoringReadModel: ReadModel<MonitoringTables, (typeof canHandle)[number]> = {
  tables: ['reg_monitoring_plans', 'reg_monitoring_sources', 'reg_signals'],
  migrations: monitoringMigrations,
  canHandle,
  async evolve(db, events) {
    for (const event of events) await evolveEvent(db, event);
  },
};

async function evolveEvent(
  db: Kysely<MonitoringTables>,
  event: ProjectedEvent<(typeof canHandle)[number]>,
): Promise<void> {
  const tenant_id = event.metadata.tenantId;
  const event_id = event.eventId;
  switch (event.type) {
    case 'MonitoringPlanned': {
      const d = event.data;
      const planned_at = utc(event.metadata.occurredAt);
      const computation = d.computation ? JSON.stringify(d.computation) : null;
      await db
        .insertInto('reg_monitoring_plans')
        .values({
          tenant_id,
          system_id: d.systemId,
          metric: d.metric,
          threshold: d.threshold,
          direction: d.direction,
          cadence: d.cadence,
          computation,
          planned_at,
          event_id,
        })
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'system_id', 'metric']).doUpdateSet({
            threshold: d.threshold,
            direction: d.direction,
            cadence: d.cadence,
            computation,
            planned_at,
            event_id,
          }),
        )
        .execute();
      return;
    }
    case 'MonitoringSourceRegistered': {
      const d = event.data;
      await db
        .insertInto('reg_monitoring_sources')
        .values({
          tenant_id,
          system_id: d.systemId,
          service_id: d.serviceId,
          registered_by: d.registeredBy,
          registered_at: utc(event.metadata.occurredAt),
          event_id,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'MonitoringSignalRecorded':
    case 'MonitoringSignalComputed': {
      // A hand-typed signal and a computed one share the row; only a computed one has n and a window.
      const d = event.data;
      const computed = event.type === 'MonitoringSignalComputed' ? event.data : undefined;
      await db
        .insertInto('reg_signals')
        .values({
          event_id,
          tenant_id,
          system_id: d.systemId,
          position: event.position.toString(),
          kind: d.kind,
          metric: d.metric,
          value: d.value,
          subgroup: d.subgroup ?? null,
          observed_at: utc(d.observedAt),
          version: d.version ?? null,
          breached: 0,
          breach_event_id: null,
          method: computed ? 'computed' : 'manual',
          n: computed?.n ?? null,
          window_from: computed ? utc(computed.window.from) : null,
          window_to: computed ? utc(computed.window.to) : null,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'MonitoringThresholdBreached': {
      // The breach follows its signal in the same append and marks that signal only: an overall signal
      // and a subgroup's for the same metric and instant are two signals, and only the breaching one is.
      const d = event.data;
      await db
        .updateTable('reg_signals')
        .set({ breached: 1, breach_event_id: event_id })
        .where('tenant_id', '=', tenant_id)
        .where('system_id', '=', d.systemId)
        .where('kind', '=', d.kind)
        .where('metric', '=', d.metric)
        .where('subgroup', d.subgroup === undefined ? 'is' : '=', d.subgroup ?? null)
        .where('value', '=', d.value)
        .where('observed_at', '=', utc(d.observedAt))
        .where('breach_event_id', 'is', null)
        .execute();
      return;
    }
    default:
      return assertNever(event);
  }
}
