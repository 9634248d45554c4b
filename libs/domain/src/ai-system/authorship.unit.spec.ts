import { stateFrom } from '../shared/decider';
import { specFor } from '../testing/given-when-then';
import { validateEventData } from '../events/validate-event-data';
import {
  ADMIN,
  DEVELOPER,
  HOLDERS,
  PLANNER,
  REVIEWERS,
  SYSTEM,
  TRAINING_DATASET,
  VALIDATOR,
  artifactOf,
  cmd,
  day,
  deployed,
  meta,
  run,
  upgraded,
} from '../testing/ai-system-fixtures';
import { aiSystemDecider } from './decide';
import { upcastModelVersionRegisteredV1, type AiSystemEvent } from './events';
import { REVIEW_DISCIPLINES } from './vocabulary';

/** Issue 14, path 2: validating your own version by naming someone else as its developer. */
const decider = aiSystemDecider();
const given = specFor(decider);
const REGISTRANT = 'reg.rita';
const NAMED = 'vendor.val';
const registeredByRita = () =>
  run([cmd.register(), cmd.registerVersion('1.0.0', { developer: NAMED, meta: meta(REGISTRANT) })]);
const planned = () => run([cmd.planValidation()], registeredByRita());

describe('the registrant of a version is one of its authors, whatever developer says', () => {
  it('records both the named developer and the registrant', () =>
    given(...run([cmd.register()]))
      .when(cmd.registerVersion('1.0.0', { developer: NAMED, meta: meta(REGISTRANT) }))
      .then([
        {
          type: 'ModelVersionRegistered',
          data: expect.objectContaining({ developer: NAMED, registeredBy: REGISTRANT }),
        },
        expect.objectContaining({ type: 'AiSystemStatusChanged' }),
      ]));

  it('refuses a registrant validating their own version by naming someone else as developer', () =>
    given(...planned())
      .when(cmd.validate('1.0.0', { meta: meta(REGISTRANT, day(1)) }))
      .thenThrows('VALIDATOR_IS_DEVELOPER'));

  it('refuses a registrant planning the validation of their own version', () =>
    given(...registeredByRita())
      .when(cmd.planValidation('1.0.0', { meta: meta(REGISTRANT) }))
      .thenThrows('VALIDATOR_IS_DEVELOPER'));

  it('refuses a registrant approving the deployment of their own version', () =>
    given(...planned())
      .when(cmd.approve('compliance', '1.0.0', { meta: meta(REGISTRANT) }))
      .thenThrows('REVIEWER_IS_DEVELOPER'));

  it('refuses the named developer validating, planning or approving it too', () => {
    given(...planned())
      .when(cmd.validate('1.0.0', { meta: meta(NAMED, day(1)) }))
      .thenThrows('VALIDATOR_IS_DEVELOPER');
    given(...registeredByRita())
      .when(cmd.planValidation('1.0.0', { meta: meta(NAMED) }))
      .thenThrows('VALIDATOR_IS_DEVELOPER');
    given(...planned())
      .when(cmd.approve('clinical', '1.0.0', { meta: meta(NAMED) }))
      .thenThrows('REVIEWER_IS_DEVELOPER');
  });

  it('refuses an author of the live version approving the version that would replace it', () =>
    given(
      ...run(
        [cmd.registerVersion('2.0.0', { developer: 'dev.eve', meta: meta('dev.eve', day(3)) })],
        deployed(),
      ),
    )
      .when(cmd.approve('data_science', '2.0.0', { meta: meta(DEVELOPER, day(4)) }))
      .thenThrows('REVIEWER_IS_DEVELOPER'));

  it('names the rule and what would make it right', () =>
    expect(
      given(...planned())
        .when(cmd.validate('1.0.0', { meta: meta(REGISTRANT, day(1)) }))
        .rejection().message,
    ).toMatch(
      /^separation of duties: planning or recording the validation of a version is never done by an author of that version\. reg\.rita is an author of version 1\.0\.0 .*; an independent validator must$/,
    ));

  it('still lets independent people plan, validate and approve a version someone registered for a named developer', () => {
    const events = run(
      [
        cmd.validate('1.0.0', { meta: meta(VALIDATOR, day(1)) }),
        ...REVIEW_DISCIPLINES.map((d) => cmd.approve(d)),
      ],
      planned(),
    );
    expect(events.at(-1)).toEqual({
      type: 'AiSystemStatusChanged',
      data: expect.objectContaining({ to: 'approved' }),
    });
    expect(events.filter((e) => e.type === 'DeploymentApproved')).toHaveLength(4);
  });
});

describe('nobody rolls back to, or ratifies anything about, a version they authored', () => {
  /** dev.dan wrote 1.0.0 and 2.0.0, and was made an authority before authors were kept out of that role. */
  const legacyAuthorAuthority = (): AiSystemEvent[] => [
    ...upgraded(),
    {
      type: 'AccountabilityAssigned',
      data: {
        systemId: SYSTEM,
        assignmentId: 'ta-dan',
        role: 'TAKEDOWN_AUTHORITY',
        assignee: DEVELOPER,
        effectiveFrom: day(6),
        assignedBy: ADMIN,
      },
    },
    {
      type: 'AccountabilityAccepted',
      data: {
        systemId: SYSTEM,
        assignmentId: 'ta-dan',
        role: 'TAKEDOWN_AUTHORITY',
        assignee: DEVELOPER,
        acceptedAt: day(6),
      },
    },
  ];
  const emergencyRollback = () =>
    run(
      [
        cmd.takedown('rollback', {
          toVersion: '1.0.0',
          emergency: true,
          meta: meta(HOLDERS.SECURITY_OFFICER, day(12)),
        }),
      ],
      legacyAuthorAuthority(),
    );

  it('refuses an authority rolling the system back to a version they authored', () =>
    given(...legacyAuthorAuthority())
      .when(cmd.takedown('rollback', { toVersion: '1.0.0', meta: meta(DEVELOPER, day(12)) }))
      .thenThrows('DECIDER_IS_AUTHOR'));

  it('refuses a security officer rolling back, in an emergency, to a version they registered', () =>
    given(
      ...run(
        [
          cmd.registerVersion('1.5.0', {
            developer: 'dev.eve',
            meta: meta(HOLDERS.SECURITY_OFFICER, day(3)),
          }),
          cmd.planValidation('1.5.0', { meta: meta(PLANNER, day(3)) }),
          cmd.validate('1.5.0', { meta: meta(VALIDATOR, day(3)) }),
          cmd.registerVersion('2.0.0', { meta: meta(DEVELOPER, day(3)) }),
          cmd.planValidation('2.0.0', { meta: meta(PLANNER, day(3)) }),
          cmd.validate('2.0.0', { meta: meta(VALIDATOR, day(4)) }),
          ...REVIEW_DISCIPLINES.map((d) => cmd.approve(d, '2.0.0', { meta: meta(REVIEWERS[d], day(4)) })),
          cmd.deploy('2.0.0', { meta: meta(ADMIN, day(5)) }),
        ],
        deployed(),
      ),
    )
      .when(
        cmd.takedown('rollback', {
          toVersion: '1.5.0',
          emergency: true,
          meta: meta(HOLDERS.SECURITY_OFFICER, day(12)),
        }),
      )
      .thenThrows('DECIDER_IS_AUTHOR'));

  it('refuses an authority ratifying an emergency rollback to a version they authored', () =>
    given(...emergencyRollback())
      .when(cmd.ratify('td-rollback', { meta: meta(DEVELOPER, day(13)) }))
      .thenThrows('RATIFIER_IS_AUTHOR'));

  it('still lets an authority who did not author it roll back and ratify', () => {
    given(...legacyAuthorAuthority())
      .when(cmd.takedown('rollback', { toVersion: '1.0.0' }))
      .then([expect.objectContaining({ type: 'TakedownDecided' })]);
    given(...emergencyRollback())
      .when(cmd.ratify('td-rollback'))
      .then([expect.objectContaining({ type: 'TakedownRatified' })]);
  });
});

describe('ModelVersionRegistered v1, stored before registrants were recorded', () => {
  const v1 = {
    systemId: SYSTEM,
    version: '1.0.0',
    artifactSha256: artifactOf('1.0.0'),
    trainingDatasetIds: [TRAINING_DATASET],
    codeRevision: '3f9c2e1',
    changeSummary: 'Initial release',
    withinChangeControlPlan: false,
    developer: NAMED,
  };

  it('upcasts to v2 with the registrant taken from the stored envelope’s actor', () => {
    const v2 = upcastModelVersionRegisteredV1(v1, REGISTRANT);
    expect(v2).toEqual({ ...v1, registeredBy: REGISTRANT });
    expect(validateEventData('ModelVersionRegistered', 2, v2)).toEqual([]);
  });

  it('makes the registrant of a stored v1 version an author, so they cannot validate it', () => {
    const history: AiSystemEvent[] = [
      ...run([cmd.register()]),
      { type: 'ModelVersionRegistered', data: upcastModelVersionRegisteredV1(v1, 'Reg.Rita') },
    ];
    expect(stateFrom(decider, history)).toMatchObject({
      versions: [{ version: '1.0.0', authors: [NAMED, REGISTRANT] }],
    });
    given(...run([cmd.planValidation()], history))
      .when(cmd.validate('1.0.0', { meta: meta(REGISTRANT, day(1)) }))
      .thenThrows('VALIDATOR_IS_DEVELOPER');
  });
});
