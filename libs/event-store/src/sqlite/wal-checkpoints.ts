import type Database from 'better-sqlite3';
import { startThread, stopThreads } from '@ledger/platform';
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

/** To the checkpointing thread (see wal-checkpoints-worker): a file to checkpoint from now on, under an id, or that id no longer. */
export type ToCheckpointThread = { add: number; file: string } | { remove: number };
/** What the thread is started with. */
export interface CheckpointThreadData {
  pauseMs: number;
}
/** From it: the id whose connection it has closed. */
export interface FromCheckpointThread {
  closed: number;
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
 * 12 MB of memory. It ends when the last file it serves stops, so a process
 * that opens and closes stores (a test runner) keeps no idle thread.
 */
export class WalCheckpointThread {
  private readonly thread: CheckpointThread;
  private readonly id: number;

  constructor(database: Database.Database, file: string, options: WalCheckpointThreadOptions) {
    this.thread = shared ??= new CheckpointThread();
    this.id = this.thread.add(file, database, options);
  }

  /**
   * The thread's connection to the file closed, once its checkpoint in progress is done; before the store's own closes.
   * For the last file the thread serves, the thread has ended too.
   */
  stop(): Promise<void> {
    return this.thread.remove(this.id);
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
  /** By id: one per store opened, even two on one file. */
  private readonly files = new Map<number, Checkpointed>();
  private nextId = 0;

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

  add(file: string, database: Database.Database, options: WalCheckpointThreadOptions): number {
    const id = this.nextId++;
    database.pragma('wal_autocheckpoint = 0');
    this.files.set(id, { database, options });
    this.worker.postMessage({ add: id, file } satisfies ToCheckpointThread);
    return id;
  }

  remove(id: number): Promise<void> {
    const entry = this.files.get(id);
    // Not there: stopped before, or the thread failed and commits checkpoint again.
    if (!entry) return Promise.resolve();
    return new Promise((resolve) => {
      entry.closed = resolve;
      // Held until the answer: an unreferenced thread's messages keep no process alive, and one with
      // nothing else left to do would exit before its store's connection closed (and folded its WAL in).
      this.worker.ref();
      this.worker.postMessage({ remove: id } satisfies ToCheckpointThread);
    });
  }

  private closed(id: number): void {
    const entry = this.files.get(id);
    this.files.delete(id);
    if (this.files.size === 0) {
      // A store opened from now on starts a thread of its own rather than add itself to this ending one.
      if (shared === this) shared = undefined;
      void stopThreads([this.worker]).then(() => entry?.closed?.());
      return;
    }
    if (![...this.files.values()].some((waiting) => waiting.closed)) this.worker.unref();
    entry?.closed?.();
  }

  private fail(error: Error): void {
    if (shared === this) shared = undefined;
    for (const [id, { database, options, closed }] of this.files) {
      this.files.delete(id);
      if (closed) closed();
      else {
        database.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
        options.onFailure(error);
      }
    }
  }
}
