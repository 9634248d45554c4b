import { GIVEN_AT, readModelSpec, type GivenEvent } from '../testing/read-model-spec';
import { modelVersionsReadModel } from './model-versions-read-model';

const spec = readModelSpec(modelVersionsReadModel);
afterAll(() => spec.close());

const systemId = 'sepsis';
const auroc = { name: 'AUROC', value: 0.86, threshold: 0.8, direction: 'min', passed: true } as const;
const planned = (threshold: number, plannedBy: string): GivenEvent => ({
  type: 'ValidationPlanned',
  data: {
    systemId,
    version: 'v2',
    datasetId: 'icu-2021',
    metrics: [{ name: 'AUROC', threshold, direction: 'min' }],
    subgroups: [{ subgroup: 'age 65+', metrics: [{ name: 'AUROC', threshold, direction: 'min' }] }],
    plannedBy,
  },
});

describe('model versions read model', () => {
  it('records a version, its latest validation plan, its validation and its approvals', () =>
    spec
      .given(
        {
          type: 'ModelVersionRegistered',
          data: {
            systemId,
            version: 'v2',
            artifactSha256: 'a'.repeat(64),
            trainingDatasetIds: ['icu-2019', 'icu-2020'],
            codeRevision: 'abc123',
            parentVersion: 'v1',
            changeSummary: 'retrained',
            withinChangeControlPlan: true,
            developer: 'dev.dan',
            registeredBy: 'dev.dan',
          },
        },
        planned(0.75, 'val.paula'),
        planned(0.8, 'val.pat'),
        {
          type: 'ValidationResultRecorded',
          data: {
            systemId,
            validationId: 'val-1',
            version: 'v2',
            datasetId: 'icu-2021',
            metrics: [auroc],
            subgroupResults: [{ subgroup: 'age 65+', metrics: [auroc], passed: true }],
            passed: true,
            validator: 'val.vic',
            validatedAt: '2026-01-05T00:00:00Z',
          },
        },
        {
          type: 'DeploymentApproved',
          data: { systemId, version: 'v2', discipline: 'clinical', reviewer: 'dr.ada' },
        },
        {
          type: 'DeploymentApproved',
          data: { systemId, version: 'v2', discipline: 'security', reviewer: 'sec.sam' },
        },
      )
      .then({
        reg_versions: [
          {
            tenant_id: 't1',
            system_id: systemId,
            version: 'v2',
            artifact_sha256: 'a'.repeat(64),
            training_dataset_ids: '["icu-2019","icu-2020"]',
            code_revision: 'abc123',
            parent_version: 'v1',
            change_summary: 'retrained',
            within_change_control_plan: 1,
            developer: 'dev.dan',
            registered_at: GIVEN_AT,
            event_id: 'e1',
          },
        ],
        reg_validation_plans: [
          {
            tenant_id: 't1',
            system_id: systemId,
            version: 'v2',
            dataset_id: 'icu-2021',
            metrics: JSON.stringify([{ name: 'AUROC', threshold: 0.8, direction: 'min' }]),
            subgroups: JSON.stringify([
              { subgroup: 'age 65+', metrics: [{ name: 'AUROC', threshold: 0.8, direction: 'min' }] },
            ]),
            planned_by: 'val.pat',
            planned_at: GIVEN_AT,
            event_id: 'e3',
          },
        ],
        reg_validations: [
          {
            tenant_id: 't1',
            system_id: systemId,
            validation_id: 'val-1',
            version: 'v2',
            dataset_id: 'icu-2021',
            metrics: JSON.stringify([auroc]),
            subgroup_results: JSON.stringify([{ subgroup: 'age 65+', metrics: [auroc], passed: true }]),
            passed: 1,
            validator: 'val.vic',
            validated_at: '2026-01-05T00:00:00.000Z',
            event_id: 'e4',
          },
        ],
        reg_approvals: [
          {
            tenant_id: 't1',
            system_id: systemId,
            version: 'v2',
            discipline: 'clinical',
            reviewer: 'dr.ada',
            approved_at: GIVEN_AT,
            event_id: 'e5',
          },
          {
            tenant_id: 't1',
            system_id: systemId,
            version: 'v2',
            discipline: 'security',
            reviewer: 'sec.sam',
            approved_at: GIVEN_AT,
            event_id: 'e6',
          },
        ],
      }));
});
