import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WalCheckpointThread } from './wal-checkpoints';

const PAGE = 4096;
/** Pages written: three times the log size at which a commit would have checkpointed it itself. */
const ROWS = 3000;

function openWal(file: string): Database.Database {
  const database = new Database(file);
  database.pragma('journal_mode = WAL');
  database.exec('CREATE TABLE t (x BLOB)');
  return database;
}

function writePages(database: Database.Database): void {
  const insert = database.prepare('INSERT INTO t (x) VALUES (randomblob(?))');
  const commit = database.transaction(() => {
    for (let i = 0; i < 100; i++) insert.run(PAGE);
  });
  for (let i = 0; i < ROWS / 100; i++) commit();
}

/** The database file's size, which only a checkpoint grows while the log holds every new page. */
async function fileGrowsPast(file: string, bytes: number, withinMs: number): Promise<boolean> {
  for (const until = Date.now() + withinMs; Date.now() < until; await sleep(50))
    if (statSync(file).size > bytes) return true;
  return false;
}

/** The process's operating-system threads (Linux): a worker thread is one of them for as long as it runs. */
function threadCount(): number {
  return readdirSync('/proc/self/task').length;
}

describe('WalCheckpointThread (SQLite files)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-checkpoints-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('copies the log into the database while the connection holds it open, and no commit of the connection does', async () => {
    const file = join(dir, 'store.sqlite');
    const database = openWal(file);
    const failures: Error[] = [];
    const thread = new WalCheckpointThread(database, file, { onFailure: (error) => failures.push(error) });
    try {
      expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      writePages(database);
      expect(await fileGrowsPast(file, ROWS * PAGE, 10_000)).toBe(true);
      expect(database.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: ROWS });
    } finally {
      await thread.stop();
      database.close();
    }
    expect(failures).toEqual([]);
  });

  it('is what copies it: with commits not checkpointing and no thread, the database file stays as it was', async () => {
    const file = join(dir, 'store.sqlite');
    const database = openWal(file);
    try {
      database.pragma('wal_autocheckpoint = 0');
      writePages(database);
      expect(await fileGrowsPast(file, ROWS * PAGE, 1_500)).toBe(false);
    } finally {
      database.close();
    }
  });

  it('serves two files at once, and goes on with one after the other stops', async () => {
    const [first, second] = [join(dir, 'events.sqlite'), join(dir, 'read.sqlite')];
    const [one, two] = [openWal(first), openWal(second)];
    const failures: Error[] = [];
    const onFailure = (error: Error) => failures.push(error);
    const threads = [
      new WalCheckpointThread(one, first, { onFailure }),
      new WalCheckpointThread(two, second, { onFailure }),
    ];
    try {
      writePages(one);
      expect(await fileGrowsPast(first, ROWS * PAGE, 10_000)).toBe(true);
      await threads[0].stop();
      writePages(two);
      expect(await fileGrowsPast(second, ROWS * PAGE, 10_000)).toBe(true);
    } finally {
      await Promise.all(threads.map((thread) => thread.stop()));
      one.close();
      two.close();
    }
    expect(failures).toEqual([]);
  });

  it('takes a file opened twice in one process, each store stopping on its own', async () => {
    const file = join(dir, 'store.sqlite');
    const [one, two] = [openWal(file), new Database(file)];
    const failures: Error[] = [];
    const onFailure = (error: Error) => failures.push(error);
    const threads = [
      new WalCheckpointThread(one, file, { onFailure }),
      new WalCheckpointThread(two, file, { onFailure }),
    ];
    await threads[0].stop();
    one.close();
    writePages(two);
    expect(await fileGrowsPast(file, ROWS * PAGE, 10_000)).toBe(true);
    await threads[1].stop();
    two.close();
    expect(failures).toEqual([]);
  });

  it('ends its thread when the last store stops, and starts another for the next store opened', async () => {
    const file = join(dir, 'store.sqlite');
    const database = openWal(file);
    const before = threadCount();
    const onFailure = (error: Error) => {
      throw error;
    };
    for (let round = 0; round < 3; round++) {
      const threads = [
        new WalCheckpointThread(database, file, { onFailure }),
        new WalCheckpointThread(database, file, { onFailure }),
      ];
      expect(threadCount()).toBe(before + 1);
      await threads[0].stop();
      expect(threadCount()).toBe(before + 1);
      await threads[1].stop();
      expect(threadCount()).toBe(before);
    }
    writePages(database);
    database.close();
  });

  it('keeps a process that has nothing else to do alive until the stop is answered, so its last connection folds the WAL in', () => {
    const file = join(dir, 'store.sqlite');
    const script = join(dir, 'stop-last.ts');
    writeFileSync(
      script,
      [
        `import Database from ${JSON.stringify(require.resolve('better-sqlite3'))};`,
        `import { WalCheckpointThread } from ${JSON.stringify(join(__dirname, 'wal-checkpoints'))};`,
        `const database = new Database(${JSON.stringify(file)});`,
        "database.pragma('journal_mode = WAL');",
        "database.exec('CREATE TABLE t (x)');",
        `const thread = new WalCheckpointThread(database, ${JSON.stringify(file)}, { onFailure: (e) => { throw e; } });`,
        "void thread.stop().then(() => { database.close(); process.stdout.write('closed'); });",
      ].join('\n'),
    );
    const output = execFileSync(
      process.execPath,
      ['--require', require.resolve('@swc-node/register'), script],
      {
        encoding: 'utf8',
      },
    );
    expect(output.trim()).toBe('closed');
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('hands checkpoints back to the commits when the thread fails, and says why', async () => {
    const file = join(dir, 'store.sqlite');
    const database = openWal(file);
    let thread: WalCheckpointThread | undefined;
    const failure = await new Promise<Error>((resolve) => {
      thread = new WalCheckpointThread(database, join(dir, 'gone', 'store.sqlite'), { onFailure: resolve });
    });
    try {
      expect(failure.message).toMatch(/unable to open|directory does not exist/i);
      expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
      writePages(database);
      // SQLite's own checkpoints, run by the commits again, copy the log as they did before the thread.
      expect(statSync(file).size).toBeGreaterThan(ROWS * PAGE * 0.5);
    } finally {
      await thread!.stop();
      database.close();
    }
  });
});
