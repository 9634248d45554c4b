import type { EventStore, StoredEvent } from '@ledger/event-store';
import type { TimelineTables } from '@ledger/read-models';
import type { MerkleProofService, MerkleTables, StoredCheckpoint } from '@ledger/transparency-log';
import type { CheckpointTables } from '@ledger/read-store';
import type { ExpressionBuilder, Kysely } from 'kysely';
import { EvidenceExportError } from './evidence-export-error';

/** The read-model tables an export reads: the timeline index, the sealer's leaves and the projections' progress. */
export type EvidenceDb = Kysely<TimelineTables & MerkleTables & CheckpointTables>;
type Db = EvidenceDb;

export interface ExportScope {
  tenantId: string;
  systemId: string;
  /** Inclusive, on the emitter's `occurredAt`. */
  from?: string;
  /** Exclusive. */
  to?: string;
}

export interface SealedView {
  checkpoint: StoredCheckpoint;
  /** The store position of the checkpoint's last leaf. */
  throughPosition: bigint;
}

/** Events fetched from the store at once: on SQLite a fetch holds the event loop, so a page stays small. */
const PAGE = 250;
/** The timeline finds the events; the registry and data-access models answer the report's compliance findings. */
const READ_MODELS = ['timeline', 'registry', 'data_access'];
const POLL_MS = 200;

/**
 * Waits until the ledger as it stood when the export began is sealed under a
 * signed checkpoint and applied by the read models, so the bundle holds
 * everything recorded before the export and every event in it can be proven.
 * The sealer signs at least every LEDGER_CHECKPOINT_EVERY_MS, so a running
 * service gets there within seconds; a stopped one never does, and the export
 * fails saying so rather than leaving recent events out silently.
 */
export async function waitUntilSealed(
  store: EventStore,
  db: Db,
  proofs: MerkleProofService,
  waitMs: number,
): Promise<SealedView> {
  const head = await store.headPosition();
  const deadline = Date.now() + waitMs;
  for (;;) {
    const [checkpoint, progress] = await Promise.all([
      proofs.latestCheckpoint(),
      db.selectFrom('projection_checkpoints').selectAll().where('name', 'in', READ_MODELS).execute(),
    ]);
    const stopped = progress.find((p) => p.error);
    if (stopped)
      throw new EvidenceExportError(
        'READ_MODEL_STOPPED',
        `the ${stopped.name} read model has stopped (${stopped.error}); fix it and rebuild it before exporting`,
      );
    const through = checkpoint ? await lastLeafPosition(db, checkpoint.treeSize) : undefined;
    const indexed =
      progress.length === READ_MODELS.length
        ? progress.map((p) => BigInt(p.position)).reduce((a, b) => (a < b ? a : b))
        : 0n;
    if (checkpoint && through !== undefined && through >= head && indexed >= through)
      return { checkpoint, throughPosition: through };
    if (Date.now() >= deadline) {
      const sealed = checkpoint
        ? `the latest signed checkpoint covers the log up to position ${through} (tree size ${checkpoint.treeSize})`
        : 'no checkpoint has been signed yet';
      throw new EvidenceExportError(
        'NOT_SEALED',
        `the newest event (position ${head}) is not yet under a signed checkpoint after waiting ${Math.round(waitMs / 1000)} s: ${sealed}, ` +
          `and the read models have reached position ${indexed}. The service's sealer signs checkpoints and its projections index them; start the service (or wait for it to catch up) and export again`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function lastLeafPosition(db: Db, treeSize: number): Promise<bigint | undefined> {
  const leaf = await db
    .selectFrom('merkle_leaves')
    .select('position')
    .where('leaf_index', '=', treeSize - 1)
    .executeTakeFirst();
  return leaf ? BigInt(leaf.position) : undefined;
}

/** Whether the system is registered in the tenant at or before the sealed position. */
export async function systemIsRegistered(db: Db, scope: ExportScope, through: bigint): Promise<boolean> {
  const row = await db
    .selectFrom('tl_events')
    .select('event_id')
    .where('tenant_id', '=', scope.tenantId)
    .where('system_id', '=', scope.systemId)
    .where('type', '=', 'AiSystemRegistered')
    .where('position', '<=', through.toString())
    .executeTakeFirst();
  return row !== undefined;
}

/** The datasets any version of the system was trained on, read from the stored registrations themselves. */
export async function trainingDatasetIds(
  db: Db,
  store: EventStore,
  scope: ExportScope,
  through: bigint,
): Promise<string[]> {
  const rows = await db
    .selectFrom('tl_events')
    .select('event_id')
    .where('tenant_id', '=', scope.tenantId)
    .where('system_id', '=', scope.systemId)
    .where('type', '=', 'ModelVersionRegistered')
    .where('position', '<=', through.toString())
    .execute();
  const registrations = await store.findByEventIds(rows.map((r) => r.event_id));
  return [
    ...new Set(registrations.flatMap((e) => (e.data as { trainingDatasetIds: string[] }).trainingDatasetIds)),
  ].sort();
}

/** A store position range, inclusive. */
export interface InputRange {
  first: bigint;
  last: bigint;
}

/** The clinical-use events a computed signal is recomputed from. */
export const SIGNAL_INPUT_TYPES = ['AiOutputProduced', 'ClinicianResponseRecorded', 'OutcomeObserved'];
/** Signals read from the store at once when finding their inputs. */
const SIGNAL_PAGE = 500;
/** More ranges than this are merged across their smallest gaps: a few extra events beat a query of thousands of ORs. */
const MAX_INPUT_RANGES = 32;

/**
 * For a bundle cut to a period: the position ranges holding the inputs of
 * every computed signal it will include, so that each can be recomputed from
 * the bundle although its window, or the outcomes recorded for it, fall
 * outside the period. A signal's inputs all lie in [inputs.firstPosition,
 * inputs.throughPosition]; the range of each is taken whole (every output,
 * response and outcome of the system in it), overlapping ones merged.
 */
export async function signalInputRanges(
  db: Db,
  store: EventStore,
  scope: ExportScope,
  through: bigint,
): Promise<InputRange[]> {
  let query = db
    .selectFrom('tl_events')
    .select('event_id')
    .where('tenant_id', '=', scope.tenantId)
    .where('system_id', '=', scope.systemId)
    .where('type', '=', 'MonitoringSignalComputed')
    .where('position', '<=', through.toString());
  if (scope.from) query = query.where('occurred_at', '>=', scope.from);
  if (scope.to) query = query.where('occurred_at', '<', scope.to);
  const ids = (await query.orderBy('position').execute()).map((r) => r.event_id);
  const ranges: InputRange[] = [];
  for (let i = 0; i < ids.length; i += SIGNAL_PAGE)
    for (const signal of await store.findByEventIds(ids.slice(i, i + SIGNAL_PAGE))) {
      const { inputs } = signal.data as { inputs: { firstPosition: string; throughPosition: string } };
      ranges.push({ first: BigInt(inputs.firstPosition), last: BigInt(inputs.throughPosition) });
    }
  return mergedRanges(ranges, MAX_INPUT_RANGES);
}

/** Sorted, overlapping and adjacent ranges joined, then the closest merged until at most `max` remain. */
export function mergedRanges(ranges: readonly InputRange[], max: number): InputRange[] {
  const merged: InputRange[] = [];
  for (const range of [...ranges].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0))) {
    const last = merged.at(-1);
    if (last && range.first <= last.last + 1n) last.last = range.last > last.last ? range.last : last.last;
    else merged.push({ ...range });
  }
  while (merged.length > max) {
    let closest = 0;
    for (let i = 1; i < merged.length - 1; i++)
      if (merged[i + 1].first - merged[i].last < merged[closest + 1].first - merged[closest].last)
        closest = i;
    merged.splice(closest, 2, { first: merged[closest].first, last: merged[closest + 1].last });
  }
  return merged;
}

/**
 * The events in scope, in the ledger's global order, a page at a time: the
 * system's own stream, data access and clinical use on its behalf (outputs,
 * clinician responses, outcomes and the findings raised on them, which name
 * it as data.systemId in their emitter's streams), its export records, and the
 * events of its training datasets. In a bundle cut to a period, the inputs
 * of its computed signals and its monitoring plans come too, whenever they
 * occurred. Found through the timeline index, read whole from the event
 * store: what is bundled is what was hashed.
 */
export class ScopedEvents {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly scope: ExportScope,
    private readonly datasetStreams: string[],
    private readonly through: bigint,
    private readonly signalInputs: readonly InputRange[] = [],
  ) {}

  async count(): Promise<number> {
    let total = 0;
    for (const branch of this.branches()) {
      const row = await branch
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      total += Number(row.n);
    }
    return total;
  }

  /**
   * A page is the first PAGE events after the last of the page before, from
   * each branch in its index's position order, merged. As one query with an
   * OR, SQLite gathered every remaining event of the system and sorted them
   * for each page (a MULTI-INDEX OR feeding a temporary B-tree): quadratic,
   * minutes of a 1M-event export. Each branch alone walks its index and stops.
   */
  async *pages(): AsyncGenerator<StoredEvent[]> {
    let after = '0';
    for (;;) {
      const rows = firstByPosition(
        await Promise.all(
          this.branches().map((branch) =>
            branch
              .select(['position', 'event_id'])
              .where('position', '>', after)
              .orderBy('position', 'asc')
              .limit(PAGE)
              .execute(),
          ),
        ),
        PAGE,
      );
      if (rows.length === 0) return;
      const stored = new Map(
        (await this.store.findByEventIds(rows.map((r) => r.event_id))).map((e) => [e.eventId, e]),
      );
      yield rows.map((row) => {
        const event = stored.get(row.event_id);
        if (!event || event.position !== BigInt(row.position)) {
          throw new EvidenceExportError(
            'READ_MODEL_STOPPED',
            `the timeline index names event ${row.event_id} at position ${row.position}, which the event store does not hold there; rebuild the timeline read model`,
          );
        }
        return event;
      });
      after = String(rows[rows.length - 1].position);
    }
  }

  /**
   * The scope as disjoint queries, each narrowed by one index: the system's
   * own events (tl_events_system), and its training datasets' streams that
   * are not the system's (tl_events_stream).
   */
  private branches() {
    const { tenantId, systemId, from, to } = this.scope;
    const sealed = this.db
      .selectFrom('tl_events')
      .where('tenant_id', '=', tenantId)
      .where('position', '<=', this.through.toString());
    const inPeriod = (eb: ExpressionBuilder<TimelineTables, 'tl_events'>) => [
      ...(from ? [eb('occurred_at', '>=', from)] : []),
      ...(to ? [eb('occurred_at', '<', to)] : []),
    ];
    const own = sealed.where('system_id', '=', systemId).where((eb) => {
      if (this.signalInputs.length === 0) return eb.and(inPeriod(eb));
      return eb.or([
        eb.and(inPeriod(eb)),
        eb('type', '=', 'MonitoringPlanned'),
        eb.and([
          eb('type', 'in', SIGNAL_INPUT_TYPES),
          eb.or(
            this.signalInputs.map((r) =>
              eb.and([eb('position', '>=', r.first.toString()), eb('position', '<=', r.last.toString())]),
            ),
          ),
        ]),
      ]);
    });
    if (this.datasetStreams.length === 0) return [own];
    const datasets = sealed
      .where('stream', 'in', this.datasetStreams)
      .where((eb) => eb.or([eb('system_id', 'is', null), eb('system_id', '!=', systemId)]))
      .where((eb) => eb.and(inPeriod(eb)));
    return [own, datasets];
  }
}

/** The first `limit` rows of lists each in ascending position, in position order. */
function firstByPosition<R extends { position: string | number }>(lists: R[][], limit: number): R[] {
  return lists
    .flat()
    .sort((a, b) => Number(a.position) - Number(b.position))
    .slice(0, limit);
}
