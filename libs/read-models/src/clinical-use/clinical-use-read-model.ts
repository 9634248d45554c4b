import { assertNever } from '@ledger/domain';
import type { Kysely } from 'kysely';
import { utc } from '../projection/projection';
import type { ProjectedEvent, ReadModel } from '../projection/read-model';
import { clinicalUseMigrations, type ClinicalUseTables } from './clinical-use-tables';

const canHandle = [
  'AiOutputProduced',
  'ClinicianResponseRecorded',
  'OutcomeObserved',
  'AiOutputFlagged',
] as const;

type Db = Kysely<ClinicalUseTables>;
type Row = ClinicalUseTables['cu_outputs'];
type Part = Partial<Row> & Pick<Row, 'tenant_id' | 'system_id' | 'output_id'>;

/**
 * The parts of one output row each event sets, and the position column that
 * orders them: a later response or outcome replaces an earlier one, the first
 * output and the first finding stand, and a replay (same position) changes
 * nothing.
 */
const PARTS = {
  AiOutputProduced: { position: 'output_position', replace: false },
  ClinicianResponseRecorded: { position: 'response_position', replace: true },
  OutcomeObserved: { position: 'outcome_position', replace: true },
  AiOutputFlagged: { position: 'finding_event_id', replace: false },
} as const;

/**
 * Clinical use, one row per output, whatever order its output, response and
 * outcome arrive in. At about 100,000 outputs a day per model this is the
 * busiest read model, so it is a projection of its own and never holds the
 * registry back.
 */
export const clinicalUseReadModel: ReadModel<ClinicalUseTables, (typeof canHandle)[number]> = {
  tables: ['cu_outputs'],
  migrations: clinicalUseMigrations,
  canHandle,
  async evolve(db, events) {
    // Each kind of event writes only its own columns, ordered by its own position column, so applying a batch kind by kind
    // ends in the rows that applying it in log order would: one multi-row upsert per kind instead of a round trip per event.
    const byType = new Map<keyof typeof PARTS, Map<string, Part>>();
    for (const event of events) {
      const { replace } = PARTS[event.type];
      const parts = byType.get(event.type) ?? new Map<string, Part>();
      byType.set(event.type, parts);
      const part = partOf(event);
      const key = JSON.stringify([part.tenant_id, part.system_id, part.output_id]);
      // One statement may not touch a row twice (PostgreSQL refuses it): the latest response or outcome, the first output or finding.
      if (replace || !parts.has(key)) parts.set(key, part);
    }
    for (const [type, parts] of byType) await upsert(db, type, [...parts.values()]);
  },
};

function partOf(event: ProjectedEvent<(typeof canHandle)[number]>): Part {
  const key = {
    tenant_id: event.metadata.tenantId,
    system_id: event.data.systemId,
    output_id: event.data.outputId,
  };
  const position = event.position.toString();
  switch (event.type) {
    case 'AiOutputProduced': {
      const d = event.data;
      return {
        ...key,
        output_position: position,
        output_event_id: event.eventId,
        model_version: d.modelVersion,
        site: d.site,
        patient_pseudonym: d.patientPseudonym ?? null,
        encounter_pseudonym: d.encounterPseudonym ?? null,
        input_digest: d.inputDigest,
        occurred_at: utc(event.metadata.occurredAt),
        score: d.score ?? null,
        class: d.class ?? null,
        threshold: d.threshold ?? null,
        alerted: d.alerted ? 1 : 0,
        age_band: d.ageBand ?? null,
        sex: d.sex ?? null,
        source_service: d.sourceService,
      };
    }
    case 'ClinicianResponseRecorded': {
      const d = event.data;
      return {
        ...key,
        response: d.response,
        reason_code: d.reasonCode ?? null,
        responded_by: d.actor,
        responded_at: utc(d.respondedAt),
        response_position: position,
        response_event_id: event.eventId,
      };
    }
    case 'OutcomeObserved': {
      const d = event.data;
      return {
        ...key,
        outcome_label: d.label ?? null,
        outcome_value: d.value ?? null,
        outcome_observed_at: utc(d.observedAt),
        outcome_source: d.source,
        outcome_position: position,
        outcome_event_id: event.eventId,
      };
    }
    case 'AiOutputFlagged': {
      const d = event.data;
      return {
        ...key,
        finding: d.finding,
        live_version: d.liveVersion ?? null,
        finding_event_id: event.eventId,
      };
    }
    default:
      return assertNever(event);
  }
}

/**
 * Rows per statement are powers of two up to 256 (an output row has 19
 * columns; SQLite allows 32766 parameters, PostgreSQL 65535). Each row count
 * is its own SQL text, and the read store keeps a prepared statement per text
 * (up to 500): live batches of every size from 1 to 500 rows would hold 500
 * large statements, about 250 MB of SQLite's memory; these sizes make nine.
 */
const MAX_ROWS_PER_STATEMENT = 256;

function* statementRows<T>(rows: readonly T[]): Generator<readonly T[]> {
  for (let i = 0, size = MAX_ROWS_PER_STATEMENT; i < rows.length; i += size) {
    while (size > rows.length - i) size /= 2;
    yield rows.slice(i, i + size);
  }
}

async function upsert(db: Db, type: keyof typeof PARTS, parts: readonly Part[]): Promise<void> {
  const { position, replace } = PARTS[type];
  const columns = Object.keys(parts[0]).filter(
    (column) => column !== 'tenant_id' && column !== 'system_id' && column !== 'output_id',
  ) as Array<keyof Row>;
  for (const rows of statementRows(parts))
    await db
      .insertInto('cu_outputs')
      .values(rows as Row[])
      .onConflict((oc) =>
        oc
          .columns(['tenant_id', 'system_id', 'output_id'])
          .doUpdateSet((eb) =>
            Object.fromEntries(columns.map((column) => [column, eb.ref(`excluded.${column}`)])),
          )
          .where((eb) =>
            replace
              ? eb.or([
                  eb(`cu_outputs.${position}`, 'is', null),
                  eb(`cu_outputs.${position}`, '<', eb.ref(`excluded.${position}`)),
                ])
              : eb(`cu_outputs.${position}`, 'is', null),
          ),
      )
      .execute();
}
