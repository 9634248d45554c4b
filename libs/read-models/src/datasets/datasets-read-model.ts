import { assertNever } from '@ledger/domain';
import type { Kysely } from 'kysely';
import { utc } from '../projection/projection';
import type { ProjectedEvent, ReadModel } from '../projection/read-model';
import { datasetsMigrations, type DatasetsTables } from './datasets-tables';

const canHandle = ['DatasetRegistered', 'DatasetApproved'] as const;

/**
 * A row per dataset and per approved purpose, each inserted once. Access
 * grants belong to the data-access read model, which judges every access
 * against them.
 */
export const datasetsReadModel: ReadModel<DatasetsTables, (typeof canHandle)[number]> = {
  tables: ['reg_datasets', 'reg_dataset_approvals'],
  migrations: datasetsMigrations,
  canHandle,
  async evolve(db, events) {
    for (const event of events) await evolveEvent(db, event);
  },
};

async function evolveEvent(
  db: Kysely<DatasetsTables>,
  event: ProjectedEvent<(typeof canHandle)[number]>,
): Promise<void> {
  const tenant_id = event.metadata.tenantId;
  const at = utc(event.metadata.occurredAt);
  switch (event.type) {
    case 'DatasetRegistered': {
      const d = event.data;
      await db
        .insertInto('reg_datasets')
        .values({
          tenant_id,
          dataset_id: d.datasetId,
          name: d.name,
          classification: d.classification,
          legal_basis: d.legalBasis,
          steward: d.steward,
          source: d.source,
          retention_period: d.retentionPeriod,
          registered_at: at,
          event_id: event.eventId,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'DatasetApproved': {
      const d = event.data;
      await db
        .insertInto('reg_dataset_approvals')
        .values({
          tenant_id,
          dataset_id: d.datasetId,
          purpose: d.purpose,
          approved_by: d.approvedBy,
          approved_at: at,
          event_id: event.eventId,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    default:
      return assertNever(event);
  }
}
