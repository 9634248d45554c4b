import {
  AGE_BANDS,
  computeWindow,
  METRIC_METHODS,
  OutputColumnsBuilder,
  positionsDigest,
  type ComputedMetric,
  type OutputColumns,
  type OutputUse,
  type SignalComputation,
} from '@ledger/domain';
import { createHash } from 'node:crypto';

/*
 * Clinical use as a service would record it, and the signals the ledger
 * would compute from it, for tests that need both before the ingest route and
 * the computing worker exist: the signal data is computed here with the
 * domain's own computeWindow and positionsDigest over a join written
 * independently of the one verify-bundle does.
 */

export interface ClinicalUseItem {
  type: 'AiOutputProduced' | 'ClinicianResponseRecorded' | 'OutcomeObserved';
  occurredAt: string;
  data: Record<string, unknown>;
}

/** A stored clinical-use or planning event, as far as the join reads it. */
export interface PositionedEvent {
  type: string;
  position: bigint;
  data: Record<string, unknown>;
  occurredAt: string;
}

/** A deterministic generator, so a failing run can be repeated exactly. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pseudonym = (value: string) => createHash('sha256').update(`test-hmac-key:${value}`).digest('hex');

/**
 * `perDay` outputs a day over `days` days from `start`, each with a clinician
 * response and most with an outcome a day later. The score is informative but
 * imperfect; the over-80s are scored worse, so their metrics differ.
 */
export function clinicalUse(options: {
  systemId: string;
  start: string;
  days: number;
  perDay: number;
  seed: number;
  sourceService?: string;
  outputPrefix?: string;
}): ClinicalUseItem[] {
  const random = seeded(options.seed);
  const sourceService = options.sourceService ?? 'sepsis-service';
  const items: ClinicalUseItem[] = [];
  const start = Date.parse(options.start);
  for (let day = 0; day < options.days; day++)
    for (let i = 0; i < options.perDay; i++) {
      const at = start + day * 86_400_000 + Math.floor((i / options.perDay) * 86_400_000);
      const outputId = `${options.outputPrefix ?? 'out'}-${day}-${i}`;
      const ageBand = AGE_BANDS[Math.floor(random() * AGE_BANDS.length)];
      const sepsis = random() < 0.2;
      const noise = ageBand === '80+' ? 0.45 : 0.25;
      const score = Math.min(1, Math.max(0, (sepsis ? 0.65 : 0.3) + (random() - 0.5) * 2 * noise));
      const threshold = 0.5;
      items.push({
        type: 'AiOutputProduced',
        occurredAt: new Date(at).toISOString(),
        data: {
          outputId,
          systemId: options.systemId,
          modelVersion: '2.1.0',
          site: random() < 0.5 ? 'north' : 'south',
          patientPseudonym: pseudonym(`patient-${day}-${i}`),
          inputDigest: pseudonym(`input-${outputId}`),
          score,
          threshold,
          alerted: score >= threshold,
          ageBand,
          sex: random() < 0.5 ? 'female' : 'male',
          sourceService,
        },
      });
      const response = random() < 0.1 ? 'not_seen' : random() < 0.3 ? 'overridden' : 'accepted';
      items.push({
        type: 'ClinicianResponseRecorded',
        occurredAt: new Date(at + 600_000).toISOString(),
        data: {
          outputId,
          systemId: options.systemId,
          response,
          ...(response === 'overridden' ? { reasonCode: 'clinical-judgement' } : {}),
          actor: 'dr.ward',
          respondedAt: new Date(at + 600_000).toISOString(),
          sourceService,
        },
      });
      if (random() < 0.9)
        items.push({
          type: 'OutcomeObserved',
          occurredAt: new Date(at + 86_400_000).toISOString(),
          data: {
            outputId,
            systemId: options.systemId,
            label: sepsis ? 'sepsis' : 'no-sepsis',
            observedAt: new Date(at + 86_400_000).toISOString(),
            source: 'chart-review',
            sourceService,
          },
        });
    }
  return items;
}

export interface PlannedComputation extends SignalComputation {
  threshold: number;
  direction: 'min' | 'max';
  window: string;
}

/** The MonitoringPlanned v2 data for a computed metric. */
export function plannedData(systemId: string, plan: PlannedComputation): Record<string, unknown> {
  return {
    systemId,
    metric: plan.metric,
    threshold: plan.threshold,
    direction: plan.direction,
    cadence: 'P1D',
    computation: {
      window: plan.window,
      minSamples: plan.minSamples,
      ...(plan.positiveLabel ? { positiveLabel: plan.positiveLabel } : {}),
      ...(plan.subgroups ? { subgroups: plan.subgroups } : {}),
    },
  };
}

/** The selection rule of DESIGN16, written out plainly: the system's outputs in the window at or before `through`, each with its latest response and outcome at or before it. */
export function joinedOutputs(
  events: readonly PositionedEvent[],
  systemId: string,
  window: { from: string; to: string },
  through: bigint,
): OutputColumns {
  const rows = new Map<string, OutputUse & { occurredAt: number }>();
  const responses = new Map<string, Pick<OutputUse, 'response' | 'responsePosition'>>();
  const outcomes = new Map<string, Pick<OutputUse, 'outcomeLabel' | 'outcomePosition'>>();
  for (const e of [...events].sort((a, b) => (a.position < b.position ? -1 : 1))) {
    if (e.position > through || e.data.systemId !== systemId) continue;
    const id = e.data.outputId as string;
    if (e.type === 'AiOutputProduced' && !rows.has(id))
      rows.set(id, {
        outputPosition: Number(e.position),
        occurredAt: Date.parse(e.occurredAt),
        ...(typeof e.data.score === 'number' ? { score: e.data.score } : {}),
        alerted: e.data.alerted as boolean,
        site: e.data.site as string,
        ...(e.data.ageBand ? { ageBand: e.data.ageBand as OutputUse['ageBand'] } : {}),
        ...(e.data.sex ? { sex: e.data.sex as OutputUse['sex'] } : {}),
      });
    if (e.type === 'ClinicianResponseRecorded')
      responses.set(id, { response: e.data.response as never, responsePosition: Number(e.position) });
    // Only a labelled outcome counts; a later value-only one replaces it as the latest all the same.
    if (e.type === 'OutcomeObserved')
      outcomes.set(
        id,
        e.data.label !== undefined
          ? { outcomeLabel: e.data.label as string, outcomePosition: Number(e.position) }
          : {},
      );
  }
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  const columns = new OutputColumnsBuilder();
  for (const [id, r] of rows)
    if (r.occurredAt >= from && r.occurredAt < to)
      columns.add({ ...r, ...responses.get(id), ...outcomes.get(id) });
  return columns.finish();
}

/** Every MonitoringSignalComputed the ledger would record for one plan over one window. */
export function computedSignals(options: {
  systemId: string;
  plan: PlannedComputation;
  events: readonly PositionedEvent[];
  window: { from: string; to: string };
  through: bigint;
  checkpoint: { treeSize: number; rootHash: string };
}): Array<Record<string, unknown>> {
  const { systemId, plan, window, through, checkpoint } = options;
  const records = joinedOutputs(options.events, systemId, window, through);
  return computeWindow(plan, records).map((v) => ({
    systemId,
    kind: v.subgroup ? 'bias' : 'performance',
    metric: plan.metric,
    method: METRIC_METHODS[plan.metric as ComputedMetric],
    value: v.value,
    n: v.n,
    ...(v.subgroup ? { subgroup: v.subgroup } : {}),
    window,
    observedAt: window.to,
    inputs: {
      throughPosition: through.toString(),
      count: v.positions.length,
      firstPosition: v.positions[0].toString(),
      lastPosition: v.positions[v.positions.length - 1].toString(),
      positionsSha256: positionsDigest(v.positions),
    },
    checkpoint,
  }));
}
