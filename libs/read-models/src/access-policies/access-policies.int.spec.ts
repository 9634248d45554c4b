import { GIVEN_AT, readModelSpec } from '../testing/read-model-spec';
import { accessPoliciesReadModel } from './access-policies-read-model';

const spec = readModelSpec(accessPoliciesReadModel);
afterAll(() => spec.close());

describe('access policies read model', () => {
  it('keeps every recorded policy, audit source and access-log review, with cadences and intervals', () =>
    spec
      .given(
        {
          type: 'AccessPolicyRecorded',
          data: {
            systemId: 'sepsis',
            documentRef: 'policy-7',
            permittedRoles: ['nurse', 'physician'],
            permittedPurposes: ['TREAT'],
            recordedBy: 'admin',
          },
        },
        {
          type: 'AccessPolicyRecorded',
          at: '2026-02-01T00:00:00Z',
          data: {
            systemId: 'sepsis',
            documentRef: 'policy-8',
            permittedRoles: ['physician'],
            permittedPurposes: ['TREAT', 'RESEARCH'],
            recordedBy: 'admin',
            reviewEveryDays: 30,
          },
        },
        {
          type: 'AuditSourceRegistered',
          data: { systemId: 'sepsis', sourceService: 'ehr-gateway', expectedInterval: 'PT24H' },
        },
        {
          type: 'DatasetAccessPolicyRecorded',
          data: { datasetId: 'icu-2019', documentRef: 'p-9', reviewEveryDays: 90, recordedBy: 'steward' },
        },
        {
          type: 'AccessLogReviewed',
          at: '2026-02-02T00:00:00Z',
          data: {
            systemId: 'sepsis',
            periodFrom: '2026-01-01T00:00:00Z',
            periodTo: '2026-02-01T00:00:00+01:00',
            outcome: 'no_issues',
            note: 'all covered',
            reviewer: 'sec.sam',
            reviewedAt: '2026-02-02T00:00:00Z',
          },
        },
        {
          type: 'DatasetAccessLogReviewed',
          data: {
            datasetId: 'icu-2019',
            periodFrom: '2025-12-01T00:00:00Z',
            periodTo: '2025-12-31T00:00:00Z',
            outcome: 'escalated',
            note: 'two reads without a grant',
            reviewer: 'sec.sam',
            reviewedAt: '2026-01-01T00:00:00Z',
          },
        },
      )
      .then({
        reg_access_policies: [
          {
            tenant_id: 't1',
            system_id: 'sepsis',
            document_ref: 'policy-7',
            permitted_roles: '["nurse","physician"]',
            permitted_purposes: '["TREAT"]',
            recorded_at: GIVEN_AT,
            event_id: 'e1',
            review_every_days: null,
          },
          {
            tenant_id: 't1',
            system_id: 'sepsis',
            document_ref: 'policy-8',
            permitted_roles: '["physician"]',
            permitted_purposes: '["TREAT","RESEARCH"]',
            recorded_at: '2026-02-01T00:00:00.000Z',
            event_id: 'e2',
            review_every_days: 30,
          },
        ],
        reg_audit_sources: [
          {
            tenant_id: 't1',
            system_id: 'sepsis',
            source_service: 'ehr-gateway',
            registered_at: GIVEN_AT,
            event_id: 'e3',
            expected_interval: 'PT24H',
          },
        ],
        reg_dataset_access_policies: [
          {
            tenant_id: 't1',
            dataset_id: 'icu-2019',
            document_ref: 'p-9',
            review_every_days: 90,
            recorded_by: 'steward',
            recorded_at: GIVEN_AT,
            event_id: 'e4',
          },
        ],
        reg_access_reviews: [
          {
            tenant_id: 't1',
            scope_kind: 'system',
            scope_id: 'sepsis',
            period_from: '2026-01-01T00:00:00.000Z',
            period_to: '2026-01-31T23:00:00.000Z',
            outcome: 'no_issues',
            note: 'all covered',
            reviewer: 'sec.sam',
            reviewed_at: '2026-02-02T00:00:00.000Z',
            event_id: 'e5',
          },
          {
            tenant_id: 't1',
            scope_kind: 'dataset',
            scope_id: 'icu-2019',
            period_from: '2025-12-01T00:00:00.000Z',
            period_to: '2025-12-31T00:00:00.000Z',
            outcome: 'escalated',
            note: 'two reads without a grant',
            reviewer: 'sec.sam',
            reviewed_at: '2026-01-01T00:00:00.000Z',
            event_id: 'e6',
          },
        ],
      }));
});
