import { BUNDLE_FILES, LEDGER_RECORD_EXTENSION, r4Errors } from '@ledger/evidence';
import type { StoredEvent } from '@ledger/event-store';
import { canonicalJson } from '@ledger/integrity';
import type { AuditEvent, Bundle, Extension } from '@medplum/fhirtypes';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { Pseudonymiser } from '../../apps/ledger-api/src/privacy/pseudonymiser';
import { collect } from '../support/events';
import { approvedDataset, auditedSystem, ok, PEOPLE } from '../support/governance';
import { caughtUp, startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';
import { exportOverGraphql, scratchDir, settled } from './evidence-fixture';

/**
 * Issue 19, acceptance items 1 and 2: the IHE BALP guide's own examples
 * (test/evidence/fixtures/balp, translated from the guide's FSH) are posted
 * exactly as they are, each answer is justified, and each accepted one is read
 * back (GET /fhir/AuditEvent/{id}) and exported equal to what was sent, apart
 * from the patient's pseudonym and the ledger's id and extension.
 */
const FIXTURES = join(__dirname, 'fixtures/balp');
const fixture = (name: string): AuditEvent =>
  JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as AuditEvent;
/** The patient every BALP example names (Patient/ex-patient); it must never be stored or served raw. */
const PATIENT = 'ex-patient';
const EMITTER = 'balp-server';
const SYSTEM = 'balp-sepsis';

/** Why each example is answered as it is. */
const ANSWERS: Record<string, { status: number; expression?: string; code?: string; data?: object }> = {
  // PatientRead with no purposeOfEvent (recorded as UNK) and the X-Request-Id entity, both kept.
  'ex-auditBasicReadServer': {
    status: 201,
    data: { actor: 'John Smith', action: 'R', purposeOfUse: 'UNK', resource: 'List/ex-list' },
  },
  // Read of a resource with no patient: a data access all the same.
  'ex-auditBasicReadNoPatient': {
    status: 201,
    data: {
      actor: 'John Smith',
      action: 'R',
      purposeOfUse: 'UNK',
      resource: 'MeasureReport/ex-measurereport',
    },
  },
  // PatientQuery: the query is BALP's base64 raw request (GET test.fhir.org/r4/Observation?patient=...): the
  // resource is its type, never its parameters.
  'ex-auditBasicQueryGet': {
    status: 201,
    data: { actor: 'John Smith', action: 'E', purposeOfUse: 'UNK', resource: 'Observation' },
  },
  // PatientCreate whose requester is typed AUT (Author): accepted, and the type is kept in the stored original.
  'ex-auditBasicCreate': {
    status: 201,
    data: { actor: 'John Smith', action: 'C', purposeOfUse: 'UNK', resource: 'List/ex-list' },
  },
  // The requesting agent (agent[2], the Patient Advocate) is Patient/ex-patient: the actor field would hold a
  // patient identifier. Refused, as the issue asks, naming the agent.
  'ex-auditPrivacyDisclosure-source': {
    status: 400,
    expression: 'AuditEvent.agent[2].who',
    code: 'not-supported',
  },
  // A SAML token "poke" with no entity at all: nothing is named as accessed. Refused, as the issue asks.
  'ex-auditPoke-SAML-Min2': { status: 400, expression: 'AuditEvent.entity', code: 'required' },
};
const ACCEPTED = Object.keys(ANSWERS).filter((name) => ANSWERS[name].status === 201);

/**
 * The fixture as the ledger keeps it: the patient's id replaced by its pseudonym in the references, the
 * query's raw request and its description. Everything else must come back exactly as sent.
 */
function pseudonymised(sent: AuditEvent, pseudonym: string): AuditEvent {
  const kept = JSON.parse(
    JSON.stringify(sent).replaceAll(`Patient/${PATIENT}`, `Patient/${pseudonym}`),
  ) as AuditEvent;
  for (const entity of kept.entity ?? []) {
    const replace = (text: string) => text.replaceAll(`patient=${PATIENT}`, `patient=${pseudonym}`);
    if (entity.query)
      entity.query = Buffer.from(replace(Buffer.from(entity.query, 'base64').toString('utf8'))).toString(
        'base64',
      );
    if (entity.description) entity.description = replace(entity.description);
  }
  return kept;
}

/** A served AuditEvent without what the ledger adds: its id and its one extension. */
function withoutLedgerAdditions(served: AuditEvent): { sent: AuditEvent; record: Record<string, unknown> } {
  const { id: _, extension, ...rest } = served;
  const ours = (extension ?? []).filter((e) => e.url === LEDGER_RECORD_EXTENSION);
  const theirs = (extension ?? []).filter((e) => e.url !== LEDGER_RECORD_EXTENSION);
  expect(ours).toHaveLength(1);
  const record = Object.fromEntries(
    (ours[0].extension ?? []).map((e: Extension) => {
      const { url, ...value } = e;
      return [url, Object.values(value)[0]];
    }),
  );
  return { sent: { ...rest, ...(theirs.length > 0 ? { extension: theirs } : {}) } as AuditEvent, record };
}

describe.each<StoreKind>(['sqlite', 'postgres'])('IHE BALP examples, posted as they are (%s)', (kind) => {
  let api: TestApi;
  let pseudonym: string;
  let emitterToken: string;
  let auditorToken: string;
  const dir = scratchDir();
  /** Ledger event id of each accepted example, from the Location of its create. */
  const created = new Map<string, string>();

  const post = async (body: unknown, token = emitterToken) => {
    const response = await fetch(`${api.url}/fhir/AuditEvent`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return {
      status: response.status,
      location: response.headers.get('location'),
      body: (await response.json()) as any,
    };
  };
  const read = async (id: string, token = auditorToken) => {
    const response = await fetch(`${api.url}/fhir/AuditEvent/${id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      body: (await response.json()) as any,
    };
  };
  const stored = async () =>
    (await collect(api.store.readStream(`default/data-access-${EMITTER}`))) as StoredEvent[];

  beforeAll(async () => {
    api = await startTestApi(kind, { LEDGER_CHECKPOINT_EVERY_MS: '200' });
    await auditedSystem(api, SYSTEM, [EMITTER]);
    emitterToken = await api.token(EMITTER, 'emitter');
    auditorToken = await api.token('auditor.amy', 'auditor');
    pseudonym = Pseudonymiser.load(api.dataDir).pseudonymise('default', PATIENT);
  }, 60_000);
  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has a fixture for every example it answers, and an answer for every fixture', () =>
    expect(
      readdirSync(FIXTURES)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.replace(/\.json$/, ''))
        .sort(),
    ).toEqual(Object.keys(ANSWERS).sort()));

  it.each(Object.keys(ANSWERS))('answers %s as justified above', async (name) => {
    const sent = fixture(name);
    const expected = ANSWERS[name];
    const before = (await stored()).length;
    const response = await post(sent);
    expect(response.status).toBe(expected.status);
    expect(JSON.stringify(response.body)).not.toContain(PATIENT);
    if (expected.status !== 201) {
      expect(response.body.resourceType).toBe('OperationOutcome');
      expect(response.body.issue).toEqual([
        expect.objectContaining({
          severity: 'error',
          code: expected.code,
          expression: [expected.expression],
        }),
      ]);
      expect((await stored()).length).toBe(before);
      return;
    }
    const id = /^AuditEvent\/([0-9a-f-]{36})$/.exec(response.location ?? '')![1];
    created.set(name, id);
    const [event] = await api.store.findByEventIds([id]);
    expect(event.data).toMatchObject({ ...expected.data, outcome: 'success', sourceService: EMITTER });
    const namesPatient = JSON.stringify(sent).includes(PATIENT);
    expect((event.data as { patientPseudonym?: string }).patientPseudonym).toBe(
      namesPatient ? pseudonym : undefined,
    );
    // Kept as sent, the patient pseudonymised by the server: nothing of the raw id anywhere in the stored event.
    expect((event.data as { fhir: { resource: unknown } }).fhir.resource).toEqual(
      pseudonymised(sent, pseudonym),
    );
    expect(JSON.stringify({ ...event, position: String(event.position) })).not.toContain(PATIENT);
  });

  it.each(ACCEPTED)(
    'reads %s back as it was sent, apart from the pseudonym and the ledger additions',
    async (name) => {
      const sent = fixture(name);
      const id = created.get(name)!;
      const response = await read(id);
      expect(response.status).toBe(200);
      expect(response.contentType).toMatch(/^application\/fhir\+json/);
      expect(JSON.stringify(response.body)).not.toContain(PATIENT);
      expect(response.body).toMatchObject({ resourceType: 'AuditEvent', id });
      // The ledger's extension keeps it a valid R4 AuditEvent.
      expect(r4Errors(response.body)).toEqual([]);
      const { sent: echoed, record } = withoutLedgerAdditions(response.body as AuditEvent);
      const { id: _, ...sentWithoutId } = pseudonymised(sent, pseudonym);
      expect(echoed).toEqual(sentWithoutId);
      const [event] = await api.store.findByEventIds([id]);
      expect(record).toEqual({
        eventId: id,
        recordedAt: event.metadata.recordedAt,
        // Keyed with the tenant's pseudonym key: the ledger (and only it) can tell a copy of the original is the one received.
        digest: Pseudonymiser.load(api.dataDir).digest('default', canonicalJson(sent)),
        digestAlgorithm: 'hmac-sha256',
        pseudonymSystem: 'urn:govledger:patient-pseudonym:default',
        sentId: sent.id,
      });
      if (JSON.stringify(sent).includes(PATIENT))
        expect(JSON.stringify(response.body)).toContain(`Patient/${pseudonym}`);
    },
  );

  it('answers a resend of an example as already recorded: the kept original and its digest are the same', async () => {
    const again = await post(fixture('ex-auditBasicQueryGet'));
    expect(again.status).toBe(200);
    expect(again.location).toBe(`AuditEvent/${created.get('ex-auditBasicQueryGet')}`);
  });

  it('exports each accepted example exactly as it is served', async () => {
    // An export is of one AI system: each example is sent again with one more agent naming the system (a
    // non-requestor agent in urn:govledger:ai-system), and a new id, so it is a new record of the system.
    const served = new Map<string, unknown>();
    for (const name of ACCEPTED) {
      const sent = {
        ...fixture(name),
        id: `${name}-of-system`,
        agent: [
          ...fixture(name).agent!,
          { who: { identifier: { system: 'urn:govledger:ai-system', value: SYSTEM } }, requestor: false },
        ],
      };
      const response = await post(sent);
      expect(response.status).toBe(201);
      const id = response.location!.split('/')[1];
      const got = (await read(id)).body as AuditEvent;
      const { id: _, ...expected } = pseudonymised(sent, pseudonym);
      expect(withoutLedgerAdditions(got).sent).toEqual(expected);
      served.set(id, got);
    }
    await settled(api);
    const out = join(dir, `${kind}.tar.gz`);
    const { result, errors } = await exportOverGraphql(api, { systemId: SYSTEM }, out);
    expect(errors).toBeUndefined();
    expect(result!.events).toBeGreaterThan(0);
    const archive = extract();
    Readable.from(readFileSync(out)).pipe(createGunzip()).pipe(archive);
    let fhir: Bundle | undefined;
    for await (const entry of archive) {
      const body = Buffer.concat(await collect(entry as AsyncIterable<Buffer>));
      if (entry.header.name === BUNDLE_FILES.fhirGzip)
        fhir = JSON.parse(gunzipSync(body).toString()) as Bundle;
    }
    const exported = (fhir!.entry ?? [])
      .map((e) => e.resource as AuditEvent)
      .filter((r) => r.resourceType === 'AuditEvent' && served.has(r.id!));
    expect(exported).toHaveLength(ACCEPTED.length);
    for (const resource of exported) expect(resource).toEqual(served.get(resource.id!));
    expect(JSON.stringify(fhir)).not.toContain(PATIENT);
  }, 120_000);

  it('reads only within the tenant and, for a regulator, only the systems granted to it; the rest is not found', async () => {
    const id = created.get('ex-auditBasicReadServer')!;
    const unknown = await read(randomUUID());
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [expect.objectContaining({ code: 'not-found', expression: ['AuditEvent.id'] })],
    });
    const notFoundShape = (body: any) => ({
      ...body,
      issue: body.issue.map((i: any) => ({ ...i, diagnostics: undefined })),
    });
    // Another tenant's auditor gets exactly the answer an unknown id gets: existence is not disclosed.
    const other = await read(id, await api.token('auditor.oz', 'auditor', { tenantId: 'other-hospital' }));
    expect(other.status).toBe(404);
    expect(notFoundShape(other.body)).toEqual(notFoundShape(unknown.body));
    expect(JSON.stringify(other.body)).not.toContain('John Smith');
    // A regulator reads the accesses of its granted systems only; this one names no system.
    const regulator = await read(id, await api.token('reg.rita', 'regulator', { systems: [SYSTEM] }));
    expect(regulator.status).toBe(404);
    // The same readers as GraphQL dataAccess: an emitter may write AuditEvents, not read them.
    expect((await read(id, emitterToken)).status).toBe(403);
    expect((await read(id, await api.token(PEOPLE.admin, 'governance-admin'))).status).toBe(200);
    expect((await read('not a fhir id!')).status).toBe(404);
  });

  it('stores the patient nowhere raw however a BALP record names it, and refuses what it cannot pseudonymise', async () => {
    const mrn = `MRN-${kind}-4711`;
    const example = fixture('ex-auditBasicQueryGet');
    const query = (request: string) => ({
      ...example.entity![1],
      query: Buffer.from(request).toString('base64'),
      description: request,
    });
    const variants: Array<[string, AuditEvent]> = [
      // The patient by MR-typed identifier, queried by subject reference and in a POST _search form body.
      [
        'identifier and POST body',
        {
          ...example,
          id: randomUUID(),
          entity: [
            {
              ...example.entity![0],
              what: {
                identifier: {
                  type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] },
                  value: mrn,
                },
              },
            },
            query(`POST /r4/Observation/_search HTTP/1.1\nHost: x\n\nsubject=Patient/${mrn}&_count=10\n`),
          ],
        },
      ],
      // A full-URL reference and a patient token in the query string.
      [
        'full URL and token',
        {
          ...example,
          id: randomUUID(),
          entity: [
            { ...example.entity![0], what: { reference: `https://ehr.example/fhir/Patient/${mrn}` } },
            query(
              `GET https://ehr.example/fhir/Observation?patient.identifier=urn:oid:1.2|${mrn} HTTP/1.1\n`,
            ),
          ],
        },
      ],
    ];
    for (const [, sent] of variants) {
      const response = await post(sent);
      expect(response.status).toBe(201);
      const [event] = await api.store.findByEventIds([response.location!.split('/')[1]]);
      expect(JSON.stringify({ ...event, position: String(event.position) })).not.toContain(mrn);
      expect(JSON.stringify((await read(event.eventId)).body)).not.toContain(mrn);
    }
    // Free text naming the patient, and a contained resource, are refused, naming the element, nothing stored.
    const before = (await stored()).length;
    const refusals: Array<[Partial<AuditEvent>, string]> = [
      [{ outcomeDesc: `record of ${mrn} read` }, 'AuditEvent.outcomeDesc'],
      [
        {
          entity: [
            { ...variants[1][1].entity![0], what: { reference: `Patient/${mrn}`, display: 'Jane Doe' } },
            example.entity![1],
          ],
        },
        'AuditEvent.entity[0].what.display',
      ],
      [
        { contained: [{ resourceType: 'Patient', id: 'p', name: [{ family: 'Doe' }] }] },
        'AuditEvent.contained',
      ],
    ];
    for (const [change, element] of refusals) {
      const response = await post({ ...variants[1][1], id: randomUUID(), ...change });
      expect(response.status).toBe(400);
      // The R4 validator already refuses a contained Patient (it validates no contained Patient); the
      // ledger's own rule, which names AuditEvent.contained, is unit-tested in audit-event-pseudonyms.
      if (element !== 'AuditEvent.contained')
        expect(response.body.issue).toEqual([
          expect.objectContaining({ code: 'not-supported', expression: [element] }),
        ]);
      expect(JSON.stringify(response.body)).not.toContain(mrn);
    }
    expect((await stored()).length).toBe(before);
  });

  it('never takes a kept original through POST /v1/events: only the FHIR route, pseudonymising, sets data.fhir', async () => {
    const before = (await stored()).length;
    const response = await api.post(
      '/v1/events',
      {
        events: [
          {
            eventId: randomUUID(),
            type: 'DataAccessed',
            occurredAt: '2026-03-14T09:00:00Z',
            data: {
              actor: 'dr.bob',
              action: 'R',
              purposeOfUse: 'TREAT',
              outcome: 'success',
              resource: 'List/ex-list',
              fhir: { resource: fixture('ex-auditBasicReadServer'), digest: '0'.repeat(64) },
            },
          },
        ],
      },
      EMITTER,
    );
    expect(response.body.results[0]).toMatchObject({
      status: 'rejected',
      error: { code: 'VALIDATION_FAILED', field: 'data.fhir' },
    });
    expect((await stored()).length).toBe(before);
  });

  it('raises DATA_ACCESS_WITHOUT_GRANT when an access without a purpose (UNK) reaches a dataset granted for a purpose', async () => {
    const dataset = `balp-icu-${kind}`;
    await approvedDataset(api, dataset, 'TREAT');
    await ok(
      api,
      'grantDatasetAccess',
      {
        datasetId: dataset,
        grantId: `g-${kind}`,
        principal: 'dr.smith',
        purpose: 'TREAT',
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
      PEOPLE.steward,
    );
    // The access is judged against the grants as projected when it is: the grant is projected first.
    await caughtUp(api);
    // The ReadNoPatient example, now of the dataset, after the grant and by its grantee (grants store their
    // principal in lower case, so the user is named as the grant names them): still with no purposeOfEvent.
    const example = fixture('ex-auditBasicReadNoPatient');
    const sent: AuditEvent = {
      ...example,
      id: randomUUID(),
      recorded: new Date().toISOString(),
      agent: example.agent!.map((a) =>
        a.requestor ? { ...a, who: { identifier: { value: 'dr.smith' } } } : a,
      ),
      entity: [{ what: { identifier: { system: 'urn:govledger:dataset', value: dataset } } }],
    };
    const unknownPurpose = await post(sent);
    expect(unknownPurpose.status).toBe(201);
    // The same access with the purpose the grant covers raises nothing: the finding is the missing purpose's.
    const treat = await post({
      ...sent,
      id: randomUUID(),
      purposeOfEvent: [
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }] },
      ],
    });
    expect(treat.status).toBe(201);
    await caughtUp(api);
    const { data } = await api.graphql<any>(
      '{ complianceFindings(filter: { rule: DATA_ACCESS_WITHOUT_GRANT }) { rule subject message evidence } }',
    );
    expect(data.complianceFindings).toEqual(
      expect.arrayContaining([
        {
          rule: 'DATA_ACCESS_WITHOUT_GRANT',
          subject: `${dataset}/dr.smith`,
          message: expect.stringContaining('for a purpose its grants do not cover 1 time(s)'),
          evidence: [unknownPurpose.location!.split('/')[1]],
        },
      ]),
    );
  });
});
