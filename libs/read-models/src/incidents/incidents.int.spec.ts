import { GIVEN_AT, readModelSpec, type GivenEvent } from '../testing/read-model-spec';
import { incidentsReadModel } from './incidents-read-model';

const spec = readModelSpec(incidentsReadModel);
afterAll(() => spec.close());

const ids = { systemId: 'sepsis', incidentId: 'inc-1' };
const reported: GivenEvent = {
  type: 'IncidentReported',
  data: {
    ...ids,
    severity: 'high',
    description: 'missed alert',
    patientHarmed: true,
    awareAt: '2025-12-31T22:00:00Z',
    reportedBy: 'nurse.nia',
  },
};
const incident = {
  tenant_id: 't1',
  system_id: 'sepsis',
  incident_id: 'inc-1',
  severity: 'high',
  description: 'missed alert',
  patient_harmed: 1,
  aware_at: '2025-12-31T22:00:00.000Z',
  version: null,
  status: 'open',
  reported_by: 'nurse.nia',
  reported_at: GIVEN_AT,
  closed_at: null,
  resolution: null,
  event_id: 'e1',
};

describe('incidents read model', () => {
  it('opens an incident as reported, with the time of awareness', () =>
    spec.given(reported).then({ reg_incidents: [incident] }));

  it('follows its progress and closes it with the resolution', async () => {
    const investigating: GivenEvent = {
      type: 'IncidentStatusUpdated',
      data: { ...ids, status: 'investigating', note: 'logs pulled', updatedBy: 'dr.ada' },
    };
    await spec
      .given(reported, investigating)
      .then({ reg_incidents: [{ ...incident, status: 'investigating' }] });
    await spec
      .given(reported, investigating, {
        type: 'IncidentClosed',
        at: '2026-01-08T00:00:00Z',
        data: { ...ids, resolution: 'threshold retuned', closedBy: 'dr.ada' },
      })
      .then({
        reg_incidents: [
          {
            ...incident,
            status: 'closed',
            closed_at: '2026-01-08T00:00:00.000Z',
            resolution: 'threshold retuned',
          },
        ],
      });
  });
});
