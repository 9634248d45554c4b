import { stateFrom } from '../shared/decider';
import { specFor } from '../testing/given-when-then';
import {
  ADMIN,
  HOLDERS,
  SYSTEM,
  cmd,
  day,
  deployed,
  meta,
  run,
  suspended,
} from '../testing/ai-system-fixtures';
import { holdersAt } from './accountability';
import { aiSystemDecider } from './decide';
import { DEFAULT_GOVERNANCE_POLICY } from './policy';

const decider = aiSystemDecider();
const given = specFor(decider);
const registered = () => run([cmd.register()]);
const LEAD = HOLDERS.CLINICAL_LEAD;
const leadAssignment = `CLINICAL_LEAD-${LEAD}`;

describe('assigning a role', () => {
  it('records the role, the assignee, when it takes effect and who assigned it', () =>
    given(...registered())
      .when(cmd.assign('CLINICAL_LEAD', LEAD, { effectiveFrom: day(1) }))
      .then([
        {
          type: 'AccountabilityAssigned',
          data: {
            systemId: SYSTEM,
            assignmentId: leadAssignment,
            role: 'CLINICAL_LEAD',
            assignee: LEAD,
            effectiveFrom: day(1),
            assignedBy: ADMIN,
          },
        },
      ]));

  it('refuses to reuse an assignment id', () =>
    given(...run([cmd.assign('CLINICAL_LEAD')], registered()))
      .when(cmd.assign('BIAS_DRIFT_MONITOR', 'dr.other', { assignmentId: leadAssignment }))
      .thenThrows('ALREADY_EXISTS', 'assignmentId'));

  it('refuses to assign a role the assignee already holds', () =>
    given(...run([cmd.assign('CLINICAL_LEAD')], registered()))
      .when(cmd.assign('CLINICAL_LEAD', LEAD, { assignmentId: 'again' }))
      .thenThrows('ALREADY_EXISTS', 'assignee'));

  it('allows assigning the role again once the earlier assignment is revoked', () =>
    given(...run([cmd.assign('CLINICAL_LEAD'), cmd.revoke(leadAssignment)], registered()))
      .when(cmd.assign('CLINICAL_LEAD', LEAD, { assignmentId: 'again', meta: meta(ADMIN, day(11)) }))
      .then([expect.objectContaining({ type: 'AccountabilityAssigned' })]));

  it('refuses an unknown role', () =>
    given(...registered())
      .when(cmd.assign('CHIEF_WIZARD' as never, 'dr.who'))
      .thenThrows('VALIDATION_FAILED', 'role'));

  it('refuses an effective time that is not an instant', () =>
    given(...registered())
      .when(cmd.assign('CLINICAL_LEAD', LEAD, { effectiveFrom: 'next monday' }))
      .thenThrows('VALIDATION_FAILED', 'effectiveFrom'));
});

describe('accepting a role', () => {
  const assigned = () => run([cmd.assign('CLINICAL_LEAD')], registered());

  it('records the acceptance by the assignee, at the time of the command', () =>
    given(...assigned())
      .when(cmd.accept(leadAssignment, LEAD, { meta: meta(LEAD, day(1)) }))
      .then([
        {
          type: 'AccountabilityAccepted',
          data: {
            systemId: SYSTEM,
            assignmentId: leadAssignment,
            role: 'CLINICAL_LEAD',
            assignee: LEAD,
            acceptedAt: day(1),
          },
        },
      ]));

  it('refuses acceptance by anyone but the assignee', () =>
    given(...assigned())
      .when(cmd.accept(leadAssignment, 'dr.bob'))
      .thenThrows('NOT_ASSIGNEE'));

  it('refuses to accept an unknown assignment', () =>
    given(...assigned())
      .when(cmd.accept('nope', LEAD))
      .thenThrows('NOT_FOUND', 'assignmentId'));

  it('refuses to accept twice', () =>
    given(...run([cmd.accept(leadAssignment, LEAD)], assigned()))
      .when(cmd.accept(leadAssignment, LEAD))
      .thenThrows('INVALID_TRANSITION', 'assignmentId'));

  it('refuses to accept a revoked assignment', () =>
    given(...run([cmd.revoke(leadAssignment)], assigned()))
      .when(cmd.accept(leadAssignment, LEAD, { meta: meta(LEAD, day(11)) }))
      .thenThrows('INVALID_TRANSITION', 'assignmentId'));
});

describe('revoking a role', () => {
  const held = () => run([cmd.assign('CLINICAL_LEAD'), cmd.accept(leadAssignment, LEAD)], registered());

  it('records when the role ends, who revoked it and why; it ends at the time of the command by default', () =>
    given(...held())
      .when(cmd.revoke(leadAssignment))
      .then([
        {
          type: 'AccountabilityRevoked',
          data: {
            systemId: SYSTEM,
            assignmentId: leadAssignment,
            role: 'CLINICAL_LEAD',
            assignee: LEAD,
            effectiveTo: day(10),
            revokedBy: ADMIN,
            reason: 'left the trust',
          },
        },
      ]));

  it('ends the role at a given effective time', () =>
    given(...held())
      .when(cmd.revoke(leadAssignment, { effectiveAt: day(30) }))
      .then([expect.objectContaining({ data: expect.objectContaining({ effectiveTo: day(30) }) })]));

  it('refuses an end before the role began', () =>
    given(...run([cmd.assign('CLINICAL_LEAD', LEAD, { effectiveFrom: day(5) })], registered()))
      .when(cmd.revoke(leadAssignment, { effectiveAt: day(4), meta: meta(ADMIN, day(1)) }))
      .thenThrows('VALIDATION_FAILED', 'effectiveAt'));

  it('refuses an unknown assignment', () =>
    given(...held())
      .when(cmd.revoke('nope'))
      .thenThrows('NOT_FOUND', 'assignmentId'));

  it('refuses to revoke twice', () =>
    given(...run([cmd.revoke(leadAssignment)], held()))
      .when(cmd.revoke(leadAssignment, { meta: meta(ADMIN, day(11)) }))
      .thenThrows('INVALID_TRANSITION', 'assignmentId'));

  it('refuses a blank reason', () =>
    given(...held())
      .when(cmd.revoke(leadAssignment, { reason: '' }))
      .thenThrows('VALIDATION_FAILED', 'reason'));
});

describe('a live system keeps its required roles filled', () => {
  const authority = `TAKEDOWN_AUTHORITY-${HOLDERS.TAKEDOWN_AUTHORITY}`;
  const successor = (accept: boolean) => [
    cmd.assign('TAKEDOWN_AUTHORITY', 'dr.grace', {
      assignmentId: 'ta-grace',
      effectiveFrom: day(9),
      meta: meta(ADMIN, day(8)),
    }),
    ...(accept ? [cmd.accept('ta-grace', 'dr.grace', { meta: meta('dr.grace', day(8)) })] : []),
  ];

  it('refuses to revoke the last accepted holder of a required role while deployed', () =>
    given(...deployed())
      .when(cmd.revoke(authority))
      .thenThrows('ROLE_STILL_REQUIRED', 'assignmentId'));

  it('refuses it while suspended too, since the system can return to patients', () =>
    given(...suspended())
      .when(cmd.revoke(authority, { meta: meta(ADMIN, day(20)) }))
      .thenThrows('ROLE_STILL_REQUIRED'));

  it('refuses it while the successor has not accepted', () =>
    given(...run(successor(false), deployed()))
      .when(cmd.revoke(authority))
      .thenThrows('ROLE_STILL_REQUIRED'));

  it('refuses it when the successor only takes over after the revocation', () =>
    given(...run(successor(true), deployed()))
      .when(cmd.revoke(authority, { effectiveAt: day(8, 12), meta: meta(ADMIN, day(8, 1)) }))
      .thenThrows('ROLE_STILL_REQUIRED'));

  it('allows it once a successor has accepted and is in place by then', () =>
    given(...run(successor(true), deployed()))
      .when(cmd.revoke(authority))
      .then([expect.objectContaining({ type: 'AccountabilityRevoked' })]));

  it('allows revoking a role the policy does not require', () =>
    given(...deployed())
      .when(cmd.revoke(`DATA_STEWARD-${HOLDERS.DATA_STEWARD}`))
      .then([expect.objectContaining({ type: 'AccountabilityRevoked' })]));

  it('allows revoking a required role the policy of this organisation leaves out', () =>
    specFor(aiSystemDecider({ ...DEFAULT_GOVERNANCE_POLICY, requiredRoles: ['CLINICAL_LEAD'] }))(
      ...deployed(),
    )
      .when(cmd.revoke(authority))
      .then([expect.objectContaining({ type: 'AccountabilityRevoked' })]));

  it('allows revoking an assignment that was never accepted', () =>
    given(...run(successor(false), deployed()))
      .when(cmd.revoke('ta-grace'))
      .then([expect.objectContaining({ type: 'AccountabilityRevoked' })]));

  it('allows revoking the last holder before the system is deployed', () =>
    given(
      ...run(
        [cmd.assign('TAKEDOWN_AUTHORITY'), cmd.accept(authority, HOLDERS.TAKEDOWN_AUTHORITY)],
        registered(),
      ),
    )
      .when(cmd.revoke(authority))
      .then([expect.objectContaining({ type: 'AccountabilityRevoked' })]));
});

describe('holdersAt: who held a role at an instant', () => {
  const history = () =>
    run(
      [
        cmd.assign('CLINICAL_LEAD', LEAD, { effectiveFrom: day(2) }),
        cmd.accept(leadAssignment, LEAD, { meta: meta(LEAD, day(3)) }),
        cmd.revoke(leadAssignment, { effectiveAt: day(10), meta: meta(ADMIN, day(5)) }),
      ],
      registered(),
    );
  const state = () => stateFrom(decider, history());

  it.each([
    ['before the role took effect', day(1), []],
    ['after it took effect but before the assignee accepted', day(2, 12), []],
    ['once accepted and in effect', day(3), [LEAD]],
    ['until just before the revocation takes effect', day(9, 23), [LEAD]],
    ['from the moment the revocation takes effect', day(10), []],
  ])('%s', (_, at, holders) => expect(holdersAt(state(), 'CLINICAL_LEAD', at)).toEqual(holders));

  it('compares instants, not strings, across zone offsets', () => {
    expect(day(10)).toBe('2025-03-13T09:00:00.000Z');
    // Earlier as text, an hour after the revocation as an instant.
    expect(holdersAt(state(), 'CLINICAL_LEAD', '2025-03-13T05:00:00-05:00')).toEqual([]);
  });

  it('lists every concurrent holder once', () => {
    const two = run(
      [
        cmd.assign('CLINICAL_LEAD'),
        cmd.accept(leadAssignment, LEAD),
        cmd.assign('CLINICAL_LEAD', 'dr.bo'),
        cmd.accept(`CLINICAL_LEAD-dr.bo`, 'dr.bo'),
      ],
      registered(),
    );
    expect(holdersAt(stateFrom(decider, two), 'CLINICAL_LEAD', day(1))).toEqual([LEAD, 'dr.bo']);
  });

  it('knows no holders of an unregistered system', () =>
    expect(holdersAt(decider.initialState(), 'CLINICAL_LEAD', day(1))).toEqual([]));
});
