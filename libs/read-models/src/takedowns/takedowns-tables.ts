import type { Kysely } from 'kysely';
import type { Migrations } from '../projection/projection';

/** Every decision to suspend, roll back, retire or reinstate a system, with its ratification when it needed one. */
export interface TakedownsTables {
  reg_decisions: {
    tenant_id: string;
    system_id: string;
    decision_id: string;
    /** suspend, rollback, retire or reinstate. */
    action: string;
    from_version: string | null;
    to_version: string | null;
    rationale: string;
    evidence: string;
    decided_by: string;
    decided_at: string;
    emergency: number;
    ratification_due_by: string | null;
    ratified_by: string | null;
    ratified_at: string | null;
    event_id: string;
    ratified_event_id: string | null;
  };
}

export const takedownsMigrations: Migrations = {
  async '0001_registry'(db: Kysely<unknown>) {
    await db.schema
      .createTable('reg_decisions')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('decision_id', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('from_version', 'text')
      .addColumn('to_version', 'text')
      .addColumn('rationale', 'text', (c) => c.notNull())
      .addColumn('evidence', 'text', (c) => c.notNull())
      .addColumn('decided_by', 'text', (c) => c.notNull())
      .addColumn('decided_at', 'text', (c) => c.notNull())
      .addColumn('emergency', 'integer', (c) => c.notNull())
      .addColumn('ratification_due_by', 'text')
      .addColumn('ratified_by', 'text')
      .addColumn('ratified_at', 'text')
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('ratified_event_id', 'text')
      .addPrimaryKeyConstraint('reg_decisions_pk', ['tenant_id', 'system_id', 'decision_id'])
      .execute();
  },
};
