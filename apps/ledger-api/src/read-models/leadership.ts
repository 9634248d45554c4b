import Database from 'better-sqlite3';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'pg';
import { pg } from '@ledger/event-store';
import type { LedgerConfig } from '@ledger/runtime';

/** Key of the session-level advisory lock the active projector holds (an arbitrary constant). */
const PROJECTOR_LOCK = 720_412_002;

/**
 * Exactly one process projects and seals at a time; the others stand by and
 * take over when it dies. The lock is held by something the operating system
 * or the database releases on its own when the holder dies (a PostgreSQL
 * session, an SQLite write lock), so a crashed leader never blocks its
 * successor. Two leaders for a moment would still not project an event twice:
 * each batch commits with a compare-and-set on its checkpoint.
 */
export interface Leadership {
  /** Resolves once this process holds the lock; retries every `retryMs` until then or until the signal aborts. */
  acquire(signal: AbortSignal, retryMs?: number): Promise<boolean>;
  release(): Promise<void>;
}

export function leadershipFor(config: LedgerConfig, onLost: () => void): Leadership {
  return config.LEDGER_READ_STORE === 'postgres'
    ? postgresLeadership(config.DATABASE_URL!, onLost)
    : sqliteLeadership(join(config.LEDGER_DATA_DIR, 'projector.lock'));
}

function postgresLeadership(connectionString: string, onLost: () => void): Leadership {
  let client: Client | undefined;
  return {
    async acquire(signal, retryMs = 1000) {
      while (!signal.aborted) {
        try {
          client ??= await connect(connectionString, () => {
            client = undefined;
            onLost();
          });
          const { rows } = await client.query<{ locked: boolean }>(
            'SELECT pg_try_advisory_lock($1) AS locked',
            [PROJECTOR_LOCK],
          );
          if (rows[0].locked) return true;
        } catch {
          client = undefined;
        }
        // A stop rejects the wait early; the loop then sees the aborted signal.
        await sleep(retryMs, undefined, { signal }).catch(() => undefined);
      }
      return false;
    },
    async release() {
      await client?.end().catch(() => undefined);
      client = undefined;
    },
  };
}

async function connect(connectionString: string, onLost: () => void): Promise<Client> {
  const client = new (pg().Client)({ connectionString });
  // The session is the lock: when it ends, leadership is gone and the runners must stop.
  client.on('error', onLost);
  await client.connect();
  return client;
}

function sqliteLeadership(file: string): Leadership {
  let db: Database.Database | undefined;
  return {
    async acquire(signal, retryMs = 1000) {
      while (!signal.aborted) {
        const candidate = new Database(file, { timeout: 0 });
        try {
          // A write transaction never committed: SQLite holds the file lock until this process closes it or dies.
          candidate.exec('BEGIN EXCLUSIVE');
          db = candidate;
          return true;
        } catch {
          candidate.close();
        }
        // A stop rejects the wait early; the loop then sees the aborted signal.
        await sleep(retryMs, undefined, { signal }).catch(() => undefined);
      }
      return false;
    },
    async release() {
      db?.close();
      db = undefined;
    },
  };
}
