import { AGE_BANDS, SEX_BANDS, streamNames, tenantEventId, tenantStream, uuidFrom } from '@ledger/domain';
import type { NewEvent } from '@ledger/event-store';
import { createHash, randomUUID } from 'node:crypto';

/**
 * A 1,000-bed hospital scoring every inpatient every 15 minutes with one
 * sepsis model: about 100,000 outputs a day, each answered by a clinician
 * within minutes and followed by an outcome two days later. Everything is a
 * pure function of the output's number, so every child of the scenario (the
 * writer, the window reader) agrees on it without sharing memory.
 */
export const TENANT = 'default';
export const SYSTEM_ID = 'sepsis-predictor';
export const OUTPUTS_PER_DAY = 100_000;
/** The first output's occurredAt; the outputs then follow at 100,000 a day. */
export const FIRST_OUTPUT_AT = Date.parse('2026-03-01T00:00:00Z');
const SPACING_MS = 86_400_000 / OUTPUTS_PER_DAY;
/** The emitters: the model's service sends outputs and responses, the outcomes service the outcomes. */
export const MODEL_SERVICE = 'sepsis-svc';
export const OUTCOME_SERVICE = 'outcomes-svc';
/** Items per batch, as an emitter posts them to POST /v1/events. */
export const BATCH = 500;
/** Outcomes are observed two days after the output: this many batches of outputs later. */
export const OUTCOME_LAG_BATCHES = Math.round((2 * OUTPUTS_PER_DAY) / BATCH);
const SITES = ['north', 'south', 'east', 'west'];
const RESPONSES = ['accepted', 'overridden', 'dismissed', 'not_seen'] as const;
const THRESHOLD = 0.3;
const PATIENTS = 5000;

/** A deterministic uniform draw in [0, 1) for output `n`, draw `k` (mulberry32 over both). */
function uniform(n: number, k: number): number {
  let t = (Math.imul(n, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca6b)) >>> 0;
  t = (t + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/** What the model saw and said for output `n`, and what then happened. */
export function outputFacts(n: number) {
  // An approximately normal latent risk; the score is its calibrated probability, about 10% positive.
  const z = uniform(n, 0) + uniform(n, 1) + uniform(n, 2) + uniform(n, 3) - 2;
  const score = 1 / (1 + Math.exp(-(2.2 * z - 2.4)));
  return {
    outputId: uuidFrom(`bench-output-${n}`),
    occurredAt: new Date(FIRST_OUTPUT_AT + n * SPACING_MS).toISOString(),
    score,
    alerted: score >= THRESHOLD,
    site: SITES[Math.floor(uniform(n, 4) * SITES.length)],
    ageBand: AGE_BANDS[Math.floor(uniform(n, 5) * AGE_BANDS.length)],
    sex: SEX_BANDS[Math.floor(uniform(n, 6) * 2)],
    response: RESPONSES[Math.floor(uniform(n, 7) * RESPONSES.length)],
    positive: uniform(n, 8) < score,
    patient: createHash('sha256')
      .update(`patient-${n % PATIENTS}`)
      .digest('hex'),
  };
}

const at = (iso: string, plusMs: number) => new Date(Date.parse(iso) + plusMs).toISOString();

/** The event as POST /v1/events stores it: the emitter's id kept in the metadata, the ledger's derived from it per tenant. */
function envelope(type: string, data: object, emitter: string, occurredAt: string): NewEvent {
  const emitterEventId = randomUUID();
  return {
    eventId: tenantEventId(TENANT, emitterEventId),
    type,
    schemaVersion: 1,
    data,
    metadata: {
      tenantId: TENANT,
      actor: { id: emitter, role: 'emitter' },
      source: emitter,
      occurredAt,
      correlationId: emitterEventId,
      causationId: emitterEventId,
      emitterEventId,
    },
  };
}

export function outputEvent(n: number): NewEvent {
  const f = outputFacts(n);
  return envelope(
    'AiOutputProduced',
    {
      outputId: f.outputId,
      systemId: SYSTEM_ID,
      modelVersion: '2.1.0',
      site: f.site,
      patientPseudonym: f.patient,
      inputDigest: createHash('sha256').update(`input-${n}`).digest('hex'),
      score: f.score,
      threshold: THRESHOLD,
      alerted: f.alerted,
      ageBand: f.ageBand,
      sex: f.sex,
      sourceService: MODEL_SERVICE,
    },
    MODEL_SERVICE,
    f.occurredAt,
  );
}

export function responseEvent(n: number): NewEvent {
  const f = outputFacts(n);
  const respondedAt = at(f.occurredAt, 5 * 60_000);
  return envelope(
    'ClinicianResponseRecorded',
    {
      outputId: f.outputId,
      systemId: SYSTEM_ID,
      response: f.response,
      ...(f.response === 'overridden' ? { reasonCode: 'clinical-judgement' } : {}),
      actor: `dr.${n % 300}`,
      respondedAt,
      sourceService: MODEL_SERVICE,
    },
    MODEL_SERVICE,
    respondedAt,
  );
}

export function outcomeEvent(n: number): NewEvent {
  const f = outputFacts(n);
  const observedAt = at(f.occurredAt, 2 * 86_400_000);
  return envelope(
    'OutcomeObserved',
    {
      outputId: f.outputId,
      systemId: SYSTEM_ID,
      label: f.positive ? 'sepsis' : 'no-sepsis',
      observedAt,
      source: 'sepsis-3 chart review',
      sourceService: OUTCOME_SERVICE,
    },
    OUTCOME_SERVICE,
    observedAt,
  );
}

export const modelStream = tenantStream(TENANT, streamNames.clinicalUse(MODEL_SERVICE));
export const outcomeStream = tenantStream(TENANT, streamNames.clinicalUse(OUTCOME_SERVICE));

export interface Append {
  stream: string;
  events: NewEvent[];
}

/**
 * Every append, in the order the emitters make them: each batch of outputs,
 * then the responses to it, and the outcomes of the outputs two days (400
 * batches) earlier; the outcomes still owed when the outputs end come last.
 */
export function* appends(outputs: number): Generator<Append> {
  const batches = Math.ceil(outputs / BATCH);
  const range = (batch: number, make: (n: number) => NewEvent) =>
    Array.from({ length: Math.min(BATCH, outputs - batch * BATCH) }, (_, i) => make(batch * BATCH + i));
  for (let b = 0; b < batches; b++) {
    yield { stream: modelStream, events: range(b, outputEvent) };
    yield { stream: modelStream, events: range(b, responseEvent) };
    if (b >= OUTCOME_LAG_BATCHES)
      yield { stream: outcomeStream, events: range(b - OUTCOME_LAG_BATCHES, outcomeEvent) };
  }
  for (let d = Math.max(0, batches - OUTCOME_LAG_BATCHES); d < batches; d++)
    yield { stream: outcomeStream, events: range(d, outcomeEvent) };
}
