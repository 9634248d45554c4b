import type { RiskAssessment } from '@medplum/fhirtypes';
import { RISK_ASSESSMENT_EXTENSIONS, riskAssessmentToIngestItem } from './risk-assessment-ingest';

const assessment = (overrides: Partial<RiskAssessment> = {}): RiskAssessment => ({
  resourceType: 'RiskAssessment',
  contained: [
    {
      resourceType: 'Device',
      id: 'model',
      identifier: [{ system: 'urn:govledger:ai-system', value: 'sepsis-watch' }],
      version: [{ value: '2.1.0' }],
    },
  ],
  extension: [
    { url: RISK_ASSESSMENT_EXTENSIONS.site, valueString: 'north-icu' },
    { url: RISK_ASSESSMENT_EXTENSIONS.alerted, valueBoolean: false },
  ],
  identifier: [{ value: 'run-1' }],
  status: 'final',
  subject: { reference: 'Patient/MRN-1' },
  occurrenceDateTime: '2026-03-14T09:14:00Z',
  performer: { reference: '#model' },
  basis: [{ reference: 'Observation/a' }],
  prediction: [{ probabilityDecimal: 0.12 }],
  ...overrides,
});
const map = (overrides: Partial<RiskAssessment> = {}) =>
  riskAssessmentToIngestItem(assessment(overrides), 'svc.scorer');

describe('a FHIR RiskAssessment read as an AI output', () => {
  it('maps the minimal assessment, leaving out what it does not say', () =>
    expect(map().item).toEqual({
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'AiOutputProduced',
      occurredAt: '2026-03-14T09:14:00Z',
      data: {
        outputId: 'run-1',
        systemId: 'sepsis-watch',
        modelVersion: '2.1.0',
        site: 'north-icu',
        inputDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
        alerted: false,
        patientId: 'MRN-1',
        score: 0.12,
      },
    }));

  it('names the same output by the same event id, and another output by another', () => {
    expect(map().item?.eventId).toBe(map().item?.eventId);
    expect(map({ identifier: [{ value: 'run-2' }] }).item?.eventId).not.toBe(map().item?.eventId);
  });

  it('digests the basis canonically: the same references in another key order give the same digest', () => {
    const basis = [{ reference: 'Observation/a', display: 'lactate' }];
    const reordered = [{ display: 'lactate', reference: 'Observation/a' }];
    expect(map({ basis }).item?.data.inputDigest).toBe(map({ basis: reordered }).item?.data.inputDigest);
    expect(map({ basis }).item?.data.inputDigest).not.toBe(map().item?.data.inputDigest);
  });

  it('takes a class from the outcome when there is no qualitative risk, and a patient by identifier', () =>
    expect(
      map({
        subject: { type: 'Patient', identifier: { value: 'MRN-2' } },
        prediction: [{ outcome: { coding: [{ code: 'sepsis' }] } }],
      }).item?.data,
    ).toMatchObject({ patientId: 'MRN-2', class: 'sepsis' }));

  it('refuses a performer that is not a contained Device, naming the performer', () =>
    expect(map({ performer: { reference: 'Device/sepsis' } }).issues).toEqual([
      expect.objectContaining({ expression: ['RiskAssessment.performer'] }),
    ]));

  it('refuses a probability outside [0, 1], such as a percentage', () =>
    expect(map({ prediction: [{ probabilityDecimal: 74 }] }).issues).toEqual([
      expect.objectContaining({ expression: ['RiskAssessment.prediction[0].probabilityDecimal'] }),
    ]));

  it('refuses several predictions: one assessment is one output', () =>
    expect(map({ prediction: [{ probabilityDecimal: 0.1 }, { probabilityDecimal: 0.2 }] }).issues).toEqual([
      expect.objectContaining({ expression: ['RiskAssessment.prediction'], code: 'not-supported' }),
    ]));
});
