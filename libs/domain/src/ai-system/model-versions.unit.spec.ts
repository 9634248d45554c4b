import fc from 'fast-check';
import { stateFrom } from '../shared/decider';
import { specFor } from '../testing/given-when-then';
import {
  ADMIN,
  DEVELOPER,
  SYSTEM,
  TRAINING_DATASET,
  VALIDATION_DATASET,
  VALIDATOR,
  artifactOf,
  cmd,
  day,
  meta,
  run,
} from '../testing/ai-system-fixtures';
import type { PlannedMetric } from './commands';
import { aiSystemDecider } from './decide';
import type { AiSystemEventOf } from './events';

const given = specFor(aiSystemDecider());
const registered = () => run([cmd.register()]);
const withVersion = () => run([cmd.registerVersion()], registered());

describe('registering a model version', () => {
  it('records digest, training data, code revision, change summary and change-control status, with the registrant as developer; the system enters validation', () =>
    given(...registered())
      .when(cmd.registerVersion())
      .then([
        {
          type: 'ModelVersionRegistered',
          data: {
            systemId: SYSTEM,
            version: '1.0.0',
            artifactSha256: artifactOf('1.0.0'),
            trainingDatasetIds: [TRAINING_DATASET],
            codeRevision: '3f9c2e1',
            changeSummary: 'Initial release',
            withinChangeControlPlan: false,
            developer: DEVELOPER,
            registeredBy: DEVELOPER,
          },
        },
        {
          type: 'AiSystemStatusChanged',
          data: {
            systemId: SYSTEM,
            from: 'proposed',
            to: 'in_validation',
            because: 'ModelVersionRegistered',
            at: day(0),
          },
        },
      ]));

  it('records a named developer and the registrant when someone else registers the version, and its parent', () =>
    given(...withVersion())
      .when(
        cmd.registerVersion('1.1.0', {
          parentVersion: '1.0.0',
          withinChangeControlPlan: true,
          developer: 'vendor.val',
          meta: meta(ADMIN),
        }),
      )
      .then([
        {
          type: 'ModelVersionRegistered',
          data: expect.objectContaining({
            version: '1.1.0',
            parentVersion: '1.0.0',
            withinChangeControlPlan: true,
            developer: 'vendor.val',
            registeredBy: ADMIN,
          }),
        },
      ]));

  it('refuses a version label already registered', () =>
    given(...withVersion())
      .when(cmd.registerVersion('1.0.0'))
      .thenThrows('ALREADY_EXISTS', 'version'));

  it('refuses an artifact already registered under another label', () =>
    given(...withVersion())
      .when(cmd.registerVersion('1.0.1', { artifactSha256: artifactOf('1.0.0') }))
      .thenThrows('ALREADY_EXISTS', 'artifactSha256'));

  it('refuses an unknown parent version', () =>
    given(...withVersion())
      .when(cmd.registerVersion('1.1.0', { parentVersion: '0.9.0' }))
      .thenThrows('NOT_FOUND', 'parentVersion'));

  it.each([
    ['a digest that is not SHA-256 hex', { artifactSha256: 'ABC123' }, 'artifactSha256'],
    ['no training datasets', { trainingDatasetIds: [] }, 'trainingDatasetIds'],
    ['a blank change summary', { changeSummary: ' ' }, 'changeSummary'],
  ])('refuses %s', (_, override, field) =>
    given(...registered())
      .when(cmd.registerVersion('1.0.0', override))
      .thenThrows('VALIDATION_FAILED', field),
  );
});

describe('recording a validation result', () => {
  const planned = () => run([cmd.planValidation()], withVersion());

  it('records the planned dataset, each metric against its planned threshold, subgroup results and the validator, and computes pass', () =>
    given(...planned())
      .when(cmd.validate())
      .then([
        {
          type: 'ValidationResultRecorded',
          data: {
            systemId: SYSTEM,
            validationId: 'val-1.0.0',
            version: '1.0.0',
            datasetId: VALIDATION_DATASET,
            metrics: [
              { name: 'AUROC', value: 0.86, threshold: 0.8, direction: 'min', passed: true },
              { name: 'calibration-error', value: 0.04, threshold: 0.05, direction: 'max', passed: true },
            ],
            subgroupResults: [
              {
                subgroup: 'age 65+',
                metrics: [{ name: 'AUROC', value: 0.83, threshold: 0.8, direction: 'min', passed: true }],
                passed: true,
              },
            ],
            passed: true,
            validator: VALIDATOR,
            validatedAt: day(1),
          },
        },
      ]));

  const recorded = (data: object) => [
    { type: 'ValidationResultRecorded' as const, data: expect.objectContaining(data) },
  ];
  const failing = { passed: false };
  const passing = { passed: true };
  const overall = (auroc: number, calibrationError: number) => [
    { name: 'AUROC', value: auroc },
    { name: 'calibration-error', value: calibrationError },
  ];

  it('fails a metric below a minimum threshold', () =>
    given(...planned())
      .when(cmd.validate('1.0.0', { metrics: overall(0.79, 0.04) }))
      .then(
        recorded({
          ...failing,
          metrics: [expect.objectContaining(failing), expect.objectContaining(passing)],
        }),
      ));

  it('fails a metric above a maximum threshold', () =>
    given(...planned())
      .when(cmd.validate('1.0.0', { metrics: overall(0.86, 0.051) }))
      .then(
        recorded({
          ...failing,
          metrics: [expect.objectContaining(passing), expect.objectContaining(failing)],
        }),
      ));

  it('fails the whole validation when one subgroup fails, even if the overall metrics pass', () =>
    given(...planned())
      .when(
        cmd.validate('1.0.0', {
          subgroupResults: [{ subgroup: 'age 65+', metrics: [{ name: 'AUROC', value: 0.7 }] }],
        }),
      )
      .then(
        recorded({
          ...failing,
          metrics: [expect.objectContaining(passing), expect.objectContaining(passing)],
          subgroupResults: [expect.objectContaining({ subgroup: 'age 65+', ...failing })],
        }),
      ));

  it('computes pass from the planned thresholds, whatever the plan and the values', () => {
    const number = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 });
    const planOf = (names: string[]) =>
      fc.tuple(
        ...names.map((name) =>
          fc.record({
            name: fc.constant(name),
            threshold: number,
            direction: fc.constantFrom('min' as const, 'max' as const),
          }),
        ),
      );
    const meets = (p: PlannedMetric, value: number) =>
      p.direction === 'min' ? value >= p.threshold : value <= p.threshold;
    const decider = aiSystemDecider();
    fc.assert(
      fc.property(
        fc
          .uniqueArray(fc.constantFrom('AUROC', 'sensitivity', 'ECE', 'PPV', 'NPV'), {
            minLength: 1,
            maxLength: 5,
          })
          .chain((names) =>
            fc.tuple(
              planOf(names),
              planOf(names.slice(0, 2)),
              fc.array(number, { minLength: 5, maxLength: 5 }),
              fc.array(number, { minLength: 2, maxLength: 2 }),
            ),
          ),
        ([metrics, subgroupMetrics, values, subgroupValues]) => {
          const state = stateFrom(
            decider,
            run(
              [
                cmd.planValidation('1.0.0', {
                  metrics,
                  subgroups: [{ subgroup: 'any', metrics: subgroupMetrics }],
                }),
              ],
              withVersion(),
            ),
          );
          const [result] = decider.decide(
            cmd.validate('1.0.0', {
              metrics: metrics.map((m, i) => ({ name: m.name, value: values[i] })),
              subgroupResults: [
                {
                  subgroup: 'any',
                  metrics: subgroupMetrics.map((m, i) => ({ name: m.name, value: subgroupValues[i] })),
                },
              ],
            }),
            state,
          ) as Array<AiSystemEventOf<'ValidationResultRecorded'>>;
          const overallPasses = metrics.map((m, i) => meets(m, values[i]));
          const subgroupPasses = subgroupMetrics.map((m, i) => meets(m, subgroupValues[i]));
          expect(result.data.metrics.map((m) => m.passed)).toEqual(overallPasses);
          expect(result.data.passed).toBe([...overallPasses, ...subgroupPasses].every(Boolean));
        },
      ),
    );
  });

  it('refuses a validation recorded by the version’s developer', () =>
    given(...planned())
      .when(cmd.validate('1.0.0', { meta: meta(DEVELOPER, day(1)) }))
      .thenThrows('VALIDATOR_IS_DEVELOPER'));

  it('refuses a validation recorded by a named developer who did not register the version', () =>
    given(
      ...run([cmd.registerVersion('1.0.0', { developer: 'vendor.val', meta: meta(ADMIN) })], registered()),
    )
      .when(cmd.validate('1.0.0', { meta: meta('vendor.val', day(1)) }))
      .thenThrows('VALIDATOR_IS_DEVELOPER'));

  it('refuses a validation of an unknown version', () =>
    given(...planned())
      .when(cmd.validate('9.9.9'))
      .thenThrows('NOT_FOUND', 'version'));

  it('refuses to reuse a validation id', () =>
    given(...run([cmd.validate()], planned()))
      .when(cmd.validate())
      .thenThrows('ALREADY_EXISTS', 'validationId'));

  it.each([
    ['no metrics', { metrics: [] }, 'metrics'],
    [
      'a subgroup without metrics',
      { subgroupResults: [{ subgroup: 'age 65+', metrics: [] }] },
      'subgroupResults.0.metrics',
    ],
  ])('refuses a result with %s, since the plan asks for them, naming the field', (_, override, field) =>
    given(...planned())
      .when(cmd.validate('1.0.0', override))
      .thenThrows('VALIDATION_PLAN_MISMATCH', field),
  );

  it('refuses a metric that is not a finite number, naming the field', () =>
    given(...planned())
      .when(cmd.validate('1.0.0', { metrics: overall(Number.NaN, 0.04) }))
      .thenThrows('VALIDATION_FAILED', 'metrics.0.value'));
});
