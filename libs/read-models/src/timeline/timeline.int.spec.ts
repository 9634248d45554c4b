import { GIVEN_AT, projectionSpec } from '../testing/read-model-spec';
import { timelineProjection } from './timeline-projection';
import type { TimelineTables } from './timeline-tables';

const spec = projectionSpec<TimelineTables>(timelineProjection);
afterAll(() => spec.close());

const row = (position: number, type: string, system_id: string | null, occurred_at = GIVEN_AT) => ({
  position: String(position),
  tenant_id: 't1',
  stream: 't1/spec',
  system_id,
  type,
  occurred_at,
  recorded_at: occurred_at,
  event_id: `e${position}`,
});

describe('timeline projection', () => {
  it('indexes every stored event by position, with the system its data names', () =>
    spec
      .given(
        {
          type: 'AuditRecorded',
          at: '2026-03-01T10:00:00+01:00',
          data: { systemId: 'sepsis', auditId: 'au-1', scope: 'annual', findings: [], auditor: 'aud.abe' },
        },
        { type: 'DatasetApproved', data: { datasetId: 'icu', purpose: 'TREAT', approvedBy: 'irb.ida' } },
      )
      .then({
        tl_events: [
          row(1, 'AuditRecorded', 'sepsis', '2026-03-01T09:00:00.000Z'),
          row(2, 'DatasetApproved', null),
        ],
      }));

  it('indexes an event of a type the domain does not know, so an auditor can still find it', () =>
    spec
      .given({ type: 'ModelVersionValidated', data: { systemId: 'sepsis', note: 'approved by dr.ada' } })
      .then({ tl_events: [row(1, 'ModelVersionValidated', 'sepsis')] }));
});
