import { ERASED } from '@ledger/integrity';
import type { StoredEvent } from '@ledger/event-store';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildGoVerifier } from '../interop/go-verifier';
import {
  bundleEvents,
  bundleMembers,
  exportOverGraphql,
  fhirViewOf,
  govledger,
  ledgerEnv,
  offlineEnv,
  scratchDir,
  settled,
} from '../evidence/evidence-fixture';
import { collect } from '../support/events';
import { interruptedErasure } from '../support/erasure';
import { minimalAuditEvent } from '../support/fhir';
import { auditedSystem, ok, staffRoles } from '../support/governance';
import { caughtUp, startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';

/*
 * The acceptance test of erasure (issue 24): a clinician's name is erased
 * from a seeded ledger, and every hash, proof and earlier bundle still
 * verifies, while everything the ledger shows reads "[erased]".
 */

const SYSTEM = 'sepsis-watch';
const EMITTER = 'ehr-gateway';
const DPO = 'dpo.dora';
/** The clinician, in the spellings she is recorded under; personId makes them one person. */
const ADA = /dr\.ada/i;
const dir = scratchDir();
const textOf = (event: StoredEvent) =>
  JSON.stringify(event, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
let goVerify: string;

beforeAll(() => {
  goVerify = buildGoVerifier(dir);
});

const REQUEST = `mutation($input: RequestErasureInput!) {
  requestErasure(input: $input) {
    erasureId subjectDigest eventsErased valuesErased projectionsRebuilt recorded { eventId position systemId } } }`;

const erasureOf = (personId: string, extra: Record<string, unknown> = {}) => ({
  input: {
    subject: { personId },
    legalBasis: 'GDPR Art 17(1)(a): no longer necessary for the purposes collected',
    requestedBy: 'dr.ada',
    rationale: 'left the organisation; no retention duty outweighs the request',
    ...extra,
  },
});

describe.each<StoreKind>(['sqlite', 'postgres'])('erasure that keeps every proof (%s)', (kind) => {
  let api: TestApi;
  let dpo: Record<string, string>;
  let beforeBundle: string;
  let vkeys: string;
  const hashesBefore = new Map<string, string>();
  let touched: StoredEvent[];
  let receipt: Record<string, any>;
  let narrative: string;

  const cli = (args: string[]) =>
    govledger(args, {
      ...ledgerEnv(api),
      ...(api.databaseUrl ? { LEDGER_STORE: 'postgres', DATABASE_URL: api.databaseUrl } : {}),
    });
  const allEvents = async () => (await collect(api.store.readAll())) as StoredEvent[];

  beforeAll(async () => {
    api = await startTestApi(kind, { LEDGER_CHECKPOINT_EVERY_MS: '200' });
    dpo = { authorization: `Bearer ${await api.token(DPO, 'data-protection-officer')}` };
    await auditedSystem(api, SYSTEM, [EMITTER]);
    // dr.ada is named (assigned TAKEDOWN_AUTHORITY) and acts (accepts it) under her own spelling.
    await staffRoles(api, SYSTEM);
    // A narrative that names her: only the officer can tell, so it is named in alsoFreeTextOf.
    const revoked = await ok(api, 'revokeAccountability', {
      systemId: SYSTEM,
      assignmentId: 'clinical_lead-1',
      reason: "clinical lead handed over to dr.ada's team",
    });
    narrative = revoked.events[0].eventId;
    const accesses = ['Dr.Ada', ' DR.ADA', 'dr.bob'].map((actor) => ({
      eventId: randomUUID(),
      type: 'DataAccessed',
      occurredAt: new Date().toISOString(),
      data: {
        actor,
        resource: 'Observation/obs-1',
        patientId: 'MRN-7',
        action: 'R',
        purposeOfUse: 'TREAT',
        outcome: 'success',
        systemId: SYSTEM,
      },
    }));
    expect((await api.post('/v1/events', { events: accesses }, EMITTER)).status).toBe(200);
    // And one access recorded as a FHIR AuditEvent, which the ledger keeps as sent: her name is inside it too.
    const fhir = minimalAuditEvent({ actor: 'dr.ada' });
    fhir.agent.push({
      who: { identifier: { system: 'urn:govledger:ai-system', value: SYSTEM } as never },
      requestor: false,
    });
    const posted = await fetch(`${api.url}/fhir/AuditEvent`, {
      method: 'POST',
      headers: {
        'content-type': 'application/fhir+json',
        authorization: `Bearer ${await api.token(EMITTER, 'emitter')}`,
      },
      body: JSON.stringify(fhir),
    });
    expect(posted.status).toBe(201);
    await caughtUp(api);
    await settled(api);

    vkeys = join(dir, `${kind}-keys.txt`);
    writeFileSync(vkeys, await (await fetch(`${api.url}/v1/keys`)).text());
    beforeBundle = join(dir, `${kind}-before.tar.gz`);
    const before = await exportOverGraphql(api, { systemId: SYSTEM }, beforeBundle);
    expect(before.errors).toBeUndefined();
    touched = (await allEvents()).filter((e) => ADA.test(textOf(e)));
    for (const event of touched) hashesBefore.set(event.eventId, event.integrity.hash);
    expect(touched.length).toBeGreaterThanOrEqual(5);

    const response = await api.graphql(
      REQUEST,
      erasureOf('DR.Ada ', { alsoFreeTextOf: [narrative] }),
      DPO,
      dpo,
    );
    expect(response.errors).toBeUndefined();
    receipt = response.data!.requestErasure as Record<string, any>;
  }, 240_000);
  afterAll(() => api.close());

  it('answers with what it erased, once the read models are rebuilt', () => {
    expect(receipt).toMatchObject({
      eventsErased: touched.length,
      valuesErased: expect.any(Number),
      projectionsRebuilt: ['registry', 'data_access', 'clinical_use'],
      recorded: [expect.objectContaining({ systemId: SYSTEM })],
    });
    expect(receipt.valuesErased).toBeGreaterThanOrEqual(touched.length);
  });

  it('leaves her name nowhere in the store, and every hash as it was', async () => {
    const events = await allEvents();
    expect(events.filter((e) => ADA.test(textOf(e)))).toEqual([]);
    for (const event of events.filter((e) => hashesBefore.has(e.eventId)))
      expect(event.integrity.hash).toBe(hashesBefore.get(event.eventId));
    const access = events.find((e) => e.type === 'DataAccessed' && (e.data as any).actor === ERASED);
    expect(access).toBeDefined();
    // Whoever else the events name stays: only her values went.
    expect(events.some((e) => (e.data as any).actor === 'dr.bob')).toBe(true);
  });

  it('shows [erased] in the timeline and the dataAccess query, never her name', async () => {
    const auditor = { authorization: `Bearer ${await api.token('auditor.amy', 'auditor')}` };
    const timeline = await api.graphql(
      `{ timeline(systemId: "${SYSTEM}", first: 100) { edges { node { type data metadata { actor { id } } } } } }`,
      {},
      'auditor.amy',
      auditor,
    );
    expect(timeline.errors).toBeUndefined();
    const text = JSON.stringify(timeline.data);
    expect(text).not.toMatch(ADA);
    expect(text).toContain(ERASED);
    const access = await api.graphql(
      `{ dataAccess(filter: { systemId: "${SYSTEM}" }, first: 50) { edges { node { actor } } } }`,
      {},
      'auditor.amy',
      auditor,
    );
    expect(access.errors).toBeUndefined();
    const actors = (access.data as any).dataAccess.edges.map((e: any) => e.node.actor).sort();
    expect(actors).toEqual([ERASED, ERASED, ERASED, 'dr.bob']);
  });

  it('serves the AuditEvent whose kept copy was erased as the ledger describes it, without her name', async () => {
    const fhirAccess = (await allEvents()).find((e) => e.type === 'DataAccessed' && (e.data as any).fhir)!;
    const response = await fetch(`${api.url}/fhir/AuditEvent/${fhirAccess.eventId}`, {
      headers: { authorization: `Bearer ${await api.token('auditor.amy', 'auditor')}` },
    });
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toMatch(ADA);
    expect(JSON.parse(text)).toMatchObject({ resourceType: 'AuditEvent', id: fhirAccess.eventId });
  });

  it('exports a new bundle that shows [erased], never her name, and carries the erasure as evidence', async () => {
    const after = join(dir, `${kind}-after.tar.gz`);
    const exported = await exportOverGraphql(api, { systemId: SYSTEM }, after);
    expect(exported.errors).toBeUndefined();
    const members = await bundleMembers(after);
    for (const [name, content] of members) {
      const text = name.endsWith('.gz') ? gunzipSync(content).toString() : content.toString();
      expect({ name, names: ADA.test(text) }).toEqual({ name, names: false });
    }
    expect(JSON.stringify(fhirViewOf(members))).toContain(ERASED);
    const report = members.get('report.html')!.toString();
    expect(report).toContain(ERASED);
    // The report says an erasure happened, by whom and on what basis, without whom it was about.
    expect(report).toContain(`requested by the data subject, decided by ${DPO}); their commitments remain`);
    const events = bundleEvents(members.get('events.jsonl')!.toString());
    const erasure = events.find((e) => e.type === 'ErasureRecorded');
    expect(erasure).toBeDefined();
    expect(erasure!.eventId).toBe(receipt.recorded[0].eventId);
    const run = await govledger(
      ['verify-bundle', after, '--trusted-key', (await (await fetch(`${api.url}/v1/keys`)).text()).trim()],
      offlineEnv(),
    );
    expect(run.stdout).toMatch(/^PASS/);
    expect(run.code).toBe(0);
  });

  it('still passes govledger verify', async () => {
    const run = await cli(['verify']);
    expect(run.stderr).not.toMatch(/FAIL/);
    expect(run.code).toBe(0);
  });

  it('still passes verify-bundle on the bundle exported before the erasure', async () => {
    const key = (await (await fetch(`${api.url}/v1/keys`)).text()).trim();
    const run = await govledger(['verify-bundle', beforeBundle, '--trusted-key', key], offlineEnv());
    expect(run.stdout).toMatch(/^PASS/);
    expect(run.code).toBe(0);
  });

  it("has Go's tlog verify the inclusion proof of every event it touched", async () => {
    await settled(api);
    const auditor = { authorization: `Bearer ${await api.token('auditor.amy', 'auditor')}` };
    for (const event of touched) {
      const response = await fetch(`${api.url}/v1/proofs/inclusion?eventId=${event.eventId}`, {
        headers: auditor,
      });
      expect(response.status).toBe(200);
      const proof = (await response.json()) as Record<string, any>;
      expect(proof.eventHash).toBe(hashesBefore.get(event.eventId));
      const note = join(dir, `${kind}-${event.eventId}.note`);
      const path = join(dir, `${kind}-${event.eventId}.proof`);
      writeFileSync(note, proof.checkpoint);
      writeFileSync(path, (proof.proof as string[]).map((h) => `${h}\n`).join(''));
      const go = spawnSync(
        goVerify,
        [
          'inclusion',
          '-vkeys',
          vkeys,
          '-note',
          note,
          '-index',
          String(proof.leafIndex),
          '-event-hash',
          proof.eventHash,
          '-proof',
          path,
        ],
        { encoding: 'utf8' },
      );
      expect({ eventId: event.eventId, status: go.status, stderr: go.stderr }).toEqual({
        eventId: event.eventId,
        status: 0,
        stderr: '',
      });
    }
  });

  it('erases nothing more when asked again: the values are gone', async () => {
    const again = await api.graphql(REQUEST, erasureOf('dr.ada'), DPO, dpo);
    expect(again.errors).toBeUndefined();
    expect(again.data!.requestErasure).toMatchObject({
      eventsErased: 0,
      valuesErased: 0,
      projectionsRebuilt: [],
    });
  });

  it('refuses an erasure requested by anyone but a data protection officer', async () => {
    const response = await api.graphql(REQUEST, erasureOf('dr.bob'));
    expect(response.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await allEvents()).some((e) => (e.data as any).actor === 'dr.bob')).toBe(true);
  });

  it('refuses a data protection officer erasing themselves, in any spelling', async () => {
    const response = await api.graphql(REQUEST, erasureOf(' DPO.Dora'), DPO, dpo);
    expect(response.errors?.[0].extensions).toMatchObject({ code: 'SELF_ERASURE', field: 'subject' });
  });

  it('refuses free text of an event it cannot find, naming alsoFreeTextOf', async () => {
    const response = await api.graphql(
      REQUEST,
      erasureOf('dr.bob', { requestedBy: 'dr.bob', alsoFreeTextOf: [randomUUID()] }),
      DPO,
      dpo,
    );
    expect(response.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'alsoFreeTextOf' });
  });

  it('refuses a blank requester, naming requestedBy', async () => {
    const response = await api.graphql(REQUEST, erasureOf('dr.bob', { requestedBy: '  ' }), DPO, dpo);
    expect(response.errors?.[0].extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'requestedBy',
    });
  });

  it('erases a patient: every patient value of the events holding their pseudonym, and the read models still build', async () => {
    const response = await api.graphql(
      REQUEST,
      {
        input: { ...erasureOf('x').input, subject: { patientId: 'MRN-7' }, requestedBy: 'patient advocate' },
      },
      DPO,
      dpo,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data!.requestErasure).toMatchObject({ eventsErased: 3, valuesErased: 3 });
    const auditor = { authorization: `Bearer ${await api.token('auditor.amy', 'auditor')}` };
    const access = await api.graphql(
      `{ dataAccess(filter: { systemId: "${SYSTEM}" }, first: 50) { edges { node { actor patientPseudonym } } }
       ledger { projections { name error } } }`,
      {},
      'auditor.amy',
      auditor,
    );
    expect(access.errors).toBeUndefined();
    const rows = (access.data as any).dataAccess.edges.map((e: any) => e.node);
    expect(rows.filter((r: any) => r.patientPseudonym !== null).map((r: any) => r.patientPseudonym)).toEqual([
      ERASED,
      ERASED,
      ERASED,
    ]);
    expect((access.data as any).ledger.projections.filter((p: any) => p.error)).toEqual([]);
  });

  it('finishes, before the next erasure, an erasure a crash left recorded but not applied', async () => {
    const accepted = (await allEvents()).find(
      (e) => e.type === 'AccountabilityAccepted' && e.metadata.actor.id === 'dr.perf',
    )!;
    // What a crash between the two steps leaves: the decision appended, the value still there.
    await interruptedErasure(api.store, {
      eventId: accepted.eventId,
      pointers: ['/metadata/actor/id'],
      systemId: SYSTEM,
    });
    expect((await api.store.findByEventIds([accepted.eventId]))[0].metadata.actor.id).toBe('dr.perf');
    const next = await api.graphql(
      REQUEST,
      erasureOf('nobody.known', { requestedBy: 'nobody.known' }),
      DPO,
      dpo,
    );
    expect(next.errors).toBeUndefined();
    expect((await api.store.findByEventIds([accepted.eventId]))[0].metadata.actor.id).toBe(ERASED);
  });

  it('refuses with LEGAL_HOLD while a hold covers the subject or a system whose events it would touch', async () => {
    const place = async (input: Record<string, unknown>) => {
      const placed = await api.graphql(
        `mutation($input: PlaceLegalHoldInput!) { placeLegalHold(input: $input) { __typename } }`,
        { input: { reason: 'a complaint is under investigation', matter: 'OCR complaint 12-345', ...input } },
        DPO,
        dpo,
      );
      expect(placed.errors).toBeUndefined();
    };
    // The hold names him in another spelling than the erasure does: one person, one digest.
    await place({ holdId: 'hold-subject', personId: 'DR.BOB' });
    await place({ holdId: 'hold-system', systemId: SYSTEM });
    const response = await api.graphql(REQUEST, erasureOf('Dr.Bob', { requestedBy: 'dr.bob' }), DPO, dpo);
    expect(response.errors?.[0].extensions?.code).toBe('LEGAL_HOLD');
    expect(response.errors?.[0].message).toContain('hold-subject, hold-system');
    expect((await allEvents()).some((e) => (e.data as any).actor === 'dr.bob')).toBe(true);
  });
});
