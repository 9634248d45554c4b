import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding } from '@medplum/fhirtypes';

/**
 * The IHE Basic Audit Log Patterns (BALP) RESTful profiles, as the guide's FSH
 * states them (public repository IHE/ITI.BasicAudit, `input/fsh`, the R4
 * profiles: PatientRead.fsh, PatientQuery.fsh, PatientCreate.fsh,
 * PatientUpdate.fsh, PatientDelete.fsh, terms.fsh). Each rule carries the file
 * and line it encodes, and `violationsOf` names each rule an AuditEvent breaks.
 * The lines are those of the R4 files as read in December 2026 (Read and
 * Create with `#value` entity discriminators and BasicAuditEntityTypesVS,
 * Delete with client DCM#110150 and server custodian); the guide's R5 branch
 * (AuditEvent.category/code) is not encoded.
 *
 * Encoded: required slices and their cardinalities, fixed and pattern values,
 * required bindings, and elements a slice requires (1..1) or forbids (0..0).
 * Not encoded: MustSupport flags (no obligation on a resource instance) and
 * ^short texts.
 *
 * Slice membership follows the discriminators: agents are sliced by `type`
 * (a coding with the slice's system and code), entities by `type`. One reading
 * of ours: BALP's `user` slice is the requesting person (the slice fixes
 * requestor = true), so an agent outside the client and server slices that is
 * the requestor is taken as that slice and must carry its type; otherwise an
 * open slicing would let a requester of any type pass as an unsliced extra.
 */

/** Canonical URL of the guide (sushi-config.yaml) + `/StructureDefinition/` + each profile's `Id:`. */
export const BALP_STRUCTURE_DEFINITION = 'https://profiles.ihe.net/ITI/BALP/StructureDefinition/';

const SYSTEM = {
  auditEventType: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  outcome: 'http://terminology.hl7.org/CodeSystem/audit-event-outcome',
  restful: 'http://hl7.org/fhir/restful-interaction',
  // Aliases.fsh: DCM
  dcm: 'http://dicom.nema.org/resources/ontology/DCM',
  participation: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  provenanceParticipant: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
  entityType: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  objectRole: 'http://terminology.hl7.org/CodeSystem/object-role',
  // PatientRead.fsh:68 `entity[transaction].type.system`; Aliases.fsh: BasicAuditEntityType
  basicAuditEntityType: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType',
} as const;

const code = (system: string, value: string): Coding => ({ system, code: value });

/** PatientRead.fsh:112-119 ValueSet RestObjectRoles: Domain Resource, Report, Job. */
const REST_OBJECT_ROLES = ['4', '3', '20'].map((c) => code(SYSTEM.objectRole, c));
/** PatientCreate.fsh:103-109 ValueSet DataSources: Author, Informant, Custodian. */
const DATA_SOURCES = ['AUT', 'INF', 'CST'].map((c) => code(SYSTEM.participation, c));
/** terms.fsh:11,21 BasicAuditEntityTypesVS = every code of BasicAuditEntityType, which has one: XrequestId. */
const X_REQUEST_ID = code(SYSTEM.basicAuditEntityType, 'XrequestId');
const PATIENT_ENTITY = code(SYSTEM.entityType, '1');
const SYSTEM_OBJECT = code(SYSTEM.entityType, '2');

export interface BalpRule {
  /** The profile the rule belongs to (a child profile inherits its parent's rules). */
  profile: string;
  /** What the FSH says, in its own terms: `agent[client].network 1..1`. */
  rule: string;
  /** File and line in IHE/ITI.BasicAudit input/fsh. */
  source: string;
  /** Why an AuditEvent breaks it, or undefined when it keeps it. */
  broken(event: AuditEvent): string | undefined;
}

type Slice<T> = (event: AuditEvent) => T[];

const same = (a: Coding, b: Coding) => a.system === b.system && a.code === b.code;
const hasCoding = (codings: Coding[] | undefined, wanted: Coding) =>
  (codings ?? []).some((c) => same(c, wanted));
const inBinding = (codings: Coding[] | undefined, binding: Coding[]) =>
  binding.some((b) => hasCoding(codings, b));
const show = (c: Coding) => `${c.system}#${c.code}`;
const present = (value: unknown) =>
  value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
const count = (n: number, min: number, max: number | '*') =>
  n < min || (max !== '*' && n > max) ? `has ${n}, the profile allows ${min}..${max}` : undefined;

/** A rule's line, and the check that reads it. */
type Check = [rule: string, line: number | string, broken: BalpRule['broken']];

function cardinality<T>(slice: Slice<T>, min: number, max: number | '*'): BalpRule['broken'] {
  return (event) => count(slice(event).length, min, max);
}

/** Each member of a slice must have the element (n..1 in the FSH: 1..1, or 1.. on a single element). */
function required<T>(slice: Slice<T>, element: (member: T) => unknown): BalpRule['broken'] {
  return (event) => (slice(event).some((m) => !present(element(m))) ? 'a member lacks it' : undefined);
}

/** Each member of a slice must not have the element (0..0). */
function prohibited<T>(slice: Slice<T>, element: (member: T) => unknown): BalpRule['broken'] {
  return (event) => (slice(event).some((m) => present(element(m))) ? 'a member carries it' : undefined);
}

// ---------- the RESTful profiles ----------

interface RestFamily {
  /** The base profile's Id suffix (Read, Query, Create, Update, Delete). */
  name: string;
  file: string;
  action: string;
  subtype: Array<[rule: string, line: number, codes: string[], min: number, max: number]>;
  /** Delete: `subtype 1..1` (line), where the others have `subtype 1..`. */
  subtypeMax?: [line: number, max: number];
  /** Line of `outcome 1..`, in the families that require an outcome. */
  outcomeRequired?: number;
  client: Coding;
  server: Coding;
  /** The user slice's type: a fixed pattern (IRCP) or a required binding (DataSources). */
  user: { pattern: Coding } | { binding: Coding[]; name: string };
  /** Lines of the shared rules, in the order of `lines` below. */
  lines: Record<LineKey, number>;
  /** Delete.fsh forbids more of each agent and entity (`0..0`), by element and line. */
  agentForbids?: Record<'client' | 'server' | 'user', Array<[element: string, line: number]>>;
  entityForbids?: Record<'transaction' | 'data' | 'patient', Array<[element: string, line: number]>>;
  /** The query entity replaces the data entity in Query. */
  queryEntity?: boolean;
  patient: { name: string; lines: Record<PatientLineKey, number>; entityMin: number };
}

type LineKey =
  | 'type'
  | 'subtype'
  | 'action'
  | 'recorded'
  | 'outcome'
  | 'agent'
  | 'agentSlices'
  | 'clientType'
  | 'clientWho'
  | 'clientNetwork'
  | 'clientMedia'
  | 'serverType'
  | 'serverWho'
  | 'serverNetwork'
  | 'serverMedia'
  | 'userType'
  | 'userWho'
  | 'userRequestor'
  | 'userMedia'
  | 'userNetwork'
  | 'entity'
  | 'entitySlices'
  | 'transactionType'
  | 'transactionValue'
  | 'dataRole'
  | 'dataWhat';
type PatientLineKey = 'entity' | 'entitySlices' | 'type' | 'role' | 'what' | 'whatPatient';

/** An agent or entity, element by element: how a `0..0` on a named element is read. */
const fields = (member: object) => member as Record<string, unknown>;
const agentsOf = (e: AuditEvent) => e.agent ?? [];
const entitiesOf = (e: AuditEvent) => e.entity ?? [];

function restRules(f: RestFamily): BalpRule[] {
  const base = `IHE.BasicAudit.${f.name}`;
  const l = f.lines;
  const client: Slice<AuditEventAgent> = (e) =>
    agentsOf(e).filter((a) => hasCoding(a.type?.coding, f.client));
  const server: Slice<AuditEventAgent> = (e) =>
    agentsOf(e).filter((a) => hasCoding(a.type?.coding, f.server));
  const userTyped = (a: AuditEventAgent) =>
    'pattern' in f.user
      ? hasCoding(a.type?.coding, f.user.pattern)
      : inBinding(a.type?.coding, f.user.binding);
  const user: Slice<AuditEventAgent> = (e) =>
    agentsOf(e).filter(
      (a) =>
        !hasCoding(a.type?.coding, f.client) &&
        !hasCoding(a.type?.coding, f.server) &&
        (a.requestor === true || userTyped(a)),
    );
  const transaction: Slice<AuditEventEntity> = (e) =>
    entitiesOf(e).filter((x) => x.type?.system === SYSTEM.basicAuditEntityType);
  const systemObjects: Slice<AuditEventEntity> = (e) =>
    entitiesOf(e).filter((x) => x.type && same(x.type, SYSTEM_OBJECT));
  const data = f.queryEntity ? 'query' : 'data';
  const subtypes = (e: AuditEvent) => e.subtype ?? [];

  const checks: Check[] = [
    [
      `type = ${show(code(SYSTEM.auditEventType, 'rest'))}`,
      l.type,
      (e) => (e.type && same(e.type, code(SYSTEM.auditEventType, 'rest')) ? undefined : 'another type'),
    ],
    ['subtype 1..', l.subtype, (e) => count(subtypes(e).length, 1, '*')],
    ...f.subtype.map(([rule, line, codes, min, max]): Check => [
      rule,
      line,
      (e) =>
        count(
          subtypes(e).filter((s) => s.system === SYSTEM.restful && codes.includes(s.code ?? '')).length,
          min,
          max,
        ),
    ]),
    ...(f.subtypeMax
      ? [
          [
            `subtype 1..${f.subtypeMax[1]}`,
            f.subtypeMax[0],
            (e) => count(subtypes(e).length, 1, f.subtypeMax![1]),
          ] as Check,
        ]
      : []),
    [`action = #${f.action}`, l.action, (e) => (e.action === f.action ? undefined : `action is ${e.action}`)],
    ['recorded 1..1', l.recorded, (e) => (present(e.recorded) ? undefined : 'no recorded')],
    [
      'outcome = audit-event-outcome#0 (Success)',
      l.outcome,
      (e) => (e.outcome === undefined || e.outcome === '0' ? undefined : `outcome is ${e.outcome}`),
    ],
    ...(f.outcomeRequired
      ? [['outcome 1..', f.outcomeRequired, (e) => (present(e.outcome) ? undefined : 'no outcome')] as Check]
      : []),
    ['agent 2..', l.agent, (e) => count(agentsOf(e).length, 2, '*')],
    [
      `agent[client] 1..1 (type = ${show(f.client)})`,
      `${l.agentSlices},${l.clientType}`,
      cardinality(client, 1, 1),
    ],
    [
      `agent[server] 1..1 (type = ${show(f.server)})`,
      `${l.agentSlices},${l.serverType}`,
      cardinality(server, 1, 1),
    ],
    ['agent[user] 0..1', l.agentSlices, cardinality(user, 0, 1)],
    ['agent[client].who 1..1', l.clientWho, required(client, (a) => a.who)],
    ['agent[client].network 1..1', l.clientNetwork, required(client, (a) => a.network)],
    ['agent[client].media 0..0', l.clientMedia, prohibited(client, (a) => a.media)],
    ['agent[server].who 1..1', l.serverWho, required(server, (a) => a.who)],
    ['agent[server].network 1..1', l.serverNetwork, required(server, (a) => a.network)],
    ['agent[server].media 0..0', l.serverMedia, prohibited(server, (a) => a.media)],
    [
      'pattern' in f.user
        ? `agent[user].type = ${show(f.user.pattern)}`
        : `agent[user].type from ${f.user.name} (required)`,
      l.userType,
      (e) => (user(e).every(userTyped) ? undefined : 'the requesting user has another type'),
    ],
    ['agent[user].who 1..1', l.userWho, required(user, (a) => a.who)],
    [
      'agent[user].requestor = true',
      l.userRequestor,
      (e) => (user(e).every((a) => a.requestor === true) ? undefined : 'requestor is not true'),
    ],
    ['agent[user].media 0..0', l.userMedia, prohibited(user, (a) => a.media)],
    ['agent[user].network 0..0', l.userNetwork, prohibited(user, (a) => a.network)],
    ...(['client', 'server', 'user'] as const).flatMap((slice) =>
      (f.agentForbids?.[slice] ?? []).map(([element, line]): Check => [
        `agent[${slice}].${element} 0..0`,
        line,
        prohibited({ client, server, user }[slice], (a) => fields(a)[element]),
      ]),
    ),
    ['entity 1..', l.entity, (e) => count(entitiesOf(e).length, 1, '*')],
    ['entity[transaction] 0..1', l.entitySlices, cardinality(transaction, 0, 1)],
    [
      `entity[transaction].type = ${show(X_REQUEST_ID)}`,
      l.transactionType,
      (e) => (transaction(e).every((x) => same(x.type!, X_REQUEST_ID)) ? undefined : 'another code'),
    ],
    [
      'entity[transaction].what.identifier.value 1..1',
      l.transactionValue,
      required(transaction, (x) => x.what?.identifier?.value),
    ],
    [
      `entity[${data}] 1..1 (type = ${show(SYSTEM_OBJECT)})`,
      l.entitySlices,
      cardinality(systemObjects, 1, 1),
    ],
    ...(f.queryEntity
      ? queryEntityChecks(systemObjects)
      : ([
          [
            'entity[data].role from RestObjectRoles (required)',
            l.dataRole,
            (e) =>
              systemObjects(e).every((x) => !x.role || REST_OBJECT_ROLES.some((r) => same(x.role!, r)))
                ? undefined
                : 'a role outside RestObjectRoles',
          ],
          ['entity[data].what 1..1', l.dataWhat, required(systemObjects, (x) => x.what)],
        ] as Check[])),
    ...(['transaction', 'data'] as const).flatMap((slice) =>
      (f.entityForbids?.[slice] ?? []).map(([element, line]): Check => [
        `entity[${slice}].${element} 0..0`,
        line,
        prohibited(slice === 'data' ? systemObjects : transaction, (x) => fields(x)[element]),
      ]),
    ),
  ];
  if (f.name === 'Create')
    // PatientCreate.fsh:68: the Create family alone makes the data entity's role required.
    checks.push(['entity[data].role 1..', 68, required(systemObjects, (x) => x.role)]);

  const rules = checks.map(([rule, line, broken]) => ({
    profile: base,
    rule,
    source: `${f.file}:${line}`,
    broken,
  }));

  const p = f.patient.lines;
  const patients: Slice<AuditEventEntity> = (e) =>
    entitiesOf(e).filter((x) => x.type && same(x.type, PATIENT_ENTITY));
  const patientChecks: Check[] = [
    [
      `entity ${f.patient.entityMin}..`,
      p.entity,
      (e) => count(entitiesOf(e).length, f.patient.entityMin, '*'),
    ],
    [
      `entity[patient] 1..1 (type = ${show(PATIENT_ENTITY)})`,
      `${p.entitySlices},${p.type}`,
      cardinality(patients, 1, 1),
    ],
    [
      `entity[patient].role = ${show(code(SYSTEM.objectRole, '1'))}, required`,
      p.role,
      (e) =>
        patients(e).every((x) => x.role && same(x.role, code(SYSTEM.objectRole, '1')))
          ? undefined
          : 'a patient entity without role Patient',
    ],
    ['entity[patient].what 1..1', p.what, required(patients, (x) => x.what)],
    [
      'entity[patient].what only Reference(Patient)',
      p.whatPatient,
      (e) =>
        patients(e).every((x) => !x.what || referencesPatient(x.what))
          ? undefined
          : 'what does not say it is a Patient (no Patient/ reference, no type Patient)',
    ],
    ...(f.entityForbids?.patient ?? []).map(([element, line]): Check => [
      `entity[patient].${element} 0..0`,
      line,
      prohibited(patients, (x) => fields(x)[element]),
    ]),
  ];
  const patientProfile = `IHE.BasicAudit.${f.patient.name}`;
  return [
    ...rules,
    ...rules.map((r) => ({ ...r, profile: patientProfile })),
    ...patientChecks.map(([rule, line, broken]) => ({
      profile: patientProfile,
      rule,
      source: `${f.file}:${line}`,
      broken,
    })),
  ];

  function queryEntityChecks(query: Slice<AuditEventEntity>): Check[] {
    return [
      [
        `entity[query].role = ${show(code(SYSTEM.objectRole, '24'))}, required`,
        l.dataRole,
        (e) =>
          query(e).every((x) => x.role && same(x.role, code(SYSTEM.objectRole, '24')))
            ? undefined
            : 'a query entity without role Query',
      ],
      ['entity[query].what 0..0', l.dataWhat, prohibited(query, (x) => x.what)],
      // PatientQuery.fsh:81,84,85
      ['entity[query].lifecycle 0..0', 81, prohibited(query, (x) => x.lifecycle)],
      ['entity[query].query 1..1', 84, required(query, (x) => x.query)],
      ['entity[query].detail 0..0', 85, prohibited(query, (x) => x.detail)],
    ];
  }
}

/** Reference(Patient): a literal reference to a Patient, or a logical one typed Patient. */
function referencesPatient(what: NonNullable<AuditEventEntity['what']>): boolean {
  return /(^|\/)Patient\/[^/]+(\/_history\/[^/]+)?$/.test(what.reference ?? '') || what.type === 'Patient';
}

/**
 * A file's lines: those given in order (type, subtype, action, recorded,
 * outcome, the transaction entity's type and value, the data or query
 * entity's role and what), and the agent and entity blocks from where they
 * start; the agent block runs the same in Read, Query, Create and Update:
 * slices, client (type, who, network, media), server, user.
 */
const restLines = (
  [type, subtype, action, recorded, outcome, transactionType, transactionValue, dataRole, dataWhat]: number[],
  agentFrom: number,
  entityFrom: number,
): Record<LineKey, number> => ({
  type,
  subtype,
  action,
  recorded,
  outcome,
  transactionType,
  transactionValue,
  dataRole,
  dataWhat,
  agent: agentFrom,
  agentSlices: agentFrom + 1,
  clientType: agentFrom + 5,
  clientWho: agentFrom + 6,
  clientNetwork: agentFrom + 7,
  clientMedia: agentFrom + 8,
  serverType: agentFrom + 9,
  serverWho: agentFrom + 10,
  serverNetwork: agentFrom + 11,
  serverMedia: agentFrom + 12,
  userType: agentFrom + 13,
  userWho: agentFrom + 14,
  userRequestor: agentFrom + 15,
  userMedia: agentFrom + 18,
  userNetwork: agentFrom + 19,
  entity: entityFrom,
  entitySlices: entityFrom + 1,
});

/** Read: the data flows from the server, so DICOM names the server the source and the client the destination. */
const DATA_FROM_SERVER = { client: code(SYSTEM.dcm, '110152'), server: code(SYSTEM.dcm, '110153') };
/** Query, Create, Update: the request flows from the client, the source, to the server, the destination. */
const REQUEST_FROM_CLIENT = { client: code(SYSTEM.dcm, '110153'), server: code(SYSTEM.dcm, '110152') };

/** A patient profile's lines, in order: entity n.., the slice, its type, role, what, what only Reference(Patient). */
const patientLines = ([entity, entitySlices, type, role, what, whatPatient]: number[]) => ({
  entity,
  entitySlices,
  type,
  role,
  what,
  whatPatient,
});

const FAMILIES: RestFamily[] = [
  {
    name: 'Read',
    file: 'PatientRead.fsh',
    action: 'R',
    subtype: [['subtype[anyRead] 1..1 from AllReadVS (read, vread)', 29, ['read', 'vread'], 1, 1]],
    outcomeRequired: 35,
    ...DATA_FROM_SERVER,
    user: { pattern: code(SYSTEM.participation, 'IRCP') },
    lines: restLines([24, 28, 31, 32, 34, 69, 70, 73, 74], 39, 64),
    patient: {
      name: 'PatientRead',
      entityMin: 2,
      lines: patientLines([100, 101, 103, 104, 106, 107]),
    },
  },
  {
    name: 'Query',
    file: 'PatientQuery.fsh',
    action: 'E',
    subtype: [
      ['subtype[anySearch] 0..1 (search)', 33, ['search'], 0, 1],
      ['subtype[anySearchT] 0..1 (search-type)', 33, ['search-type'], 0, 1],
      ['subtype[anySearchS] 0..1 (search-system)', 33, ['search-system'], 0, 1],
    ],
    outcomeRequired: 41,
    ...REQUEST_FROM_CLIENT,
    user: { pattern: code(SYSTEM.participation, 'IRCP') },
    queryEntity: true,
    lines: restLines([28, 32, 37, 38, 40, 74, 75, 78, 80], 45, 70),
    patient: {
      name: 'PatientQuery',
      entityMin: 1,
      lines: patientLines([114, 115, 117, 118, 120, 121]),
    },
  },
  {
    name: 'Create',
    file: 'PatientCreate.fsh',
    action: 'C',
    subtype: [['subtype[anyCreate] 1..1 (create)', 23, ['create'], 1, 1]],
    outcomeRequired: 29,
    ...REQUEST_FROM_CLIENT,
    user: { binding: DATA_SOURCES, name: 'DataSources' },
    lines: restLines([18, 22, 25, 26, 28, 63, 64, 67, 69], 33, 58),
    patient: {
      name: 'PatientCreate',
      entityMin: 2,
      lines: patientLines([91, 92, 94, 95, 97, 98]),
    },
  },
  {
    name: 'Update',
    file: 'PatientUpdate.fsh',
    action: 'U',
    subtype: [
      ['subtype[anyUpdate] 0..1 (update)', 23, ['update'], 0, 1],
      ['subtype[anyPatch] 0..1 (patch)', 23, ['patch'], 0, 1],
    ],
    ...REQUEST_FROM_CLIENT,
    user: { binding: DATA_SOURCES, name: 'DataSources' },
    lines: restLines([18, 22, 26, 27, 29, 62, 63, 66, 67], 33, 58),
    patient: {
      name: 'PatientUpdate',
      entityMin: 2,
      lines: patientLines([91, 92, 94, 95, 96, 97]),
    },
  },
  {
    name: 'Delete',
    file: 'PatientDelete.fsh',
    action: 'D',
    subtype: [['subtype = delete', 17, ['delete'], 1, 1]],
    subtypeMax: [16, 1],
    client: code(SYSTEM.dcm, '110150'),
    server: code(SYSTEM.provenanceParticipant, 'custodian'),
    user: { binding: DATA_SOURCES, name: 'DataSources' },
    lines: {
      ...restLines([15, 16, 18, 19, 21, 69, 70, 78, 79], 25, 65),
      // Delete.fsh lists seven forbidden elements per device agent, so its user block starts later.
      clientType: 30,
      clientWho: 31,
      clientNetwork: 32,
      clientMedia: 38,
      serverType: 40,
      serverWho: 41,
      serverNetwork: 42,
      serverMedia: 48,
      userType: 50,
      userWho: 51,
      userRequestor: 52,
      userMedia: 58,
      userNetwork: 59,
    },
    agentForbids: {
      client: [
        ['role', 33],
        ['altId', 34],
        ['name', 35],
        ['location', 36],
        ['policy', 37],
        ['purposeOfUse', 39],
      ],
      server: [
        ['role', 43],
        ['altId', 44],
        ['name', 45],
        ['location', 46],
        ['policy', 47],
        ['purposeOfUse', 49],
      ],
      user: [
        ['altId', 54],
        ['location', 56],
        ['policy', 57],
      ],
    },
    entityForbids: {
      transaction: [
        ['lifecycle', 72],
        ['securityLabel', 73],
        ['name', 74],
        ['query', 75],
        ['detail', 76],
      ],
      data: [
        ['lifecycle', 80],
        ['name', 82],
        ['query', 83],
        ['detail', 84],
      ],
      patient: [
        ['lifecycle', 112],
        ['securityLabel', 113],
        ['name', 114],
        ['query', 115],
        ['detail', 116],
      ],
    },
    patient: {
      name: 'PatientDelete',
      entityMin: 2,
      lines: patientLines([105, 106, 108, 109, 110, 111]),
    },
  },
];

/** Every rule of every BALP RESTful profile, keyed by the profile's canonical URL. */
export const BALP_RULES: ReadonlyMap<string, readonly BalpRule[]> = (() => {
  const byProfile = new Map<string, BalpRule[]>();
  for (const rule of FAMILIES.flatMap(restRules)) {
    const url = `${BALP_STRUCTURE_DEFINITION}${rule.profile}`;
    byProfile.set(url, [...(byProfile.get(url) ?? []), rule]);
  }
  return byProfile;
})();

/** Whether a profile URL is one of the guide's (a claim this module must be able to check). */
export const isBalpProfile = (url: string) => url.startsWith('https://profiles.ihe.net/ITI/BALP/');

/**
 * The rules of `profileUrl` the AuditEvent breaks, each as
 * `<file:line> <rule>: <why>`. An empty list: it satisfies the profile.
 * Throws for a BALP URL this module does not encode, so a claim to an
 * unknown profile cannot pass unchecked.
 */
export function violationsOf(event: AuditEvent, profileUrl: string): string[] {
  const rules = BALP_RULES.get(profileUrl);
  if (!rules) throw new Error(`no rules encoded for ${profileUrl}`);
  return rules.flatMap((r) => {
    const why = r.broken(event);
    return why === undefined ? [] : [`${r.source} ${r.rule}: ${why}`];
  });
}
