import { GIVEN_AT, readModelSpec } from '../testing/read-model-spec';
import { accessPoliciesReadModel } from './access-policies-read-model';

const spec = readModelSpec(accessPoliciesReadModel);
afterAll(() => spec.close());

describe('access policies read model', () => {
  it('keeps every recorded policy and audit source', () =>
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
          },
        },
        { type: 'AuditSourceRegistered', data: { systemId: 'sepsis', sourceService: 'ehr-gateway' } },
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
          },
          {
            tenant_id: 't1',
            system_id: 'sepsis',
            document_ref: 'policy-8',
            permitted_roles: '["physician"]',
            permitted_purposes: '["TREAT","RESEARCH"]',
            recorded_at: '2026-02-01T00:00:00.000Z',
            event_id: 'e2',
          },
        ],
        reg_audit_sources: [
          {
            tenant_id: 't1',
            system_id: 'sepsis',
            source_service: 'ehr-gateway',
            registered_at: GIVEN_AT,
            event_id: 'e3',
          },
        ],
      }));
});
