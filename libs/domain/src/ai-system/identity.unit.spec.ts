import { stateFrom } from '../shared/decider';
import { specFor } from '../testing/given-when-then';
import {
  ADMIN,
  DEVELOPER,
  HOLDERS,
  REVIEWERS,
  SYSTEM,
  cmd,
  day,
  deployed,
  meta,
  readyToDeploy,
  run,
} from '../testing/ai-system-fixtures';
import { holdersAt } from './accountability';
import { aiSystemDecider } from './decide';
import type { AiSystemEvent } from './events';

/** Issue 14, path 1: one person under several spellings. */
const decider = aiSystemDecider();
const given = specFor(decider);
const withVersion = () => run([cmd.register(), cmd.registerVersion(), cmd.planValidation()]);

describe('one person under several spellings is one person', () => {
  it('refuses one reviewer approving for a second discipline under another spelling of their id', () =>
    given(...run([cmd.approve('clinical', '1.0.0', { meta: meta('rev.same') })], withVersion()))
      .when(cmd.approve('security', '1.0.0', { meta: meta(' Rev.Same ') }))
      .thenThrows('REVIEWER_ALREADY_APPROVED'));

  it('refuses a developer validating their version under another spelling of their id', () =>
    given(...withVersion())
      .when(cmd.validate('1.0.0', { meta: meta(DEVELOPER.toUpperCase(), day(1)) }))
      .thenThrows('VALIDATOR_IS_DEVELOPER'));

  it('refuses a named developer whose name was typed in another spelling from validating', () =>
    given(
      ...run(
        [cmd.registerVersion('1.0.0', { developer: 'Vendor.Val', meta: meta(ADMIN) }), cmd.planValidation()],
        run([cmd.register()]),
      ),
    )
      .when(cmd.validate('1.0.0', { meta: meta('vendor.val', day(1)) }))
      .thenThrows('VALIDATOR_IS_DEVELOPER'));

  it('refuses an admin assigning a role to themselves under another spelling', () =>
    given(...run([cmd.register()]))
      .when(cmd.assign('TAKEDOWN_AUTHORITY', 'GOV.Admin'))
      .thenThrows('SELF_ASSIGNMENT'));

  it('refuses one person taking TAKEDOWN_AUTHORITY while holding SECURITY_OFFICER under another spelling', () =>
    given(...deployed())
      .when(
        cmd.assign('TAKEDOWN_AUTHORITY', HOLDERS.SECURITY_OFFICER.toUpperCase(), {
          meta: meta(ADMIN, day(3)),
        }),
      )
      .thenThrows('CONFLICTING_ROLES'));

  it('records people in their one spelling', () =>
    given(...run([cmd.register()]))
      .when(cmd.assign('CLINICAL_LEAD', ' Dr.Lead ', { assignmentId: 'lead', meta: meta(' Gov.Admin') }))
      .then([
        {
          type: 'AccountabilityAssigned',
          data: expect.objectContaining({ assignee: 'dr.lead', assignedBy: ADMIN }),
        },
      ]));

  it('lets the assignee accept a role assigned under another spelling of their id', () =>
    given(...run([cmd.assign('CLINICAL_LEAD', 'Dr.Lead', { assignmentId: 'lead' })], run([cmd.register()])))
      .when(cmd.accept('lead', 'dr.lead'))
      .then([{ type: 'AccountabilityAccepted', data: expect.objectContaining({ assignee: 'dr.lead' }) }]));

  it('reads people from stored events in their one spelling, whatever spelling was stored', () => {
    const stored: AiSystemEvent[] = [
      ...run([cmd.register()]),
      {
        type: 'AccountabilityAssigned',
        data: {
          systemId: SYSTEM,
          assignmentId: 'ta',
          role: 'TAKEDOWN_AUTHORITY',
          assignee: 'Dr.Ada',
          effectiveFrom: day(0),
          assignedBy: ADMIN,
        },
      },
      {
        type: 'AccountabilityAccepted',
        data: {
          systemId: SYSTEM,
          assignmentId: 'ta',
          role: 'TAKEDOWN_AUTHORITY',
          assignee: 'Dr.Ada',
          acceptedAt: day(0),
        },
      },
    ];
    expect(holdersAt(stateFrom(decider, stored), 'TAKEDOWN_AUTHORITY', day(1))).toEqual(['dr.ada']);
  });

  it('still deploys with four reviewers who are four different people', () =>
    given(...readyToDeploy())
      .when(cmd.deploy())
      .then([
        expect.objectContaining({ type: 'ModelVersionDeployed' }),
        expect.objectContaining({ type: 'AiSystemStatusChanged' }),
      ]));

  it('still counts reviewers whose ids differ by more than spelling as different people', () =>
    given(...run([cmd.approve('clinical', '1.0.0', { meta: meta(REVIEWERS.clinical) })], withVersion()))
      .when(cmd.approve('security', '1.0.0', { meta: meta(REVIEWERS.security.toUpperCase()) }))
      .then([
        {
          type: 'DeploymentApproved',
          data: expect.objectContaining({ discipline: 'security', reviewer: REVIEWERS.security }),
        },
      ]));
});
