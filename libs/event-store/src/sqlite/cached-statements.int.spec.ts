import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedStatementsDialect } from './cached-statements';

describe('cachedStatementsDialect', () => {
  let dir: string;
  let database: Database.Database;
  let db: Kysely<{ t: { n: number } }>;
  let prepared: string[];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cached-statements-'));
    database = new Database(join(dir, 'db.sqlite'));
    prepared = [];
    const prepare = database.prepare.bind(database);
    database.prepare = ((source: string) => (
      prepared.push(source),
      prepare(source)
    )) as typeof database.prepare;
    db = new Kysely({ dialect: cachedStatementsDialect(database) });
    await sql`CREATE TABLE t (n INTEGER)`.execute(db);
    await db
      .insertInto('t')
      .values([1, 2, 3, 4, 5].map((n) => ({ n })))
      .execute();
    prepared = [];
  });

  afterEach(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prepares a query once and reuses it, with new parameters each time', async () => {
    const above = (n: number) => db.selectFrom('t').select('n').where('n', '>', n).execute();
    expect((await above(3)).map((r) => r.n)).toEqual([4, 5]);
    expect((await above(1)).map((r) => r.n)).toEqual([2, 3, 4, 5]);
    expect(prepared).toHaveLength(1);
  });

  it('keeps at most 500 statements, dropping the least recently used', async () => {
    for (let n = 0; n < 501; n++) await sql`SELECT ${sql.lit(n)} AS n`.execute(db);
    prepared = [];
    await sql`SELECT ${sql.lit(500)} AS n`.execute(db);
    expect(prepared).toHaveLength(0);
    await sql`SELECT ${sql.lit(0)} AS n`.execute(db);
    expect(prepared).toEqual(['SELECT 0 AS n']);
  });
});
