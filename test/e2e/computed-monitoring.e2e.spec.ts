/**
 * Issue 16, acceptance 1 and 2: the ledger computes its monitoring itself.
 * 10,000 outputs, with clinician responses and outcomes, are sent through
 * POST /v1/events by the scoring service, registered as the system's audit
 * source, as it would send them: raw patient ids (the ledger pseudonymises
 * them), batches within the ingest limit, some outcomes before their outputs.
 * Its worker must compute every planned metric, overall and per subgroup, to
 * within 1e-9 of what this test computes on its own, with methods written
 * differently (AUROC over every pair, the calibration slope by nested
 * bisection on the profile likelihood), from the exact events the selection
 * rule names, at the positions the ingest answered. The over-80 band is
 * miscalibrated, so its calibration error alone breaches, and
 * BREACH_UNRESOLVED names that band alone.
 *
 * Time: the ledger takes no backdated governance, so v1 is deployed as the
 * test runs and the outputs follow it, all on the live version (an output
 * before it would be VERSION_MISMATCH). So that the test need not wait a day
 * for a window to end, the plans' window is five seconds, the first that
 * starts after the deployment; the metrics do not depend on its length.
 */
import { createHash, randomUUID } from 'node:crypto';
import { METRIC_METHODS, streamNames, tenantStream } from '@ledger/domain';
import { caughtUp, startTestApi, type TestApi } from '../support/ledger-api';
import { deployableSystem, mutate, ok, PEOPLE } from '../support/governance';

const SYSTEM = 'sepsis-watch';
const EMITTER = 'svc.sepsis-scorer';
const OUTPUTS = 10_000;
/** The plans' window and cadence: five seconds, so that one ends soon after the deployment. */
const WINDOW = 'PT5S';
const WINDOW_MS = 5_000;
/** The largest batch POST /v1/events takes (LEDGER_INGEST_MAX_BATCH's default). */
const BATCH = 1000;
/** When responses and outcomes follow their output: all have happened before anything is sent. */
const LATER_MS = { response: 1_000, outcome: 1_500, secondResponse: 2_000 };
const AGE_BANDS = ['0-17', '18-39', '40-64', '65-79', '80+'] as const;
const SEXES = ['female', 'male', 'unknown', 'other'] as const;
const SITES = ['north', 'south'] as const;

/** Plans and thresholds: only the over-80 band's calibration error falls outside its threshold. */
const PLANS = [
  { metric: 'auroc', threshold: 0.5, direction: 'min' },
  { metric: 'ece', threshold: 0.1, direction: 'max' },
  { metric: 'calibration_slope', threshold: 0.2, direction: 'min' },
  { metric: 'sensitivity', threshold: 0.05, direction: 'min' },
  { metric: 'ppv', threshold: 0.05, direction: 'min' },
  { metric: 'override_rate', threshold: 0.95, direction: 'max' },
  { metric: 'alert_rate', threshold: 0.95, direction: 'max' },
] as const;
type Metric = (typeof PLANS)[number]['metric'];
const OUTCOME_METRICS: readonly Metric[] = ['auroc', 'ece', 'calibration_slope', 'sensitivity', 'ppv'];
const MIN_SAMPLES = 100;
const SUBGROUPS = ['ageBand', 'sex'] as const;

/** A small seeded generator: the same 10,000 outputs every run. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Truth {
  outputId: string;
  occurredAt: string;
  score?: number;
  alerted: boolean;
  ageBand: (typeof AGE_BANDS)[number];
  sex: (typeof SEXES)[number];
  site: string;
  outputPosition?: bigint;
  /** Every response sent, in order; the last one appended is the one that counts. */
  responses: Array<{ response: string; position?: bigint }>;
  outcome?: { label?: string; value?: number; position?: bigint; early: boolean };
}

function generate(start: number): Truth[] {
  const random = mulberry32(16);
  const pick = <T>(items: readonly T[], weights: readonly number[]) => {
    let r = random() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < items.length; i++) if ((r -= weights[i]) < 0) return items[i];
    return items[items.length - 1];
  };
  return Array.from({ length: OUTPUTS }, (_, i) => {
    const ageBand = pick(AGE_BANDS, [5, 20, 30, 25, 20]);
    const sex = pick(SEXES, [48, 48, 2.5, 1.5]);
    // Scores on a grid of 1/500, so many outputs tie and AUROC must count ties as a half.
    const score = Math.round((0.02 + 0.96 * random() ** 1.6) * 500) / 500;
    const classOnly = random() < 0.02;
    const alerted = score >= 0.5;
    // Calibrated, except over 80, where sepsis is far likelier than the model says: the drift to catch.
    const risk = ageBand === '80+' ? Math.min(0.98, score + 0.25) : score;
    const sepsis = random() < risk;
    const known = random();
    const outcome =
      known < 0.85
        ? { label: sepsis ? 'sepsis' : 'no-sepsis', early: random() < 0.02 }
        : known < 0.9
          ? // A value without a label: recorded, but no binary outcome to score against.
            { value: Math.round(random() * 100) / 10, early: false }
          : undefined;
    const responded = random();
    const first = pick(
      ['accepted', 'overridden', 'dismissed', 'not_seen'],
      alerted ? [60, 20, 10, 10] : [30, 5, 50, 15],
    );
    const responses =
      responded < 0.8 ? [{ response: first }, ...(random() < 0.05 ? [{ response: 'overridden' }] : [])] : [];
    return {
      outputId: `out-${i.toString().padStart(5, '0')}`,
      occurredAt: new Date(start + Math.floor((i * WINDOW_MS) / OUTPUTS)).toISOString(),
      ...(classOnly ? {} : { score }),
      alerted,
      ageBand,
      sex,
      site: pick(SITES, [1, 1]),
      responses,
      outcome,
    };
  });
}

interface IngestAnswer {
  accepted: number;
  rejected: number;
  results: Array<{ status: string; position: string; findings?: string[]; error?: unknown }>;
}

/**
 * Sends the window as the scoring service would, out of order where the real
 * world is (some outcomes before their outputs), in batches of at most BATCH;
 * every item must be accepted, every output with no finding, and each part
 * keeps the position the ingest answered.
 */
async function record(api: TestApi, truths: Truth[]): Promise<number> {
  const item = (
    type: string,
    data: Record<string, unknown>,
    occurredAt: string,
  ): { eventId: string; type: string; occurredAt: string; data: Record<string, unknown> } => ({
    eventId: randomUUID(),
    type,
    occurredAt,
    data: { systemId: SYSTEM, ...data },
  });
  const later = (t: Truth, ms: number) => new Date(Date.parse(t.occurredAt) + ms).toISOString();
  const index = (t: Truth) => Number(t.outputId.slice(4));
  const output = (t: Truth) =>
    item(
      'AiOutputProduced',
      {
        outputId: t.outputId,
        modelVersion: 'v1',
        site: t.site,
        patientId: `MRN-${100_000 + index(t)}`,
        encounterId: `ENC-${500_000 + index(t)}`,
        inputDigest: createHash('sha256').update(t.outputId).digest('hex'),
        ...(t.score === undefined ? { class: 'high-risk' } : { score: t.score, threshold: 0.5 }),
        alerted: t.alerted,
        ageBand: t.ageBand,
        sex: t.sex,
      },
      t.occurredAt,
    );
  const outcome = (t: Truth) =>
    item(
      'OutcomeObserved',
      {
        outputId: t.outputId,
        ...(t.outcome!.label === undefined ? { value: t.outcome!.value } : { label: t.outcome!.label }),
        observedAt: later(t, LATER_MS.outcome),
        source: 'chart review',
      },
      later(t, LATER_MS.outcome),
    );
  const response = (t: Truth, r: { response: string }, ms: number) =>
    item(
      'ClinicianResponseRecorded',
      {
        outputId: t.outputId,
        response: r.response,
        ...(r.response === 'overridden' ? { reasonCode: 'clinical-judgement' } : {}),
        actor: 'dr.ward',
        respondedAt: later(t, ms),
      },
      later(t, ms),
    );

  type Sent = { event: ReturnType<typeof item>; keep: (position: bigint) => void };
  const phases: Sent[][] = [
    truths
      .filter((t) => t.outcome?.early)
      .map((t) => ({ event: outcome(t), keep: (p) => (t.outcome!.position = p) })),
    truths.map((t) => ({ event: output(t), keep: (p) => (t.outputPosition = p) })),
    truths
      .filter((t) => t.responses.length > 0)
      .map((t) => ({
        event: response(t, t.responses[0], LATER_MS.response),
        keep: (p) => (t.responses[0].position = p),
      })),
    truths
      .filter((t) => t.outcome && !t.outcome.early)
      .map((t) => ({ event: outcome(t), keep: (p) => (t.outcome!.position = p) })),
    truths
      .filter((t) => t.responses.length > 1)
      .map((t) => ({
        event: response(t, t.responses[1], LATER_MS.secondResponse),
        keep: (p) => (t.responses[1].position = p),
      })),
  ];
  for (const phase of phases)
    for (let i = 0; i < phase.length; i += BATCH) {
      const batch = phase.slice(i, i + BATCH);
      const { status, body } = await api.post('/v1/events', { events: batch.map((b) => b.event) }, EMITTER);
      const answer = body as IngestAnswer;
      expect({ status, accepted: answer.accepted, rejected: answer.rejected }).toEqual({
        status: 200,
        accepted: batch.length,
        rejected: 0,
      });
      // An output on the live version raises no finding; a response or an outcome is never judged.
      const unexpected = answer.results.flatMap((result, j) => {
        const isOutput = batch[j].event.type === 'AiOutputProduced';
        const clean =
          result.status === 'accepted' && (isOutput ? result.findings?.length === 0 : !result.findings);
        return clean ? [] : [{ sent: batch[j].event.data.outputId, ...result }];
      });
      expect(unexpected).toEqual([]);
      answer.results.forEach((result, j) => batch[j].keep(BigInt(result.position)));
    }
  return phases.reduce((sum, phase) => sum + phase.length, 0);
}

// ---- The test's own metrics: written from the definitions, not from the ledger's code. ----

interface Expected {
  value: number;
  n: number;
  positions: bigint[];
}

const latestResponse = (t: Truth) => t.responses[t.responses.length - 1];
const hasLabel = (t: Truth) => t.outcome?.label !== undefined;
const isPositive = (t: Truth) => t.outcome?.label === 'sepsis';

/** Every (positive, negative) pair: 1 when the positive scored higher, a half for a tie. */
function aurocByPairs(members: Truth[]): number | undefined {
  const positives = members.filter(isPositive).map((t) => t.score!);
  const negatives = members.filter((t) => !isPositive(t)).map((t) => t.score!);
  if (positives.length === 0 || negatives.length === 0) return undefined;
  let wins = 0;
  for (const p of positives) for (const q of negatives) wins += p > q ? 1 : p === q ? 0.5 : 0;
  return wins / (positives.length * negatives.length);
}

function eceByBins(members: Truth[]): number {
  const bins = new Map<number, Truth[]>();
  for (const t of members) {
    const bin = Math.min(9, Math.floor(t.score! * 10));
    const inBin = bins.get(bin);
    if (inBin) inBin.push(t);
    else bins.set(bin, [t]);
  }
  let total = 0;
  for (const inBin of bins.values()) {
    const meanScore = inBin.reduce((s, t) => s + t.score!, 0) / inBin.length;
    const rate = inBin.filter(isPositive).length / inBin.length;
    total += (inBin.length / members.length) * Math.abs(meanScore - rate);
  }
  return total;
}

/**
 * The slope of logit(score) in a logistic regression of the outcome on it,
 * found without Newton's method on both parameters: for each slope b the
 * intercept solving the first score equation is found by bisection, and b by
 * bisection on the profile score, which falls as b grows.
 */
function slopeByProfileBisection(members: Truth[]): number | undefined {
  const x = Float64Array.from(members, (t) => Math.log(t.score! / (1 - t.score!)));
  const y = Uint8Array.from(members, (t) => (isPositive(t) ? 1 : 0));
  const positives = y.reduce((sum, v) => sum + v, 0);
  if (positives === 0 || positives === y.length) return undefined;
  const bisect = (f: (v: number) => number, lo: number, hi: number) => {
    while (hi - lo > 1e-14 * Math.max(1, Math.abs(lo))) {
      const mid = (lo + hi) / 2;
      if (f(mid) > 0) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  };
  /** Observed minus expected positives, weighted by w(x): both score equations of the fit. */
  const residual = (a: number, b: number, weighted: boolean) => {
    let sum = 0;
    for (let i = 0; i < x.length; i++) {
      const r = y[i] - 1 / (1 + Math.exp(-(a + b * x[i])));
      sum += weighted ? r * x[i] : r;
    }
    return sum;
  };
  const interceptFor = (b: number) => bisect((a) => residual(a, b, false), -20, 20);
  return bisect((b) => residual(interceptFor(b), b, true), -10, 10);
}

const share = (items: Truth[], hit: (t: Truth) => boolean) => items.filter(hit).length / items.length;

/** One metric over one population, with the positions of the events the selection rule names. */
function expectedValue(metric: Metric, members: Truth[]): Expected | undefined {
  const outputs = (ts: Truth[]) => ts.map((t) => t.outputPosition!);
  const withOutcomes = (ts: Truth[]) => [...outputs(ts), ...ts.map((t) => t.outcome!.position!)];
  const result = (value: number | undefined, used: Truth[], positions: bigint[]) =>
    value === undefined || used.length === 0 ? undefined : { value, n: used.length, positions };
  switch (metric) {
    case 'alert_rate':
      return result(
        share(members, (t) => t.alerted),
        members,
        outputs(members),
      );
    case 'override_rate': {
      const seen = members.filter((t) => t.responses.length > 0 && latestResponse(t).response !== 'not_seen');
      return result(
        seen.length ? share(seen, (t) => latestResponse(t).response === 'overridden') : undefined,
        seen,
        [...outputs(seen), ...seen.map((t) => latestResponse(t).position!)],
      );
    }
    case 'sensitivity': {
      const sick = members.filter((t) => hasLabel(t) && isPositive(t));
      return result(sick.length ? share(sick, (t) => t.alerted) : undefined, sick, withOutcomes(sick));
    }
    case 'ppv': {
      const alerted = members.filter((t) => hasLabel(t) && t.alerted);
      return result(alerted.length ? share(alerted, isPositive) : undefined, alerted, withOutcomes(alerted));
    }
    case 'auroc':
    case 'ece':
    case 'calibration_slope': {
      const scored = members.filter((t) => hasLabel(t) && t.score !== undefined);
      const measure = { auroc: aurocByPairs, ece: eceByBins, calibration_slope: slopeByProfileBisection }[
        metric
      ];
      return result(scored.length ? measure(scored) : undefined, scored, withOutcomes(scored));
    }
  }
}

/** The whole population, then each band of each planned dimension with at least MIN_SAMPLES behind its value. */
function expectedSignals(metric: Metric, truths: Truth[]) {
  const populations: Array<[string | null, Truth[]]> = [[null, truths]];
  for (const dimension of SUBGROUPS) {
    const bands = [...new Set(truths.map((t) => t[dimension]))].sort();
    for (const band of bands)
      populations.push([`${dimension}=${band}`, truths.filter((t) => t[dimension] === band)]);
  }
  return populations.flatMap(([subgroup, members]) => {
    const expected = expectedValue(metric, members);
    return expected && expected.n >= MIN_SAMPLES ? [{ subgroup, ...expected }] : [];
  });
}

const digest = (positions: bigint[]) =>
  createHash('sha256')
    .update(
      [...positions]
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        .map((p) => `${p}\n`)
        .join(''),
    )
    .digest('hex');

interface ComputedSignal {
  metric: string;
  subgroup: string | null;
  value: number;
  n: number;
  kind: string;
  method: string;
  breached: boolean;
  window: { from: string; to: string } | null;
  eventId: string;
}

describe.each(['sqlite', 'postgres'] as const)(
  'the ledger computes its monitoring from recorded outputs, responses and outcomes (%s)',
  (kind) => {
    let api: TestApi;
    let truths: Truth[];
    let window: { from: string; to: string };
    let computed: ComputedSignal[];
    const expected = new Map<Metric, ReturnType<typeof expectedSignals>>();

    beforeAll(async () => {
      api = await startTestApi(kind, {
        LEDGER_MONITORING_EVERY_MS: '200',
        LEDGER_CHECKPOINT_EVERY_MS: '200',
      });
      await deployableSystem(api, SYSTEM);
      await ok(api, 'registerAuditSource', {
        systemId: SYSTEM,
        sourceService: EMITTER,
        expectedInterval: 'P1D',
      });
      await ok(api, 'deployModelVersion', { systemId: SYSTEM, version: 'v1' });
      // The first window that starts after the deployment, so every output is on the version live then.
      const start = (Math.floor(Date.now() / WINDOW_MS) + 1) * WINDOW_MS;
      window = { from: new Date(start).toISOString(), to: new Date(start + WINDOW_MS).toISOString() };
      truths = generate(start);
      // The service reports what has happened: wait until the window's last response has.
      const sendAt = start + WINDOW_MS + LATER_MS.secondResponse;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, sendAt - Date.now())));
      const sending = Date.now();
      const sent = await record(api, truths);
      const seconds = (Date.now() - sending) / 1000;
      // Printed, not asserted (no timed assertions): what the HTTP ingest adds to this spec's run time.
      console.log(
        `${kind}: POST /v1/events took ${seconds.toFixed(1)} s for ${sent} events (${Math.round(sent / seconds)}/s)`,
      );
      // Planned once the window is recorded and projected: the worker computes a settled window once, from what is there.
      // 27,000 events: on a busy machine the projections need longer than one caughtUp allows.
      for (let attempt = 1; ; attempt++)
        try {
          await caughtUp(api);
          break;
        } catch (error) {
          if (attempt === 6) throw error;
        }
      for (const plan of PLANS)
        await ok(
          api,
          'planMonitoring',
          {
            systemId: SYSTEM,
            ...plan,
            cadence: WINDOW,
            computation: {
              window: WINDOW,
              minSamples: MIN_SAMPLES,
              subgroups: [...SUBGROUPS],
              ...(OUTCOME_METRICS.includes(plan.metric) ? { positiveLabel: 'sepsis' } : {}),
            },
          },
          PEOPLE.performanceOwner,
        );
      for (const plan of PLANS) expected.set(plan.metric, expectedSignals(plan.metric, truths));
      const expectedCount = [...expected.values()].reduce((sum, e) => sum + e.length, 0);
      for (const deadline = Date.now() + 90_000; ;) {
        const response = await api.graphql<{ aiSystem: { signals: ComputedSignal[] } }>(
          `{ aiSystem(id: "${SYSTEM}") { signals { metric subgroup value n kind method breached window { from to } eventId } } }`,
        );
        computed = response.data!.aiSystem.signals.filter((s) => s.method === 'computed');
        if (computed.length >= expectedCount) break;
        if (Date.now() > deadline)
          throw new Error(`the ledger computed ${computed.length} of ${expectedCount} signals within 90 s`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await caughtUp(api);
    }, 300_000);

    afterAll(() => api?.close());

    it.each(PLANS.map((p) => p.metric))(
      '%s matches the test’s own computation to 1e-9, overall and per subgroup',
      async (metric) => {
        const wanted = expected.get(metric)!;
        const actual = computed.filter((s) => s.metric === metric);
        expect(actual.map((s) => s.subgroup).sort()).toEqual(wanted.map((e) => e.subgroup).sort());
        for (const e of wanted) {
          const signal = actual.find((s) => s.subgroup === e.subgroup)!;
          expect({ subgroup: e.subgroup, n: signal.n, window: signal.window }).toEqual({
            subgroup: e.subgroup,
            n: e.n,
            window,
          });
          expect(Math.abs(signal.value - e.value)).toBeLessThan(1e-9);
          expect(signal.kind).toBe(e.subgroup === null ? 'performance' : 'bias');
        }
        // Every band the test expected, and every dimension planned, is there: the subgroups are not a trivial subset.
        expect(wanted.filter((e) => e.subgroup?.startsWith('ageBand=')).length).toBeGreaterThanOrEqual(4);
      },
    );

    it('names the exact events each value was computed from, and a signed checkpoint covering them', async () => {
      const events = new Map<string, { data: Record<string, any> }>();
      for await (const stored of api.store.readStream(tenantStream('default', streamNames.aiSystem(SYSTEM))))
        events.set(stored.eventId, stored as never);
      for (const plan of PLANS)
        for (const e of expected.get(plan.metric)!) {
          const signal = computed.find((s) => s.metric === plan.metric && s.subgroup === e.subgroup)!;
          const { inputs, checkpoint, method } = events.get(signal.eventId)!.data;
          const sorted = [...e.positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          expect(inputs).toEqual({
            throughPosition: expect.stringMatching(/^\d+$/),
            count: e.positions.length,
            firstPosition: sorted[0].toString(),
            lastPosition: sorted[sorted.length - 1].toString(),
            positionsSha256: digest(e.positions),
          });
          expect(BigInt(inputs.throughPosition)).toBeGreaterThanOrEqual(sorted[sorted.length - 1]);
          expect(checkpoint.treeSize).toBeGreaterThan(0);
          expect(method).toBe(METRIC_METHODS[plan.metric]);
        }
    });

    it('stored every output under the ledger’s pseudonyms, never the raw ids the service sent', async () => {
      const outputs: Array<Record<string, unknown>> = [];
      for await (const stored of api.store.readStream(
        tenantStream('default', streamNames.clinicalUse(EMITTER)),
      ))
        if (stored.type === 'AiOutputProduced') outputs.push(stored.data as Record<string, unknown>);
      expect(outputs).toHaveLength(OUTPUTS);
      expect(outputs[0]).toMatchObject({
        patientPseudonym: expect.stringMatching(/^[0-9a-f]{64}$/),
        encounterPseudonym: expect.stringMatching(/^[0-9a-f]{64}$/),
        sourceService: EMITTER,
      });
      expect(new Set(outputs.map((o) => o.patientPseudonym)).size).toBe(OUTPUTS);
      const text = JSON.stringify(outputs);
      expect({ mrn: text.includes('MRN-'), enc: text.includes('ENC-') }).toEqual({ mrn: false, enc: false });
    });

    it('breaches only the over-80 band’s calibration error, and BREACH_UNRESOLVED names that band alone', async () => {
      expect(computed.filter((s) => s.breached).map((s) => [s.metric, s.subgroup])).toEqual([
        ['ece', 'ageBand=80+'],
      ]);
      const response = await api.graphql<{
        complianceFindings: Array<{ subject: string; evidence: string[] }>;
      }>(
        `query($filter: ComplianceFindingFilter) { complianceFindings(filter: $filter) { subject evidence } }`,
        { filter: { systemId: SYSTEM, rule: 'BREACH_UNRESOLVED' } },
      );
      const breach = computed.find((s) => s.breached)!;
      expect(response.data!.complianceFindings).toEqual([
        { subject: 'ece (ageBand=80+)', evidence: [breach.eventId, expect.any(String)] },
      ]);
    });

    it('shows each metric as a series against its plan', async () => {
      const response = await api.graphql<{
        aiSystem: {
          performance: Array<{
            metric: string;
            subgroup: string | null;
            threshold: number;
            direction: string;
            points: Array<{ value: number; n: number; breached: boolean; window: { from: string } }>;
          }>;
        };
      }>(
        `{ aiSystem(id: "${SYSTEM}") { performance(subgroup: "ageBand=80+") { metric subgroup threshold direction points { value n breached window { from } } } } }`,
      );
      const series = response.data!.aiSystem.performance;
      expect(series.map((s) => s.metric)).toEqual([...PLANS.map((p) => p.metric)].sort());
      const ece = series.find((s) => s.metric === 'ece')!;
      expect(ece).toMatchObject({ subgroup: 'ageBand=80+', threshold: 0.1, direction: 'max' });
      expect(ece.points).toEqual([
        expect.objectContaining({ breached: true, window: { from: window.from } }),
      ]);
    });

    it('lists the outputs nobody responded to and whose outcome is unknown, newest first, for readers only', async () => {
      const query = `query($filter: OutputFilter!) { outputs(filter: $filter, first: 50) {
      edges { node { outputId response { response } outcome { label } alerted } } pageInfo { hasNextPage } } }`;
      const filter = { systemId: SYSTEM, response: ['none'], outcomeKnown: false };
      const response = await api.graphql<{
        outputs: {
          edges: Array<{ node: { outputId: string; response: null; outcome: null } }>;
          pageInfo: { hasNextPage: boolean };
        };
      }>(query, { filter });
      const expected = truths
        .filter((t) => t.responses.length === 0 && !t.outcome)
        .map((t) => t.outputId)
        .sort()
        .reverse()
        .slice(0, 50);
      expect(response.data!.outputs.edges.map((e) => e.node.outputId)).toEqual(expected);
      expect(
        response.data!.outputs.edges.every((e) => e.node.response === null && e.node.outcome === null),
      ).toBe(true);
      expect(response.data!.outputs.pageInfo.hasNextPage).toBe(true);

      const emitter = await api.token(EMITTER, 'emitter');
      const refused = await api.graphql(query, { filter }, EMITTER, { authorization: `Bearer ${emitter}` });
      expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      const regulator = await api.token('reg.rita', 'regulator', { systems: ['another-system'] });
      const ungranted = await api.graphql(query, { filter }, 'reg.rita', {
        authorization: `Bearer ${regulator}`,
      });
      expect(ungranted.errors?.[0].extensions?.code).toBe('SYSTEM_NOT_GRANTED');
    });

    it.each([
      ['a metric the ledger does not compute', { metric: 'AUROC' }, 'metric'],
      ['an outcome metric without its positive label', { metric: 'ppv' }, 'computation.positiveLabel'],
      ['a zero window', { metric: 'alert_rate', window: 'P0D' }, 'computation.window'],
      ['a window in months', { metric: 'alert_rate', window: 'P1M' }, 'computation.window'],
      ['a window shorter than the cadence', { metric: 'alert_rate', window: 'PT1H' }, 'computation.window'],
      ['a minimum sample of zero', { metric: 'alert_rate', minSamples: 0 }, 'minSamples'],
    ])('refuses a computed plan with %s, naming the field', async (_, change, field) => {
      const { metric, ...computation } = change as { metric: string; window?: string; minSamples?: number };
      const response = await mutate(
        api,
        'planMonitoring',
        {
          systemId: SYSTEM,
          metric,
          threshold: 0.5,
          direction: 'min',
          cadence: 'P1D',
          computation: { window: 'P7D', minSamples: 100, ...computation },
        },
        PEOPLE.performanceOwner,
      );
      expect(response.errors?.[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(response.errors?.[0].extensions?.field).toContain(field);
    });

    it('offers no way for a caller to record a computed signal', async () => {
      const response = await api.graphql(
        `mutation { recordComputedSignal(input: { systemId: "${SYSTEM}" }) { revision } }`,
      );
      expect(response.errors?.[0].message).toMatch(/Cannot query field "recordComputedSignal"/);
    });
  },
);
