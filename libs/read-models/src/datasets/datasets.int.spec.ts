import { GIVEN_AT, readModelSpec } from '../testing/read-model-spec';
import { datasetsReadModel } from './datasets-read-model';

const spec = readModelSpec(datasetsReadModel);
afterAll(() => spec.close());

describe('datasets read model', () => {
  it('records a dataset and each purpose it is approved for; grants are not its business', () =>
    spec
      .given(
        {
          type: 'DatasetRegistered',
          data: {
            datasetId: 'icu-2019',
            name: 'ICU 2019',
            classification: 'PHI',
            legalBasis: 'HIPAA operations',
            steward: 'st.sue',
            source: 'EHR extract 2019',
            retentionPeriod: 'P10Y',
            registeredBy: 'admin',
          },
        },
        {
          type: 'DatasetApproved',
          at: '2026-01-02T00:00:00Z',
          data: { datasetId: 'icu-2019', purpose: 'model-training', approvedBy: 'irb.ida' },
        },
        {
          type: 'DatasetAccessGranted',
          data: {
            datasetId: 'icu-2019',
            grantId: 'g1',
            principal: 'dr.ada',
            purpose: 'model-training',
            expiresAt: '2027-01-01T00:00:00Z',
            grantedBy: 'st.sue',
          },
        },
      )
      .then({
        reg_datasets: [
          {
            tenant_id: 't1',
            dataset_id: 'icu-2019',
            name: 'ICU 2019',
            classification: 'PHI',
            legal_basis: 'HIPAA operations',
            steward: 'st.sue',
            source: 'EHR extract 2019',
            retention_period: 'P10Y',
            registered_at: GIVEN_AT,
            event_id: 'e1',
          },
        ],
        reg_dataset_approvals: [
          {
            tenant_id: 't1',
            dataset_id: 'icu-2019',
            purpose: 'model-training',
            approved_by: 'irb.ida',
            approved_at: '2026-01-02T00:00:00.000Z',
            event_id: 'e2',
          },
        ],
      }));
});
