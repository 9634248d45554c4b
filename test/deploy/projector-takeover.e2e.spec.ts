import { LocalIssuer } from '@ledger/auth';
import { PostgresEventStore } from '@ledger/event-store';
import { PROJECTIONS, projectionConsumer } from '@ledger/read-models';
import { openReadStore, ProjectionRunner } from '@ledger/read-store';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dumpProjections } from '../../libs/read-models/src/testing/projection-dump';
import { entryPoint, exited, LineReader, REPO_ROOT } from '../support/child-process';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

interface Replica {
  child: ChildProcessWithoutNullStreams;
  url: string;
}

/** Two replicas of the service on one PostgreSQL: one projects and seals, the other stands by until it dies. */
describe('single active projector on PostgreSQL', () => {
  let database: TestDatabase;
  let dir: string;
  const replicas: Replica[] = [];

  async function start(): Promise<Replica> {
    const child = spawn(process.execPath, entryPoint('apps/ledger-api/src/main.ts'), {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: '0',
        LEDGER_STORE: 'postgres',
        DATABASE_URL: database.url,
        LEDGER_DATA_DIR: dir,
        LOG_LEVEL: 'info',
      },
    });
    const line = await new LineReader(child).waitFor((l) => l.includes('"ledger-api listening"'), 60_000);
    const replica = { child, url: (JSON.parse(line) as { url: string }).url.replace('[::1]', '127.0.0.1') };
    replicas.push(replica);
    return replica;
  }

  const running = async (replica: Replica) => {
    const body = (await (await fetch(`${replica.url}/health/ready`)).json()) as {
      projections: Array<{ name: string; running: boolean; position: string }>;
    };
    return body.projections;
  };

  beforeAll(async () => {
    database = await createTestDatabase('ledger_takeover');
    dir = mkdtempSync(join(tmpdir(), 'ledger-takeover-'));
  });
  afterAll(async () => {
    for (const { child } of replicas) child.kill('SIGKILL');
    await Promise.all(replicas.map(({ child }) => exited(child)));
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs exactly one projector; when it is killed the standby takes over within seconds and no event is projected twice', async () => {
    const first = await start();
    const second = await start();
    const active = async () => {
      const [a, b] = await Promise.all([running(first), running(second)]);
      return [a.every((p) => p.running), b.every((p) => p.running)];
    };
    expect(await active()).toEqual([true, false]);
    expect((await running(second)).some((p) => p.running)).toBe(false);

    const emitter = await (
      await LocalIssuer.open(join(dir, 'keys'), 'govledger-local', 'govledger')
    ).issue({ id: 'ehr-gateway', role: 'emitter', tenantId: 'default' }, 600);
    const ingest = (url: string, count: number) =>
      fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emitter}` },
        body: JSON.stringify({
          events: Array.from({ length: count }, () => ({
            eventId: randomUUID(),
            type: 'DataAccessed',
            occurredAt: new Date().toISOString(),
            data: {
              actor: 'dr.ada',
              datasetId: 'icu',
              action: 'R',
              purposeOfUse: 'TREAT',
              outcome: 'success',
            },
          })),
        }),
      });
    await ingest(second.url, 500);
    first.child.kill('SIGKILL');
    await exited(first.child);
    await ingest(second.url, 500);

    const killedAt = Date.now();
    let tookOver = false;
    while (Date.now() - killedAt < 15_000 && !tookOver) {
      tookOver = (await running(second)).every((p) => p.running);
      if (!tookOver) await new Promise((r) => setTimeout(r, 100));
    }
    expect(tookOver).toBe(true);
    process.stdout.write(
      `standby took over ${Date.now() - killedAt} ms after the active projector was killed\n`,
    );

    const store = await PostgresEventStore.open(database.url);
    try {
      const head = await store.headPosition();
      for (
        const deadline = Date.now() + 20_000;
        Date.now() < deadline;
        await new Promise((r) => setTimeout(r, 100))
      )
        if ((await running(second)).every((p) => BigInt(p.position) >= head)) break;
      const live = await openReadStore({ kind: 'postgres', databaseUrl: database.url });
      const reference = await createTestDatabase('ledger_takeover_ref');
      const clean = await openReadStore({ kind: 'postgres', databaseUrl: reference.url });
      try {
        const runners = PROJECTIONS.map(
          (d) => new ProjectionRunner({ store, readStore: clean, consumer: projectionConsumer(d as never) }),
        );
        for (const r of runners) await r.start();
        await Promise.all(runners.map((r) => r.waitFor(head, 60_000)));
        await Promise.all(runners.map((r) => r.stop()));
        // Projections written by two processes in turn equal a single clean pass: nothing applied twice, nothing lost.
        expect(await dumpProjections(live.db)).toEqual(await dumpProjections(clean.db));
      } finally {
        await live.close();
        await clean.close();
        await reference.drop();
      }
    } finally {
      await store.close();
    }
  }, 120_000);
});
