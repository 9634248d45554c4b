import type { Kysely } from 'kysely';
import type { Migrations } from '../projection/projection';

/**
 * One row per AI output, joined with the latest clinician response and
 * outcome recorded for it. A response or an outcome may arrive before its
 * output: the row then exists with only those columns set, and the output
 * fills in the rest when it comes. Each part carries the store position it was
 * read from, which is what a computed signal names as its inputs.
 */
export interface ClinicalUseTables {
  cu_outputs: {
    tenant_id: string;
    system_id: string;
    output_id: string;
    /** Null until the output itself has been recorded. */
    output_position: string | null;
    output_event_id: string | null;
    model_version: string | null;
    site: string | null;
    patient_pseudonym: string | null;
    encounter_pseudonym: string | null;
    input_digest: string | null;
    occurred_at: string | null;
    score: number | null;
    class: string | null;
    threshold: number | null;
    alerted: number | null;
    age_band: string | null;
    sex: string | null;
    source_service: string | null;
    response: string | null;
    reason_code: string | null;
    responded_by: string | null;
    responded_at: string | null;
    response_position: string | null;
    response_event_id: string | null;
    outcome_label: string | null;
    outcome_value: number | null;
    outcome_observed_at: string | null;
    outcome_source: string | null;
    outcome_position: string | null;
    outcome_event_id: string | null;
    /** VERSION_MISMATCH or USE_AFTER_TAKEDOWN, raised as the output was stored. */
    finding: string | null;
    live_version: string | null;
    finding_event_id: string | null;
  };
}

export const clinicalUseMigrations: Migrations = {
  async '0001_clinical_use'(db: Kysely<unknown>) {
    await db.schema
      .createTable('cu_outputs')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('output_id', 'text', (c) => c.notNull())
      .addColumn('output_position', 'bigint')
      .addColumn('output_event_id', 'text')
      .addColumn('model_version', 'text')
      .addColumn('site', 'text')
      .addColumn('patient_pseudonym', 'text')
      .addColumn('encounter_pseudonym', 'text')
      .addColumn('input_digest', 'text')
      .addColumn('occurred_at', 'text')
      .addColumn('score', 'double precision')
      .addColumn('class', 'text')
      .addColumn('threshold', 'double precision')
      .addColumn('alerted', 'integer')
      .addColumn('age_band', 'text')
      .addColumn('sex', 'text')
      .addColumn('source_service', 'text')
      .addColumn('response', 'text')
      .addColumn('reason_code', 'text')
      .addColumn('responded_by', 'text')
      .addColumn('responded_at', 'text')
      .addColumn('response_position', 'bigint')
      .addColumn('response_event_id', 'text')
      .addColumn('outcome_label', 'text')
      .addColumn('outcome_value', 'double precision')
      .addColumn('outcome_observed_at', 'text')
      .addColumn('outcome_source', 'text')
      .addColumn('outcome_position', 'bigint')
      .addColumn('outcome_event_id', 'text')
      .addColumn('finding', 'text')
      .addColumn('live_version', 'text')
      .addColumn('finding_event_id', 'text')
      .addPrimaryKeyConstraint('cu_outputs_pk', ['tenant_id', 'system_id', 'output_id'])
      .execute();
    // A computed window reads one system's outputs by when they were produced.
    await db.schema
      .createIndex('cu_outputs_window')
      .on('cu_outputs')
      .columns(['tenant_id', 'system_id', 'occurred_at'])
      .execute();
    await db.schema
      .createIndex('cu_outputs_version')
      .on('cu_outputs')
      .columns(['tenant_id', 'system_id', 'model_version', 'occurred_at'])
      .execute();
    await db.schema
      .createIndex('cu_outputs_finding')
      .on('cu_outputs')
      .columns(['tenant_id', 'finding', 'system_id'])
      .execute();
  },
};
