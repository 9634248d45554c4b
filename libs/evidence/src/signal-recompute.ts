import {
  AGE_BANDS,
  CLINICIAN_RESPONSES,
  COMPUTED_METRICS,
  computeWindow,
  OutputColumnsBuilder,
  positionsDigest,
  SEX_BANDS,
  type ComputedMetric,
  type ComputedValue,
  type OutputColumns,
  type SignalComputation,
} from '@ledger/domain';
import { createHash } from 'node:crypto';

/*
 * Recomputes every MonitoringSignalComputed of a bundle from the bundle's own
 * events, with the domain's metric functions, so a regulator's number comes
 * from the same method the ledger named. A busy model's bundle holds millions
 * of outputs: each is kept in typed columns (about 65 bytes an output with
 * its digest and slots in the id table, under 30 a response or an outcome), joined by a
 * 128-bit digest of its outputId, and a window's selection is copied into the
 * domain's own columns for its metrics. Positions are held as numbers (the
 * domain refuses any at or above 2^53), so no bigint is made per event.
 */

/** What the recomputation reads of one bundled event; events.jsonl lines parse to this. */
export interface BundledEvent {
  type: string;
  position: bigint;
  data: unknown;
  metadata: { occurredAt?: unknown };
}

/** A position range (inclusive) whose clinical-use events of the system a period-cut bundle holds in full. */
export interface PositionRange {
  first: bigint;
  last: bigint;
}

export interface RecomputeOptions {
  systemId: string;
  /**
   * Set for a bundle cut to a period: the ranges in which it holds every
   * output, response and outcome of the system. Each signal is then
   * recomputed from the events of its own [firstPosition, throughPosition]
   * only, which selects exactly what the full rule does (an event below
   * firstPosition was read by no value), and a signal whose range the bundle
   * does not hold is reported, not guessed at.
   */
  inputRanges?: readonly PositionRange[];
}

/** The signal as its failures name it: metric, subgroup, window and the position of its event. */
export interface SignalRef {
  metric: string;
  subgroup?: string;
  window: { from: string; to: string };
  position: string;
}

export interface RecomputeOutcome {
  /** Every MonitoringSignalComputed of the system in the bundle. */
  signals: number;
  /** Those recomputed and found to match in value, n and inputs. */
  matched: number;
  failures: Array<{ signal: SignalRef; message: string }>;
}

interface Plan {
  position: bigint;
  threshold: number;
  direction: string;
  computation?: {
    window: string;
    minSamples: number;
    positiveLabel?: string;
    subgroups?: SignalComputation['subgroups'];
  };
}

interface SignalData {
  metric: string;
  value: number;
  n: number;
  subgroup?: string;
  window: { from: string; to: string };
  inputs: {
    throughPosition: string;
    count: number;
    firstPosition: string;
    lastPosition: string;
    positionsSha256: string;
  };
  checkpoint: { treeSize: number; rootHash: string };
}

interface Signal {
  position: bigint;
  data: SignalData;
  ref: SignalRef;
}

/** The value agreement the ledger promises: the same functions over the same events, so only float noise may differ. */
const TOLERANCE = 1e-9;
const NONE = -1;

/**
 * An open-addressing table from a 128-bit digest of an outputId to its row: a
 * Map of millions of strings would not fit. Rows are made in order (0, 1, …),
 * so each row's digest is kept once, at the row's own place, and a slot holds
 * only a row number: the slots, at most half full, cost 8 bytes an output
 * rather than the 40 that keeping a digest in every slot did.
 */
class OutputIds {
  private keys = new Uint32Array(4 * 1024);
  private slots = new Int32Array(2 * 1024).fill(NONE);
  size = 0;

  /** The row of `outputId`: the one it was given before, or the next, `size`, for an id not seen yet. */
  row(outputId: string): number {
    const digest = createHash('sha256').update(outputId).digest();
    const k0 = digest.readUInt32LE(0);
    const k1 = digest.readUInt32LE(4);
    const k2 = digest.readUInt32LE(8);
    const k3 = digest.readUInt32LE(12);
    const { keys, slots } = this;
    const mask = slots.length - 1;
    let slot = k0 & mask;
    for (let row; (row = slots[slot]) !== NONE; slot = (slot + 1) & mask) {
      const at = row * 4;
      if (keys[at] === k0 && keys[at + 1] === k1 && keys[at + 2] === k2 && keys[at + 3] === k3) return row;
    }
    const row = this.size++;
    if (this.keys.length < this.size * 4) {
      const grown = new Uint32Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    const at = row * 4;
    this.keys[at] = k0;
    this.keys[at + 1] = k1;
    this.keys[at + 2] = k2;
    this.keys[at + 3] = k3;
    this.slots[slot] = row;
    if (this.size * 2 > this.slots.length) this.rehash();
    return row;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(NONE);
    const mask = this.slots.length - 1;
    for (let row = 0; row < this.size; row++) {
      let slot = this.keys[row * 4] & mask;
      while (this.slots[slot] !== NONE) slot = (slot + 1) & mask;
      this.slots[slot] = row;
    }
  }
}

type Typed = Float64Array | Int32Array | Uint32Array | Uint8Array;

/** Columns of one kind of row, grown together. */
class Columns<C extends Record<string, Typed>> {
  length = 0;
  constructor(
    public cols: C,
    private readonly fill: Partial<Record<keyof C, number>> = {},
  ) {}

  push(): number {
    const capacity = Object.values(this.cols)[0].length;
    if (this.length === capacity) {
      for (const name of Object.keys(this.cols) as Array<keyof C>) {
        const old = this.cols[name];
        const grown = new (old.constructor as new (n: number) => Typed)(capacity * 2);
        (grown as Float64Array).set(old as Float64Array);
        const fill = this.fill[name];
        if (fill !== undefined) (grown as Float64Array).fill(fill, capacity);
        this.cols[name] = grown as C[keyof C];
      }
    }
    return this.length++;
  }
}

const columns = <C extends Record<string, Typed>>(
  make: (n: number) => C,
  fill: Partial<Record<keyof C, number>> = {},
) => {
  const initial = make(1024);
  for (const [name, value] of Object.entries(fill)) (initial[name] as Float64Array).fill(value as number);
  return new Columns(initial, fill);
};

/** Small vocabularies (sites, labels) as numbers; 0 means absent. */
class Interned {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [''];
  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(value, id);
      this.values.push(value);
    }
    return id;
  }
}

const str = (value: unknown): value is string => typeof value === 'string';

export class SignalRecomputation {
  private readonly ids = new OutputIds();
  /** One row per outputId seen, whether its output, a response or an outcome came first. */
  private readonly outputs = columns(
    (n) => ({
      position: new Float64Array(n),
      occurredMs: new Float64Array(n),
      score: new Float64Array(n),
      alerted: new Uint8Array(n),
      site: new Uint32Array(n),
      ageBand: new Uint8Array(n),
      sex: new Uint8Array(n),
      response: new Int32Array(n),
      outcome: new Int32Array(n),
    }),
    { response: NONE, outcome: NONE },
  );
  /** Each output's responses and outcomes as lists, newest first: the latest at or before a position is a short walk. */
  private readonly responses = columns((n) => ({
    position: new Float64Array(n),
    response: new Uint8Array(n),
    older: new Int32Array(n),
  }));
  private readonly outcomes = columns((n) => ({
    position: new Float64Array(n),
    label: new Uint32Array(n),
    value: new Float64Array(n),
    older: new Int32Array(n),
  }));
  private readonly sites = new Interned();
  private readonly labels = new Interned();
  private readonly plans = new Map<string, Plan[]>();
  private readonly signals: Signal[] = [];
  /** Those that recomputed: only their checkpoints are worth holding against the proofs; the rest have failed already. */
  private readonly matched: Signal[] = [];

  constructor(private readonly options: RecomputeOptions) {}

  /** Takes every bundled event in global order; only the system's clinical use, plans and computed signals are kept. */
  add(event: BundledEvent): void {
    const data = event.data as Record<string, unknown> | null;
    if (!data || typeof data !== 'object' || data.systemId !== this.options.systemId) return;
    switch (event.type) {
      case 'AiOutputProduced':
        return this.output(event, data);
      case 'ClinicianResponseRecorded':
        return this.response(event.position, data);
      case 'OutcomeObserved':
        return this.outcome(event.position, data);
      case 'MonitoringPlanned':
        if (str(data.metric)) {
          const plans = this.plans.get(data.metric) ?? [];
          plans.push({ position: event.position, ...(data as Omit<Plan, 'position'>) });
          this.plans.set(data.metric, plans);
        }
        return;
      case 'MonitoringSignalComputed': {
        const signal = data as unknown as SignalData;
        this.signals.push({
          position: event.position,
          data: signal,
          ref: {
            metric: String(signal.metric),
            ...(signal.subgroup !== undefined ? { subgroup: String(signal.subgroup) } : {}),
            window: { from: String(signal.window?.from), to: String(signal.window?.to) },
            position: event.position.toString(),
          },
        });
        return;
      }
    }
  }

  private row(outputId: unknown): number | undefined {
    if (!str(outputId)) return undefined;
    const row = this.ids.row(outputId);
    // An id not seen before is given the next row, which the columns then make.
    if (row === this.outputs.length) this.outputs.push();
    return row;
  }

  private output(event: BundledEvent, data: Record<string, unknown>): void {
    const row = this.row(data.outputId);
    if (row === undefined) return;
    const c = this.outputs.cols;
    // The first output recorded under an id stands, as in the ledger's read model.
    if (c.position[row] !== 0) return;
    c.position[row] = Number(event.position);
    c.occurredMs[row] = Date.parse(String(event.metadata.occurredAt));
    c.score[row] = typeof data.score === 'number' ? data.score : NaN;
    c.alerted[row] = data.alerted === true ? 1 : 0;
    c.site[row] = this.sites.id(String(data.site));
    c.ageBand[row] = AGE_BANDS.indexOf(data.ageBand as never) + 1;
    c.sex[row] = SEX_BANDS.indexOf(data.sex as never) + 1;
  }

  private response(position: bigint, data: Record<string, unknown>): void {
    const row = this.row(data.outputId);
    const kind = CLINICIAN_RESPONSES.indexOf(data.response as never);
    if (row === undefined || kind < 0) return;
    const at = this.responses.push();
    const r = this.responses.cols;
    r.position[at] = Number(position);
    r.response[at] = kind;
    r.older[at] = this.outputs.cols.response[row];
    this.outputs.cols.response[row] = at;
  }

  private outcome(position: bigint, data: Record<string, unknown>): void {
    const row = this.row(data.outputId);
    if (row === undefined) return;
    const at = this.outcomes.push();
    const o = this.outcomes.cols;
    o.position[at] = Number(position);
    o.label[at] = str(data.label) ? this.labels.id(data.label) : 0;
    o.value[at] = typeof data.value === 'number' ? data.value : NaN;
    o.older[at] = this.outputs.cols.outcome[row];
    this.outputs.cols.outcome[row] = at;
  }

  /** Recomputes every signal, a window at a time, and says what differs. */
  finish(): RecomputeOutcome {
    const failures: RecomputeOutcome['failures'] = [];
    const byOccurrence = this.outputsByOccurrence();
    const groups = new Map<string, Array<{ signal: Signal; plan: Plan; lower: bigint; through: bigint }>>();
    for (const signal of this.signals) {
      const problem = this.unrecomputable(signal);
      if (typeof problem === 'string') {
        failures.push({ signal: signal.ref, message: problem });
        continue;
      }
      const key = `${signal.data.window.from}|${signal.data.window.to}|${problem.lower}|${problem.through}`;
      const group = groups.get(key) ?? [];
      group.push({ signal, ...problem });
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      const { signal, lower, through } = group[0];
      let records: OutputColumns;
      try {
        records = this.recordsIn(byOccurrence, signal.data.window, Number(lower), Number(through));
      } catch (error) {
        // A position at or above 2^53 is none the ledger wrote: the bundle's events were not made by it.
        if (!(error instanceof RangeError)) throw error;
        for (const { signal } of group) failures.push({ signal: signal.ref, message: error.message });
        continue;
      }
      const computed = new Map<Plan, Map<string, ComputedValue>>();
      for (const { signal, plan } of group) {
        let values = computed.get(plan);
        if (!values) {
          const computation = plan.computation!;
          values = new Map(
            computeWindow(
              {
                metric: signal.data.metric as ComputedMetric,
                minSamples: computation.minSamples,
                ...(computation.positiveLabel !== undefined
                  ? { positiveLabel: computation.positiveLabel }
                  : {}),
                ...(computation.subgroups ? { subgroups: computation.subgroups } : {}),
              },
              records,
            ).map((v) => [v.subgroup ?? '', v]),
          );
          computed.set(plan, values);
        }
        const differences = compare(signal.data, values.get(signal.data.subgroup ?? ''), plan);
        if (differences) failures.push({ signal: signal.ref, message: differences });
        else this.matched.push(signal);
      }
    }
    return { signals: this.signals.length, matched: this.matched.length, failures };
  }

  /** The checkpoint each recomputed signal names, for the verifier to hold against the leaves the bundle proves; after finish(). */
  checkpointClaims(): Array<{
    signal: SignalRef;
    signalPosition: bigint;
    lastPosition: bigint;
    treeSize: number;
    rootHash: string;
  }> {
    return this.matched.flatMap(({ data, ref, position }) => {
      const last = data.inputs?.lastPosition;
      if (!str(last) || !/^[0-9]{1,20}$/.test(last) || !Number.isInteger(data.checkpoint?.treeSize))
        return [];
      return [
        {
          signal: ref,
          signalPosition: position,
          lastPosition: BigInt(last),
          treeSize: data.checkpoint.treeSize,
          rootHash: String(data.checkpoint.rootHash),
        },
      ];
    });
  }

  /** Why a signal cannot be recomputed from this bundle, or the plan and the positions its inputs lie between. */
  private unrecomputable(signal: Signal): string | { plan: Plan; lower: bigint; through: bigint } {
    const { data, position } = signal;
    if (!COMPUTED_METRICS.includes(data.metric as ComputedMetric))
      return `its metric ${JSON.stringify(data.metric)} is not one the ledger computes`;
    const from = Date.parse(String(data.window?.from));
    const to = Date.parse(String(data.window?.to));
    if (Number.isNaN(from) || Number.isNaN(to) || from >= to)
      return `its window is not a pair of instants, from before to`;
    const through = data.inputs?.throughPosition;
    const first = data.inputs?.firstPosition;
    if (!str(through) || !/^[0-9]{1,20}$/.test(through) || !str(first) || !/^[0-9]{1,20}$/.test(first))
      return 'its inputs do not name a throughPosition and a firstPosition';
    if (BigInt(through) >= position)
      return `it says it read up to position ${through}, which is not before its own position`;
    const plan = (this.plans.get(data.metric) ?? []).filter((p) => p.position < position).at(-1);
    if (!plan?.computation)
      return `no MonitoringPlanned with a computation for ${data.metric} precedes it in the bundle`;
    let lower = 0n;
    if (this.options.inputRanges) {
      lower = BigInt(first);
      const held = this.options.inputRanges.some((r) => r.first <= lower && BigInt(through) <= r.last);
      if (!held)
        return `its inputs (positions ${first} to ${through}) are outside this bundle, which is cut to a period and does not hold them; export without --from/--to, or with a period that includes the signal's window, to recompute it`;
    }
    return { plan, lower, through: BigInt(through) };
  }

  /** Row numbers of the outputs recorded, ordered by occurredAt, so a window is found by binary search. */
  private outputsByOccurrence(): Uint32Array {
    const c = this.outputs.cols;
    // Counted first, so a million rows are one typed array, not a growing list of numbers besides.
    let recorded = 0;
    for (let row = 0; row < this.outputs.length; row++) if (c.position[row] !== 0) recorded++;
    const rows = new Uint32Array(recorded);
    for (let row = 0, at = 0; row < this.outputs.length; row++) if (c.position[row] !== 0) rows[at++] = row;
    return rows.sort((a, b) => c.occurredMs[a] - c.occurredMs[b]);
  }

  /** The selection rule: outputs in the window at or before `through`, each with its latest response and outcome up to it. */
  private recordsIn(
    byOccurrence: Uint32Array,
    window: { from: string; to: string },
    lower: number,
    through: number,
  ): OutputColumns {
    const c = this.outputs.cols;
    const r = this.responses.cols;
    const o = this.outcomes.cols;
    const from = Date.parse(window.from);
    const to = Date.parse(window.to);
    let start = 0;
    for (let end = byOccurrence.length; start < end;) {
      const mid = (start + end) >>> 1;
      if (c.occurredMs[byOccurrence[mid]] < from) start = mid + 1;
      else end = mid;
    }
    const records = new OutputColumnsBuilder();
    for (let i = start; i < byOccurrence.length && c.occurredMs[byOccurrence[i]] < to; i++) {
      const row = byOccurrence[i];
      if (c.position[row] < lower || c.position[row] > through) continue;
      const response = this.latest(r, c.response[row], lower, through);
      const outcome = this.latest(o, c.outcome[row], lower, through);
      records.add({
        outputPosition: c.position[row],
        ...(Number.isNaN(c.score[row]) ? {} : { score: c.score[row] }),
        alerted: c.alerted[row] === 1,
        site: this.sites.values[c.site[row]],
        ...(c.ageBand[row] ? { ageBand: AGE_BANDS[c.ageBand[row] - 1] } : {}),
        ...(c.sex[row] ? { sex: SEX_BANDS[c.sex[row] - 1] } : {}),
        ...(response === NONE
          ? {}
          : { response: CLINICIAN_RESPONSES[r.response[response]], responsePosition: r.position[response] }),
        ...(outcome === NONE || !o.label[outcome]
          ? {}
          : { outcomeLabel: this.labels.values[o.label[outcome]], outcomePosition: o.position[outcome] }),
      });
    }
    return records.finish();
  }

  /** The newest entry of a newest-first list whose position lies in [lower, through]. */
  private latest(
    list: { position: Float64Array; older: Int32Array },
    head: number,
    lower: number,
    through: number,
  ): number {
    for (let at = head; at !== NONE && list.position[at] >= lower; at = list.older[at])
      if (list.position[at] <= through) return at;
    return NONE;
  }
}
/** What differs between a recorded signal and its recomputation, or undefined when they agree. */
function compare(
  recorded: SignalData,
  recomputed: ComputedValue | undefined,
  plan: Plan,
): string | undefined {
  if (!recomputed)
    return `recorded value ${recorded.value} (n ${recorded.n}), but the bundle's events give no value for it: fewer than the plan's minSamples ${plan.computation!.minSamples} outputs, or none the metric can use`;
  const positions = recomputed.positions;
  const differences: string[] = [];
  if (!(Math.abs(recorded.value - recomputed.value) <= TOLERANCE))
    differences.push(`value ${recorded.value} recorded, ${recomputed.value} recomputed`);
  if (recorded.n !== recomputed.n) differences.push(`n ${recorded.n} recorded, ${recomputed.n} recomputed`);
  const inputs = recorded.inputs ?? ({} as SignalData['inputs']);
  if (inputs.count !== positions.length)
    differences.push(`inputs.count ${inputs.count} recorded, ${positions.length} recomputed`);
  const first = positions[0]?.toString();
  const last = positions.at(-1)?.toString();
  if (inputs.firstPosition !== first)
    differences.push(`inputs.firstPosition ${inputs.firstPosition} recorded, ${first} recomputed`);
  if (inputs.lastPosition !== last)
    differences.push(`inputs.lastPosition ${inputs.lastPosition} recorded, ${last} recomputed`);
  const digest = positionsDigest(positions);
  if (inputs.positionsSha256 !== digest)
    differences.push(`inputs.positionsSha256 ${inputs.positionsSha256} recorded, ${digest} recomputed`);
  return differences.length > 0 ? differences.join('; ') : undefined;
}

/** How a failure names a signal: metric, subgroup, window and the position of its event. */
export function describeSignal(ref: SignalRef): string {
  return `computed signal ${ref.metric}${ref.subgroup ? ` [${ref.subgroup}]` : ''} over [${ref.window.from}, ${ref.window.to}) at position ${ref.position}`;
}
