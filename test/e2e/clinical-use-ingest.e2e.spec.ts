import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClinicalUseTables } from '@ledger/read-models';
import { openReadStore, type ReadStore } from '@ledger/read-store';
import type { StoredEvent } from '@ledger/event-store';
import type { Kysely } from 'kysely';
import { Pseudonymiser } from '../../apps/ledger-api/src/privacy/pseudonymiser';
import { collect } from '../support/events';
import { deployableSystem, ok, PEOPLE, sha } from '../support/governance';
import { caughtUp, startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';

const SYSTEM = 'sepsis-cu';
const SCORER = 'sepsis-scorer';
const RAW_PATIENT = 'MRN-7781-SENTINEL';
const RAW_ENCOUNTER = 'ENC-5512-SENTINEL';
const KEY = 'b'.repeat(64);

const item = (type: string, data: Record<string, unknown>, occurredAt = new Date().toISOString()) => ({
  eventId: randomUUID(),
  type,
  occurredAt,
  data: { systemId: SYSTEM, ...data },
});
const output = (outputId: string, data: Record<string, unknown> = {}, occurredAt?: string) =>
  item(
    'AiOutputProduced',
    {
      outputId,
      modelVersion: 'v1',
      site: 'north',
      patientId: `${RAW_PATIENT}-${outputId}`,
      encounterId: `${RAW_ENCOUNTER}-${outputId}`,
      inputDigest: sha(7),
      score: 0.83,
      threshold: 0.6,
      alerted: true,
      ageBand: '80+',
      sex: 'female',
      ...data,
    },
    occurredAt,
  );
const response = (outputId: string, data: Record<string, unknown> = {}) =>
  item('ClinicianResponseRecorded', {
    outputId,
    response: 'overridden',
    reasonCode: 'clinical-judgement',
    actor: 'dr.ward',
    respondedAt: new Date().toISOString(),
    ...data,
  });
const outcome = (outputId: string, data: Record<string, unknown> = {}) =>
  item('OutcomeObserved', {
    outputId,
    label: 'sepsis',
    observedAt: new Date().toISOString(),
    source: 'chart review',
    ...data,
  });

type Result = {
  status: string;
  findings?: string[];
  error?: { code: string; field: string; message: string };
};

describe.each<StoreKind>(['sqlite', 'postgres'])('clinical use through POST /v1/events (%s)', (kind) => {
  let api: TestApi;
  let read: ReadStore;
  let beforeDeployment: string;
  const rows = (outputId: string) =>
    (read.db as Kysely<ClinicalUseTables>)
      .selectFrom('cu_outputs')
      .selectAll()
      .where('system_id', '=', SYSTEM)
      .where('output_id', '=', outputId)
      .executeTakeFirst();
  const send = async (events: unknown[], emitter = SCORER) => {
    const { status, body } = await api.post('/v1/events', { events }, emitter);
    expect(status).toBe(200);
    return body as { accepted: number; duplicates: number; rejected: number; results: Result[] };
  };
  const streamEvents = async () =>
    (await collect(api.store.readStream(`default/clinical-use-${SCORER}`))) as Array<
      StoredEvent & { data: Record<string, any> }
    >;

  beforeAll(async () => {
    api = await startTestApi(kind, { LEDGER_PSEUDONYM_KEY: KEY });
    read = await openReadStore({
      kind,
      sqliteFile: join(api.dataDir, 'read.sqlite'),
      databaseUrl: api.databaseUrl,
    });
    await deployableSystem(api, SYSTEM);
    for (const sourceService of [SCORER, 'outcomes-svc'])
      await ok(api, 'registerAuditSource', { systemId: SYSTEM, sourceService, expectedInterval: 'P1D' });
    beforeDeployment = new Date().toISOString();
    await ok(api, 'deployModelVersion', { systemId: SYSTEM, version: 'v1' });
  });
  afterAll(async () => {
    await read.close();
    await api.close();
  });

  it('records an output, a response and an outcome, each answered on its own, in the emitter’s clinical-use stream, with no raw identifier anywhere', async () => {
    const body = await send([output('o-1'), response('o-1'), outcome('o-1')]);
    expect(body).toMatchObject({ accepted: 3, rejected: 0 });
    expect(body.results.map((r) => [r.status, r.findings])).toEqual([
      ['accepted', []],
      ['accepted', undefined],
      ['accepted', undefined],
    ]);
    const stored = await streamEvents();
    expect(stored.map((e) => e.type)).toEqual([
      'AiOutputProduced',
      'ClinicianResponseRecorded',
      'OutcomeObserved',
    ]);
    expect(stored[0].data).toMatchObject({
      patientPseudonym: expect.stringMatching(/^[0-9a-f]{64}$/),
      encounterPseudonym: expect.stringMatching(/^[0-9a-f]{64}$/),
      sourceService: SCORER,
      modelVersion: 'v1',
    });
    expect(stored[0].data).not.toHaveProperty('patientId');
    expect(stored[0].data).not.toHaveProperty('encounterId');
    const text = JSON.stringify(stored, (_, v) => (typeof v === 'bigint' ? String(v) : v));
    expect(text).not.toContain(RAW_PATIENT);
    expect(text).not.toContain(RAW_ENCOUNTER);
    if (kind === 'sqlite')
      for (const file of readdirSync(api.dataDir).filter(
        (f) => f.endsWith('.sqlite') || f.includes('.sqlite-'),
      ))
        for (const raw of [RAW_PATIENT, RAW_ENCOUNTER])
          expect({ file, raw: readFileSync(join(api.dataDir, file)).includes(raw) }).toEqual({
            file,
            raw: false,
          });
    expect((await collect(api.store.readStream(`default/data-access-${SCORER}`))).length).toBe(0);
  });

  it('refuses what would carry an identifier, speak for another service or system, or break the bands, naming the field', async () => {
    const cases: Array<[string, unknown, string, string]> = [
      [
        'pseudonym sent',
        output('r-1', { patientPseudonym: 'f'.repeat(64) }),
        'data.patientPseudonym',
        'VALIDATION_FAILED',
      ],
      [
        'encounter pseudonym sent',
        output('r-2', { encounterPseudonym: 'f'.repeat(64) }),
        'data.encounterPseudonym',
        'VALIDATION_FAILED',
      ],
      [
        'another sourceService',
        output('r-3', { sourceService: 'other-scorer' }),
        'data.sourceService',
        'VALIDATION_FAILED',
      ],
      ['an exact age', output('r-4', { age: 83 }), 'data.age', 'VALIDATION_FAILED'],
      ['a birth date', output('r-5', { birthDate: '1941-02-03' }), 'data.birthDate', 'VALIDATION_FAILED'],
      ['an age as a band', output('r-6', { ageBand: '83' }), 'data.ageBand', 'VALIDATION_FAILED'],
      ['an unknown field', response('r-7', { note: 'free text' }), 'data.note', 'VALIDATION_FAILED'],
      [
        'a patient on a response',
        response('r-8', { patientId: RAW_PATIENT }),
        'data.patientId',
        'VALIDATION_FAILED',
      ],
      ['no system', output('r-9', { systemId: undefined }), 'data.systemId', 'VALIDATION_FAILED'],
      ['another system', output('r-10', { systemId: 'not-mine' }), 'data.systemId', 'NOT_AUDIT_SOURCE'],
      ['neither score nor class', output('r-11', { score: undefined }), 'data.score', 'VALIDATION_FAILED'],
    ];
    const head = await api.store.headPosition();
    const body = await send(cases.map(([, sent]) => sent));
    expect(body).toMatchObject({ accepted: 0, rejected: cases.length });
    expect(body.results.map((r, i) => [cases[i][0], r.error?.field, r.error?.code])).toEqual(
      cases.map(([name, , field, code]) => [name, field, code]),
    );
    expect(JSON.stringify(body)).not.toContain(RAW_PATIENT);
    expect(await api.store.headPosition()).toBe(head);

    const rogue = await send([outcome('r-12')], 'rogue-service');
    expect(rogue.results[0].error).toMatchObject({ code: 'NOT_AUDIT_SOURCE', field: 'data.systemId' });
    expect(rogue.results[0].error!.message).toContain('registerAuditSource');

    // Only the ledger raises a finding: an emitter cannot send one, nor clear one by sending its own.
    const forged = await send([
      item('AiOutputFlagged', {
        outputId: 'o-1',
        finding: 'VERSION_MISMATCH',
        modelVersion: 'v1',
        systemStatus: 'deployed',
        outputOccurredAt: new Date().toISOString(),
        outputEventId: randomUUID(),
      }),
    ]);
    expect(forged.results[0].error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'type' });
  });

  it('judges an output against its own tenant’s registry: a system of the same name deployed in another tenant does not make it live', async () => {
    const admin = {
      authorization: `Bearer ${await api.token(PEOPLE.admin, 'governance-admin', { tenantId: 'clinic-b' })}`,
    };
    const run = async (mutation: string, input: Record<string, unknown>) =>
      expect(
        (
          await api.graphql(
            `mutation Run($input: ${mutation[0].toUpperCase()}${mutation.slice(1)}Input!) { ${mutation}(input: $input) { revision } }`,
            { input },
            PEOPLE.admin,
            admin,
          )
        ).errors,
      ).toBeUndefined();
    await run('registerAiSystem', {
      systemId: SYSTEM,
      name: 'Sepsis predictor',
      intendedUse: 'Early warning of sepsis in adult inpatients',
      clinicalDomain: 'critical care',
      riskClass: 'high',
      supplier: 'in_house',
      sites: ['north'],
    });
    await run('registerAuditSource', { systemId: SYSTEM, sourceService: SCORER, expectedInterval: 'P1D' });
    const { status, body } = await api.post('/v1/events', { events: [output('b-1')] }, SCORER, {
      authorization: `Bearer ${await api.token(SCORER, 'emitter', { tenantId: 'clinic-b' })}`,
    });
    expect(status).toBe(200);
    expect(body.results[0]).toMatchObject({ status: 'accepted', findings: ['VERSION_MISMATCH'] });
    const [stored] = await collect(api.store.readStream(`clinic-b/clinical-use-${SCORER}`));
    expect(stored.data).toMatchObject({ outputId: 'b-1' });
    const pseudonymiser = new Pseudonymiser(Buffer.from(KEY, 'hex'));
    expect((stored.data as Record<string, unknown>).patientPseudonym).toBe(
      pseudonymiser.pseudonymise('clinic-b', `${RAW_PATIENT}-b-1`),
    );
    expect(pseudonymiser.pseudonymise('clinic-b', RAW_PATIENT)).not.toBe(
      pseudonymiser.pseudonymise('default', RAW_PATIENT),
    );
  });

  it('raises VERSION_MISMATCH for a version not live at the output’s time, stores the output and its flag together, and answers a resend as duplicates', async () => {
    const wrong = output('vm-1', { modelVersion: 'v9' });
    const early = output('vm-2', {}, new Date(Date.parse(beforeDeployment) - 3_600_000).toISOString());
    const body = await send([wrong, early, output('vm-3')]);
    expect(body.results.map((r) => [r.status, r.findings])).toEqual([
      ['accepted', ['VERSION_MISMATCH']],
      ['accepted', ['VERSION_MISMATCH']],
      ['accepted', []],
    ]);
    const stored = await streamEvents();
    const at = stored.findIndex((e) => e.data.outputId === 'vm-1');
    expect(stored[at + 1]).toMatchObject({
      type: 'AiOutputFlagged',
      data: {
        outputId: 'vm-1',
        finding: 'VERSION_MISMATCH',
        modelVersion: 'v9',
        liveVersion: 'v1',
        systemStatus: 'deployed',
        outputEventId: stored[at].eventId,
        sourceService: SCORER,
      },
    });
    const flagOfEarly = stored.find((e) => e.type === 'AiOutputFlagged' && e.data.outputId === 'vm-2')!;
    expect(flagOfEarly.data).not.toHaveProperty('liveVersion');

    const head = await api.store.headPosition();
    const again = await send([wrong, early]);
    expect(again.results.map((r) => [r.status, r.findings])).toEqual([
      ['duplicate', ['VERSION_MISMATCH']],
      ['duplicate', ['VERSION_MISMATCH']],
    ]);
    expect(await api.store.headPosition()).toBe(head);
  });

  it('stores a response and an outcome sent before their output, and joins them once it arrives', async () => {
    const early = await send([
      outcome('late-1', { label: 'no-sepsis' }),
      response('late-1', { response: 'dismissed' }),
    ]);
    expect(early).toMatchObject({ accepted: 2, rejected: 0 });
    await caughtUp(api);
    expect(await rows('late-1')).toMatchObject({
      output_event_id: null,
      response: 'dismissed',
      outcome_label: 'no-sepsis',
    });

    await send([output('late-1', { score: 0.31, alerted: false })]);
    await caughtUp(api);
    expect(await rows('late-1')).toMatchObject({
      model_version: 'v1',
      score: 0.31,
      response: 'dismissed',
      responded_by: 'dr.ward',
      outcome_label: 'no-sepsis',
      outcome_source: 'chart review',
      finding: null,
    });
  });

  it('raises USE_AFTER_TAKEDOWN for an output while the system is suspended, also one backdated to before the suspension, and complianceFindings names both findings with their evidence', async () => {
    const beforeSuspension = new Date().toISOString();
    await ok(
      api,
      'decideTakedown',
      {
        systemId: SYSTEM,
        decisionId: 'td-suspend',
        action: 'suspend',
        rationale: 'Alert storm in the north ICU',
        evidence: ['incident:inc-9'],
      },
      PEOPLE.authority,
    );
    // td-3 claims to have been produced before the suspension: the emitter's word alone cannot clear it.
    const body = await send([
      output('td-1'),
      output('td-2', { modelVersion: 'v9' }),
      output('td-3', {}, beforeSuspension),
    ]);
    expect(body.results.map((r) => r.findings)).toEqual([
      ['USE_AFTER_TAKEDOWN'],
      ['USE_AFTER_TAKEDOWN'],
      ['USE_AFTER_TAKEDOWN'],
    ]);
    const flags = (await streamEvents()).filter((e) => e.type === 'AiOutputFlagged');
    const takedownFlags = flags.filter((f) => f.data.finding === 'USE_AFTER_TAKEDOWN');
    expect(takedownFlags.map((f) => f.data.systemStatus)).toEqual(['suspended', 'suspended', 'suspended']);
    const backdated = takedownFlags.find((f) => f.data.outputId === 'td-3')!;
    expect(backdated.data.outputOccurredAt).toBe(beforeSuspension);
    expect(Date.parse(backdated.data.judgedAt as string)).toBeGreaterThan(Date.parse(beforeSuspension));

    await caughtUp(api);
    expect(await rows('td-1')).toMatchObject({ finding: 'USE_AFTER_TAKEDOWN' });
    const { data, errors } = await api.graphql<{
      complianceFindings: Array<{
        rule: string;
        systemId: string;
        subject: string;
        message: string;
        evidence: string[];
      }>;
    }>(
      `{ complianceFindings(filter: { systemId: "${SYSTEM}" }) { rule systemId subject message evidence } }`,
    );
    expect(errors).toBeUndefined();
    const byRule = new Map(data!.complianceFindings.map((f) => [f.rule, f]));
    expect(byRule.get('VERSION_MISMATCH')).toMatchObject({ systemId: SYSTEM });
    expect(byRule.get('VERSION_MISMATCH')!.message).toContain('2 outputs');
    expect(byRule.get('VERSION_MISMATCH')!.evidence).toHaveLength(4);
    expect(byRule.get('USE_AFTER_TAKEDOWN')!.message).toContain('3 outputs');
    // Evidence names each flagged output and its flag, oldest output first (td-3, backdated, leads).
    const evidence = byRule.get('USE_AFTER_TAKEDOWN')!.evidence;
    expect(evidence.slice(0, 2)).toEqual([backdated.data.outputEventId, backdated.eventId]);
    expect(evidence.slice().sort()).toEqual(
      takedownFlags.flatMap((f) => [f.data.outputEventId as string, f.eventId]).sort(),
    );
  });
});
