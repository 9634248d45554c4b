import { GIVEN_AT, readModelSpec } from '../testing/read-model-spec';
import { auditsReadModel } from './audits-read-model';

const spec = readModelSpec(auditsReadModel);
afterAll(() => spec.close());

describe('audits read model', () => {
  it('records each audit with its findings', () =>
    spec
      .given({
        type: 'AuditRecorded',
        data: {
          systemId: 'sepsis',
          auditId: 'au-1',
          scope: 'annual',
          findings: [{ severity: 'minor', description: 'late signal' }],
          auditor: 'aud.abe',
        },
      })
      .then({
        reg_audits: [
          {
            tenant_id: 't1',
            system_id: 'sepsis',
            audit_id: 'au-1',
            scope: 'annual',
            findings: '[{"severity":"minor","description":"late signal"}]',
            auditor: 'aud.abe',
            recorded_at: GIVEN_AT,
            event_id: 'e1',
          },
        ],
      }));
});
