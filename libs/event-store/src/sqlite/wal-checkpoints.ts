import type Database from 'better-sqlite3';
import { startThread } from '@ledger/platform';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';

/** SQLite's default: a commit that takes the log past this many pages checkpoints it. Restored if the thread fails. */
const AUTOCHECKPOINT_PAGES = 1000;
/** How often the thread checkpoints each file: rarely enough that a busy page is copied once for many commits. */
const PAUSE_MS = 500;

/** For a long-lived writer (the service): checkpoint its SQLite files on a thread (see WalCheckpointThread). */
export interface WalCheckpointThreadOptions {
  /** Hears that the thread failed; the connection's commits checkpoint again from then on. */
  onFailure(error: Error): void;
}

/** To the checkpointing thread (see wal-checkpoints-worker): a file to checkpoint from now on, or no longer. */
export type ToCheckpointThread = { add: string } | { remove: string };
/** What the thread is started with. */
export interface CheckpointThreadData {
  pauseMs: number;
}
/** From it: a file whose connection it has closed. */
export interface FromCheckpointThread {
  closed: string;
}

/**
 * Copies a SQLite file's write-ahead log back into the database on a thread,
 * so that no commit on `database` does. At SQLite's default, the commit that
 * takes the log past 1,000 pages runs the checkpoint inside itself: those
 * pages written back and two fsyncs, on the service's one JavaScript thread,
 * a stall every few hundred appends. The thread runs a PASSIVE checkpoint
 * on a connection of its own every PAUSE_MS: it waits for no reader or
 * writer and none waits for it, and it cannot lose a commit (the log is
 * synced before pages are copied, the database after). Should the thread
 * fail, the connection checkpoints on commit again, so the log cannot grow
 * unbounded. One thread serves every file of the process: each costs about
 * 12 MB of memory.
 */
export class WalCheckpointThread {
  private readonly thread: CheckpointThread;

  constructor(
    database: Database.Database,
    private readonly file: string,
    options: WalCheckpointThreadOptions,
  ) {
    this.thread = shared ??= new CheckpointThread();
    this.thread.add(file, database, options);
  }

  /** The thread's connection to the file closed, once its checkpoint in progress is done; before the store's own closes. */
  stop(): Promise<void> {
    return this.thread.remove(this.file);
  }
}

let shared: CheckpointThread | undefined;

interface Checkpointed {
  database: Database.Database;
  options: WalCheckpointThreadOptions;
  closed?: () => void;
}

class CheckpointThread {
  private readonly worker: Worker;
  private readonly files = new Map<string, Checkpointed>();

  constructor() {
    this.worker = startThread(
      join(__dirname, 'wal-checkpoints-worker'),
      'the WAL checkpoint thread',
      (error) => this.fail(error),
      { workerData: { pauseMs: PAUSE_MS } satisfies CheckpointThreadData },
    );
    this.worker.on('message', ({ closed }: FromCheckpointThread) => this.closed(closed));
    // It checkpoints for as long as the process has stores open; it alone keeps no process alive.
    this.worker.unref();
  }

  add(file: string, database: Database.Database, options: WalCheckpointThreadOptions): void {
    if (this.files.has(file)) throw new Error(`${file} is already checkpointed on the thread`);
    database.pragma('wal_autocheckpoint = 0');
    this.files.set(file, { database, options });
    this.worker.postMessage({ add: file } satisfies ToCheckpointThread);
  }

  remove(file: string): Promise<void> {
    const entry = this.files.get(file);
    if (!entry) return Promise.resolve();
    return new Promise((resolve) => {
      entry.closed = resolve;
      this.worker.postMessage({ remove: file } satisfies ToCheckpointThread);
    });
  }

  private closed(file: string): void {
    const entry = this.files.get(file);
    this.files.delete(file);
    entry?.closed?.();
  }

  private fail(error: Error): void {
    if (shared === this) shared = undefined;
    for (const [file, { database, options, closed }] of this.files) {
      this.files.delete(file);
      if (closed) closed();
      else {
        database.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
        options.onFailure(error);
      }
    }
  }
}
