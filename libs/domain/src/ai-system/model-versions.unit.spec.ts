import fc from 'fast-check';
import { stateFrom } from '../shared/decider';
import { specFor } from '../testing/given-when-then';
import {
  ADMIN,
  DEVELOPER,
  SYSTEM,
  TRAINING_DATASET,
  VALIDATOR,
  artifactOf,
  cmd,
  day,
  meta,
  run,
} from '../testing/ai-system-fixtures';
import type { MetricInput } from './commands';
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

  it('records a named developer when someone else registers the version, and its parent', () =>
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
  it('records the dataset, metrics against thresholds, subgroup results and the validator, and computes pass', () =>
    given(...withVersion())
      .when(cmd.validate())
      .then([
        {
          type: 'ValidationResultRecorded',
          data: {
            systemId: SYSTEM,
            validationId: 'val-1.0.0',
            version: '1.0.0',
            datasetId: 'icu-2021-holdout',
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

  it('fails a metric below a minimum threshold', () =>
    given(...withVersion())
      .when(
        cmd.validate('1.0.0', {
          metrics: [{ name: 'AUROC', value: 0.79, threshold: 0.8, direction: 'min' }],
        }),
      )
      .then(recorded({ ...failing, metrics: [expect.objectContaining(failing)] })));

  it('fails a metric above a maximum threshold', () =>
    given(...withVersion())
      .when(
        cmd.validate('1.0.0', {
          metrics: [{ name: 'calibration-error', value: 0.051, threshold: 0.05, direction: 'max' }],
        }),
      )
      .then(recorded({ ...failing, metrics: [expect.objectContaining(failing)] })));

  it('fails the whole validation when one subgroup fails, even if the overall metrics pass', () =>
    given(...withVersion())
      .when(
        cmd.validate('1.0.0', {
          subgroupResults: [
            {
              subgroup: 'female',
              metrics: [{ name: 'AUROC', value: 0.7, threshold: 0.8, direction: 'min' }],
            },
          ],
        }),
      )
      .then(
        recorded({
          ...failing,
          metrics: [expect.objectContaining(passing), expect.objectContaining(passing)],
          subgroupResults: [expect.objectContaining({ subgroup: 'female', ...failing })],
        }),
      ));

  it('computes pass from the thresholds, whatever the values', () => {
    const metric = fc.record<MetricInput>({
      name: fc.constantFrom('AUROC', 'sensitivity', 'ECE'),
      value: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
      threshold: fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
      direction: fc.constantFrom('min' as const, 'max' as const),
    });
    const meets = (m: MetricInput) =>
      m.direction === 'min' ? m.value >= m.threshold : m.value <= m.threshold;
    const decider = aiSystemDecider();
    const state = stateFrom(decider, withVersion());
    fc.assert(
      fc.property(
        fc.array(metric, { minLength: 1, maxLength: 5 }),
        fc.array(metric, { minLength: 1, maxLength: 3 }),
        (metrics, subgroupMetrics) => {
          const [result] = decider.decide(
            cmd.validate('1.0.0', {
              metrics,
              subgroupResults: [{ subgroup: 'any', metrics: subgroupMetrics }],
            }),
            state,
          ) as Array<AiSystemEventOf<'ValidationResultRecorded'>>;
          expect(result.data.metrics.map((m) => m.passed)).toEqual(metrics.map(meets));
          expect(result.data.passed).toBe(metrics.every(meets) && subgroupMetrics.every(meets));
        },
      ),
    );
  });

  it('refuses a validation recorded by the version’s developer', () =>
    given(...withVersion())
      .when(cmd.validate('1.0.0', { meta: meta(DEVELOPER, day(1)) }))
      .thenThrows('VALIDATOR_IS_DEVELOPER'));

  it('refuses a validation recorded by a named developer who did not register the version', () =>
    given(
      ...run([cmd.registerVersion('1.0.0', { developer: 'vendor.val', meta: meta(ADMIN) })], registered()),
    )
      .when(cmd.validate('1.0.0', { meta: meta('vendor.val', day(1)) }))
      .thenThrows('VALIDATOR_IS_DEVELOPER'));

  it('refuses a validation of an unknown version', () =>
    given(...withVersion())
      .when(cmd.validate('9.9.9'))
      .thenThrows('NOT_FOUND', 'version'));

  it('refuses to reuse a validation id', () =>
    given(...run([cmd.validate()], withVersion()))
      .when(cmd.validate())
      .thenThrows('ALREADY_EXISTS', 'validationId'));

  it.each([
    ['no metrics', { metrics: [] }, 'metrics'],
    [
      'a metric that is not a finite number',
      { metrics: [{ name: 'AUROC', value: Number.NaN, threshold: 0.8, direction: 'min' as const }] },
      'metrics.0.value',
    ],
    [
      'an unknown threshold direction',
      { metrics: [{ name: 'AUROC', value: 0.9, threshold: 0.8, direction: 'up' as never }] },
      'metrics.0.direction',
    ],
    [
      'a subgroup without metrics',
      { subgroupResults: [{ subgroup: 'female', metrics: [] }] },
      'subgroupResults.0.metrics',
    ],
  ])('refuses %s, naming the field', (_, override, field) =>
    given(...withVersion())
      .when(cmd.validate('1.0.0', override))
      .thenThrows('VALIDATION_FAILED', field),
  );
});
