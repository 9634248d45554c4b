import { stateFrom } from '../shared/decider';
import { specFor } from '../testing/given-when-then';
import {
  ADMIN,
  DEVELOPER,
  HOLDERS,
  PLANNER,
  SYSTEM,
  VALIDATOR,
  cmd,
  day,
  deployed,
  meta,
  readyToDeploy,
  run,
  suspended,
  upgraded,
} from '../testing/ai-system-fixtures';
import { aiSystemDecider } from './decide';
import { DEFAULT_GOVERNANCE_POLICY } from './policy';
import { REVIEW_DISCIPLINES } from './vocabulary';

const decider = aiSystemDecider();
const given = specFor(decider);
const AUTHORITY = HOLDERS.TAKEDOWN_AUTHORITY;
const SECURITY = HOLDERS.SECURITY_OFFICER;
const emergency = (action: 'suspend' | 'rollback' | 'retire', extra = {}) =>
  cmd.takedown(action, { emergency: true, meta: meta(SECURITY, day(12)), ...extra });

describe('who may take a system down', () => {
  it('the takedown authority suspends a deployed system, recording rationale and evidence', () =>
    given(...deployed())
      .when(cmd.takedown('suspend'))
      .then([
        {
          type: 'TakedownDecided',
          data: {
            systemId: SYSTEM,
            decisionId: 'td-suspend',
            action: 'suspend',
            fromVersion: '1.0.0',
            rationale: 'AUROC fell below plan',
            evidence: ['inc-1'],
            decidedBy: AUTHORITY,
            decidedAt: day(12),
            emergency: false,
          },
        },
        {
          type: 'AiSystemStatusChanged',
          data: {
            systemId: SYSTEM,
            from: 'deployed',
            to: 'suspended',
            because: 'TakedownDecided',
            at: day(12),
          },
        },
      ]));

  it('refuses a takedown by someone who is not the authority', () =>
    given(...deployed())
      .when(cmd.takedown('suspend', { meta: meta('dr.bob', day(12)) }))
      .thenThrows('NOT_TAKEDOWN_AUTHORITY'));

  it('refuses a former authority once the role has ended', () => {
    const handedOver = run(
      [
        cmd.assign('TAKEDOWN_AUTHORITY', 'dr.grace', { assignmentId: 'ta-grace', meta: meta(ADMIN, day(3)) }),
        cmd.accept('ta-grace', 'dr.grace', { meta: meta('dr.grace', day(3)) }),
        cmd.revoke(`TAKEDOWN_AUTHORITY-${AUTHORITY}`, { meta: meta(ADMIN, day(4)) }),
      ],
      deployed(),
    );
    given(...handedOver)
      .when(cmd.takedown('suspend'))
      .thenThrows('NOT_TAKEDOWN_AUTHORITY');
    given(...handedOver)
      .when(cmd.takedown('suspend', { meta: meta('dr.grace', day(12)) }))
      .then([expect.objectContaining({ type: 'TakedownDecided' }), expect.anything()]);
  });

  it('refuses an assigned authority who has not accepted the role', () =>
    given(...run([cmd.assign('TAKEDOWN_AUTHORITY', 'dr.grace', { meta: meta(ADMIN, day(3)) })], deployed()))
      .when(cmd.takedown('suspend', { meta: meta('dr.grace', day(12)) }))
      .thenThrows('NOT_TAKEDOWN_AUTHORITY'));

  it('tells a security officer acting without the emergency flag how to proceed', () => {
    const error = given(...deployed())
      .when(cmd.takedown('suspend', { meta: meta(SECURITY, day(12)) }))
      .rejection();
    expect(error).toMatchObject({
      code: 'NOT_TAKEDOWN_AUTHORITY',
      message: expect.stringContaining('emergency'),
    });
  });

  it('lets a security officer suspend in an emergency, due for ratification within the configured period', () =>
    given(...deployed())
      .when(emergency('suspend'))
      .then([
        {
          type: 'TakedownDecided',
          data: expect.objectContaining({ decidedBy: SECURITY, emergency: true, ratificationDueBy: day(15) }),
        },
        expect.objectContaining({ type: 'AiSystemStatusChanged' }),
      ]));

  it('takes the ratification period from the policy', () =>
    specFor(aiSystemDecider({ ...DEFAULT_GOVERNANCE_POLICY, emergencyRatificationHours: 24 }))(...deployed())
      .when(emergency('suspend'))
      .then([
        { type: 'TakedownDecided', data: expect.objectContaining({ ratificationDueBy: day(13) }) },
        expect.anything(),
      ]));

  it('lets a security officer roll back in an emergency', () =>
    given(...upgraded())
      .when(emergency('rollback', { toVersion: '1.0.0' }))
      .then([
        { type: 'TakedownDecided', data: expect.objectContaining({ action: 'rollback', emergency: true }) },
      ]));

  it('refuses an emergency retirement: it cannot be undone, so it is the authority’s call', () =>
    given(...deployed())
      .when(emergency('retire'))
      .thenThrows('NOT_TAKEDOWN_AUTHORITY'));

  it('records no emergency when the authority itself decides', () =>
    given(...deployed())
      .when(cmd.takedown('suspend', { emergency: true }))
      .then([
        {
          type: 'TakedownDecided',
          data: expect.not.objectContaining({ ratificationDueBy: expect.anything() }),
        },
        expect.anything(),
      ]));
});

describe('what a decision must record', () => {
  it('refuses a decision without evidence', () =>
    given(...deployed())
      .when(cmd.takedown('suspend', { evidence: [] }))
      .thenThrows('VALIDATION_FAILED', 'evidence'));

  it('refuses a blank rationale', () =>
    given(...deployed())
      .when(cmd.takedown('suspend', { rationale: ' ' }))
      .thenThrows('VALIDATION_FAILED', 'rationale'));

  it('refuses a decision id already used', () =>
    given(...suspended())
      .when(cmd.takedown('retire', { decisionId: 'td-suspend', meta: meta(AUTHORITY, day(20)) }))
      .thenThrows('ALREADY_EXISTS', 'decisionId'));
});

describe('suspending and retiring', () => {
  it('refuses to suspend a system that is already suspended', () =>
    given(...suspended())
      .when(cmd.takedown('suspend', { decisionId: 'again', meta: meta(AUTHORITY, day(13)) }))
      .thenThrows('INVALID_TRANSITION'));

  it('refuses to suspend a system that never went live', () =>
    given(...readyToDeploy())
      .when(cmd.takedown('suspend'))
      .thenThrows('INVALID_TRANSITION'));

  it('retires a deployed system', () =>
    given(...deployed())
      .when(cmd.takedown('retire'))
      .then([
        {
          type: 'TakedownDecided',
          data: expect.objectContaining({ action: 'retire', fromVersion: '1.0.0' }),
        },
        { type: 'AiSystemStatusChanged', data: expect.objectContaining({ from: 'deployed', to: 'retired' }) },
      ]));

  it('retires a system that never went live', () =>
    given(...readyToDeploy())
      .when(cmd.takedown('retire'))
      .then([
        { type: 'TakedownDecided', data: expect.not.objectContaining({ fromVersion: expect.anything() }) },
        { type: 'AiSystemStatusChanged', data: expect.objectContaining({ from: 'approved', to: 'retired' }) },
      ]));
});

describe('rolling back', () => {
  it('returns to a named earlier version that passed validation; the system stays deployed', () => {
    const events = run([cmd.takedown('rollback', { toVersion: '1.0.0' })], upgraded());
    expect(events.at(-1)).toEqual({
      type: 'TakedownDecided',
      data: expect.objectContaining({ action: 'rollback', fromVersion: '2.0.0', toVersion: '1.0.0' }),
    });
    expect(stateFrom(decider, events)).toMatchObject({ status: 'deployed', deployedVersion: '1.0.0' });
  });

  it('puts a suspended system back on the earlier version', () =>
    given(...run([cmd.takedown('suspend', { meta: meta(AUTHORITY, day(6)) })], upgraded()))
      .when(cmd.takedown('rollback', { toVersion: '1.0.0' }))
      .then([
        expect.objectContaining({ type: 'TakedownDecided' }),
        {
          type: 'AiSystemStatusChanged',
          data: expect.objectContaining({ from: 'suspended', to: 'deployed' }),
        },
      ]));

  it('refuses a rollback that names no version', () =>
    given(...upgraded())
      .when(cmd.takedown('rollback'))
      .thenThrows('VALIDATION_FAILED', 'toVersion'));

  it('refuses an unknown version', () =>
    given(...upgraded())
      .when(cmd.takedown('rollback', { toVersion: '0.1.0' }))
      .thenThrows('NOT_FOUND', 'toVersion'));

  it('refuses the live version itself', () =>
    given(...upgraded())
      .when(cmd.takedown('rollback', { toVersion: '2.0.0' }))
      .thenThrows('INVALID_ROLLBACK_TARGET', 'toVersion'));

  it('refuses a version registered after the live one', () =>
    given(
      ...run(
        [
          cmd.registerVersion('3.0.0', { meta: meta(DEVELOPER, day(6)) }),
          cmd.planValidation('3.0.0', { meta: meta(PLANNER, day(6)) }),
          cmd.validate('3.0.0', { meta: meta(VALIDATOR, day(7)) }),
        ],
        upgraded(),
      ),
    )
      .when(cmd.takedown('rollback', { toVersion: '3.0.0' }))
      .thenThrows('INVALID_ROLLBACK_TARGET', 'toVersion'));

  it('refuses an earlier version that never passed validation', () => {
    const history = run(
      [
        cmd.registerVersion('1.1.0', { meta: meta(DEVELOPER, day(3)) }),
        cmd.planValidation('1.1.0', { meta: meta(PLANNER, day(3)) }),
        cmd.validateFailing('1.1.0', { meta: meta(VALIDATOR, day(3)) }),
        cmd.registerVersion('2.0.0', { meta: meta(DEVELOPER, day(3)) }),
        cmd.planValidation('2.0.0', { meta: meta(PLANNER, day(3)) }),
        cmd.validate('2.0.0', { meta: meta(VALIDATOR, day(4)) }),
        ...REVIEW_DISCIPLINES.map((d) => cmd.approve(d, '2.0.0')),
        cmd.deploy('2.0.0', { meta: meta(ADMIN, day(5)) }),
      ],
      deployed(),
    );
    const error = given(...history)
      .when(cmd.takedown('rollback', { toVersion: '1.1.0' }))
      .rejection();
    expect(error).toMatchObject({
      code: 'INVALID_ROLLBACK_TARGET',
      message: expect.stringContaining('candidates: 1.0.0'),
    });
  });

  it('refuses to roll back a system that is not live', () =>
    given(...readyToDeploy())
      .when(cmd.takedown('rollback', { toVersion: '1.0.0' }))
      .thenThrows('INVALID_TRANSITION', 'action'));
});

describe('ratifying an emergency decision', () => {
  const emergencySuspension = () => run([emergency('suspend')], deployed());

  it('the takedown authority ratifies it', () =>
    given(...emergencySuspension())
      .when(cmd.ratify('td-suspend'))
      .then([
        {
          type: 'TakedownRatified',
          data: { systemId: SYSTEM, decisionId: 'td-suspend', ratifiedBy: AUTHORITY, ratifiedAt: day(13) },
        },
      ]));

  it('still records a late ratification; the deadline in the decision shows it was late', () =>
    given(...emergencySuspension())
      .when(cmd.ratify('td-suspend', { meta: meta(AUTHORITY, day(30)) }))
      .then([{ type: 'TakedownRatified', data: expect.objectContaining({ ratifiedAt: day(30) }) }]));

  it('refuses ratification by anyone but the authority', () =>
    given(...emergencySuspension())
      .when(cmd.ratify('td-suspend', { meta: meta(SECURITY, day(13)) }))
      .thenThrows('NOT_TAKEDOWN_AUTHORITY'));

  it('refuses an unknown decision', () =>
    given(...emergencySuspension())
      .when(cmd.ratify('td-nope'))
      .thenThrows('NOT_FOUND', 'decisionId'));

  it('refuses to ratify the authority’s own decision', () =>
    given(...suspended())
      .when(cmd.ratify('td-suspend'))
      .thenThrows('INVALID_TRANSITION', 'decisionId'));

  it('refuses to ratify twice', () =>
    given(...run([cmd.ratify('td-suspend')], emergencySuspension()))
      .when(cmd.ratify('td-suspend', { meta: meta(AUTHORITY, day(14)) }))
      .thenThrows('INVALID_TRANSITION', 'decisionId'));
});

describe('reinstating a suspended system', () => {
  const revalidated = (auroc = 0.85) =>
    run(
      [
        cmd.validate('1.0.0', {
          validationId: 'val-after',
          metrics: [
            { name: 'AUROC', value: auroc },
            { name: 'calibration-error', value: 0.04 },
          ],
          meta: meta(VALIDATOR, day(14)),
        }),
      ],
      suspended(),
    );

  it('needs the authority’s decision and a passing validation since the suspension', () =>
    given(...revalidated())
      .when(cmd.reinstate())
      .then([
        {
          type: 'AiSystemReinstated',
          data: {
            systemId: SYSTEM,
            decisionId: 'td-reinstate',
            version: '1.0.0',
            validationId: 'val-after',
            rationale: 'Revalidated on recent data',
            evidence: ['val-1.0.0-after'],
            decidedBy: AUTHORITY,
            decidedAt: day(15),
          },
        },
        {
          type: 'AiSystemStatusChanged',
          data: {
            systemId: SYSTEM,
            from: 'suspended',
            to: 'deployed',
            because: 'AiSystemReinstated',
            at: day(15),
          },
        },
      ]));

  it('refuses without a validation since the suspension; the one before it does not count', () => {
    const error = given(...suspended())
      .when(cmd.reinstate())
      .rejection();
    expect(error).toMatchObject({
      code: 'GATE_NOT_MET',
      details: {
        unmetGates: [{ gate: 'VALIDATION', message: expect.stringContaining('after the suspension') }],
      },
    });
  });

  it('refuses when the validation since the suspension failed', () =>
    given(...revalidated(0.7))
      .when(cmd.reinstate())
      .thenThrows('GATE_NOT_MET'));

  it('refuses a security officer, even in an emergency', () =>
    given(...revalidated())
      .when(cmd.reinstate({ meta: meta(SECURITY, day(15)) }))
      .thenThrows('NOT_TAKEDOWN_AUTHORITY'));

  it('refuses a system that is not suspended', () =>
    given(...deployed())
      .when(cmd.reinstate())
      .thenThrows('INVALID_TRANSITION'));

  it('refuses a reinstatement without evidence', () =>
    given(...revalidated())
      .when(cmd.reinstate({ evidence: [] }))
      .thenThrows('VALIDATION_FAILED', 'evidence'));
});
