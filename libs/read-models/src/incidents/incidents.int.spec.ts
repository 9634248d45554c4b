import { GIVEN_AT, readModelSpec, type GivenEvent } from '../testing/read-model-spec';
import { incidentsReadModel } from './incidents-read-model';

const spec = readModelSpec(incidentsReadModel);
afterAll(() => spec.close());

const ids = { systemId: 'sepsis', incidentId: 'inc-1' };
const reported: GivenEvent = {
  type: 'IncidentReported',
  data: {
    ...ids,
    classification: 'death',
    severity: 'high',
    description: 'missed alert',
    patientHarmed: true,
    awareAt: '2025-12-31T22:00:00Z',
    dueAt: '2026-01-10T22:00:00Z',
    reportedBy: 'nurse.nia',
  },
};
const incident = {
  tenant_id: 't1',
  system_id: 'sepsis',
  incident_id: 'inc-1',
  classification: 'death',
  severity: 'high',
  description: 'missed alert',
  patient_harmed: 1,
  aware_at: '2025-12-31T22:00:00.000Z',
  due_at: '2026-01-10T22:00:00.000Z',
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
    spec.given(reported).then({ reg_incidents: [incident], reg_incident_notifications: [] }));

  it('keeps every notification sent about the incident, the incident itself unchanged', () =>
    spec
      .given(
        reported,
        {
          type: 'IncidentNotificationRecorded',
          data: {
            ...ids,
            recipient: 'market_surveillance_authority',
            kind: 'initial',
            reference: 'MSA-0042',
            sentAt: '2026-01-02T09:00:00+01:00',
            sentBy: 'dr.ada',
          },
        },
        {
          type: 'IncidentNotificationRecorded',
          data: {
            ...ids,
            recipient: 'market_surveillance_authority',
            kind: 'final',
            reference: 'MSA-0042',
            sentAt: '2026-01-20T09:00:00Z',
            sentBy: 'dr.ada',
          },
        },
      )
      .then({
        reg_incidents: [incident],
        reg_incident_notifications: [
          {
            tenant_id: 't1',
            system_id: 'sepsis',
            incident_id: 'inc-1',
            recipient: 'market_surveillance_authority',
            kind: 'initial',
            reference: 'MSA-0042',
            sent_at: '2026-01-02T08:00:00.000Z',
            sent_by: 'dr.ada',
            event_id: 'e2',
          },
          {
            tenant_id: 't1',
            system_id: 'sepsis',
            incident_id: 'inc-1',
            recipient: 'market_surveillance_authority',
            kind: 'final',
            reference: 'MSA-0042',
            sent_at: '2026-01-20T09:00:00.000Z',
            sent_by: 'dr.ada',
            event_id: 'e3',
          },
        ],
      }));

  it('follows its progress and closes it with the resolution', async () => {
    const investigating: GivenEvent = {
      type: 'IncidentStatusUpdated',
      data: { ...ids, status: 'investigating', note: 'logs pulled', updatedBy: 'dr.ada' },
    };
    await spec
      .given(reported, investigating)
      .then({ reg_incidents: [{ ...incident, status: 'investigating' }], reg_incident_notifications: [] });
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
        reg_incident_notifications: [],
      });
  });
});
