import { specFor } from '../testing/given-when-then';
import {
  ADMIN,
  DEVELOPER,
  HOLDERS,
  PLANNER,
  REVIEWERS,
  VALIDATOR,
  cmd,
  day,
  deployed,
  meta,
  run,
} from '../testing/ai-system-fixtures';
import { aiSystemDecider } from './decide';
import { SEPARATION_OF_DUTIES, separationOfDutiesMarkdown } from './separation-of-duties';
import { REVIEW_DISCIPLINES } from './vocabulary';

/** Issue 14, path 7: self-appointment and conflicts of role. */
const given = specFor(aiSystemDecider());
const AUTHORITY = HOLDERS.TAKEDOWN_AUTHORITY;
const SECURITY = HOLDERS.SECURITY_OFFICER;
const OTHER_ADMIN = 'gov.other';
const later = (days: number, actor = ADMIN) => ({ meta: meta(actor, day(days)) });

describe('nobody assigns a role to themselves', () => {
  it('refuses a governance admin making themselves takedown authority to retire a live system alone', () =>
    given(...deployed())
      .when(cmd.assign('TAKEDOWN_AUTHORITY', ADMIN, { assignmentId: 'ta-me', ...later(3) }))
      .thenThrows('SELF_ASSIGNMENT'));

  it('still lets another admin assign the role, the assignee accept, and the new authority retire', () => {
    const events = run(
      [
        cmd.assign('TAKEDOWN_AUTHORITY', ADMIN, { assignmentId: 'ta-admin', ...later(3, OTHER_ADMIN) }),
        cmd.accept('ta-admin', ADMIN, later(3)),
        cmd.takedown('retire', later(4)),
      ],
      deployed(),
    );
    expect(events.at(-1)).toEqual({
      type: 'AiSystemStatusChanged',
      data: expect.objectContaining({ to: 'retired' }),
    });
  });
});

describe('authors of the live or any candidate version hold no role that checks them', () => {
  const candidate = () =>
    run(
      [cmd.registerVersion('2.0.0', { developer: 'dev.eve', meta: meta(REVIEWERS.clinical, day(3)) })],
      deployed(),
    );

  it.each(['TAKEDOWN_AUTHORITY', 'BIAS_DRIFT_MONITOR'] as const)(
    'refuses making the developer of the live version %s',
    (role) =>
      given(...deployed())
        .when(cmd.assign(role, DEVELOPER, { assignmentId: 'dev-role', ...later(3) }))
        .thenThrows('AUTHOR_HOLDS_CONFLICTING_ROLE'),
  );

  it.each(['dev.eve', REVIEWERS.clinical])(
    'refuses making %s, an author of a candidate version, the takedown authority',
    (author) =>
      given(...candidate())
        .when(cmd.assign('TAKEDOWN_AUTHORITY', author, { assignmentId: 'cand-ta', ...later(4) }))
        .thenThrows('AUTHOR_HOLDS_CONFLICTING_ROLE'),
  );

  it('refuses making the author of a superseded version the takedown authority, since it may be rolled back to', () =>
    given(
      ...run(
        [
          cmd.registerVersion('2.0.0', { developer: 'dev.eve', meta: meta('dev.eve', day(3)) }),
          cmd.planValidation('2.0.0', { meta: meta(PLANNER, day(3)) }),
          cmd.validate('2.0.0', { meta: meta(VALIDATOR, day(4)) }),
          ...REVIEW_DISCIPLINES.map((d) => cmd.approve(d, '2.0.0', { meta: meta(REVIEWERS[d], day(4)) })),
          cmd.deploy('2.0.0', later(5)),
        ],
        deployed(),
      ),
    )
      .when(cmd.assign('TAKEDOWN_AUTHORITY', DEVELOPER, { assignmentId: 'dan-ta', ...later(6) }))
      .thenThrows('AUTHOR_HOLDS_CONFLICTING_ROLE'));

  it('still lets an author hold a role that does not check them', () =>
    given(...deployed())
      .when(cmd.assign('CLINICAL_LEAD', DEVELOPER, { assignmentId: 'dev-lead', ...later(3) }))
      .then([expect.objectContaining({ type: 'AccountabilityAssigned' })]));

  it('refuses the takedown authority registering a version, even naming someone else as developer', () =>
    given(...deployed())
      .when(cmd.registerVersion('2.0.0', { developer: 'dev.eve', meta: meta(AUTHORITY, day(3)) }))
      .thenThrows('AUTHOR_HOLDS_CONFLICTING_ROLE'));

  it('refuses naming the bias and drift monitor as developer of a new version', () =>
    given(...deployed())
      .when(
        cmd.registerVersion('2.0.0', { developer: HOLDERS.BIAS_DRIFT_MONITOR, meta: meta(ADMIN, day(3)) }),
      )
      .thenThrows('AUTHOR_HOLDS_CONFLICTING_ROLE'));

  it('refuses it while the conflicting role is only assigned, not yet accepted', () =>
    given(
      ...run(
        [cmd.assign('BIAS_DRIFT_MONITOR', 'dev.eve', { assignmentId: 'eve-bias', ...later(3) })],
        deployed(),
      ),
    )
      .when(cmd.registerVersion('2.0.0', { meta: meta('dev.eve', day(4)) }))
      .thenThrows('AUTHOR_HOLDS_CONFLICTING_ROLE'));

  it('refuses an author of the live version reviewing a candidate', () =>
    given(...candidate())
      .when(cmd.approve('security', '2.0.0', { meta: meta(DEVELOPER, day(4)) }))
      .thenThrows('REVIEWER_IS_DEVELOPER'));
});

describe('TAKEDOWN_AUTHORITY and SECURITY_OFFICER are two people', () => {
  it('refuses making the security officer the takedown authority', () =>
    given(...deployed())
      .when(cmd.assign('TAKEDOWN_AUTHORITY', SECURITY, { assignmentId: 'sec-ta', ...later(3) }))
      .thenThrows('CONFLICTING_ROLES'));

  it('refuses making the takedown authority the security officer', () =>
    given(...deployed())
      .when(cmd.assign('SECURITY_OFFICER', AUTHORITY, { assignmentId: 'ta-sec', ...later(3) }))
      .thenThrows('CONFLICTING_ROLES'));

  it('lets a former security officer become the authority once that role has ended', () =>
    given(
      ...run(
        [
          cmd.assign('SECURITY_OFFICER', 'sec.sue', { assignmentId: 'sec-sue', ...later(3) }),
          cmd.accept('sec-sue', 'sec.sue', later(3, 'sec.sue')),
          cmd.revoke(`SECURITY_OFFICER-${SECURITY}`, later(4)),
        ],
        deployed(),
      ),
    )
      .when(cmd.assign('TAKEDOWN_AUTHORITY', SECURITY, { assignmentId: 'sam-ta', ...later(5) }))
      .then([expect.objectContaining({ type: 'AccountabilityAssigned' })]));
});

describe('the ratifier of an emergency takedown is never its decider', () => {
  /** The security officer suspends in an emergency, hands the role over, and is then made the authority. */
  const deciderBecameAuthority = () =>
    run(
      [
        cmd.takedown('suspend', { emergency: true, meta: meta(SECURITY, day(12)) }),
        cmd.assign('SECURITY_OFFICER', 'sec.sue', { assignmentId: 'sec-sue', ...later(12) }),
        cmd.accept('sec-sue', 'sec.sue', later(12, 'sec.sue')),
        cmd.revoke(`SECURITY_OFFICER-${SECURITY}`, later(12)),
        cmd.assign('TAKEDOWN_AUTHORITY', SECURITY, { assignmentId: 'sam-ta', ...later(12) }),
        cmd.accept('sam-ta', SECURITY, later(12, SECURITY)),
      ],
      deployed(),
    );

  it('refuses a security officer ratifying their own emergency suspension after becoming the authority', () =>
    given(...deciderBecameAuthority())
      .when(cmd.ratify('td-suspend', later(13, SECURITY)))
      .thenThrows('RATIFIER_IS_DECIDER'));

  it('still lets another holder of the authority ratify it', () =>
    given(...deciderBecameAuthority())
      .when(cmd.ratify('td-suspend', later(13, AUTHORITY)))
      .then([expect.objectContaining({ type: 'TakedownRatified' })]));
});

describe('the separation-of-duties matrix', () => {
  it('is quoted in each refusal, with what broke it and what would make it right', () => {
    const error = given(...deployed())
      .when(cmd.assign('TAKEDOWN_AUTHORITY', ADMIN, { assignmentId: 'ta-me', ...later(3) }))
      .rejection();
    const { duty, never } = SEPARATION_OF_DUTIES.SELF_ASSIGNMENT;
    expect(error.message).toBe(
      `separation of duties: ${duty} is never done by ${never}. ${ADMIN} tried to assign TAKEDOWN_AUTHORITY to themselves; another person must assign it, and the assignee then accepts`,
    );
  });

  it('is one table for the README, a row per rule', () => {
    const table = separationOfDutiesMarkdown().split('\n');
    expect(table.slice(0, 2)).toEqual(['| duty | never done by | refused with |', '|---|---|---|']);
    expect(table.slice(2).map((row) => /`([A-Z_]+)` \|$/.exec(row)?.[1])).toEqual(
      Object.keys(SEPARATION_OF_DUTIES),
    );
    expect(table).toContain(
      '| Holding TAKEDOWN_AUTHORITY and SECURITY_OFFICER together | one person: an emergency takedown and its ratification are always two people | `CONFLICTING_ROLES` |',
    );
  });

  it('lets the same goals be reached by distinct people: plan, validate, approve, deploy, monitor', () => {
    const events = run(
      [
        cmd.registerVersion('2.0.0', { meta: meta('dev.eve', day(3)) }),
        cmd.planValidation('2.0.0', { meta: meta(PLANNER, day(3)) }),
        cmd.validate('2.0.0', { meta: meta(VALIDATOR, day(4)) }),
        ...REVIEW_DISCIPLINES.map((d) => cmd.approve(d, '2.0.0', { meta: meta(REVIEWERS[d], day(4)) })),
        cmd.deploy('2.0.0', later(5)),
        cmd.signal(0.84, { meta: meta(HOLDERS.BIAS_DRIFT_MONITOR, day(9)) }),
      ],
      deployed(),
    );
    expect(events.map((e) => e.type).slice(-2)).toEqual(['ModelVersionDeployed', 'MonitoringSignalRecorded']);
  });
});
