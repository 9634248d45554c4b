import { DomainError } from '../shared/domain-error';
import { recordDataAccess, type DataAccessReport } from './record-data-access';

const PSEUDONYM = 'c0ffee'.padEnd(64, '0');
const report = (o: Partial<DataAccessReport> = {}): DataAccessReport => ({
  actor: 'dr.ada',
  datasetId: 'icu-2019',
  patientPseudonym: PSEUDONYM,
  action: 'R',
  purposeOfUse: 'TREAT',
  outcome: 'success',
  sourceService: 'ehr-gateway',
  ...o,
});
const rejection = (o: Partial<DataAccessReport>) => {
  try {
    recordDataAccess(report(o));
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
};

describe('recording a data access', () => {
  it('builds a DataAccessed event from the report, without loading any aggregate', () =>
    expect(recordDataAccess(report({ systemId: 'sepsis-watch' }))).toEqual({
      type: 'DataAccessed',
      data: {
        actor: 'dr.ada',
        datasetId: 'icu-2019',
        patientPseudonym: PSEUDONYM,
        action: 'R',
        purposeOfUse: 'TREAT',
        outcome: 'success',
        sourceService: 'ehr-gateway',
        systemId: 'sepsis-watch',
      },
    }));

  it('records an access to a resource without a patient, leaving absent fields out', () =>
    expect(
      recordDataAccess(
        report({
          datasetId: undefined,
          resource: 'Observation',
          patientPseudonym: undefined,
          action: 'E',
          outcome: 'denied',
        }),
      ).data,
    ).toEqual({
      actor: 'dr.ada',
      resource: 'Observation',
      action: 'E',
      purposeOfUse: 'TREAT',
      outcome: 'denied',
      sourceService: 'ehr-gateway',
    }));

  it.each([
    ['a raw medical record number', 'MRN-00123'],
    ['an uppercase digest', PSEUDONYM.toUpperCase().replace('0', 'A')],
    ['a digest of the wrong length', PSEUDONYM.slice(1)],
  ])('refuses %s as the patient pseudonym, and does not echo it back', (_, patientPseudonym) => {
    const error = rejection({ patientPseudonym });
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'patientPseudonym',
      message: expect.stringContaining('HMAC-SHA-256 pseudonym'),
    });
    expect(JSON.stringify(error.details)).not.toContain(patientPseudonym);
    expect(error.message).not.toContain(patientPseudonym);
  });

  it.each([
    'Patient/MRN-9981',
    '/Patient/MRN-9981',
    'https://ehr.example/fhir/Patient/MRN-9981',
    'Observation?subject=MRN-9981',
    'https://ehr.example/fhir/Observation?patient=Patient/MRN-9981',
  ])('refuses a resource that could carry a raw patient id: %s', (resource) => {
    const error = rejection({ datasetId: undefined, resource });
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'resource' });
    expect(error.message).not.toContain('MRN-9981');
  });

  it.each(['Patient/MRN-9981', 'https://ehr.example/fhir/Patient/MRN-9981'])(
    'refuses a patient reference as the actor: %s',
    (actor) => expect(rejection({ actor })).toMatchObject({ code: 'VALIDATION_FAILED', field: 'actor' }),
  );

  it('refuses a report that names neither a dataset nor a resource', () => {
    const error = rejection({ datasetId: undefined });
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details?.problems?.map((p) => p.field)).toEqual(['/datasetId', '/resource']);
  });

  it.each([
    ['an action outside C/R/U/D/E', { action: 'X' as never }, 'action'],
    ['an unknown outcome', { outcome: 'maybe' as never }, 'outcome'],
    ['no purpose of use', { purposeOfUse: '' }, 'purposeOfUse'],
    ['a source service that cannot name a stream', { sourceService: 'ehr gateway/1' }, 'sourceService'],
  ])('refuses %s', (_, override, field) =>
    expect(rejection(override)).toMatchObject({ code: 'VALIDATION_FAILED', field }),
  );
});
