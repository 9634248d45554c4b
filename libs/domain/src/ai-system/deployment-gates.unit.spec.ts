import { specFor } from '../testing/given-when-then';
import {
  ADMIN,
  DEVELOPER,
  HOLDERS,
  PLANNER,
  REVIEWERS,
  SYSTEM,
  VALIDATION_DATASET,
  VALIDATOR,
  cmd,
  day,
  deployed,
  meta,
  readyToDeploy,
  run,
  staffed,
  suspended,
} from '../testing/ai-system-fixtures';
import type { AiSystemCommand } from './commands';
import { aiSystemDecider } from './decide';
import type { AiSystemEvent } from './events';
import { REVIEW_DISCIPLINES } from './vocabulary';

/** Issue 14, paths 5 and 6: deploying on a stale pass; deploying with nobody watching. */
const given = specFor(aiSystemDecider());
const unmetGates = (history: AiSystemEvent[], command: AiSystemCommand) =>
  given(...history)
    .when(command)
    .rejection()
    .details?.unmetGates?.map((g) => `${g.gate}: ${g.message}`);
const deploys = [
  expect.objectContaining({ type: 'ModelVersionDeployed' }),
  expect.objectContaining({ type: 'AiSystemStatusChanged' }),
];

describe('the latest validation of a version decides the VALIDATION gate', () => {
  const failedAfterPass = () =>
    run([cmd.validateFailing('1.0.0', { meta: meta(VALIDATOR, day(1, 6)) })], readyToDeploy());

  it('refuses deploying on a stale pass after a later validation failed', () =>
    expect(unmetGates(failedAfterPass(), cmd.deploy())).toEqual([
      'VALIDATION: record a passing validation of version 1.0.0 against its validation plan: the latest, val-1.0.0-failed, failed',
    ]));

  it('deploys again once a newer validation passes', () =>
    given(
      ...run(
        [cmd.validate('1.0.0', { validationId: 'retry', meta: meta(VALIDATOR, day(1, 8)) })],
        failedAfterPass(),
      ),
    )
      .when(cmd.deploy())
      .then(deploys));

  it('refuses a pass recorded before validation plans existed, since its thresholds were typed in with it', () => {
    const legacyResult: AiSystemEvent = {
      type: 'ValidationResultRecorded',
      data: {
        systemId: SYSTEM,
        validationId: 'legacy',
        version: '1.0.0',
        datasetId: VALIDATION_DATASET,
        metrics: [{ name: 'AUROC', value: 0.01, threshold: 0, direction: 'min', passed: true }],
        subgroupResults: [],
        passed: true,
        validator: VALIDATOR,
        validatedAt: day(1),
      },
    };
    const history = run(
      [cmd.accessPolicy(), cmd.auditSource(), cmd.plan(), ...REVIEW_DISCIPLINES.map((d) => cmd.approve(d))],
      [...run([cmd.register(), ...staffed(), cmd.registerVersion()]), legacyResult],
    );
    expect(unmetGates(history, cmd.deploy())).toEqual([
      expect.stringMatching(
        /^VALIDATION: .*the latest, legacy, was judged against thresholds typed in with it/,
      ),
    ]);
  });

  it('refuses reinstating a suspended system whose validation since the suspension passed and then failed', () =>
    given(
      ...run(
        [
          cmd.validate('1.0.0', { validationId: 'after', meta: meta(VALIDATOR, day(13)) }),
          cmd.validateFailing('1.0.0', { validationId: 'after-failed', meta: meta(VALIDATOR, day(14)) }),
        ],
        suspended(),
      ),
    )
      .when(cmd.reinstate())
      .thenThrows('GATE_NOT_MET'));

  it('refuses rolling back to a version whose latest validation failed', () => {
    const history = run(
      [
        cmd.registerVersion('2.0.0', { meta: meta(DEVELOPER, day(3)) }),
        cmd.planValidation('2.0.0', { meta: meta(PLANNER, day(3)) }),
        cmd.validate('2.0.0', { meta: meta(VALIDATOR, day(4)) }),
        ...REVIEW_DISCIPLINES.map((d) => cmd.approve(d, '2.0.0', { meta: meta(REVIEWERS[d], day(4)) })),
        cmd.deploy('2.0.0', { meta: meta(ADMIN, day(5)) }),
        cmd.validateFailing('1.0.0', { meta: meta(VALIDATOR, day(6)) }),
      ],
      deployed(),
    );
    given(...history)
      .when(cmd.takedown('rollback', { toVersion: '1.0.0' }))
      .thenThrows('INVALID_ROLLBACK_TARGET', 'toVersion');
  });
});

describe('a monitoring plan is a deployment gate', () => {
  const unwatched = () =>
    run([
      cmd.register(),
      ...staffed(),
      cmd.registerVersion(),
      cmd.planValidation(),
      cmd.validate(),
      cmd.accessPolicy(),
      cmd.auditSource(),
      ...REVIEW_DISCIPLINES.map((d) => cmd.approve(d)),
    ]);

  it('refuses deploying with nobody watching', () =>
    expect(unmetGates(unwatched(), cmd.deploy())).toEqual([
      'MONITORING_PLAN: plan the monitoring of sepsis-watch: at least one metric with its threshold, direction and cadence',
    ]));

  it('deploys once a metric is planned for monitoring', () =>
    given(...run([cmd.plan({ meta: meta(HOLDERS.MODEL_PERFORMANCE_OWNER, day(1, 5)) })], unwatched()))
      .when(cmd.deploy())
      .then(deploys));
});
