import { recordDataAccess } from '../data-access/record-data-access';
import { cmd, deployed, run } from '../testing/ai-system-fixtures';
import { streamOf } from './stream-of';

describe('streamOf', () => {
  it('puts every event of an AI system in that system’s stream', () =>
    expect(new Set(run([cmd.plan(), cmd.signal(0.5)], deployed()).map(streamOf))).toEqual(
      new Set(['ai-system-sepsis-watch']),
    ));

  it('puts dataset events in the dataset’s stream', () =>
    expect(
      streamOf({
        type: 'DatasetApproved',
        data: { datasetId: 'icu-2019', purpose: 'TREAT', approvedBy: 'irb.ida' },
      }),
    ).toBe('dataset-icu-2019'));

  it('puts data access in the emitting service’s stream', () =>
    expect(
      streamOf(
        recordDataAccess({
          actor: 'dr.ada',
          resource: 'Observation',
          action: 'R',
          purposeOfUse: 'TREAT',
          outcome: 'success',
          sourceService: 'ehr-gateway',
        }),
      ),
    ).toBe('data-access-ehr-gateway'));

  it('puts legal holds in the tenant’s one legal-holds stream, whatever they cover', () =>
    expect(
      streamOf({
        type: 'LegalHoldReleased',
        data: { holdId: 'hold-1', reason: 'matter settled', releasedBy: 'admin.grace' },
      }),
    ).toBe('legal-holds'));
});
