import { readModelSpec, type GivenEvent } from '../testing/read-model-spec';
import { accountabilityReadModel } from './accountability-read-model';

const spec = readModelSpec(accountabilityReadModel);
afterAll(() => spec.close());

const who = {
  systemId: 'sepsis',
  assignmentId: 'a1',
  role: 'TAKEDOWN_AUTHORITY',
  assignee: 'dr.ada',
} as const;
const assigned: GivenEvent = {
  type: 'AccountabilityAssigned',
  data: { ...who, effectiveFrom: '2026-01-02T09:00:00+01:00', assignedBy: 'admin' },
};
const accepted: GivenEvent = {
  type: 'AccountabilityAccepted',
  data: { ...who, acceptedAt: '2026-01-03T08:00:00Z' },
};
const revoked: GivenEvent = {
  type: 'AccountabilityRevoked',
  data: { ...who, effectiveTo: '2026-02-01T00:00:00Z', revokedBy: 'admin', reason: 'left the trust' },
};

const assignment = {
  tenant_id: 't1',
  system_id: 'sepsis',
  assignment_id: 'a1',
  role: 'TAKEDOWN_AUTHORITY',
  assignee: 'dr.ada',
  effective_from: '2026-01-02T08:00:00.000Z',
  assigned_by: 'admin',
  assigned_event_id: 'e1',
  accepted_at: null,
  accepted_event_id: null,
  effective_to: null,
  revoked_by: null,
  revoke_reason: null,
  revoked_event_id: null,
};

describe('accountability read model', () => {
  it('records an assignment, pending until accepted, from its effective instant in UTC', () =>
    spec.given(assigned).then({ reg_assignments: [assignment] }));

  it('completes the assignment with its acceptance and its revocation', () =>
    spec.given(assigned, accepted, revoked).then({
      reg_assignments: [
        {
          ...assignment,
          accepted_at: '2026-01-03T08:00:00.000Z',
          accepted_event_id: 'e2',
          effective_to: '2026-02-01T00:00:00.000Z',
          revoked_by: 'admin',
          revoke_reason: 'left the trust',
          revoked_event_id: 'e3',
        },
      ],
    }));

  it('keeps the assignments of each tenant apart', () =>
    spec
      .given(assigned, { ...assigned, tenant: 't2' })
      .then({ reg_assignments: [assignment, { ...assignment, tenant_id: 't2', assigned_event_id: 'e2' }] }));
});
