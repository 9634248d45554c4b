import type { Kysely } from 'kysely';
import type { Migrations } from '../projection/projection';

/** Who held which accountability role for which system, from when, accepted when, until when. */
export interface AccountabilityTables {
  reg_assignments: {
    tenant_id: string;
    system_id: string;
    assignment_id: string;
    role: string;
    assignee: string;
    effective_from: string;
    assigned_by: string;
    assigned_event_id: string;
    accepted_at: string | null;
    accepted_event_id: string | null;
    effective_to: string | null;
    revoked_by: string | null;
    revoke_reason: string | null;
    revoked_event_id: string | null;
  };
}

export const accountabilityMigrations: Migrations = {
  async '0001_registry'(db: Kysely<unknown>) {
    await db.schema
      .createTable('reg_assignments')
      .addColumn('tenant_id', 'text', (c) => c.notNull())
      .addColumn('system_id', 'text', (c) => c.notNull())
      .addColumn('assignment_id', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('assignee', 'text', (c) => c.notNull())
      .addColumn('effective_from', 'text', (c) => c.notNull())
      .addColumn('assigned_by', 'text', (c) => c.notNull())
      .addColumn('assigned_event_id', 'text', (c) => c.notNull())
      .addColumn('accepted_at', 'text')
      .addColumn('accepted_event_id', 'text')
      .addColumn('effective_to', 'text')
      .addColumn('revoked_by', 'text')
      .addColumn('revoke_reason', 'text')
      .addColumn('revoked_event_id', 'text')
      .addPrimaryKeyConstraint('reg_assignments_pk', ['tenant_id', 'system_id', 'assignment_id'])
      .execute();
    await db.schema
      .createIndex('reg_assignments_role')
      .on('reg_assignments')
      .columns(['tenant_id', 'system_id', 'role', 'effective_from'])
      .execute();
    await db.schema
      .createIndex('reg_assignments_assignee')
      .on('reg_assignments')
      .columns(['tenant_id', 'assignee'])
      .execute();
  },
};
