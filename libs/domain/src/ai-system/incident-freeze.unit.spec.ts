import { specFor } from '../testing/given-when-then';
import {
  DEVELOPER,
  HOLDERS,
  REVIEWERS,
  ADMIN,
  PLANNER,
  VALIDATOR,
  cmd,
  day,
  deployed,
  meta,
  run,
} from '../testing/ai-system-fixtures';
import { aiSystemDecider } from './decide';
import { upcastIncidentReportedV1, type AiSystemEventOf } from './events';

/** EU AI Act Art 73(6): no alteration of the system while a serious incident is investigated and not yet notified. */
const given = specFor(aiSystemDecider());
const LEAD = HOLDERS.CLINICAL_LEAD;
const death = () => run([cmd.reportIncident({ classification: 'death' })], deployed());
const nextVersion = () =>
  cmd.registerVersion('2.0.0', {
    parentVersion: '1.0.0',
    changeSummary: 'Retrained',
    meta: meta(DEVELOPER, day(11)),
  });
/** 2.0.0 registered, validated and approved before the incident: only the deployment is left. */
const readyToUpgrade = () =>
  run(
    [
      cmd.registerVersion('2.0.0', {
        parentVersion: '1.0.0',
        changeSummary: 'Retrained',
        meta: meta(DEVELOPER, day(3)),
      }),
      cmd.planValidation('2.0.0', { meta: meta(PLANNER, day(3, 6)) }),
      cmd.validate('2.0.0', { meta: meta(VALIDATOR, day(4)) }),
      ...(['clinical', 'data_science', 'security', 'compliance'] as const).map((d) =>
        cmd.approve(d, '2.0.0', { meta: meta(REVIEWERS[d], day(4, 2)) }),
      ),
      cmd.reportIncident({ classification: 'death' }),
    ],
    deployed(),
  );
const upgrade = () => cmd.deploy('2.0.0', { meta: meta(ADMIN, day(11)) });

describe('the incident freeze', () => {
  it('refuses a new version while a serious incident is open and the authority not notified', () =>
    given(...death())
      .when(nextVersion())
      .thenThrows('INCIDENT_UNDER_INVESTIGATION'));

  it('refuses a deployment while a serious incident is open and the authority not notified', () =>
    given(...readyToUpgrade())
      .when(upgrade())
      .thenThrows('INCIDENT_UNDER_INVESTIGATION'));

  it('names the incident and what would lift the freeze', () =>
    expect(
      given(...death())
        .when(nextVersion())
        .rejection().message,
    ).toMatch(/inc-1: death.*record the authority's notification or close the incident/));

  it('still allows a takedown: suspending the system is accepted', () =>
    given(...death())
      .when(cmd.takedown('suspend', { meta: meta(HOLDERS.TAKEDOWN_AUTHORITY, day(11)) }))
      .then([
        expect.objectContaining({ type: 'TakedownDecided' }),
        expect.objectContaining({
          type: 'AiSystemStatusChanged',
          data: expect.objectContaining({ to: 'suspended' }),
        }),
      ]));

  it('lifts once the market surveillance authority is notified', () =>
    given(...run([cmd.notifyIncident()], readyToUpgrade()))
      .when(upgrade())
      .then([expect.objectContaining({ type: 'ModelVersionDeployed' })]));

  it('is not lifted by notifying someone other than the authority', () =>
    given(...run([cmd.notifyIncident({ recipient: 'provider' })], death()))
      .when(nextVersion())
      .thenThrows('INCIDENT_UNDER_INVESTIGATION'));

  it('lifts once the incident is closed', () =>
    given(...run([cmd.closeIncident({ meta: meta(LEAD, day(10, 3)) })], death()))
      .when(nextVersion())
      .then([expect.objectContaining({ type: 'ModelVersionRegistered' })]));

  it('does not freeze for an incident that is not serious', () =>
    given(...run([cmd.reportIncident({ classification: 'not_serious' })], deployed()))
      .when(nextVersion())
      .then([expect.objectContaining({ type: 'ModelVersionRegistered' })]));

  it('does not freeze for an incident reported before classes were recorded: its class is unknown, and a guessed one would invent a freeze', () => {
    const { classification, dueAt, ...v1 } = run(
      [cmd.reportIncident({ classification: 'death' })],
      deployed(),
    ).pop()!.data as AiSystemEventOf<'IncidentReported'>['data'];
    expect({ classification, dueAt }).toEqual({ classification: 'death', dueAt: day(20) });
    given(...deployed(), { type: 'IncidentReported', data: upcastIncidentReportedV1(v1) })
      .when(nextVersion())
      .then([expect.objectContaining({ type: 'ModelVersionRegistered' })]);
  });
});
