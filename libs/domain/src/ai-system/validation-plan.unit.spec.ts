import { specFor } from '../testing/given-when-then';
import {
  APPROVED_VALIDATION_DATA,
  DEVELOPER,
  PLANNER,
  SYSTEM,
  TRAINING_DATASET,
  VALIDATION_DATASET,
  VALIDATOR,
  cmd,
  day,
  meta,
  run,
} from '../testing/ai-system-fixtures';
import { aiSystemDecider } from './decide';
import { DEFAULT_GOVERNANCE_POLICY } from './policy';

/** Issue 14, paths 3 and 4: thresholds typed in with the result; validating on training or unregistered data. */
const given = specFor(aiSystemDecider());
const withVersion = () => run([cmd.register(), cmd.registerVersion()]);
const planned = () => run([cmd.planValidation()], withVersion());
const lenientPlan = {
  metrics: [{ name: 'AUROC', threshold: 0, direction: 'min' as const }],
  subgroups: [],
};

describe('planning a validation', () => {
  it('records metrics, thresholds, directions, subgroups, the validation dataset and the planner', () =>
    given(...withVersion())
      .when(cmd.planValidation())
      .then([
        {
          type: 'ValidationPlanned',
          data: {
            systemId: SYSTEM,
            version: '1.0.0',
            datasetId: VALIDATION_DATASET,
            metrics: [
              { name: 'AUROC', threshold: 0.8, direction: 'min' },
              { name: 'calibration-error', threshold: 0.05, direction: 'max' },
            ],
            subgroups: [
              { subgroup: 'age 65+', metrics: [{ name: 'AUROC', threshold: 0.8, direction: 'min' }] },
            ],
            plannedBy: PLANNER,
          },
        },
      ]));

  it('lets the plan be replaced while no result exists', () =>
    given(...planned())
      .when(cmd.planValidation('1.0.0', { ...lenientPlan, meta: meta(PLANNER, day(0, 8)) }))
      .then([{ type: 'ValidationPlanned', data: expect.objectContaining(lenientPlan) }]));

  it('refuses to lower the thresholds once a result has been judged against the plan', () =>
    given(...run([cmd.validateFailing()], planned()))
      .when(cmd.planValidation('1.0.0', { ...lenientPlan, meta: meta(PLANNER, day(2)) }))
      .thenThrows('VALIDATION_PLAN_LOCKED', 'version'));

  it('refuses to change the plan after a passing result too', () =>
    given(...run([cmd.validate()], planned()))
      .when(cmd.planValidation('1.0.0', { meta: meta(PLANNER, day(2)) }))
      .thenThrows('VALIDATION_PLAN_LOCKED'));

  it('refuses a plan by an author of the version', () =>
    given(...withVersion())
      .when(cmd.planValidation('1.0.0', { meta: meta(DEVELOPER) }))
      .thenThrows('VALIDATOR_IS_DEVELOPER'));

  it('refuses a plan for an unknown version', () =>
    given(...withVersion())
      .when(cmd.planValidation('9.9.9'))
      .thenThrows('NOT_FOUND', 'version'));

  it.each([
    ['a metric twice', { metrics: [lenientPlan.metrics[0], lenientPlan.metrics[0]] }, 'metrics'],
    [
      'a subgroup twice',
      {
        subgroups: [
          { subgroup: 'female', metrics: lenientPlan.metrics },
          { subgroup: 'female', metrics: lenientPlan.metrics },
        ],
      },
      'subgroups',
    ],
  ])('refuses a plan naming %s', (_, override, field) =>
    given(...withVersion())
      .when(cmd.planValidation('1.0.0', override))
      .thenThrows('VALIDATION_FAILED', field),
  );

  it.each([
    ['no metrics', { metrics: [] }, 'metrics'],
    [
      'an unknown threshold direction',
      { metrics: [{ name: 'AUROC', threshold: 0.8, direction: 'up' as never }] },
      'metrics.0.direction',
    ],
    [
      'a subgroup without metrics',
      { subgroups: [{ subgroup: 'female', metrics: [] }] },
      'subgroups.0.metrics',
    ],
  ])('refuses a plan with %s, naming the field', (_, override, field) =>
    given(...withVersion())
      .when(cmd.planValidation('1.0.0', override))
      .thenThrows('VALIDATION_FAILED', field),
  );
});

describe('the validation dataset', () => {
  it('refuses validating on the training data', () =>
    given(...withVersion())
      .when(
        cmd.planValidation('1.0.0', {
          datasetId: TRAINING_DATASET,
          dataset: {
            datasetId: TRAINING_DATASET,
            registered: true,
            approvedPurposes: ['model-validation'],
            approvals: [{ purpose: 'model-validation', approvedBy: 'data.steward' }],
          },
        }),
      )
      .thenThrows('VALIDATION_DATASET_IS_TRAINING_DATA', 'datasetId'));

  it.each([
    ['an unregistered dataset', { ...APPROVED_VALIDATION_DATA, registered: false, approvedPurposes: [] }],
    [
      'a dataset approved for training only',
      { ...APPROVED_VALIDATION_DATA, approvedPurposes: ['model-training'] },
    ],
    ['a snapshot of another dataset than the one named', { ...APPROVED_VALIDATION_DATA, datasetId: 'other' }],
  ])('refuses validating on %s', (_, dataset) =>
    given(...withVersion())
      .when(cmd.planValidation('1.0.0', { dataset }))
      .thenThrows('VALIDATION_DATASET_NOT_APPROVED', 'datasetId'),
  );

  const approvedBy = (...approvers: string[]) => ({
    ...APPROVED_VALIDATION_DATA,
    approvals: approvers.map((approver) => ({ purpose: 'model-validation', approvedBy: approver })),
  });

  it('refuses a validation dataset that only an author of the version approved for validation, under any spelling', () =>
    given(...withVersion())
      .when(cmd.planValidation('1.0.0', { dataset: approvedBy(' Dev.Dan ') }))
      .thenThrows('VALIDATION_DATASET_APPROVED_BY_AUTHOR'));

  it('accepts it once someone who is not an author has approved it for validation too', () =>
    given(...withVersion())
      .when(cmd.planValidation('1.0.0', { dataset: approvedBy(DEVELOPER, 'irb.ida') }))
      .then([
        { type: 'ValidationPlanned', data: expect.objectContaining({ datasetId: VALIDATION_DATASET }) },
      ]));

  it('follows the organisation’s validation purpose', () =>
    specFor(aiSystemDecider({ ...DEFAULT_GOVERNANCE_POLICY, validationPurpose: 'clinical-evaluation' }))(
      ...withVersion(),
    )
      .when(cmd.planValidation())
      .thenThrows('VALIDATION_DATASET_NOT_APPROVED'));
});

describe('results are judged against the plan', () => {
  it('refuses a result for a version without a plan: thresholds are never typed in with the result', () =>
    given(...withVersion())
      .when(cmd.validate())
      .thenThrows('VALIDATION_NOT_PLANNED', 'version'));

  it('fails a score of 0.01 against the planned threshold, whatever threshold the validator sends along', () =>
    given(...planned())
      .when(
        cmd.validate('1.0.0', {
          metrics: [
            { name: 'AUROC', value: 0.01, threshold: 0, direction: 'min' } as never,
            { name: 'calibration-error', value: 0.04 },
          ],
        }),
      )
      .then([
        {
          type: 'ValidationResultRecorded',
          data: expect.objectContaining({
            passed: false,
            metrics: [
              { name: 'AUROC', value: 0.01, threshold: 0.8, direction: 'min', passed: false },
              expect.objectContaining({ passed: true }),
            ],
          }),
        },
      ]));

  it('records the planned dataset as the one validated on', () =>
    given(...planned())
      .when(cmd.validate())
      .then([
        {
          type: 'ValidationResultRecorded',
          data: expect.objectContaining({ datasetId: VALIDATION_DATASET, validator: VALIDATOR }),
        },
      ]));

  it.each([
    ['leaves out a planned metric', { metrics: [{ name: 'AUROC', value: 0.9 }] }, 'metrics'],
    [
      'reports a metric the plan does not have',
      {
        metrics: [
          { name: 'AUROC', value: 0.9 },
          { name: 'calibration-error', value: 0.04 },
          { name: 'accuracy', value: 0.99 },
        ],
      },
      'metrics',
    ],
    [
      'reports a planned metric twice',
      {
        metrics: [
          { name: 'AUROC', value: 0.5 },
          { name: 'AUROC', value: 0.9 },
          { name: 'calibration-error', value: 0.04 },
        ],
      },
      'metrics',
    ],
    ['leaves out a planned subgroup', { subgroupResults: [] }, 'subgroupResults'],
    [
      'reports only a subgroup the plan does not have',
      { subgroupResults: [{ subgroup: 'age 18-40', metrics: [{ name: 'AUROC', value: 0.9 }] }] },
      'subgroupResults',
    ],
  ])('refuses a result that %s', (_, override, field) =>
    given(...planned())
      .when(cmd.validate('1.0.0', override))
      .thenThrows('VALIDATION_PLAN_MISMATCH', field),
  );
});
