import type { EventStore, StoredEvent } from '@ledger/event-store';
import type { TimelineTables } from '@ledger/read-models';
import type { MerkleProofService, MerkleTables, StoredCheckpoint } from '@ledger/transparency-log';
import type { CheckpointTables } from '@ledger/read-store';
import type { Kysely } from 'kysely';
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

/**
 * The events in scope, in the ledger's global order, a page at a time: the
 * system's own stream, data access on its behalf, its export records, and the
 * events of its training datasets. Found through the timeline index, read
 * whole from the event store: what is bundled is what was hashed.
 */
export class ScopedEvents {
  constructor(
    private readonly db: Db,
    private readonly store: EventStore,
    private readonly scope: ExportScope,
    private readonly datasetStreams: string[],
    private readonly through: bigint,
  ) {}

  async count(): Promise<number> {
    const row = await this.query()
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async *pages(): AsyncGenerator<StoredEvent[]> {
    let after = '0';
    for (;;) {
      const rows = await this.query()
        .select(['position', 'event_id'])
        .where('position', '>', after)
        .orderBy('position', 'asc')
        .limit(PAGE)
        .execute();
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

  private query() {
    const { tenantId, systemId, from, to } = this.scope;
    let query = this.db
      .selectFrom('tl_events')
      .where('tenant_id', '=', tenantId)
      .where('position', '<=', this.through.toString())
      .where((eb) =>
        eb.or([
          eb('system_id', '=', systemId),
          ...(this.datasetStreams.length > 0 ? [eb('stream', 'in', this.datasetStreams)] : []),
        ]),
      );
    if (from) query = query.where('occurred_at', '>=', from);
    if (to) query = query.where('occurred_at', '<', to);
    return query;
  }
}
