import type { Kysely } from 'kysely';
import type { DatasetsTables } from '../datasets/datasets-tables';
import { parseJson } from '../pages';
import type { ModelVersionsTables } from './model-versions-tables';

/** A version with its validation plan and the datasets it was trained on, with their approvals. */
export async function findModelVersion(
  db: Kysely<ModelVersionsTables & DatasetsTables>,
  tenant: string,
  systemId: string,
  version: string,
) {
  const row = await db
    .selectFrom('reg_versions')
    .selectAll()
    .where('tenant_id', '=', tenant)
    .where('system_id', '=', systemId)
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) return undefined;
  const datasetIds = parseJson<string[]>(row.training_dataset_ids);
  const [plan, datasets, approvals] = await Promise.all([
    db
      .selectFrom('reg_validation_plans')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .where('system_id', '=', systemId)
      .where('version', '=', version)
      .executeTakeFirst(),
    db
      .selectFrom('reg_datasets')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .where('dataset_id', 'in', datasetIds)
      .execute(),
    db
      .selectFrom('reg_dataset_approvals')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .where('dataset_id', 'in', datasetIds)
      .orderBy('approved_at')
      .execute(),
  ]);
  return { row, plan, datasetIds, datasets, datasetApprovals: approvals };
}
