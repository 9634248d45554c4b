import { GIVEN_AT, readModelSpec } from '../testing/read-model-spec';
import { auditsReadModel } from './audits-read-model';

const spec = readModelSpec(auditsReadModel);
afterAll(() => spec.close());

const audit = {
  tenant_id: 't1',
  system_id: 'sepsis',
  audit_id: 'au-1',
  scope: 'annual',
  findings:
    '[{"findingId":"F-1","severity":"major","description":"late signal","owner":"dr.perf","dueAt":"2026-01-31T00:00:00Z"}]',
  auditor: 'aud.abe',
  recorded_at: GIVEN_AT,
  event_id: 'e1',
};
const open = {
  tenant_id: 't1',
  system_id: 'sepsis',
  audit_id: 'au-1',
  finding_id: 'F-1',
  severity: 'major',
  description: 'late signal',
  owner: 'dr.perf',
  due_at: '2026-01-31T00:00:00.000Z',
  auditor: 'aud.abe',
  recorded_at: GIVEN_AT,
  event_id: 'e1',
  resolution: null,
  resolved_by: null,
  resolved_at: null,
  resolved_event_id: null,
  verification_note: null,
  verified_by: null,
  verified_at: null,
  verified_event_id: null,
};

describe('audits read model', () => {
  it('records each audit, and each finding with its owner and due date, open', () =>
    spec
      .given({
        type: 'AuditRecorded',
        data: {
          systemId: 'sepsis',
          auditId: 'au-1',
          scope: 'annual',
          findings: [
            {
              findingId: 'F-1',
              severity: 'major',
              description: 'late signal',
              owner: 'dr.perf',
              dueAt: '2026-01-31T00:00:00Z',
            },
          ],
          auditor: 'aud.abe',
        },
      })
      .then({ reg_audits: [audit], reg_audit_findings: [open] }));

  it("records the owner's resolution and the closure someone else verified", () =>
    spec
      .given(
        {
          type: 'AuditRecorded',
          data: {
            systemId: 'sepsis',
            auditId: 'au-1',
            scope: 'annual',
            findings: [
              {
                findingId: 'F-1',
                severity: 'major',
                description: 'late signal',
                owner: 'dr.perf',
                dueAt: '2026-01-31T00:00:00Z',
              },
            ],
            auditor: 'aud.abe',
          },
        },
        {
          type: 'AuditFindingResolved',
          data: {
            systemId: 'sepsis',
            auditId: 'au-1',
            findingId: 'F-1',
            resolution: 'signals scheduled',
            resolvedBy: 'dr.perf',
            resolvedAt: '2026-01-20T00:00:00Z',
          },
        },
        {
          type: 'AuditFindingClosureVerified',
          data: {
            systemId: 'sepsis',
            auditId: 'au-1',
            findingId: 'F-1',
            note: 'checked a month',
            verifiedBy: 'aud.abe',
            verifiedAt: '2026-01-25T00:00:00Z',
          },
        },
      )
      .then({
        reg_audits: [audit],
        reg_audit_findings: [
          {
            ...open,
            resolution: 'signals scheduled',
            resolved_by: 'dr.perf',
            resolved_at: '2026-01-20T00:00:00.000Z',
            resolved_event_id: 'e2',
            verification_note: 'checked a month',
            verified_by: 'aud.abe',
            verified_at: '2026-01-25T00:00:00.000Z',
            verified_event_id: 'e3',
          },
        ],
      }));
});
