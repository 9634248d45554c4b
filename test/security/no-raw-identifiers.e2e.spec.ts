import { LocalIssuer } from '@ledger/auth';
import { SqliteEventStore } from '@ledger/event-store';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entryPoint, exited, LineReader, REPO_ROOT, startLoggedService } from '../support/child-process';
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
    const child = spawn(process.execPath, entryPoint('apps/ledger-api/src/main.ts'), {
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
  it('raw identifiers sent through every route (ingest fields, resource URLs, FHIR entities, agents and identifiers, GraphQL lookups by POST and GET) are in no database file and no log line', async () => {
    const service = await startLoggedService('ledger-phi-');
    const { dir, url, issuer } = service;
    const statuses: Array<{ route: string; status: number }> = [];
    try {
      const emitter = await issuer.issue({ id: 'ehr-gateway', role: 'emitter', tenantId: 'default' }, 600);
      const auditor = await issuer.issue({ id: 'auditor.amy', role: 'auditor', tenantId: 'default' }, 600);
      const post = async (route: string, token: string, body: unknown, type = 'application/json') => {
        const response = await fetch(`${url}${route}`, {
          method: 'POST',
          headers: { 'content-type': type, authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        });
        statuses.push({ route, status: response.status });
        return (await response.json()) as Record<string, any>;
      };

      const item = (data: Record<string, unknown>) => ({
        eventId: randomUUID(),
        type: 'DataAccessed',
        occurredAt: new Date().toISOString(),
        data: { actor: 'dr.ada', action: 'R', purposeOfUse: 'TREAT', outcome: 'success', ...data },
      });
      // Each form carries its own sentinel, all containing RAW, so the grep below finds any of them.
      const ingest = await post('/v1/events', emitter, {
        events: [
          item({ datasetId: 'icu', patientId: `${RAW}-patientId` }),
          item({ resource: `https://ehr.example/fhir/Patient/${RAW}-url` }),
          item({ resource: `/Patient/${RAW}-path` }),
          item({ resource: `Observation?subject=${RAW}-query` }),
          item({ resource: `Observation?subject=Patient/${RAW}-query-ref` }),
          item({ resource: `https://ehr.example/fhir/Observation?patient=${RAW}-url-query` }),
          item({ actor: `Patient/${RAW}-actor`, datasetId: 'icu' }),
          item({ actor: `https://ehr.example/fhir/Patient/${RAW}-actor-url`, datasetId: 'icu' }),
        ],
      });
      expect(ingest.results.map((r: { status: string }) => r.status)).toEqual([
        'accepted',
        ...Array(7).fill('rejected'),
      ]);

      const auditEvent = (agent: Record<string, unknown>, entity: Array<Record<string, unknown>>) => ({
        resourceType: 'AuditEvent',
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
        action: 'R',
        recorded: new Date().toISOString(),
        outcome: '0',
        purposeOfEvent: [{ coding: [{ code: 'TREAT' }] }],
        agent: [{ requestor: true, ...agent }],
        source: { observer: { display: 'ehr' } },
        entity,
      });
      const doctor = { who: { identifier: { value: 'dr.ada' } } };
      const observation = { what: { reference: 'Observation/1' } };
      const patientRole = { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1' };
      const fhirForms = [
        auditEvent(doctor, [{ what: { reference: `Patient/${RAW}-entity` } }]),
        auditEvent(doctor, [{ what: { reference: `https://ehr.example/fhir/Patient/${RAW}-entity-url` } }]),
        auditEvent(doctor, [
          { role: patientRole, what: { identifier: { value: `${RAW}-entity-identifier` } } },
        ]),
        auditEvent(doctor, [{ what: { reference: `Observation?subject=${RAW}-entity-query-ref` } }]),
        auditEvent(doctor, [
          { query: Buffer.from(`Observation?subject=${RAW}-entity-query`).toString('base64') },
        ]),
        auditEvent({ who: { reference: `Patient/${RAW}-agent` } }, [observation]),
        auditEvent({ who: { reference: `https://ehr.example/fhir/Patient/${RAW}-agent-url` } }, [
          observation,
        ]),
        auditEvent(
          {
            who: {
              identifier: {
                type: {
                  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'PAT' }],
                },
                value: `${RAW}-agent-identifier-pat`,
              },
            },
          },
          [observation],
        ),
        auditEvent(
          {
            who: {
              identifier: {
                type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] },
                value: `${RAW}-agent-identifier-mr`,
              },
            },
          },
          [observation],
        ),
        auditEvent(
          {
            type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'PAT' }] },
            who: { identifier: { value: `${RAW}-agent-type-pat` } },
          },
          [observation],
        ),
      ];
      for (const resource of fhirForms)
        await post('/fhir/AuditEvent', emitter, resource, 'application/fhir+json');
      // A patient entity is pseudonymised, however it is referenced; a query is reduced to its resource type;
      // a patient as the requesting agent, and a reference that is a search, are refused.
      expect(statuses.slice(-fhirForms.length).map((s) => s.status)).toEqual([
        201, 201, 201, 400, 201, 400, 400, 400, 400, 400,
      ]);
      await post(
        '/fhir/AuditEvent',
        emitter,
        { resourceType: 'Bundle', type: 'batch', entry: fhirForms.map((resource) => ({ resource })) },
        'application/fhir+json',
      );

      const lookup = `{ dataAccess(filter: { patientId: "${RAW}-graphql" }) { edges { node { patientPseudonym } } } }`;
      await post('/graphql', auditor, { query: lookup });
      await post('/graphql', auditor, {
        query: 'query($p: String) { dataAccess(filter: { patientId: $p }) { edges { node { actor } } } }',
        variables: { p: `${RAW}-graphql-variable` },
      });
      const get = await fetch(
        `${url}/graphql?query=${encodeURIComponent(lookup.replace('-graphql', '-graphql-get'))}`,
        {
          headers: { authorization: `Bearer ${auditor}` },
        },
      );
      statuses.push({ route: 'GET /graphql', status: get.status });
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await service.stop();
    }
    const logs = service.logs();
    try {
      expect(statuses.filter((s) => s.status >= 500)).toEqual([]);
      const files = filesUnder(dir);
      expect(files.some((f) => f.endsWith('events.sqlite'))).toBe(true);
      for (const file of files)
        expect({ file, containsRaw: readFileSync(file).includes(RAW) }).toEqual({ file, containsRaw: false });
      expect(logs.length).toBeGreaterThan(1000);
      expect(logs.split('\n').filter((l) => l.includes(RAW))).toEqual([]);
    } finally {
      service.remove();
    }
  }, 120_000);
});
