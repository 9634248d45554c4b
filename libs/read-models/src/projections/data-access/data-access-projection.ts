import type { DataAccessedEvent, DatasetEventOf } from '@ledger/domain';
import type { StoredEvent } from '@ledger/event-store';
import type { Kysely } from 'kysely';
import { type ProjectionDefinition, utc } from '../projection';

export interface DataAccessTables {
  da_access: {
    position: string;
    tenant_id: string;
    event_id: string;
    actor: string;
    dataset_id: string | null;
    resource: string | null;
    patient_pseudonym: string | null;
    action: string;
    purpose: string;
    outcome: string;
    source_service: string;
    system_id: string | null;
    occurred_at: string;
    /** Why the access had no cover, judged at the moment it happened: no_active_grant, purpose_not_granted, or null. */
    violation: string | null;
  };
  da_grants: {
    tenant_id: string;
    dataset_id: string;
    grant_id: string;
    principal: string;
    purpose: string;
    granted_at: string;
    expires_at: string;
    revoked_at: string | null;
    event_id: string;
    revoked_event_id: string | null;
  };
}

type Db = Kysely<DataAccessTables>;
type Grant = DataAccessTables['da_grants'];

/**
 * Data access, searchable by every filter auditors use, each access judged
 * against the dataset grants in force when it happened. Grants live here too,
 * so that judgement always sees them in log order.
 */
export const dataAccessProjection: ProjectionDefinition<DataAccessTables> = {
  name: 'data_access',
  tables: ['da_access', 'da_grants'],
  migrations: { '0001_data_access': createDataAccessTables },
  async apply(db, events) {
    // Consecutive accesses are judged and written together: at ingest volume, a round trip per event would be the bottleneck.
    let run: StoredEvent[] = [];
    for (const event of events) {
      if (event.type === 'DataAccessed') {
        run.push(event);
        continue;
      }
      await insertAccesses(db, run);
      run = [];
      await applyGrantEvent(db, event);
    }
    await insertAccesses(db, run);
  },
};

async function createDataAccessTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('da_access')
    .addColumn('position', 'bigint', (c) => c.primaryKey())
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('dataset_id', 'text')
    .addColumn('resource', 'text')
    .addColumn('patient_pseudonym', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('source_service', 'text', (c) => c.notNull())
    .addColumn('system_id', 'text')
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('violation', 'text')
    .execute();
  // One index per filter, each ending in position so a page is an index range scan in cursor order.
  for (const column of [
    'dataset_id',
    'actor',
    'patient_pseudonym',
    'purpose',
    'outcome',
    'system_id',
    'violation',
    'occurred_at',
  ])
    await db.schema
      .createIndex(`da_access_${column}`)
      .on('da_access')
      .columns(['tenant_id', column, 'position'])
      .execute();
  await db.schema
    .createIndex('da_access_tenant')
    .on('da_access')
    .columns(['tenant_id', 'position'])
    .execute();
  await db.schema
    .createTable('da_grants')
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('dataset_id', 'text', (c) => c.notNull())
    .addColumn('grant_id', 'text', (c) => c.notNull())
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('revoked_event_id', 'text')
    .addPrimaryKeyConstraint('da_grants_pk', ['tenant_id', 'dataset_id', 'grant_id'])
    .execute();
  await db.schema
    .createIndex('da_grants_principal')
    .on('da_grants')
    .columns(['tenant_id', 'dataset_id', 'principal'])
    .execute();
}

async function applyGrantEvent(db: Db, event: StoredEvent): Promise<void> {
  const tenant_id = event.metadata.tenantId;
  if (event.type === 'DatasetAccessGranted') {
    const d = event.data as DatasetEventOf<'DatasetAccessGranted'>['data'];
    await db
      .insertInto('da_grants')
      .values({
        tenant_id,
        dataset_id: d.datasetId,
        grant_id: d.grantId,
        principal: d.principal,
        purpose: d.purpose,
        granted_at: utc(event.metadata.occurredAt),
        expires_at: utc(d.expiresAt),
        revoked_at: null,
        event_id: event.eventId,
        revoked_event_id: null,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
  } else if (event.type === 'DatasetAccessRevoked') {
    const d = event.data as DatasetEventOf<'DatasetAccessRevoked'>['data'];
    await db
      .updateTable('da_grants')
      .set({ revoked_at: utc(event.metadata.occurredAt), revoked_event_id: event.eventId })
      .where('tenant_id', '=', tenant_id)
      .where('dataset_id', '=', d.datasetId)
      .where('grant_id', '=', d.grantId)
      .execute();
  }
}

async function insertAccesses(db: Db, events: readonly StoredEvent[]): Promise<void> {
  if (events.length === 0) return;
  const accesses = events.map((event) => ({ event, data: event.data as DataAccessedEvent['data'] }));
  const grants = await grantsFor(db, accesses);
  const rows = accesses.map(({ event, data }) => {
    const occurred_at = utc(event.metadata.occurredAt);
    return {
      position: event.position.toString(),
      tenant_id: event.metadata.tenantId,
      event_id: event.eventId,
      actor: data.actor,
      dataset_id: data.datasetId ?? null,
      resource: data.resource ?? null,
      patient_pseudonym: data.patientPseudonym ?? null,
      action: data.action,
      purpose: data.purposeOfUse,
      outcome: data.outcome,
      source_service: data.sourceService,
      system_id: data.systemId ?? null,
      occurred_at,
      violation: data.datasetId
        ? violation(
            grants.get(grantKey(event.metadata.tenantId, data.datasetId, data.actor)) ?? [],
            data.purposeOfUse,
            occurred_at,
          )
        : null,
    };
  });
  // Parameter limits (SQLite 32766, PostgreSQL 65535) bound the rows per statement.
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto('da_access')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.doNothing())
      .execute();
}

const grantKey = (tenant: string, dataset: string, principal: string) =>
  `${tenant}\u0000${dataset}\u0000${principal}`;

async function grantsFor(
  db: Db,
  accesses: Array<{ event: StoredEvent; data: DataAccessedEvent['data'] }>,
): Promise<Map<string, Grant[]>> {
  const wanted = new Map<string, { tenant: string; dataset: string; principal: string }>();
  for (const { event, data } of accesses)
    if (data.datasetId)
      wanted.set(grantKey(event.metadata.tenantId, data.datasetId, data.actor), {
        tenant: event.metadata.tenantId,
        dataset: data.datasetId,
        principal: data.actor,
      });
  const byKey = new Map<string, Grant[]>();
  const pairs = [...wanted.values()];
  for (let i = 0; i < pairs.length; i += 200) {
    const slice = pairs.slice(i, i + 200);
    const rows = await db
      .selectFrom('da_grants')
      .selectAll()
      .where((eb) =>
        eb.or(
          slice.map((p) =>
            eb.and([
              eb('tenant_id', '=', p.tenant),
              eb('dataset_id', '=', p.dataset),
              eb('principal', '=', p.principal),
            ]),
          ),
        ),
      )
      .execute();
    for (const row of rows) {
      const key = grantKey(row.tenant_id, row.dataset_id, row.principal);
      byKey.set(key, [...(byKey.get(key) ?? []), row]);
    }
  }
  return byKey;
}

function violation(grants: readonly Grant[], purpose: string, at: string): string | null {
  const active = grants.filter(
    (g) => g.granted_at <= at && at < g.expires_at && (g.revoked_at === null || at < g.revoked_at),
  );
  if (active.length === 0) return 'no_active_grant';
  return active.some((g) => g.purpose === purpose) ? null : 'purpose_not_granted';
}
