import type { AuditEvent } from '@medplum/fhirtypes';
import { BALP_RULES, BALP_STRUCTURE_DEFINITION, violationsOf } from './balp-profile-rules';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';

/**
 * One AuditEvent per RESTful family that meets its profile, written from the
 * guide's examples (client and server devices with network addresses, the user
 * as requestor, an X-Request-Id entity, the data or query entity), not from
 * the rules module, so a wrongly encoded rule shows as a failing conforming event.
 */
const FAMILY = {
  Read: { action: 'R', subtype: 'read', client: [DCM, '110152'], server: [DCM, '110153'], user: 'IRCP' },
  Query: { action: 'E', subtype: 'search', client: [DCM, '110153'], server: [DCM, '110152'], user: 'IRCP' },
  Create: { action: 'C', subtype: 'create', client: [DCM, '110153'], server: [DCM, '110152'], user: 'AUT' },
  Update: { action: 'U', subtype: 'update', client: [DCM, '110153'], server: [DCM, '110152'], user: 'INF' },
  Delete: {
    action: 'D',
    subtype: 'delete',
    client: [DCM, '110150'],
    server: ['http://terminology.hl7.org/CodeSystem/provenance-participant-type', 'custodian'],
    user: 'CST',
  },
} as const;

function conforming(family: keyof typeof FAMILY, withPatient: boolean): AuditEvent {
  const f = FAMILY[family];
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: f.subtype }],
    action: f.action,
    recorded: '2026-12-06T10:00:00Z',
    outcome: '0',
    agent: [
      {
        type: { coding: [{ system: f.client[0], code: f.client[1] }] },
        who: { identifier: { value: 'app-1' } },
        requestor: false,
        network: { address: '10.0.0.7', type: '2' },
      },
      {
        type: { coding: [{ system: f.server[0], code: f.server[1] }] },
        who: { display: 'fhir.example.org' },
        requestor: false,
        network: { address: 'fhir.example.org', type: '1' },
      },
      {
        type: { coding: [{ system: PARTICIPATION, code: f.user }] },
        who: { identifier: { value: 'dr.lee' } },
        requestor: true,
      },
    ],
    source: { observer: { display: 'fhir.example.org' } },
    entity: [
      {
        type: {
          system: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType',
          code: 'XrequestId',
        },
        what: { identifier: { value: 'req-42' } },
      },
      family === 'Query'
        ? {
            type: { system: ENTITY_TYPE, code: '2' },
            role: { system: OBJECT_ROLE, code: '24' },
            query: Buffer.from('GET https://fhir.example.org/Observation?patient=Patient/ex').toString(
              'base64',
            ),
          }
        : {
            type: { system: ENTITY_TYPE, code: '2' },
            role: { system: OBJECT_ROLE, code: '4' },
            what: { reference: 'Observation/obs-1' },
          },
      ...(withPatient
        ? [
            {
              type: { system: ENTITY_TYPE, code: '1' },
              role: { system: OBJECT_ROLE, code: '1' },
              what: { reference: 'Patient/ex' },
            },
          ]
        : []),
    ],
  };
}

/** An agent or entity, element by element. */
const fields = (member: object) => member as Record<string, unknown>;

type Mutation = [name: string, change: (event: AuditEvent) => void];

/** A value for each element some slice forbids (0..0), so setting it breaks that rule. */
const SAMPLE: Record<string, unknown> = {
  role: [{ text: 'x' }],
  altId: 'x',
  name: 'x',
  location: { reference: 'Location/1' },
  policy: ['urn:x'],
  purposeOfUse: [{ text: 'x' }],
  media: { code: 'x' },
  network: { address: '10.0.0.8' },
  lifecycle: { code: 'x' },
  securityLabel: [{ code: 'x' }],
  query: 'eA==',
  detail: [{ type: 'x', valueString: 'y' }],
  what: { reference: 'Observation/2' },
};

/**
 * Generic mutations: every element set or removed on every agent and entity,
 * each member dropped or doubled, each top-level element removed or changed.
 * No mutation knows which rule it is for.
 */
function mutations(event: AuditEvent): Mutation[] {
  const agents = event.agent.length;
  const entities = event.entity?.length ?? 0;
  const out: Mutation[] = [
    ['type changed', (e) => (e.type = { ...e.type, code: 'rest-other' })],
    ['subtype removed', (e) => delete e.subtype],
    ['subtype doubled', (e) => (e.subtype = [...e.subtype!, ...e.subtype!])],
    [
      'subtype replaced',
      (e) => (e.subtype = [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'history-instance' }]),
    ],
    [
      'every interaction named twice',
      (e) =>
        (e.subtype = [
          'read',
          'vread',
          'search',
          'search-type',
          'search-system',
          'create',
          'update',
          'patch',
          'delete',
        ]
          .flatMap((code) => [code, code])
          .map((code) => ({ system: 'http://hl7.org/fhir/restful-interaction', code }))),
    ],
    ['action changed', (e) => (e.action = e.action === 'R' ? 'C' : 'R')],
    ['recorded removed', (e) => delete (e as Partial<AuditEvent>).recorded],
    ['outcome failure', (e) => (e.outcome = '4')],
    ['outcome removed', (e) => delete e.outcome],
    ['agents cut to one', (e) => (e.agent = e.agent.slice(0, 1))],
    ['entities removed', (e) => delete e.entity],
    ['entities cut to one', (e) => (e.entity = e.entity!.slice(-1))],
  ];
  for (let i = 0; i < agents; i++) {
    out.push([`agent ${i} dropped`, (e) => e.agent.splice(i, 1)]);
    out.push([`agent ${i} doubled`, (e) => e.agent.push(structuredClone(e.agent[i]))]);
    out.push([`agent ${i} requestor false`, (e) => (e.agent[i].requestor = false)]);
    out.push([
      `agent ${i} typed PPRF`,
      (e) => (e.agent[i].type = { coding: [{ system: PARTICIPATION, code: 'PPRF' }] }),
    ]);
    for (const element of ['who', 'network'])
      out.push([`agent ${i} ${element} removed`, (e) => delete fields(e.agent[i])[element]]);
    for (const [element, value] of Object.entries(SAMPLE))
      out.push([`agent ${i} ${element} set`, (e) => (fields(e.agent[i])[element] = value)]);
  }
  for (let i = 0; i < entities; i++) {
    out.push([`entity ${i} dropped`, (e) => e.entity!.splice(i, 1)]);
    out.push([`entity ${i} doubled`, (e) => e.entity!.push(structuredClone(e.entity![i]))]);
    out.push([
      `entity ${i} type code changed`,
      (e) => (e.entity![i].type = { ...e.entity![i].type, code: 'other' }),
    ]);
    out.push([`entity ${i} role Query`, (e) => (e.entity![i].role = { system: OBJECT_ROLE, code: '24' })]);
    out.push([
      `entity ${i} role Domain Resource`,
      (e) => (e.entity![i].role = { system: OBJECT_ROLE, code: '4' }),
    ]);
    out.push([
      `entity ${i} what by identifier only`,
      (e) => (e.entity![i].what = { identifier: { value: 'x' } }),
    ]);
    for (const element of ['what', 'role', 'query'])
      out.push([`entity ${i} ${element} removed`, (e) => delete fields(e.entity![i])[element]]);
    for (const [element, value] of Object.entries(SAMPLE))
      out.push([`entity ${i} ${element} set`, (e) => (fields(e.entity![i])[element] = value)]);
  }
  return out;
}

describe('BALP profile rules, encoded from the guide FSH', () => {
  const cases = Object.keys(FAMILY).flatMap((family) =>
    [false, true].map((withPatient) => ({
      family: family as keyof typeof FAMILY,
      withPatient,
      url: `${BALP_STRUCTURE_DEFINITION}IHE.BasicAudit.${withPatient ? 'Patient' : ''}${family}`,
    })),
  );

  it('encodes the ten RESTful profiles, each rule citing an FSH file and line', () => {
    expect([...BALP_RULES.keys()].sort()).toEqual(cases.map((c) => c.url).sort());
    for (const rules of BALP_RULES.values())
      for (const rule of rules)
        expect(rule.source).toMatch(/^Patient(Read|Query|Create|Update|Delete)\.fsh:\d+(,\d+)?$/);
  });

  it.each(cases)('an AuditEvent shaped as the guide shows meets $url', ({ family, withPatient, url }) => {
    expect(violationsOf(conforming(family, withPatient), url)).toEqual([]);
  });

  it.each(cases)(
    'every rule of $url fails on some mutation of a conforming event, naming itself',
    ({ family, withPatient, url }) => {
      const unbroken: string[] = [];
      for (const rule of BALP_RULES.get(url)!) {
        const breaking = mutations(conforming(family, withPatient)).find(([, change]) => {
          const event = conforming(family, withPatient);
          change(event);
          return violationsOf(event, url).some((v) => v.startsWith(`${rule.source} ${rule.rule}:`));
        });
        if (!breaking) unbroken.push(`${rule.source} ${rule.rule}`);
      }
      expect(unbroken).toEqual([]);
    },
  );

  it('names the rules an event like the ledger export of a34ff65 breaks', () => {
    // One requesting agent typed IRCP, no client or server, no query entity: what the issue found.
    const exported: AuditEvent = {
      resourceType: 'AuditEvent',
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
      subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'create' }],
      action: 'C',
      recorded: '2026-12-06T10:00:00Z',
      outcome: '0',
      agent: [
        {
          type: { coding: [{ system: PARTICIPATION, code: 'IRCP' }] },
          who: { identifier: { value: 'dr.lee' } },
          requestor: true,
        },
      ],
      source: { observer: { display: 'ehr' } },
      entity: [
        {
          type: { system: ENTITY_TYPE, code: '1' },
          role: { system: OBJECT_ROLE, code: '1' },
          what: { identifier: { system: 'urn:govledger:patient-pseudonym:t', value: 'ab' } },
        },
        {
          type: { system: ENTITY_TYPE, code: '2' },
          role: { system: OBJECT_ROLE, code: '4' },
          what: { reference: 'Observation/1' },
        },
      ],
    };
    const rules = (event: AuditEvent, profile: string) =>
      violationsOf(event, `${BALP_STRUCTURE_DEFINITION}IHE.BasicAudit.${profile}`).map((v) =>
        v.replace(/:[^:]*$/, ''),
      );
    expect(rules(exported, 'PatientCreate')).toEqual([
      'PatientCreate.fsh:33 agent 2..',
      'PatientCreate.fsh:34,38 agent[client] 1..1 (type = http://dicom.nema.org/resources/ontology/DCM#110153)',
      'PatientCreate.fsh:34,42 agent[server] 1..1 (type = http://dicom.nema.org/resources/ontology/DCM#110152)',
      'PatientCreate.fsh:46 agent[user].type from DataSources (required)',
      'PatientCreate.fsh:98 entity[patient].what only Reference(Patient)',
    ]);
    const query: AuditEvent = {
      ...exported,
      action: 'E',
      subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'search' }],
    };
    // The data entity is the one System Object, so it is read as the query slice, which it cannot be.
    expect(rules(query, 'PatientQuery')).toEqual([
      'PatientQuery.fsh:45 agent 2..',
      'PatientQuery.fsh:46,50 agent[client] 1..1 (type = http://dicom.nema.org/resources/ontology/DCM#110153)',
      'PatientQuery.fsh:46,54 agent[server] 1..1 (type = http://dicom.nema.org/resources/ontology/DCM#110152)',
      'PatientQuery.fsh:78 entity[query].role = http://terminology.hl7.org/CodeSystem/object-role#24, required',
      'PatientQuery.fsh:80 entity[query].what 0..0',
      'PatientQuery.fsh:84 entity[query].query 1..1',
      'PatientQuery.fsh:121 entity[patient].what only Reference(Patient)',
    ]);
  });

  it('refuses to check a BALP profile it does not encode', () => {
    expect(() =>
      violationsOf(
        conforming('Read', false),
        `${BALP_STRUCTURE_DEFINITION}IHE.BasicAudit.SAMLaccessTokenUse`,
      ),
    ).toThrow(/no rules encoded/);
  });
});
