import { readModelSpec } from '../testing/read-model-spec';
import { takedownsReadModel } from './takedowns-read-model';

const spec = readModelSpec(takedownsReadModel);
afterAll(() => spec.close());

const systemId = 'sepsis';

describe('takedowns read model', () => {
  it('records an emergency decision with its ratification, and a reinstatement as a decision of its own', () =>
    spec
      .given(
        {
          type: 'TakedownDecided',
          data: {
            systemId,
            decisionId: 'd1',
            action: 'suspend',
            fromVersion: 'v2',
            rationale: 'suspected tampering',
            evidence: ['soc:42'],
            decidedBy: 'sec.sam',
            decidedAt: '2026-01-10T00:00:00Z',
            emergency: true,
            ratificationDueBy: '2026-01-13T00:00:00Z',
          },
        },
        {
          type: 'TakedownRatified',
          data: { systemId, decisionId: 'd1', ratifiedBy: 'dr.ada', ratifiedAt: '2026-01-11T00:00:00Z' },
        },
        {
          type: 'AiSystemReinstated',
          data: {
            systemId,
            decisionId: 'd2',
            version: 'v2',
            validationId: 'val-3',
            rationale: 'revalidated',
            evidence: ['validation:val-3', 'soc:42'],
            decidedBy: 'dr.ada',
            decidedAt: '2026-01-20T00:00:00Z',
          },
        },
      )
      .then({
        reg_decisions: [
          {
            tenant_id: 't1',
            system_id: systemId,
            decision_id: 'd1',
            action: 'suspend',
            from_version: 'v2',
            to_version: null,
            rationale: 'suspected tampering',
            evidence: '["soc:42"]',
            decided_by: 'sec.sam',
            decided_at: '2026-01-10T00:00:00.000Z',
            emergency: 1,
            ratification_due_by: '2026-01-13T00:00:00.000Z',
            ratified_by: 'dr.ada',
            ratified_at: '2026-01-11T00:00:00.000Z',
            event_id: 'e1',
            ratified_event_id: 'e2',
          },
          {
            tenant_id: 't1',
            system_id: systemId,
            decision_id: 'd2',
            action: 'reinstate',
            from_version: null,
            to_version: 'v2',
            rationale: 'revalidated',
            evidence: '["validation:val-3","soc:42"]',
            decided_by: 'dr.ada',
            decided_at: '2026-01-20T00:00:00.000Z',
            emergency: 0,
            ratification_due_by: null,
            ratified_by: null,
            ratified_at: null,
            event_id: 'e3',
            ratified_event_id: null,
          },
        ],
      }));
});
