import { PostgresEventStore, SqliteEventStore, type EventStore } from '@ledger/event-store';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, LineReader, spawnTs } from '../support/child-process';
import { collect } from '../support/events';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

const BATCH = 500;
const KILLS = 5;

interface Target {
  kind: 'sqlite' | 'postgres';
  location: string;
  open(): Promise<EventStore>;
}

/**
 * Kill -9 a writer mid-batch, restart, and check the log: each batch is whole
 * or absent, and every batch the store acknowledged is there.
 */
async function crashAndCheck(target: Target): Promise<{ midBatchKills: number }> {
  let midBatchKills = 0;
  const acked = new Set<string>();
  for (let round = 0; round < KILLS; round++) {
    const child = spawnTs('test/support/append-child.ts', [target.kind, target.location, String(BATCH)]);
    const reader = new LineReader(child);
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    await reader
      .waitFor((l) => l.startsWith('ack '))
      .catch((e) => {
        throw new Error(`${e.message}\n${stderr}`);
      });
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 200));
    child.kill('SIGKILL');
    const { signal } = await exited(child);
    expect(signal).toBe('SIGKILL');
    for (const line of reader.lines) if (line.startsWith('ack ')) acked.add(line.slice(4));
    const last = reader.lines.filter((l) => l.startsWith('begin ') || l.startsWith('ack ')).pop();
    if (last?.startsWith('begin ')) midBatchKills++;
  }

  const store = await target.open();
  try {
    const sizes = new Map<string, number>();
    for (const event of await collect(store.readAll())) {
      const batch = (event.data as { batch: string }).batch;
      sizes.set(batch, (sizes.get(batch) ?? 0) + 1);
    }
    for (const [batch, size] of sizes) expect({ batch, size }).toEqual({ batch, size: BATCH });
    for (const batch of acked) expect(sizes.has(batch)).toBe(true);
    expect(acked.size).toBeGreaterThan(0);
  } finally {
    await store.close();
  }
  return { midBatchKills };
}

describe('crash during a batch append (SIGKILL)', () => {
  it('sqlite: every batch is whole or absent, and every acknowledged batch survives', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-crash-'));
    const file = join(dir, 'events.sqlite');
    try {
      const { midBatchKills } = await crashAndCheck({
        kind: 'sqlite',
        location: file,
        open: () => SqliteEventStore.open(file),
      });
      // Most of the writer's time is spent inside append, so kills land mid-batch.
      expect(midBatchKills).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('postgres: every batch is whole or absent, and every acknowledged batch survives', async () => {
    const db: TestDatabase = await createTestDatabase();
    try {
      const { midBatchKills } = await crashAndCheck({
        kind: 'postgres',
        location: db.url,
        open: () => PostgresEventStore.open(db.url),
      });
      expect(midBatchKills).toBeGreaterThan(0);
    } finally {
      await db.drop();
    }
  }, 120_000);
});
