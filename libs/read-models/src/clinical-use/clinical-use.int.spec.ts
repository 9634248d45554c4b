import { readModelSpec, type GivenEvent } from '../testing/read-model-spec';
import { clinicalUseReadModel } from './clinical-use-read-model';

const spec = readModelSpec(clinicalUseReadModel);
afterAll(() => spec.close());

const systemId = 'sepsis';
const outputId = 'out-1';
const PSEUDONYM = 'a'.repeat(64);
const output: GivenEvent = {
  type: 'AiOutputProduced',
  at: '2026-01-05T09:14:00.000Z',
  data: {
    outputId,
    systemId,
    modelVersion: '2.0.0',
    site: 'north',
    patientPseudonym: PSEUDONYM,
    inputDigest: 'b'.repeat(64),
    score: 0.83,
    threshold: 0.6,
    alerted: true,
    ageBand: '80+',
    sex: 'female',
    sourceService: 'sepsis-svc',
  },
};
const response = (answer: 'accepted' | 'overridden'): GivenEvent => ({
  type: 'ClinicianResponseRecorded',
  data: {
    outputId,
    systemId,
    response: answer,
    actor: 'dr.ada',
    respondedAt: '2026-01-05T09:20:00Z',
    sourceService: 'sepsis-svc',
  },
});
const outcome = (label: string): GivenEvent => ({
  type: 'OutcomeObserved',
  data: {
    outputId,
    systemId,
    label,
    observedAt: '2026-01-07T00:00:00Z',
    source: 'chart review',
    sourceService: 'outcomes-svc',
  },
});

const row = (
  positions: { output: number; response: number; outcome: number },
  answer: string,
  label: string,
) => ({
  tenant_id: 't1',
  system_id: systemId,
  output_id: outputId,
  output_position: String(positions.output),
  output_event_id: `e${positions.output}`,
  model_version: '2.0.0',
  site: 'north',
  patient_pseudonym: PSEUDONYM,
  encounter_pseudonym: null,
  input_digest: 'b'.repeat(64),
  occurred_at: '2026-01-05T09:14:00.000Z',
  score: 0.83,
  class: null,
  threshold: 0.6,
  alerted: 1,
  age_band: '80+',
  sex: 'female',
  source_service: 'sepsis-svc',
  response: answer,
  reason_code: null,
  responded_by: 'dr.ada',
  responded_at: '2026-01-05T09:20:00.000Z',
  response_position: String(positions.response),
  response_event_id: `e${positions.response}`,
  outcome_label: label,
  outcome_value: null,
  outcome_observed_at: '2026-01-07T00:00:00.000Z',
  outcome_source: 'chart review',
  outcome_position: String(positions.outcome),
  outcome_event_id: `e${positions.outcome}`,
  finding: null,
  live_version: null,
  finding_event_id: null,
});

describe('clinical use read model', () => {
  it('joins an output with its response and outcome', () =>
    spec
      .given(output, response('accepted'), outcome('sepsis'))
      .then({ cu_outputs: [row({ output: 1, response: 2, outcome: 3 }, 'accepted', 'sepsis')] }));

  it('joins them the same when the outcome and the response arrive before the output', () =>
    spec
      .given(outcome('sepsis'), response('accepted'), output)
      .then({ cu_outputs: [row({ output: 3, response: 2, outcome: 1 }, 'accepted', 'sepsis')] }));

  it('keeps the latest response and outcome, and the first output', () =>
    spec
      .given(output, response('accepted'), outcome('no-sepsis'), response('overridden'), outcome('sepsis'), {
        ...output,
        data: { ...(output.data as object), score: 0.1 },
      } as GivenEvent)
      .then({ cu_outputs: [row({ output: 1, response: 4, outcome: 5 }, 'overridden', 'sepsis')] }));
});
