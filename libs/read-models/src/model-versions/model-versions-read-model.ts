import { assertNever } from '@ledger/domain';
import type { Kysely } from 'kysely';
import { json, utc } from '../projection/projection';
import type { ProjectedEvent, ReadModel } from '../projection/read-model';
import { modelVersionsMigrations, type ModelVersionsTables } from './model-versions-tables';

const canHandle = [
  'ModelVersionRegistered',
  'ValidationPlanned',
  'ValidationResultRecorded',
  'DeploymentApproved',
] as const;

/**
 * One row per version, validation and approval, each inserted once, keyed by
 * what identifies it; one validation plan per version, the latest (the domain
 * refuses a new plan once a result exists).
 */
export const modelVersionsReadModel: ReadModel<ModelVersionsTables, (typeof canHandle)[number]> = {
  tables: ['reg_versions', 'reg_validation_plans', 'reg_validations', 'reg_approvals'],
  migrations: modelVersionsMigrations,
  canHandle,
  async evolve(db, events) {
    for (const event of events) await evolveEvent(db, event);
  },
};

async function evolveEvent(
  db: Kysely<ModelVersionsTables>,
  event: ProjectedEvent<(typeof canHandle)[number]>,
): Promise<void> {
  const tenant_id = event.metadata.tenantId;
  const event_id = event.eventId;
  switch (event.type) {
    case 'ModelVersionRegistered': {
      const d = event.data;
      await db
        .insertInto('reg_versions')
        .values({
          tenant_id,
          system_id: d.systemId,
          version: d.version,
          artifact_sha256: d.artifactSha256,
          training_dataset_ids: json(d.trainingDatasetIds),
          code_revision: d.codeRevision,
          parent_version: d.parentVersion ?? null,
          change_summary: d.changeSummary,
          within_change_control_plan: d.withinChangeControlPlan ? 1 : 0,
          developer: d.developer,
          registered_at: utc(event.metadata.occurredAt),
          event_id,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'ValidationPlanned': {
      const d = event.data;
      const plan = {
        dataset_id: d.datasetId,
        metrics: json(d.metrics),
        subgroups: json(d.subgroups),
        planned_by: d.plannedBy,
        planned_at: utc(event.metadata.occurredAt),
        event_id,
      };
      await db
        .insertInto('reg_validation_plans')
        .values({ tenant_id, system_id: d.systemId, version: d.version, ...plan })
        .onConflict((oc) => oc.columns(['tenant_id', 'system_id', 'version']).doUpdateSet(plan))
        .execute();
      return;
    }
    case 'ValidationResultRecorded': {
      const d = event.data;
      await db
        .insertInto('reg_validations')
        .values({
          tenant_id,
          system_id: d.systemId,
          validation_id: d.validationId,
          version: d.version,
          dataset_id: d.datasetId,
          metrics: json(d.metrics),
          subgroup_results: json(d.subgroupResults),
          passed: d.passed ? 1 : 0,
          validator: d.validator,
          validated_at: utc(d.validatedAt),
          event_id,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    case 'DeploymentApproved': {
      const d = event.data;
      await db
        .insertInto('reg_approvals')
        .values({
          tenant_id,
          system_id: d.systemId,
          version: d.version,
          discipline: d.discipline,
          reviewer: d.reviewer,
          approved_at: utc(event.metadata.occurredAt),
          event_id,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return;
    }
    default:
      return assertNever(event);
  }
}
