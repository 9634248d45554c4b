import type { StoredEvent } from '@ledger/event-store';
import { migrateModule, openReadStore, type ReadStore } from '@ledger/read-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '../../../../test/support/postgres';
import { projectionConsumer } from '../projection/projection';
import { clinicalUseProjection, type ReadDb } from '../projections';
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

/**
 * A log of ten outputs, each with its output twice, two responses, two
 * outcomes and two findings, in a scrambled order, so that some batches hold
 * several events for one row and some rows are completed across batches.
 */
function scrambledLog(): StoredEvent[] {
  const parts = Array.from(
    { length: 10 },
    (_, o) =>
      [
        ['AiOutputProduced', o, 0],
        ['AiOutputProduced', o, 1],
        ['ClinicianResponseRecorded', o, 0],
        ['ClinicianResponseRecorded', o, 1],
        ['OutcomeObserved', o, 0],
        ['OutcomeObserved', o, 1],
        ['AiOutputFlagged', o, 0],
        ['AiOutputFlagged', o, 1],
      ] as const,
  ).flat();
  // A fixed permutation (multiplying by a number prime to the length), so a failure reproduces.
  const order = parts.map((_, i) => parts[(i * 37) % parts.length]);
  return order.map(([type, o, k], i) => {
    const base = { outputId: `out-${o}`, systemId, sourceService: 'sepsis-svc' };
    const data = {
      AiOutputProduced: {
        ...base,
        modelVersion: `2.0.${k}`,
        site: 'north',
        encounterPseudonym: PSEUDONYM,
        inputDigest: 'b'.repeat(64),
        score: k / 2,
        alerted: k === 1,
      },
      ClinicianResponseRecorded: {
        ...base,
        response: k === 0 ? 'accepted' : 'overridden',
        actor: `dr.${k}`,
        respondedAt: '2026-01-05T09:20:00Z',
      },
      OutcomeObserved: { ...base, label: `label-${k}`, observedAt: '2026-01-07T00:00:00Z', source: 'lab' },
      AiOutputFlagged: {
        ...base,
        finding: k === 0 ? 'VERSION_MISMATCH' : 'USE_AFTER_TAKEDOWN',
        modelVersion: '2.0.0',
        systemStatus: 'deployed',
        outputOccurredAt: '2026-01-05T09:14:00Z',
        outputEventId: '00000000-0000-4000-8000-000000000000',
      },
    }[type];
    return {
      eventId: `e${i + 1}`,
      type,
      schemaVersion: 1,
      stream: 't1/clinical-use-sepsis-svc',
      revision: i,
      position: BigInt(i + 1),
      data,
      metadata: {
        tenantId: 't1',
        actor: { id: 'sepsis-svc', role: 'emitter' },
        source: 'sepsis-svc',
        occurredAt: '2026-01-05T09:14:00Z',
        recordedAt: '2026-01-05T09:14:00Z',
        correlationId: `e${i + 1}`,
        causationId: `e${i + 1}`,
      },
      integrity: { prevHash: '', hash: '' },
    };
  });
}

describe.each(['sqlite', 'postgres'] as const)('clinical use read model in batches (%s)', (kind) => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-clinical-use-'));
  const drops: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function applied(batchSize: number, passes: number): Promise<unknown[]> {
    let readStore: ReadStore;
    if (kind === 'sqlite')
      readStore = await openReadStore({ kind, sqliteFile: join(dir, `${batchSize}-${passes}.sqlite`) });
    else {
      const database = await createTestDatabase('ledger_clinical_use');
      drops.push(() => database.drop());
      readStore = await openReadStore({ kind, databaseUrl: database.url });
    }
    try {
      const consumer = projectionConsumer(clinicalUseProjection);
      await migrateModule(readStore, consumer.name, consumer.migrations);
      const log = scrambledLog();
      for (let pass = 0; pass < passes; pass++)
        for (let i = 0; i < log.length; i += batchSize)
          await readStore.inWriteTransaction((trx) => consumer.apply(trx, log.slice(i, i + batchSize)));
      return await (readStore.db as ReadDb)
        .selectFrom('cu_outputs')
        .selectAll()
        .orderBy('output_id')
        .execute()
        .then((rows) => rows.map((row) => JSON.parse(JSON.stringify(row, (_, v) => v ?? null))));
    } finally {
      await readStore.close();
    }
  }

  it('ends in the same rows whether the log comes one event at a time, in batches of 7, all at once, or twice', async () => {
    const oneByOne = await applied(1, 1);
    // What the log decides, worked out here: the first output and finding stand, the latest response and outcome win.
    const log = scrambledLog();
    const positionOf = (type: string, outputId: string, pick: 'first' | 'last') => {
      const found = log.filter(
        (e) => e.type === type && (e.data as { outputId: string }).outputId === outputId,
      );
      return (pick === 'first' ? found[0] : found[found.length - 1]).eventId;
    };
    expect(
      oneByOne.map((row) => {
        const r = row as Record<string, string>;
        return [r.output_event_id, r.response_event_id, r.outcome_event_id, r.finding_event_id];
      }),
    ).toEqual(
      Array.from({ length: 10 }, (_, o) => [
        positionOf('AiOutputProduced', `out-${o}`, 'first'),
        positionOf('ClinicianResponseRecorded', `out-${o}`, 'last'),
        positionOf('OutcomeObserved', `out-${o}`, 'last'),
        positionOf('AiOutputFlagged', `out-${o}`, 'first'),
      ]),
    );
    expect(await applied(7, 1)).toEqual(oneByOne);
    expect(await applied(80, 1)).toEqual(oneByOne);
    expect(await applied(7, 2)).toEqual(oneByOne);
  });
});
