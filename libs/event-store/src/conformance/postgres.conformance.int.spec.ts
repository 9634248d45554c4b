import { createTestDatabase, withClient, type TestDatabase } from '../../../../test/support/postgres';
import { PostgresEventStore } from '../postgres/postgres-event-store';
import { runErasableValuesConformance } from './erasable-values.conformance';
import { runEventStoreConformance } from './event-store.conformance';

let database: TestDatabase;
let erasableDatabase: TestDatabase;

runEventStoreConformance('postgres', {
  open: async () => {
    database = await createTestDatabase();
    return PostgresEventStore.open(database.url);
  },
  reopen: () => PostgresEventStore.open(database.url),
  rawSql: (statement) => withClient(database.url, async (c) => void (await c.query(statement))),
  // TRUNCATE bypasses row triggers; a statement trigger must stop it too.
  dialectSpecificTampers: ['TRUNCATE events'],
  dispose: () => database.drop(),
  // A test-only trigger in the suite's own database: an insert whose data asks
  // for it sleeps inside the append transaction, so its commit lands late.
  holdCommitsOpen: () =>
    withClient(database.url, async (c) => {
      await c.query(`CREATE OR REPLACE FUNCTION test_hold_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_sleep((NEW.data->>'holdMs')::int / 1000.0); RETURN NEW; END $$`);
      await c.query(`CREATE OR REPLACE TRIGGER test_hold_commit BEFORE INSERT ON events FOR EACH ROW
        WHEN (NEW.data ? 'holdMs') EXECUTE FUNCTION test_hold_commit()`);
    }),
});

runErasableValuesConformance('postgres', {
  open: async (erasableFields) => {
    erasableDatabase = await createTestDatabase();
    return PostgresEventStore.open(erasableDatabase.url, { erasableFields });
  },
  plain: () => PostgresEventStore.open(erasableDatabase.url),
  reopen: (erasableFields) => PostgresEventStore.open(erasableDatabase.url, { erasableFields }),
  rawSql: (statement) => withClient(erasableDatabase.url, async (c) => void (await c.query(statement))),
  dispose: () => erasableDatabase.drop(),
});
