import { sha256Hex, canonicalJson } from '@ledger/integrity';
import { RISK_ASSESSMENT_EXTENSIONS } from '@ledger/evidence';
import type { StoredEvent } from '@ledger/event-store';
import type { OperationOutcome, RiskAssessment } from '@medplum/fhirtypes';
import { Pseudonymiser } from '../../apps/ledger-api/src/privacy/pseudonymiser';
import { collect } from '../support/events';
import { deployableSystem, ok } from '../support/governance';
import { startTestApi, type TestApi } from '../support/ledger-api';

const SYSTEM = 'sepsis-fhir';
const EMITTER = 'svc.scorer';
const MRN = 'MRN-551100';
const ENCOUNTER = 'ENC-77120';
const KEY = 'c'.repeat(64);
const basis = [{ reference: 'Observation/lactate-1' }, { reference: 'Observation/hr-9' }];

/** A sepsis score as a FHIR R4 RiskAssessment: the model a contained Device, the ledger's extensions for the rest. */
function riskAssessment(outputId: string, overrides: Partial<RiskAssessment> = {}): RiskAssessment {
  return {
    resourceType: 'RiskAssessment',
    contained: [
      {
        resourceType: 'Device',
        id: 'model',
        identifier: [{ system: 'urn:govledger:ai-system', value: SYSTEM }],
        version: [{ value: 'v1' }],
      },
    ],
    extension: [
      { url: RISK_ASSESSMENT_EXTENSIONS.site, valueCode: 'north' },
      { url: RISK_ASSESSMENT_EXTENSIONS.alerted, valueBoolean: true },
      { url: RISK_ASSESSMENT_EXTENSIONS.threshold, valueDecimal: 0.6 },
      { url: RISK_ASSESSMENT_EXTENSIONS.ageBand, valueCode: '65-79' },
      { url: RISK_ASSESSMENT_EXTENSIONS.sex, valueCode: 'male' },
    ],
    identifier: [{ system: 'urn:example:sepsis-scorer', value: outputId }],
    status: 'final',
    subject: { reference: `Patient/${MRN}` },
    encounter: { reference: `Encounter/${ENCOUNTER}` },
    occurrenceDateTime: new Date().toISOString(),
    performer: { reference: '#model' },
    basis,
    prediction: [
      {
        outcome: { text: 'sepsis within 6 hours' },
        probabilityDecimal: 0.74,
        qualitativeRisk: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/risk-probability', code: 'high' }],
        },
      },
    ],
    ...overrides,
  };
}

describe('POST /fhir/RiskAssessment: a FHIR R4 risk assessment is recorded as an AI output', () => {
  let api: TestApi;
  const post = (body: unknown) =>
    api.post('/fhir/RiskAssessment', body, EMITTER, { 'content-type': 'application/fhir+json' });
  const outputs = async () =>
    (await collect(api.store.readStream(`default/clinical-use-${EMITTER}`))) as Array<
      StoredEvent & { data: Record<string, any> }
    >;

  beforeAll(async () => {
    api = await startTestApi('sqlite', { LEDGER_PSEUDONYM_KEY: KEY });
    await deployableSystem(api, SYSTEM);
    await ok(api, 'registerAuditSource', {
      systemId: SYSTEM,
      sourceService: EMITTER,
      expectedInterval: 'P1D',
    });
    await ok(api, 'deployModelVersion', { systemId: SYSTEM, version: 'v1' });
  });
  afterAll(() => api.close());

  it('acceptance 5: records the assessment as AiOutputProduced, pseudonymised, with basis only as its digest', async () => {
    const sent = riskAssessment('ra-1');
    const { status, body } = await post(sent);
    expect(status).toBe(201);
    expect((body as OperationOutcome).issue?.[0]).toMatchObject({ severity: 'information' });
    const [stored] = await outputs();
    const pseudonymiser = new Pseudonymiser(Buffer.from(KEY, 'hex'));
    expect(stored).toMatchObject({
      type: 'AiOutputProduced',
      metadata: { occurredAt: sent.occurrenceDateTime },
      data: {
        outputId: 'ra-1',
        systemId: SYSTEM,
        modelVersion: 'v1',
        site: 'north',
        patientPseudonym: pseudonymiser.pseudonymise('default', MRN),
        encounterPseudonym: pseudonymiser.pseudonymise('default', ENCOUNTER),
        inputDigest: sha256Hex(canonicalJson(basis)),
        score: 0.74,
        class: 'high',
        threshold: 0.6,
        alerted: true,
        ageBand: '65-79',
        sex: 'male',
        sourceService: EMITTER,
      },
    });
    const text = JSON.stringify(stored, (_, v) => (typeof v === 'bigint' ? String(v) : v));
    for (const raw of [MRN, ENCOUNTER, 'lactate-1']) expect(text).not.toContain(raw);

    const again = await post(sent);
    expect(again.status).toBe(200);
    expect((await outputs()).length).toBe(1);
  });

  it('answers a model version not live with the output recorded and a VERSION_MISMATCH warning', async () => {
    const contained = [
      {
        resourceType: 'Device' as const,
        id: 'model',
        identifier: [{ system: 'urn:govledger:ai-system', value: SYSTEM }],
        version: [{ value: 'v7-shadow' }],
      },
    ];
    const { status, body } = await post(riskAssessment('ra-2', { contained }));
    expect(status).toBe(201);
    expect((body as OperationOutcome).issue?.[1]).toMatchObject({
      severity: 'warning',
      code: 'business-rule',
      diagnostics: expect.stringContaining('VERSION_MISMATCH'),
    });
    expect((await outputs()).map((e) => e.type).slice(-2)).toEqual(['AiOutputProduced', 'AiOutputFlagged']);
  });

  it('refuses a bad resource with an OperationOutcome naming the element and the rule, never a 500', async () => {
    const cases: Array<[Partial<RiskAssessment> | Record<string, unknown>, string]> = [
      [{ performer: undefined }, 'RiskAssessment.performer'],
      [
        { contained: [{ resourceType: 'Device', id: 'model', version: [{ value: 'v1' }] }] },
        'RiskAssessment.contained[0].identifier',
      ],
      [{ subject: { reference: 'Group/ward-4' } }, 'RiskAssessment.subject'],
      [{ occurrenceDateTime: '2026-03' }, 'RiskAssessment.occurrenceDateTime'],
      [{ prediction: undefined }, 'RiskAssessment.prediction'],
      [{ basis: undefined }, 'RiskAssessment.basis'],
      [{ identifier: undefined }, 'RiskAssessment.identifier'],
      [{ status: 'cancelled' }, 'RiskAssessment.status'],
      [
        { extension: [{ url: RISK_ASSESSMENT_EXTENSIONS.site, valueCode: 'north' }] },
        'RiskAssessment.extension',
      ],
      [
        {
          extension: [
            { url: RISK_ASSESSMENT_EXTENSIONS.site, valueCode: 'north' },
            { url: RISK_ASSESSMENT_EXTENSIONS.alerted, valueBoolean: false },
            { url: RISK_ASSESSMENT_EXTENSIONS.ageBand, valueCode: '83' },
          ],
        },
        `RiskAssessment.extension('${RISK_ASSESSMENT_EXTENSIONS.ageBand}')`,
      ],
      [{ birthDate: '1941-02-03' } as Record<string, unknown>, 'RiskAssessment.birthDate'],
    ];
    const before = (await outputs()).length;
    for (const [overrides, element] of cases) {
      const { status, body } = await post(riskAssessment('ra-bad', overrides as Partial<RiskAssessment>));
      const issues = (body as OperationOutcome).issue ?? [];
      expect({
        element,
        status,
        named: issues.some((i) => i.expression?.some((e) => e.startsWith(element))),
      }).toEqual({
        element,
        status: 400,
        named: true,
      });
      expect(issues.every((i) => (i.diagnostics ?? i.details?.text ?? '').length > 10)).toBe(true);
    }
    expect((await outputs()).length).toBe(before);
  });

  it('refuses an emitter that is not an audit source of the system with 403', async () => {
    const { status, body } = await api.post('/fhir/RiskAssessment', riskAssessment('ra-3'), 'svc.rogue', {
      'content-type': 'application/fhir+json',
    });
    expect(status).toBe(403);
    expect((body as OperationOutcome).issue?.[0]).toMatchObject({
      code: 'forbidden',
      expression: ['RiskAssessment.performer'],
    });
  });

  it('takes a transaction Bundle of assessments whole', async () => {
    const { status, body } = await post({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: ['ra-4', 'ra-5'].map((id) => ({
        resource: riskAssessment(id),
        request: { method: 'POST', url: 'RiskAssessment' },
      })),
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ type: 'transaction-response' });
    expect((body.entry as Array<{ response: { status: string } }>).map((e) => e.response.status)).toEqual([
      '201 Created',
      '201 Created',
    ]);
    expect((await outputs()).filter((e) => ['ra-4', 'ra-5'].includes(e.data.outputId))).toHaveLength(2);
  });
});
