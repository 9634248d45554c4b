import { assertNever, personId, sentSearchTokens } from '@ledger/domain';
import { ERASED } from '@ledger/integrity';
import type { Kysely } from 'kysely';
import { insertRows, utc } from '../projection/projection';
import type { ProjectedEvent, ReadModel } from '../projection/read-model';
import { dataAccessMigrations, type DataAccessTables, patientPseudonymIndex } from './data-access-tables';

const canHandle = ['DataAccessed', 'DatasetAccessGranted', 'DatasetAccessRevoked'] as const;

type Db = Kysely<DataAccessTables>;
type Grant = DataAccessTables['da_grants'];
type Access = ProjectedEvent<'DataAccessed'>;
type GrantEvent = ProjectedEvent<'DatasetAccessGranted' | 'DatasetAccessRevoked'>;

/**
 * Data access, searchable by every filter auditors use, each access judged
 * against the dataset grants in force when it happened. Grants live here too,
 * so that judgement always sees them in log order. An access is keyed by its
 * position and a grant by its id, so a replay inserts nothing new.
 */
export const dataAccessReadModel: ReadModel<DataAccessTables, (typeof canHandle)[number]> = {
  tables: ['da_access', 'da_grants', 'da_sent_tokens'],
  migrations: dataAccessMigrations,
  deferredIndexes: [patientPseudonymIndex],
  canHandle,
  async evolve(db, events) {
    // Consecutive accesses are judged and written together: at ingest volume, a round trip per event would be the bottleneck.
    let run: Access[] = [];
    for (const event of events) {
      if (event.type === 'DataAccessed') {
        run.push(event);
        continue;
      }
      await insertAccesses(db, run);
      run = [];
      await evolveGrant(db, event);
    }
    await insertAccesses(db, run);
  },
};

async function evolveGrant(db: Db, event: GrantEvent): Promise<void> {
  const tenant_id = event.metadata.tenantId;
  switch (event.type) {
    case 'DatasetAccessGranted': {
      const d = event.data;
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
      return;
    }
    case 'DatasetAccessRevoked': {
      const d = event.data;
      await db
        .updateTable('da_grants')
        .set({ revoked_at: utc(event.metadata.occurredAt), revoked_event_id: event.eventId })
        .where('tenant_id', '=', tenant_id)
        .where('dataset_id', '=', d.datasetId)
        .where('grant_id', '=', d.grantId)
        .execute();
      return;
    }
    default:
      return assertNever(event);
  }
}

/**
 * The AuditEvent an access was recorded from, kept as sent (issue 19); absent for accesses recorded any other
 * way, and once erased (it then reads ERASED): the access is then searched by what the event itself holds.
 */
function sentAuditEvent(event: Access): object | undefined {
  const resource = (event.data as { fhir?: { resource?: unknown } }).fhir?.resource;
  return resource !== null && typeof resource === 'object' ? resource : undefined;
}

async function insertAccesses(db: Db, accesses: readonly Access[]): Promise<void> {
  if (accesses.length === 0) return;
  const grants = await grantsFor(db, accesses);
  const tokens: Array<DataAccessTables['da_sent_tokens']> = [];
  const rows = accesses.map((event) => {
    const { data } = event;
    const sent = sentAuditEvent(event);
    if (sent !== undefined)
      for (const token of sentSearchTokens(sent))
        tokens.push({ tenant_id: event.metadata.tenantId, token, position: event.position.toString() });
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
      // Once who acted is erased, no grant can be matched to them: the access is no longer judged, rather than
      // flagged as ungranted (or covered by another erased person's grant).
      violation:
        data.datasetId && data.actor !== ERASED
          ? violation(
              grants.get(grantKey(event.metadata.tenantId, data.datasetId, personId(data.actor))) ?? [],
              data.purposeOfUse,
              occurred_at,
            )
          : null,
      sent_fhir: sent === undefined ? null : 1,
    };
  });
  await insertRows(db, 'da_access', rows);
  if (tokens.length > 0) await insertRows(db, 'da_sent_tokens', tokens);
}

const grantKey = (tenant: string, dataset: string, principal: string) =>
  `${tenant}\u0000${dataset}\u0000${principal}`;

async function grantsFor(db: Db, accesses: readonly Access[]): Promise<Map<string, Grant[]>> {
  const wanted = new Map<string, { tenant: string; dataset: string; principal: string }>();
  for (const { metadata, data } of accesses)
    if (data.datasetId && data.actor !== ERASED) {
      // A grant's principal is stored in personId's one spelling, so the actor is judged in it too:
      // `Dr.Ada` reading under the grant to `dr.ada` is covered, not flagged.
      const principal = personId(data.actor);
      wanted.set(grantKey(metadata.tenantId, data.datasetId, principal), {
        tenant: metadata.tenantId,
        dataset: data.datasetId,
        principal,
      });
    }
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
