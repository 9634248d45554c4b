import { LocalIssuer } from '@ledger/auth';
import { SqliteEventStore } from '@ledger/event-store';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, LineReader, REPO_ROOT } from '../support/child-process';
import { collect } from '../support/events';

const RAW = 'MRN-RAW-7731-SENTINEL';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('no raw patient identifiers', () => {
  it('after ingest and a lookup by patient, the raw id is in no database file and no log line, and the lookup is itself recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-phi-'));
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/ledger-api/src/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        PORT: '0',
        LEDGER_DATA_DIR: dir,
        LOG_LEVEL: 'trace',
        LEDGER_CHECKPOINT_EVERY_MS: '100',
      },
    });
    let logs = '';
    child.stdout.on('data', (c) => (logs += c));
    child.stderr.on('data', (c) => (logs += c));
    try {
      const line = await new LineReader(child).waitFor((l) => l.includes('"ledger-api listening"'), 60_000);
      const url = (JSON.parse(line) as { url: string }).url.replace('[::1]', '127.0.0.1');
      const issuer = await LocalIssuer.open(join(dir, 'keys'), 'govledger-local', 'govledger');
      const emitter = await issuer.issue({ id: 'ehr-gateway', role: 'emitter', tenantId: 'default' }, 600);
      const auditor = await issuer.issue({ id: 'auditor.amy', role: 'auditor', tenantId: 'default' }, 600);
      const events = Array.from({ length: 20 }, (_, n) => ({
        eventId: randomUUID(),
        type: 'DataAccessed',
        occurredAt: new Date().toISOString(),
        data: {
          actor: 'dr.ada',
          datasetId: 'icu',
          patientId: n % 2 ? RAW : `${RAW}-${n}`,
          action: 'R',
          purposeOfUse: 'TREAT',
          outcome: 'success',
        },
      }));
      const ingest = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emitter}` },
        body: JSON.stringify({ events }),
      });
      expect(((await ingest.json()) as { accepted: number }).accepted).toBe(20);
      // A rejected item carrying the raw id must not echo it either.
      await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${emitter}` },
        body: JSON.stringify({
          events: [{ ...events[0], eventId: randomUUID(), data: { ...events[0].data, action: 'nope' } }],
        }),
      });
      let found = 0;
      for (
        const deadline = Date.now() + 15_000;
        found === 0 && Date.now() < deadline;
        await new Promise((r) => setTimeout(r, 100))
      ) {
        const response = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${auditor}` },
          body: JSON.stringify({
            query: `{ dataAccess(filter: { patientId: "${RAW}" }) { edges { node { patientPseudonym } } } }`,
          }),
        });
        found = ((await response.json()) as { data: { dataAccess: { edges: unknown[] } } }).data.dataAccess
          .edges.length;
      }
      expect(found).toBe(10);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
    try {
      const files = filesUnder(dir);
      expect(files.some((f) => f.endsWith('events.sqlite'))).toBe(true);
      for (const file of files)
        expect({ file, containsRaw: readFileSync(file).includes(RAW) }).toEqual({ file, containsRaw: false });
      expect(logs.length).toBeGreaterThan(1000);
      expect(logs.includes(RAW)).toBe(false);
      const store = await SqliteEventStore.open(join(dir, 'events.sqlite'));
      const lookups = (await collect(store.readStream('default/ledger-self-audit'))).filter(
        (e) => e.type === 'PatientLookupPerformed',
      );
      await store.close();
      expect(lookups.map((e) => e.data)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            actor: 'auditor.amy',
            role: 'auditor',
            patientPseudonym: expect.stringMatching(/^[0-9a-f]{64}$/),
          }),
        ]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
