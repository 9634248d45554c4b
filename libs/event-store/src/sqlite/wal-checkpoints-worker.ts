import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointThreadData, FromCheckpointThread, ToCheckpointThread } from './wal-checkpoints';

/*
 * The checkpointing thread of WalCheckpointThread: a connection of its own to
 * each file it is given, a PASSIVE checkpoint of each every pause. An error
 * (a file gone, a full disk) is left uncaught: the thread ends, and the
 * stores' connections checkpoint on commit again.
 */
const { pauseMs } = workerData as CheckpointThreadData;
const open = new Map<number, Database.Database>();

parentPort!.on('message', (message: ToCheckpointThread) => {
  if ('add' in message) {
    const database = new Database(message.file, { fileMustExist: true });
    // As the store's own connection would: the log synced before its pages are copied, the database after.
    database.pragma('synchronous = FULL');
    open.set(message.add, database);
  } else {
    open.get(message.remove)?.close();
    open.delete(message.remove);
    parentPort!.postMessage({ closed: message.remove } satisfies FromCheckpointThread);
  }
});

setInterval(() => {
  for (const database of open.values()) database.pragma('wal_checkpoint(PASSIVE)');
}, pauseMs);
