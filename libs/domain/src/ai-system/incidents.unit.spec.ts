import { specFor } from '../testing/given-when-then';
import { HOLDERS, SYSTEM, cmd, day, deployed, meta, run } from '../testing/ai-system-fixtures';
import { aiSystemDecider } from './decide';

const given = specFor(aiSystemDecider());
const LEAD = HOLDERS.CLINICAL_LEAD;
const reported = () => run([cmd.reportIncident()], deployed());

describe('reporting an incident', () => {
  it('records severity, description, patient harm, when the organisation became aware, and who reported it', () =>
    given(...deployed())
      .when(cmd.reportIncident())
      .then([
        {
          type: 'IncidentReported',
          data: {
            systemId: SYSTEM,
            incidentId: 'inc-1',
            severity: 'high',
            description: 'Missed sepsis alert on ward 4',
            patientHarmed: false,
            awareAt: day(10),
            reportedBy: LEAD,
          },
        },
      ]));

  it('links the incident to a model version', () =>
    given(...deployed())
      .when(cmd.reportIncident({ version: '1.0.0', patientHarmed: true }))
      .then([
        expect.objectContaining({ data: expect.objectContaining({ version: '1.0.0', patientHarmed: true }) }),
      ]));

  it('refuses an unknown version', () =>
    given(...deployed())
      .when(cmd.reportIncident({ version: '7.0.0' }))
      .thenThrows('NOT_FOUND', 'version'));

  it('refuses a repeated incident id', () =>
    given(...reported())
      .when(cmd.reportIncident())
      .thenThrows('ALREADY_EXISTS', 'incidentId'));

  it('refuses awareness later than the report itself', () =>
    given(...deployed())
      .when(cmd.reportIncident({ awareAt: day(10, 3) }))
      .thenThrows('VALIDATION_FAILED', 'awareAt'));

  it('refuses an unknown severity', () =>
    given(...deployed())
      .when(cmd.reportIncident({ severity: 'meh' as never }))
      .thenThrows('VALIDATION_FAILED', 'severity'));
});

describe('following an incident up', () => {
  it('records a status update', () =>
    given(...reported())
      .when(cmd.updateIncident())
      .then([
        {
          type: 'IncidentStatusUpdated',
          data: {
            systemId: SYSTEM,
            incidentId: 'inc-1',
            status: 'investigating',
            note: 'Pulling model inputs for the case',
            updatedBy: LEAD,
          },
        },
      ]));

  it('records the closure with its resolution', () =>
    given(...run([cmd.updateIncident()], reported()))
      .when(cmd.closeIncident())
      .then([
        {
          type: 'IncidentClosed',
          data: { systemId: SYSTEM, incidentId: 'inc-1', resolution: 'Rolled back to 1.0.0', closedBy: LEAD },
        },
      ]));

  it('refuses an update of an unknown incident', () =>
    given(...reported())
      .when(cmd.updateIncident({ incidentId: 'inc-9' }))
      .thenThrows('NOT_FOUND', 'incidentId'));

  it('refuses to close an unknown incident', () =>
    given(...reported())
      .when(cmd.closeIncident({ incidentId: 'inc-9' }))
      .thenThrows('NOT_FOUND', 'incidentId'));

  it('refuses an update of a closed incident', () =>
    given(...run([cmd.closeIncident()], reported()))
      .when(cmd.updateIncident({ meta: meta(LEAD, day(21)) }))
      .thenThrows('INVALID_TRANSITION', 'incidentId'));

  it('refuses to close an incident twice', () =>
    given(...run([cmd.closeIncident()], reported()))
      .when(cmd.closeIncident({ meta: meta(LEAD, day(21)) }))
      .thenThrows('INVALID_TRANSITION', 'incidentId'));

  it('refuses a status that is not a step of an open incident', () =>
    given(...reported())
      .when(cmd.updateIncident({ status: 'closed' as never }))
      .thenThrows('VALIDATION_FAILED', 'status'));
});
