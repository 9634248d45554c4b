import { specFor } from '../testing/given-when-then';
import { HOLDERS, SYSTEM, cmd, day, deployed, meta, run } from '../testing/ai-system-fixtures';
import { CLOCK_SKEW_ALLOWANCE_MS } from './accountability';
import { aiSystemDecider } from './decide';
import { DEFAULT_GOVERNANCE_POLICY } from './policy';
import { instantAfter } from '../shared/time';
import type { IncidentClassification } from './vocabulary';

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
            classification: 'serious_harm_to_health',
            severity: 'high',
            description: 'Missed sepsis alert on ward 4',
            patientHarmed: false,
            awareAt: day(10),
            dueAt: day(25),
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

describe('the Art 73 deadline of an incident, counted from awareness', () => {
  const dueAt = (classification: IncidentClassification) => {
    const [reportedEvent] = run([cmd.reportIncident({ classification })], deployed()).slice(-1);
    return reportedEvent.type === 'IncidentReported' ? reportedEvent.data.dueAt : 'not a report';
  };

  it.each([
    ['death', day(20)],
    ['critical_infrastructure_disruption', day(12)],
    ['widespread_infringement', day(12)],
    ['serious_harm_to_health', day(25)],
    ['fundamental_rights_infringement', day(25)],
    ['other_serious', day(25)],
  ] as const)('a %s incident is due %s', (classification, due) => expect(dueAt(classification)).toBe(due));

  it('sets no deadline for an incident that is not serious', () =>
    expect(dueAt('not_serious')).toBeUndefined());

  it("takes the jurisdiction's deadline from the policy", () =>
    specFor(
      aiSystemDecider({
        ...DEFAULT_GOVERNANCE_POLICY,
        incidentDeadlineDays: { ...DEFAULT_GOVERNANCE_POLICY.incidentDeadlineDays, death: 7 },
      }),
    )(...deployed())
      .when(cmd.reportIncident({ classification: 'death' }))
      .then([expect.objectContaining({ data: expect.objectContaining({ dueAt: day(17) }) })]));

  it('accepts a report long after awareness: a late report stays on record', () =>
    given(...deployed())
      .when(cmd.reportIncident({ awareAt: day(-300), meta: meta(LEAD, day(10)) }))
      .then([expect.objectContaining({ data: expect.objectContaining({ awareAt: day(-300) }) })]));

  it('refuses an unknown class, naming the field', () =>
    given(...deployed())
      .when(cmd.reportIncident({ classification: 'catastrophic' as never }))
      .thenThrows('VALIDATION_FAILED', 'classification'));
});

describe('notifying an incident', () => {
  it('records the recipient, the kind, the reference, when it was sent and who sent it', () =>
    given(...reported())
      .when(cmd.notifyIncident())
      .then([
        {
          type: 'IncidentNotificationRecorded',
          data: {
            systemId: SYSTEM,
            incidentId: 'inc-1',
            recipient: 'market_surveillance_authority',
            kind: 'initial',
            reference: 'MSA-2025-0042',
            sentAt: day(11),
            sentBy: LEAD,
          },
        },
      ]));

  it('follows the initial notification with follow-ups and the final report', () =>
    given(...run([cmd.notifyIncident()], reported()))
      .when(cmd.notifyIncident({ kind: 'final', sentAt: day(14), meta: meta(LEAD, day(14)) }))
      .then([
        expect.objectContaining({ data: expect.objectContaining({ kind: 'final', sentAt: day(14) }) }),
      ]));

  it('accepts a sender clock within the skew allowance either way', () => {
    const skew = CLOCK_SKEW_ALLOWANCE_MS;
    for (const sentAt of [instantAfter(day(11), -skew), instantAfter(day(11), skew)])
      given(...reported())
        .when(cmd.notifyIncident({ sentAt }))
        .then([expect.objectContaining({ data: expect.objectContaining({ sentAt }) })]);
  });

  it('refuses a backdated notification, so nobody can claim after the fact that the authority was told in time', () =>
    given(...reported())
      .when(cmd.notifyIncident({ sentAt: instantAfter(day(11), -CLOCK_SKEW_ALLOWANCE_MS - 1000) }))
      .thenThrows('VALIDATION_FAILED', 'sentAt'));

  it('refuses a notification dated in the future', () =>
    given(...reported())
      .when(cmd.notifyIncident({ sentAt: day(12) }))
      .thenThrows('VALIDATION_FAILED', 'sentAt'));

  it('refuses a sentAt that is not a date-time, naming the field', () =>
    given(...reported())
      .when(cmd.notifyIncident({ sentAt: 'yesterday' }))
      .thenThrows('VALIDATION_FAILED', 'sentAt'));

  it("refuses a notification of an incident this system does not have (another system's)", () =>
    given(...reported())
      .when(cmd.notifyIncident({ incidentId: 'inc-of-another-system' }))
      .thenThrows('NOT_FOUND', 'incidentId'));

  it('refuses a follow-up before the initial notification to that recipient', () =>
    given(...run([cmd.notifyIncident()], reported()))
      .when(cmd.notifyIncident({ recipient: 'provider', kind: 'follow_up' }))
      .thenThrows('INVALID_TRANSITION', 'kind'));

  it('refuses a second initial notification to the same recipient', () =>
    given(...run([cmd.notifyIncident()], reported()))
      .when(cmd.notifyIncident())
      .thenThrows('ALREADY_EXISTS', 'kind'));

  it.each([
    ['recipient', { recipient: 'press' as never }],
    ['kind', { kind: 'interim' as never }],
  ])('refuses an unknown %s, naming the field', (field, over) =>
    given(...run([cmd.notifyIncident()], reported()))
      .when(cmd.notifyIncident(over))
      .thenThrows('VALIDATION_FAILED', field),
  );

  it('records a notification after the incident closed: the final report may come later', () =>
    given(...run([cmd.closeIncident()], reported()))
      .when(cmd.notifyIncident({ sentAt: day(21), meta: meta(LEAD, day(21)) }))
      .then([expect.objectContaining({ type: 'IncidentNotificationRecorded' })]));
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
