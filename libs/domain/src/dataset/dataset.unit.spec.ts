import { stateFrom } from '../shared/decider';
import type { CommandMeta } from '../shared/command-meta';
import { MS_PER_DAY, instantAfter } from '../shared/time';
import { specFor } from '../testing/given-when-then';
import type {
  ApproveDataset,
  GrantDatasetAccess,
  RecordDatasetAccessLogReview,
  RecordDatasetAccessPolicy,
  RegisterDataset,
  RevokeDatasetAccess,
} from './commands';
import { datasetDecider, datasetSnapshot } from './dataset';
import type { DatasetEvent } from './events';

const given = specFor(datasetDecider);
const T0 = '2025-03-03T09:00:00.000Z';
const day = (n: number) => instantAfter(T0, n * MS_PER_DAY);
const meta = (actor: string, at = day(0)): CommandMeta => ({ actor, at });
const DATASET = 'icu-2019';

const register = (o: Partial<RegisterDataset> = {}): RegisterDataset => ({
  type: 'RegisterDataset',
  datasetId: DATASET,
  name: 'ICU admissions 2019',
  classification: 'PHI',
  legalBasis: 'HIPAA health care operations',
  steward: 'steward.sue',
  source: 'EHR nightly extract',
  retentionPeriod: 'P10Y',
  meta: meta('gov.admin'),
  ...o,
});
const approve = (purpose = 'model-training', o: Partial<ApproveDataset> = {}): ApproveDataset => ({
  type: 'ApproveDataset',
  datasetId: DATASET,
  purpose,
  meta: meta('irb.ida'),
  ...o,
});
const grant = (o: Partial<GrantDatasetAccess> = {}): GrantDatasetAccess => ({
  type: 'GrantDatasetAccess',
  datasetId: DATASET,
  grantId: 'g-1',
  principal: 'dev.dan',
  purpose: 'model-training',
  expiresAt: day(90),
  meta: meta('steward.sue', day(1)),
  ...o,
});
const revoke = (o: Partial<RevokeDatasetAccess> = {}): RevokeDatasetAccess => ({
  type: 'RevokeDatasetAccess',
  datasetId: DATASET,
  grantId: 'g-1',
  reason: 'Project ended',
  meta: meta('steward.sue', day(30)),
  ...o,
});

const history = (...commands: Array<Parameters<typeof datasetDecider.decide>[0]>) =>
  commands.reduce<DatasetEvent[]>(
    (events, command) => [...events, ...datasetDecider.decide(command, stateFrom(datasetDecider, events))],
    [],
  );

describe('registering a dataset', () => {
  it('records classification, legal basis, steward, source and retention period', () =>
    given()
      .when(register())
      .then([
        {
          type: 'DatasetRegistered',
          data: {
            datasetId: DATASET,
            name: 'ICU admissions 2019',
            classification: 'PHI',
            legalBasis: 'HIPAA health care operations',
            steward: 'steward.sue',
            source: 'EHR nightly extract',
            retentionPeriod: 'P10Y',
            registeredBy: 'gov.admin',
          },
        },
      ]));

  it('refuses a second registration', () =>
    given(...history(register()))
      .when(register())
      .thenThrows('ALREADY_EXISTS', 'datasetId'));

  it.each([
    ['an unknown classification', { classification: 'secret' as never }, 'classification'],
    [
      'a retention period that is not an ISO 8601 duration',
      { retentionPeriod: '10 years' },
      'retentionPeriod',
    ],
    ['no steward', { steward: '' }, 'steward'],
  ])('refuses %s', (_, override, field) =>
    given().when(register(override)).thenThrows('VALIDATION_FAILED', field),
  );

  it('refuses any other command on a dataset that was never registered', () =>
    given().when(approve()).thenThrows('NOT_FOUND', 'datasetId'));
});

describe('approving a dataset for a purpose', () => {
  it('records the purpose and the approver', () =>
    given(...history(register()))
      .when(approve())
      .then([
        {
          type: 'DatasetApproved',
          data: { datasetId: DATASET, purpose: 'model-training', approvedBy: 'irb.ida' },
        },
      ]));

  it('refuses the same purpose twice', () =>
    given(...history(register(), approve()))
      .when(approve())
      .thenThrows('ALREADY_EXISTS', 'purpose'));
});

describe('granting and revoking access', () => {
  const approved = () => history(register(), approve());

  it('grants a principal access for an approved purpose until an expiry', () =>
    given(...approved())
      .when(grant())
      .then([
        {
          type: 'DatasetAccessGranted',
          data: {
            datasetId: DATASET,
            grantId: 'g-1',
            principal: 'dev.dan',
            purpose: 'model-training',
            expiresAt: day(90),
            grantedBy: 'steward.sue',
          },
        },
      ]));

  it('refuses access for a purpose the dataset is not approved for', () =>
    given(...approved())
      .when(grant({ purpose: 'marketing' }))
      .thenThrows('PURPOSE_NOT_APPROVED', 'purpose'));

  it('refuses an expiry that is not after the grant', () =>
    given(...approved())
      .when(grant({ expiresAt: day(1) }))
      .thenThrows('VALIDATION_FAILED', 'expiresAt'));

  it('refuses an expiry that is not an instant', () =>
    given(...approved())
      .when(grant({ expiresAt: 'never' }))
      .thenThrows('VALIDATION_FAILED', 'expiresAt'));

  it('refuses a grant id already used', () =>
    given(...history(register(), approve(), grant()))
      .when(grant({ principal: 'val.vic' }))
      .thenThrows('ALREADY_EXISTS', 'grantId'));

  it('refuses a second live grant of the same access', () =>
    given(...history(register(), approve(), grant()))
      .when(grant({ grantId: 'g-2' }))
      .thenThrows('ALREADY_EXISTS', 'principal'));

  it('grants the same access again once the earlier grant has expired', () =>
    given(...history(register(), approve(), grant()))
      .when(grant({ grantId: 'g-2', expiresAt: day(200), meta: meta('steward.sue', day(91)) }))
      .then([expect.objectContaining({ type: 'DatasetAccessGranted' })]));

  it('revokes a grant, recording why and by whom', () =>
    given(...history(register(), approve(), grant()))
      .when(revoke())
      .then([
        {
          type: 'DatasetAccessRevoked',
          data: {
            datasetId: DATASET,
            grantId: 'g-1',
            principal: 'dev.dan',
            purpose: 'model-training',
            reason: 'Project ended',
            revokedBy: 'steward.sue',
          },
        },
      ]));

  it('grants the same access again once the earlier grant is revoked', () =>
    given(...history(register(), approve(), grant(), revoke()))
      .when(grant({ grantId: 'g-2', meta: meta('steward.sue', day(31)) }))
      .then([expect.objectContaining({ type: 'DatasetAccessGranted' })]));

  it('refuses to revoke an unknown grant', () =>
    given(...approved())
      .when(revoke())
      .thenThrows('NOT_FOUND', 'grantId'));

  it('refuses to revoke twice', () =>
    given(...history(register(), approve(), grant(), revoke()))
      .when(revoke())
      .thenThrows('INVALID_TRANSITION', 'grantId'));
});

describe('the snapshot a deployment reads', () => {
  it('reports a registered dataset with its approved purposes and who approved each', () =>
    expect(
      datasetSnapshot(DATASET, stateFrom(datasetDecider, history(register(), approve(), approve('TREAT')))),
    ).toEqual({
      datasetId: DATASET,
      registered: true,
      approvedPurposes: ['model-training', 'TREAT'],
      approvals: [
        { purpose: 'model-training', approvedBy: 'irb.ida' },
        { purpose: 'TREAT', approvedBy: 'irb.ida' },
      ],
    }));

  it('reports an unknown dataset as unregistered', () =>
    expect(datasetSnapshot('nope', datasetDecider.initialState())).toEqual({
      datasetId: 'nope',
      registered: false,
      approvedPurposes: [],
      approvals: [],
    }));
});

describe("a dataset's access policy and the reviews of its access logs", () => {
  const policy = (o: Partial<RecordDatasetAccessPolicy> = {}): RecordDatasetAccessPolicy => ({
    type: 'RecordDatasetAccessPolicy',
    datasetId: DATASET,
    documentRef: 'policies/icu-2019-access.pdf',
    reviewEveryDays: 30,
    meta: meta('steward.sue', day(1)),
    ...o,
  });
  const review = (o: Partial<RecordDatasetAccessLogReview> = {}): RecordDatasetAccessLogReview => ({
    type: 'RecordDatasetAccessLogReview',
    datasetId: DATASET,
    periodFrom: day(1),
    periodTo: day(31),
    outcome: 'issues_found',
    note: 'Two reads outside any grant; escalated to the privacy officer',
    meta: meta('Sec.Sam', day(32)),
    ...o,
  });

  it('records the review cadence the policy sets', () =>
    given(...history(register()))
      .when(policy())
      .then([
        {
          type: 'DatasetAccessPolicyRecorded',
          data: {
            datasetId: DATASET,
            documentRef: 'policies/icu-2019-access.pdf',
            reviewEveryDays: 30,
            recordedBy: 'steward.sue',
          },
        },
      ]));

  it.each([0, 1.5, -3])('refuses a cadence of %s days, naming the field', (days) =>
    given(...history(register()))
      .when(policy({ reviewEveryDays: days }))
      .thenThrows('VALIDATION_FAILED', 'reviewEveryDays'),
  );

  it('records a review by the caller, at the ledger clock', () =>
    given(...history(register()))
      .when(review())
      .then([
        {
          type: 'DatasetAccessLogReviewed',
          data: {
            datasetId: DATASET,
            periodFrom: day(1),
            periodTo: day(31),
            outcome: 'issues_found',
            note: 'Two reads outside any grant; escalated to the privacy officer',
            reviewer: 'sec.sam',
            reviewedAt: day(32),
          },
        },
      ]));

  it('refuses a review of a period reaching past the review', () =>
    given(...history(register()))
      .when(review({ periodTo: day(40) }))
      .thenThrows('VALIDATION_FAILED', 'periodTo'));

  it('refuses a review of a dataset never registered', () =>
    given().when(review()).thenThrows('NOT_FOUND', 'datasetId'));
});
