/**
 * schema/events/<Type>.v<N>.schema.json is generated from the TypeBox
 * schemas in libs/domain, the one source of truth. After changing an event,
 * regenerate the files with:
 *
 *   UPDATE_EVENT_SCHEMAS=1 npx jest libs/domain/src/events && npx prettier --write schema/events
 *
 * Prettier formats the tree, these files included, so they are compared as
 * JSON, not as text.
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { recordDataAccess } from '../data-access/record-data-access';
import { recordAiOutput, recordClinicianResponse, recordOutcome } from '../clinical-use/record-clinical-use';
import { evolveRegistryHistory, flagOutput, initialRegistryHistory } from '../clinical-use/output-findings';
import {
  recordAccessDenied,
  recordDataAccessExport,
  recordPatientLookup,
} from '../ledger-audit/record-ledger-audit';
import { decideErasure } from '../erasure/decide-erasure';
import { recordEvidenceExport } from '../evidence/record-evidence-export';
import { datasetDecider } from '../dataset/dataset';
import type { DatasetCommand } from '../dataset/commands';
import type { DatasetEvent } from '../dataset/events';
import { stateFrom } from '../shared/decider';
import { legalHoldsDecider, type LegalHoldCommand } from '../legal-hold/legal-hold';
import type { LegalHoldEvent } from '../legal-hold/events';
import {
  HOLDERS,
  VALIDATOR,
  cmd,
  computedValue,
  day,
  meta,
  run,
  upgraded,
} from '../testing/ai-system-fixtures';
import {
  EVENT_SCHEMAS,
  EVENT_TYPES,
  eventSchemaFileName,
  eventSchemaFiles,
  type DomainEvent,
  type EventType,
} from './event-schemas';
import { problemsOf, validateEventData } from './validate-event-data';

const SCHEMA_DIR = resolve(__dirname, '../../../../schema/events');
const REGENERATE =
  'UPDATE_EVENT_SCHEMAS=1 npx jest libs/domain/src/events && npx prettier --write schema/events';

if (process.env.UPDATE_EVENT_SCHEMAS) {
  for (const stale of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json')))
    rmSync(join(SCHEMA_DIR, stale));
  for (const { fileName, content } of eventSchemaFiles()) writeFileSync(join(SCHEMA_DIR, fileName), content);
}

const committed = (fileName: string): unknown => {
  try {
    return JSON.parse(readFileSync(join(SCHEMA_DIR, fileName), 'utf8'));
  } catch {
    return undefined;
  }
};

describe('schema/events: one published schema per event type and version', () => {
  it.each(eventSchemaFiles().map((f) => [f.fileName, f.content]))(
    '%s is committed and generated from the domain',
    (fileName, content) => {
      const file = committed(fileName);
      if (!isDeepStrictEqual(file, JSON.parse(content)))
        throw new Error(
          `schema/events/${fileName} is ${file === undefined ? 'missing' : 'out of date'}; regenerate with: ${REGENERATE}`,
        );
    },
  );

  it('holds no schema for an event type or version the domain does not emit', () => {
    const expected = new Set(eventSchemaFiles().map((f) => f.fileName));
    const stray = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json') && !expected.has(f));
    expect({ stray, fix: REGENERATE }).toEqual({ stray: [], fix: REGENERATE });
  });
});

/** A history touching every event type, produced by the real deciders: what the ledger would actually store. */
function emittedByTheDomain(): DomainEvent[] {
  const authority = HOLDERS.TAKEDOWN_AUTHORITY;
  const systems = [
    ...run([cmd.register({ systemId: 'vendor-cxr', supplier: 'vendor', vendorName: 'Acme Clinical AI' })]),
    ...run(
      [
        cmd.plan({ meta: meta(HOLDERS.MODEL_PERFORMANCE_OWNER, day(6)) }),
        cmd.signal(0.85),
        cmd.signal(0.71, { kind: 'bias', subgroup: 'female' }),
        cmd.computedPlan({ meta: meta(HOLDERS.MODEL_PERFORMANCE_OWNER, day(6)) }),
        cmd.computed([computedValue(0.42, 900), computedValue(0.35, 150, 'ageBand=80+')]),
        cmd.reportIncident({ version: '2.0.0' }),
        cmd.updateIncident(),
        cmd.notifyIncident(),
        cmd.takedown('rollback', {
          toVersion: '1.0.0',
          emergency: true,
          meta: meta(HOLDERS.SECURITY_OFFICER, day(12)),
        }),
        cmd.ratify('td-rollback'),
        cmd.takedown('suspend', { meta: meta(authority, day(14)) }),
        cmd.validate('1.0.0', { validationId: 'after', meta: meta(VALIDATOR, day(15)) }),
        cmd.reinstate({ meta: meta(authority, day(16)) }),
        cmd.closeIncident(),
        cmd.revoke(`DATA_STEWARD-${HOLDERS.DATA_STEWARD}`, { meta: meta('gov.admin', day(21)) }),
        cmd.audit({ auditId: 'audit-clean', findings: [] }),
        cmd.audit({ meta: meta('auditor.ann', day(31)) }),
        cmd.resolveFinding({ meta: meta(HOLDERS.MODEL_PERFORMANCE_OWNER, day(32)) }),
        cmd.verifyClosure({ meta: meta('auditor.ann', day(33)) }),
        cmd.accessPolicy({ reviewEveryDays: 30, meta: meta('gov.admin', day(33)) }),
        cmd.accessReview({ meta: meta(HOLDERS.SECURITY_OFFICER, day(34)) }),
        cmd.takedown('retire', { meta: meta(authority, day(40)) }),
      ],
      upgraded(),
    ),
  ];
  const datasetCommands: DatasetCommand[] = [
    {
      type: 'RegisterDataset',
      datasetId: 'icu-2019',
      name: 'ICU 2019',
      classification: 'de-identified',
      legalBasis: 'GDPR Art. 9(2)(h)',
      steward: 'steward.sue',
      source: 'EHR extract',
      retentionPeriod: 'P10Y',
      meta: meta('gov.admin'),
    },
    { type: 'ApproveDataset', datasetId: 'icu-2019', purpose: 'model-training', meta: meta('irb.ida') },
    {
      type: 'GrantDatasetAccess',
      datasetId: 'icu-2019',
      grantId: 'g-1',
      principal: 'dev.dan',
      purpose: 'model-training',
      expiresAt: day(90),
      meta: meta('steward.sue'),
    },
    {
      type: 'RevokeDatasetAccess',
      datasetId: 'icu-2019',
      grantId: 'g-1',
      reason: 'Project ended',
      meta: meta('steward.sue', day(5)),
    },
    {
      type: 'RecordDatasetAccessPolicy',
      datasetId: 'icu-2019',
      documentRef: 'policies/icu-2019.pdf',
      reviewEveryDays: 90,
      meta: meta('steward.sue', day(5)),
    },
    {
      type: 'RecordDatasetAccessLogReview',
      datasetId: 'icu-2019',
      periodFrom: day(0),
      periodTo: day(5),
      outcome: 'no_issues',
      note: 'Every read matched a grant',
      meta: meta('sec.sam', day(6)),
    },
  ];
  const datasets = datasetCommands.reduce<DatasetEvent[]>(
    (events, c) => [...events, ...datasetDecider.decide(c, stateFrom(datasetDecider, events))],
    [],
  );
  const access = recordDataAccess({
    actor: 'dr.ada',
    datasetId: 'icu-2019',
    patientPseudonym: 'ab'.repeat(32),
    action: 'R',
    purposeOfUse: 'TREAT',
    outcome: 'success',
    sourceService: 'ehr-gateway',
  });
  const selfAudit = [
    recordAccessDenied({
      principal: 'svc.x',
      role: 'emitter',
      operation: 'Mutation.deployModelVersion',
      reason: 'emitter may not call deployModelVersion',
      status: 403,
      count: 1,
      firstAt: day(0),
      lastAt: day(0),
    }),
    recordAccessDenied({
      address: '203.0.113.9',
      operation: 'POST /v1/events',
      reason: 'no bearer token',
      status: 401,
      count: 4000,
      firstAt: day(0),
      lastAt: day(0),
    }),
    recordPatientLookup({
      actor: 'auditor.amy',
      role: 'auditor',
      patientPseudonym: 'cd'.repeat(32),
      operation: 'Query.dataAccess',
      purposeOfUse: 'AUDIT',
    }),
    recordDataAccessExport({
      actor: 'auditor.amy',
      role: 'auditor',
      operation: 'graphql exportDataAccessCsv',
      filter: '{"violationsOnly":true}',
      rowCount: 12,
      csvSha256: 'ab'.repeat(32),
    }),
  ];
  const exported = recordEvidenceExport({
    systemId: 'sepsis-watch',
    exportId: 'c0a8e7b2-5d4f-4e1a-9b3c-2f6d8e0a1b4c',
    from: day(0),
    treeSize: 120,
    eventCount: 87,
    manifestSha256: 'ef'.repeat(32),
    exportedBy: 'auditor.amy',
    recipient: 'Notified body 0123',
  });
  const output = recordAiOutput({
    outputId: 'out-1',
    systemId: 'sepsis-watch',
    modelVersion: '9.9.9',
    site: 'north',
    patientPseudonym: 'ab'.repeat(32),
    inputDigest: '12'.repeat(32),
    score: 0.82,
    threshold: 0.6,
    alerted: true,
    ageBand: '80+',
    sex: 'female',
    sourceService: 'sepsis-scorer',
  });
  const flagged = flagOutput(
    { data: output.data, occurredAt: day(20), outputEventId: 'c0a8e7b2-5d4f-4e1a-9b3c-2f6d8e0a1b4c' },
    systems.reduce(evolveRegistryHistory, initialRegistryHistory()),
    day(20),
  )!.event;
  const clinicalUse = [
    output,
    flagged,
    recordClinicianResponse({
      outputId: 'out-1',
      systemId: 'sepsis-watch',
      response: 'overridden',
      reasonCode: 'clinical-judgement',
      actor: 'dr.ada',
      respondedAt: day(20),
      sourceService: 'sepsis-scorer',
    }),
    recordOutcome({
      outputId: 'out-1',
      systemId: 'sepsis-watch',
      label: 'sepsis',
      observedAt: day(22),
      source: 'chart review',
      sourceService: 'outcomes-service',
    }),
  ];
  const holdCommands: LegalHoldCommand[] = [
    {
      type: 'PlaceLegalHold',
      holdId: 'hold-1',
      scope: { kind: 'SYSTEM', systemId: 'sepsis-watch' },
      reason: 'litigation about its alerts is anticipated',
      matter: 'Doe v. Hospital',
      systemRegistered: true,
      meta: meta('counsel.carol', day(30)),
    },
    {
      type: 'PlaceLegalHold',
      holdId: 'hold-2',
      scope: { kind: 'SUBJECT', subjectKind: 'PERSON', subjectDigest: 'ab'.repeat(32) },
      reason: 'a complaint names this clinician',
      matter: 'OCR complaint 12-345',
      meta: meta('dpo.dana', day(30)),
    },
    {
      type: 'ReleaseLegalHold',
      holdId: 'hold-1',
      reason: 'the claim was settled',
      meta: meta('admin.grace', day(40)),
    },
  ];
  const holds = holdCommands.reduce<LegalHoldEvent[]>(
    (events, c) => [...events, ...legalHoldsDecider.decide(c, stateFrom(legalHoldsDecider, events))],
    [],
  );
  const erasure = decideErasure({
    erasureId: 'e7a1c0de-0000-4000-8000-000000000001',
    subject: { kind: 'PERSON', id: 'dr.ada' },
    subjectDigest: 'cd'.repeat(32),
    legalBasis: 'GDPR Art 17(1)(a)',
    requestedBy: 'dr.ada',
    rationale: 'left the organisation; no retention duty outweighs the request',
    caller: { id: 'dpo.dora', role: 'data-protection-officer' },
    found: [
      {
        eventId: 'c0a8e7b2-5d4f-4e1a-9b3c-2f6d8e0a1b4c',
        pointers: ['/data/actor', '/metadata/actor/id'],
        systemId: 'sepsis-watch',
      },
    ],
    blockingHolds: [],
  });
  return [...systems, ...datasets, access, ...selfAudit, exported, ...clinicalUse, ...holds, ...erasure];
}

describe('runtime validation agrees with the published schemas', () => {
  const samples = new Map<EventType, unknown[]>(EVENT_TYPES.map((t) => [t, []]));
  for (const event of emittedByTheDomain()) samples.get(event.type)?.push(event.data);

  const publishedAjv = new Ajv2020({ allErrors: true, verbose: true });
  addFormats(publishedAjv);
  // As an emitter with a strict validator declares it (docs/event-schemas): an annotation, not a rule.
  publishedAjv.addKeyword({ keyword: 'x-erasable', schemaType: 'string' });
  const published = (type: EventType) => {
    const file = committed(eventSchemaFileName(type, EVENT_SCHEMAS[type].version));
    if (!file) throw new Error(`no published schema for ${type}; regenerate with: ${REGENERATE}`);
    const schema = file as { $id: string };
    return publishedAjv.getSchema(schema.$id) ?? publishedAjv.compile(schema);
  };
  /** Both verdicts and the problems reported must be the same, whichever schema is used. */
  const expectAgreement = (type: EventType, data: unknown) => {
    const validate = published(type);
    const accepted = validate(data);
    const runtime = validateEventData(type, EVENT_SCHEMAS[type].version, data);
    expect(runtime).toEqual(
      accepted ? [] : problemsOf(validate.errors ?? [], `${type} v${EVENT_SCHEMAS[type].version}`),
    );
    return accepted;
  };

  it('has samples of every event type, emitted by the deciders', () =>
    expect(EVENT_TYPES.filter((t) => samples.get(t)?.length === 0)).toEqual([]));

  it.each(EVENT_TYPES)('%s: the published schema accepts what the domain emits', (type) => {
    for (const sample of samples.get(type) ?? []) expect(expectAgreement(type, sample)).toBe(true);
  });

  it.each(EVENT_TYPES)('%s: both refuse broken data and name the same fields', (type) => {
    const [sample] = samples.get(type) as Array<Record<string, unknown>>;
    const broken: unknown[] = [null, [], 'text', 42, { ...sample, unexpected: true }];
    for (const key of Object.keys(sample))
      for (const value of [undefined, null, 42, 'x'.repeat(5000), {}, [], ''])
        broken.push(
          Object.fromEntries(Object.entries({ ...sample, [key]: value }).filter(([, v]) => v !== undefined)),
        );
    for (const data of broken) expectAgreement(type, data);
    expect(broken.filter((data) => expectAgreement(type, data)).length).toBeLessThan(broken.length);
  });

  it('agree on arbitrary changes to valid data', () => {
    const typed = EVENT_TYPES.flatMap((type) =>
      (samples.get(type) ?? []).map((data) => [type, data] as const),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...typed),
        fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
        ([type, data], patch) => {
          expectAgreement(type, { ...(data as object), ...patch });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses an unknown event type or schema version, saying which exist', () => {
    expect(validateEventData('ModelRetrained', 1, {})).toEqual([
      expect.objectContaining({
        rule: 'known-event-type',
        message: expect.stringContaining('ModelVersionDeployed'),
      }),
    ]);
    expect(validateEventData('ModelVersionDeployed', 2, {})).toEqual([
      expect.objectContaining({
        rule: 'known-schema-version',
        message: expect.stringContaining('current version is 1'),
      }),
    ]);
  });
});
