import type { AuditEvent, Resource } from '@medplum/fhirtypes';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PEOPLE } from '../support/governance';
import type { TestApi } from '../support/ledger-api';
import { BALP_RULES, BALP_STRUCTURE_DEFINITION, isBalpProfile, violationsOf } from './balp-profile-rules';
import {
  bundleEvents,
  bundleMembers,
  exportOverGraphql,
  fhirViewOf,
  scratchDir,
  seededLedger,
} from './evidence-fixture';

const SYSTEM = 'sepsis-predictor';
const EMITTER = 'svc.balp-ehr';
const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const coding = (system: string, code: string) => ({ system, code });

/**
 * An access as a BALP client reports it, meeting the profile it claims: the
 * user, the client and server with their network addresses, the patient and
 * the data or query. It names the AI system the access was for, so the
 * system's export carries it.
 */
function sent(pattern: 'PatientRead' | 'PatientQuery' | 'PatientCreate'): AuditEvent {
  const [interaction, action, client, server, requester] = {
    PatientRead: ['read', 'R', '110152', '110153', 'IRCP'],
    PatientQuery: ['search', 'E', '110153', '110152', 'IRCP'],
    PatientCreate: ['create', 'C', '110153', '110152', 'AUT'],
  }[pattern];
  const type = (code: string) => coding('http://terminology.hl7.org/CodeSystem/audit-entity-type', code);
  const role = (code: string) => coding('http://terminology.hl7.org/CodeSystem/object-role', code);
  return {
    resourceType: 'AuditEvent',
    id: randomUUID(),
    meta: { profile: [`${BALP_STRUCTURE_DEFINITION}IHE.BasicAudit.${pattern}`] },
    type: coding('http://terminology.hl7.org/CodeSystem/audit-event-type', 'rest'),
    subtype: [coding('http://hl7.org/fhir/restful-interaction', interaction)],
    action: action as AuditEvent['action'],
    recorded: new Date().toISOString(),
    outcome: '0',
    purposeOfEvent: [{ coding: [coding('http://terminology.hl7.org/CodeSystem/v3-ActReason', 'TREAT')] }],
    agent: [
      {
        type: { coding: [coding('http://terminology.hl7.org/CodeSystem/v3-ParticipationType', requester)] },
        who: { identifier: { value: 'dr.balp-tester' } },
        requestor: true,
      },
      {
        type: { coding: [coding(DCM, client)] },
        who: { display: 'ward-3-workstation' },
        requestor: false,
        network: { address: '10.1.2.3', type: '2' },
      },
      {
        type: { coding: [coding(DCM, server)] },
        who: { display: 'fhir.hospital.example' },
        requestor: false,
        network: { address: 'fhir.hospital.example', type: '1' },
      },
      { who: { identifier: { system: 'urn:govledger:ai-system', value: SYSTEM } }, requestor: false },
    ],
    source: { observer: { display: 'fhir.hospital.example' } },
    entity: [
      { what: { reference: 'Patient/MRN-445566' }, type: type('1'), role: role('1') },
      pattern === 'PatientQuery'
        ? {
            type: type('2'),
            role: role('24'),
            query: Buffer.from('Observation?patient=Patient/MRN-445566').toString('base64'),
          }
        : { what: { reference: 'Observation/obs-7' }, type: type('2'), role: role('4') },
    ],
  };
}

/**
 * The guide's own examples that the ledger accepts (balp-examples.e2e), each
 * with one more agent naming the AI system so the system's export carries it:
 * their claims are the sender's, served back as sent, so they are checked too.
 */
const GUIDE_EXAMPLES = [
  'ex-auditBasicReadServer',
  'ex-auditBasicReadNoPatient',
  'ex-auditBasicQueryGet',
  'ex-auditBasicCreate',
].map((name) => {
  const example = JSON.parse(
    readFileSync(join(__dirname, 'fixtures', 'balp', `${name}.json`), 'utf8'),
  ) as AuditEvent;
  return {
    ...example,
    agent: [
      ...example.agent,
      { who: { identifier: { system: 'urn:govledger:ai-system', value: SYSTEM } }, requestor: false },
    ],
  };
});

/** Which BALP RESTful profile an AuditEvent's interaction and patient would call for. */
function profileFor(audit: AuditEvent): string {
  const family = { C: 'Create', R: 'Read', U: 'Update', D: 'Delete', E: 'Query' }[audit.action ?? 'R'];
  const withPatient = (audit.entity ?? []).some((e) => e.type?.code === '1');
  return `${BALP_STRUCTURE_DEFINITION}IHE.BasicAudit.${withPatient ? 'Patient' : ''}${family}`;
}

describe('evidence bundle: an exported AuditEvent names a BALP profile only if it meets it', () => {
  const dir = scratchDir();
  let api: TestApi;
  let audits: AuditEvent[];
  let accessEvents: number;

  beforeAll(async () => {
    ({ api } = await seededLedger('sqlite', 60));
    const registered = await api.graphql(
      `mutation($input: RegisterAuditSourceInput!) { registerAuditSource(input: $input) { revision } }`,
      { input: { systemId: SYSTEM, sourceService: EMITTER, expectedInterval: 'P1D' } },
      PEOPLE.admin,
    );
    if (registered.errors?.length) throw new Error(JSON.stringify(registered.errors));
    // Accesses that came in as FHIR, beside the seeded ones that came through /v1/events.
    const token = await api.token(EMITTER, 'emitter');
    const patterns = (['PatientRead', 'PatientQuery', 'PatientCreate'] as const).map(sent);
    for (const audit of [...patterns, ...GUIDE_EXAMPLES]) {
      const response = await fetch(`${api.url}/fhir/AuditEvent`, {
        method: 'POST',
        headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${token}` },
        body: JSON.stringify(audit),
      });
      if (response.status !== 201)
        throw new Error(`${audit.id}: ${response.status} ${await response.text()}`);
    }
    const out = join(dir, 'bundle.tar.gz');
    const exported = await exportOverGraphql(api, { systemId: SYSTEM }, out);
    if (!('result' in exported)) throw new Error(JSON.stringify(exported.errors));
    const members = await bundleMembers(out);
    audits = (fhirViewOf(members).entry ?? [])
      .map((e) => e.resource as Resource)
      .filter((r): r is AuditEvent => r.resourceType === 'AuditEvent');
    accessEvents = bundleEvents(members.get('events.jsonl')!.toString()).filter(
      (e) => e.type === 'DataAccessed',
    ).length;
  }, 240_000);
  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('checks every AuditEvent the bundle holds, the FHIR-ingested ones among them', () => {
    expect(audits).toHaveLength(accessEvents);
    const posted = audits.filter((a) => a.agent.some((g) => g.who?.identifier?.value === 'dr.balp-tester'));
    expect(posted.map((a) => a.action).sort()).toEqual(['C', 'E', 'R']);
    expect(audits.length).toBeGreaterThan(posted.length);
    const examples = audits.filter((a) =>
      GUIDE_EXAMPLES.some((e) => a.extension?.some((x) => x.extension?.some((f) => f.valueString === e.id))),
    );
    // Each example claims a BALP profile, so the next test holds the guide's own records to the rules.
    expect(examples).toHaveLength(GUIDE_EXAMPLES.length);
    for (const example of examples) expect((example.meta?.profile ?? []).some(isBalpProfile)).toBe(true);
  });

  it('every BALP profile an AuditEvent claims is one the guide defines, and the AuditEvent meets it', () => {
    const failures = audits.flatMap((audit) =>
      (audit.meta?.profile ?? [])
        .filter(isBalpProfile)
        .flatMap((url) =>
          BALP_RULES.has(url)
            ? violationsOf(audit, url).map(
                (v) => `${audit.id} ${url.replace(BALP_STRUCTURE_DEFINITION, '')} ${v}`,
              )
            : [`${audit.id} claims ${url}, which the guide does not define (or the rules do not encode)`],
        ),
    );
    expect(failures).toEqual([]);
  });

  it('an AuditEvent that claims no BALP profile could not meet the one for its interaction', () => {
    // A claim dropped that the record would have met is information lost, not truth kept.
    const unclaimed = audits.filter((a) => !(a.meta?.profile ?? []).some(isBalpProfile));
    for (const audit of unclaimed)
      expect({ id: audit.id, met: violationsOf(audit, profileFor(audit)).length === 0 }).toEqual({
        id: audit.id,
        met: false,
      });
  });
});
