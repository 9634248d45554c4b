import { randomUUID } from 'node:crypto';
import { collect } from '../support/events';
import { exited, spawnTs } from '../support/child-process';
import { mutate, ok, registerSystem } from '../support/governance';
import { caughtUp, startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';
import { Pseudonymiser } from '../../apps/ledger-api/src/privacy/pseudonymiser';

/**
 * Issue 24, retention and legal hold, through the running service and the
 * CLI on a real store. The clock is advanced by asking about a later instant
 * (asOf): six years of governance and one of data access
 * (LEDGER_RETENTION_DATA_ACCESS=P1Y) must pass before anything is due.
 */

const DPO = 'dpo.dana';
const RAW_PATIENT = 'MRN-9931-SENTINEL';

interface Group {
  category: string;
  systemId: string | null;
  stream: string | null;
  count: number;
  firstPosition: string;
  lastPosition: string;
  oldestRecordedAt: string;
  dueSince: string;
}
interface Report {
  asOf: string;
  schedule: { governance: string; dataAccess: string };
  due: Group[];
  held: Array<{ hold: { holdId: string; active: boolean }; suspended: Group[] }>;
}

const REPORT = `query Retention($asOf: DateTime) { retention(asOf: $asOf) {
  asOf schedule { governance dataAccess }
  due { category systemId stream count firstPosition lastPosition oldestRecordedAt dueSince }
  held { hold { holdId active } suspended { category systemId stream count firstPosition lastPosition oldestRecordedAt dueSince } }
} }`;

const yearsAfter = (instant: string, years: number) => {
  const d = new Date(instant);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.toISOString();
};

const access = (n: number, data: Record<string, unknown> = {}) => ({
  eventId: randomUUID(),
  type: 'DataAccessed',
  occurredAt: new Date().toISOString(),
  purposeOfUse: 'TREAT',
  data: {
    actor: `dr.${n}`,
    datasetId: 'icu-vitals',
    patientId: `${RAW_PATIENT}-${n}`,
    action: 'R',
    purposeOfUse: 'TREAT',
    outcome: 'success',
    ...data,
  },
});

describe.each<StoreKind>(['sqlite', 'postgres'])('retention and legal hold (%s)', (kind) => {
  const env = { LEDGER_RETENTION_DATA_ACCESS: 'P1Y' };
  let api: TestApi;
  let dpo: string;
  let seededAt: string;
  const positions: Record<string, string[]> = {};

  const asDpo = (query: string, variables: Record<string, unknown>) =>
    api.graphql(query, variables, DPO, { authorization: `Bearer ${dpo}` });
  const report = async (asOf?: string): Promise<Report> => {
    const response = await asDpo(REPORT, asOf ? { asOf } : {});
    if (!response.data) throw new Error(JSON.stringify(response.errors));
    return response.data.retention as Report;
  };

  beforeAll(async () => {
    api = await startTestApi(kind, env);
    dpo = await api.token(DPO, 'data-protection-officer');
    seededAt = new Date().toISOString();
    for (const systemId of ['sepsis-1', 'triage-2']) {
      const receipt = await registerSystem(api, systemId);
      positions[systemId] = receipt.events.map((e) => e.position);
    }
    const source = await ok(api, 'registerAuditSource', {
      systemId: 'sepsis-1',
      sourceService: 'ehr-gateway',
      expectedInterval: 'P1D',
    });
    positions['sepsis-1'].push(...source.events.map((e) => e.position));
    const ingest = await api.post(
      '/v1/events',
      {
        events: [
          access(1),
          access(2),
          access(3, { systemId: 'sepsis-1' }),
          access(4, { systemId: 'sepsis-1' }),
        ],
      },
      'ehr-gateway',
    );
    expect(ingest.body).toMatchObject({ accepted: 4, rejected: 0 });
  });
  afterAll(() => api.close());

  describe('legal holds', () => {
    it('a data protection officer places a hold on a system, and on a person and a patient by digest only', async () => {
      const place = (input: Record<string, unknown>) =>
        ok(api, 'placeLegalHold', input, DPO, 'data-protection-officer');
      const matter = 'Doe v. Hospital, 2026-CV-0042';
      const reason = 'litigation about sepsis alerts is reasonably anticipated';
      const receipts = [
        await place({ holdId: 'hold-sepsis', systemId: 'sepsis-1', reason, matter }),
        await place({ holdId: 'hold-person', personId: 'Dr.Ada', reason, matter }),
        await place({ holdId: 'hold-patient', patientId: RAW_PATIENT, reason, matter }),
      ];
      expect(receipts.map((r) => r.stream)).toEqual(Array(3).fill('default/legal-holds'));
      const stored = await collect(api.store.readStream('default/legal-holds'));
      const pseudonymiser = Pseudonymiser.load(api.dataDir);
      expect(stored.map((e) => (e.data as { scope: unknown }).scope)).toEqual([
        { kind: 'SYSTEM', systemId: 'sepsis-1' },
        {
          kind: 'SUBJECT',
          subjectKind: 'PERSON',
          subjectDigest: pseudonymiser.subjectDigest('default', 'PERSON', 'dr.ada'),
        },
        {
          kind: 'SUBJECT',
          subjectKind: 'PATIENT',
          subjectDigest: pseudonymiser.patientPseudonymDigest(
            'default',
            pseudonymiser.pseudonymise('default', RAW_PATIENT),
          ),
        },
      ]);
      expect(JSON.stringify(stored.map((e) => e.data))).not.toMatch(/dr\.ada|MRN-9931/i);
      expect(stored[0].metadata.actor).toEqual({ id: DPO, role: 'data-protection-officer' });
    });

    it('a second spelling of the same person is the same subject: the same hold is refused', async () => {
      const again = await mutate(
        api,
        'placeLegalHold',
        {
          holdId: 'hold-person-2',
          personId: ' dr.ada',
          reason: 'again',
          matter: 'Doe v. Hospital, 2026-CV-0042',
        },
        DPO,
        'data-protection-officer',
      );
      expect(again.errors?.[0].extensions).toMatchObject({ code: 'ALREADY_EXISTS', field: 'matter' });
      expect(again.errors?.[0].message).toContain('hold-person');
    });

    it('refuses a hold on a system the tenant never registered', async () => {
      const response = await mutate(
        api,
        'placeLegalHold',
        { holdId: 'hold-x', systemId: 'no-such-system', reason: 'r', matter: 'm' },
        DPO,
        'data-protection-officer',
      );
      expect(response.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND', field: 'systemId' });
    });

    it.each([
      ['a blank reason', { systemId: 'triage-2', reason: '   ', matter: 'm' }, 'VALIDATION_FAILED', 'reason'],
      ['a blank matter', { systemId: 'triage-2', reason: 'r', matter: ' ' }, 'VALIDATION_FAILED', 'matter'],
      ['a blank person', { personId: '  ', reason: 'r', matter: 'm' }, 'VALIDATION_FAILED', 'personId'],
      ['no scope', { reason: 'r', matter: 'm' }, 'VALIDATION_FAILED', 'systemId'],
      [
        'two scopes',
        { systemId: 'triage-2', personId: 'dr.ada', reason: 'r', matter: 'm' },
        'VALIDATION_FAILED',
        'personId',
      ],
    ])('refuses %s, naming the field', async (_, input, code, field) => {
      const response = await mutate(
        api,
        'placeLegalHold',
        { holdId: 'hold-bad', ...input },
        DPO,
        'data-protection-officer',
      );
      expect(response.errors?.[0].extensions).toMatchObject({ code, field });
    });

    it('refuses a backdated hold: the ledger’s clock says when a hold was placed, and a placedAt is refused by name', async () => {
      const response = await mutate(
        api,
        'placeLegalHold',
        {
          holdId: 'hold-old',
          systemId: 'triage-2',
          reason: 'r',
          matter: 'm',
          placedAt: '2020-01-01T00:00:00Z',
        },
        DPO,
        'data-protection-officer',
      );
      expect(response.errors?.[0].message).toContain('placedAt');
      expect(response.data ?? null).toBeNull();
    });

    it('a data protection officer cannot release a hold, and nobody releases their own', async () => {
      const byDpo = await mutate(
        api,
        'releaseLegalHold',
        { holdId: 'hold-sepsis', reason: 'no longer needed' },
        DPO,
        'data-protection-officer',
      );
      expect(byDpo.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      await ok(api, 'placeLegalHold', {
        holdId: 'hold-triage',
        systemId: 'triage-2',
        reason: 'regulator inquiry',
        matter: 'OCR 12-345',
      });
      const own = await mutate(
        api,
        'releaseLegalHold',
        { holdId: 'hold-triage', reason: 'done' },
        'Admin.Grace',
      );
      expect(own.errors?.[0].extensions?.code).toBe('RELEASER_IS_PLACER');
      await ok(api, 'releaseLegalHold', { holdId: 'hold-triage', reason: 'inquiry closed' }, 'admin.ivy');
      const again = await mutate(
        api,
        'releaseLegalHold',
        { holdId: 'hold-triage', reason: 'x' },
        'admin.ivy',
      );
      expect(again.errors?.[0].extensions?.code).toBe('INVALID_TRANSITION');
    });

    it('lists holds, active or released, to a data protection officer and an auditor, never to a regulator', async () => {
      const query = '{ legalHolds(active: true) { holdId scope systemId subjectKind placedBy active } }';
      const active = await asDpo(query, {});
      expect(active.data?.legalHolds).toEqual([
        {
          holdId: 'hold-sepsis',
          scope: 'SYSTEM',
          systemId: 'sepsis-1',
          subjectKind: null,
          placedBy: DPO,
          active: true,
        },
        {
          holdId: 'hold-person',
          scope: 'SUBJECT',
          systemId: null,
          subjectKind: 'PERSON',
          placedBy: DPO,
          active: true,
        },
        {
          holdId: 'hold-patient',
          scope: 'SUBJECT',
          systemId: null,
          subjectKind: 'PATIENT',
          placedBy: DPO,
          active: true,
        },
      ]);
      const auditor = await api.token('auditor.amy', 'auditor');
      const released = await api.graphql(
        '{ legalHolds(active: false) { holdId releasedBy releaseReason releasedAt } }',
        {},
        'auditor.amy',
        { authorization: `Bearer ${auditor}` },
      );
      expect(released.data?.legalHolds).toEqual([
        {
          holdId: 'hold-triage',
          releasedBy: 'admin.ivy',
          releaseReason: 'inquiry closed',
          releasedAt: expect.any(String),
        },
      ]);
      const regulator = await api.token('reg.rita', 'regulator', { systems: ['sepsis-1'] });
      const refused = await api.graphql('{ legalHolds { holdId } }', {}, 'reg.rita', {
        authorization: `Bearer ${regulator}`,
      });
      expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    });
  });

  describe('the retention report, as the clock advances', () => {
    let selfAudit: string[];
    beforeAll(async () => {
      // The refusals above are written to the self-audit stream now, not at the end of the minute.
      await api.flushSelfAudit();
      await caughtUp(api);
      selfAudit = (await collect(api.store.readStream('default/ledger-self-audit'))).map((e) =>
        e.position.toString(),
      );
    });

    const dataAccessPositions = async (systemId?: string) =>
      (await collect(api.store.readStream('default/data-access-ehr-gateway')))
        .filter((e) => (e.data as { systemId?: string }).systemId === systemId)
        .map((e) => e.position.toString());

    const group = (
      category: string,
      where: { systemId: string } | { stream: string },
      at: string[],
      retention: number,
    ) => ({
      category,
      systemId: 'systemId' in where ? where.systemId : null,
      stream: 'stream' in where ? where.stream : null,
      count: at.length,
      firstPosition: at[0],
      lastPosition: at.at(-1),
      oldestRecordedAt: expect.stringMatching(/^\d{4}-/),
      dueSince: expect.stringMatching(/^\d{4}-/),
      retention,
    });
    /** Checks dueSince is the oldest record plus its retention, then drops the helper field. */
    const matches = (actual: Group[], expected: Array<ReturnType<typeof group>>) => {
      expect(actual).toEqual(expected.map(({ retention: _, ...g }) => g));
      actual.forEach((g, i) =>
        expect(g.dueSince).toBe(yearsAfter(g.oldestRecordedAt, expected[i].retention)),
      );
    };

    it('lists nothing as due today, and every active hold', async () => {
      const now = await report();
      expect(now.schedule).toEqual({ governance: 'P6Y', dataAccess: 'P1Y' });
      expect(now.due).toEqual([]);
      expect(now.held.map((h) => [h.hold.holdId, h.suspended])).toEqual([
        ['hold-sepsis', []],
        ['hold-person', []],
        ['hold-patient', []],
      ]);
    });

    it('two years on: data-access records are due, except those of the held system', async () => {
      const later = await report(yearsAfter(seededAt, 2));
      matches(later.due, [
        group('DATA_ACCESS', { stream: 'default/data-access-ehr-gateway' }, await dataAccessPositions(), 1),
        group('DATA_ACCESS', { stream: 'default/ledger-self-audit' }, selfAudit, 1),
      ]);
      expect(later.held.map((h) => h.hold.holdId)).toEqual(['hold-sepsis', 'hold-person', 'hold-patient']);
      matches(later.held[0].suspended, [
        group('DATA_ACCESS', { systemId: 'sepsis-1' }, await dataAccessPositions('sepsis-1'), 1),
      ]);
    });

    it('seven years on: governance records are due too, the held system’s kept under its hold, the holds’ own record kept while they last', async () => {
      const later = await report(yearsAfter(seededAt, 7));
      matches(later.due, [
        group('GOVERNANCE', { systemId: 'triage-2' }, positions['triage-2'], 6),
        group('DATA_ACCESS', { stream: 'default/data-access-ehr-gateway' }, await dataAccessPositions(), 1),
        group('DATA_ACCESS', { stream: 'default/ledger-self-audit' }, selfAudit, 1),
      ]);
      matches(later.held[0].suspended, [
        group('GOVERNANCE', { systemId: 'sepsis-1' }, positions['sepsis-1'], 6),
        group('DATA_ACCESS', { systemId: 'sepsis-1' }, await dataAccessPositions('sepsis-1'), 1),
      ]);
    });

    it('govledger retention reports the same, as JSON and as text', async () => {
      const asOf = yearsAfter(seededAt, 7);
      const fromGraphql = await report(asOf);
      const run = async (args: string[]) => {
        const child = spawnTs('apps/govledger-cli/src/main.ts', ['retention', '--as-of', asOf, ...args], {
          ...env,
          LEDGER_DATA_DIR: api.dataDir,
          LEDGER_STORE: kind,
          ...(api.databaseUrl ? { DATABASE_URL: api.databaseUrl } : {}),
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c) => (stdout += c));
        child.stderr.on('data', (c) => (stderr += c));
        const { code } = await exited(child);
        return { code, stdout, stderr };
      };
      const json = await run(['--json']);
      expect(json.code).toBe(0);
      const cli = JSON.parse(json.stdout) as {
        asOf: string;
        schedule: { GOVERNANCE: string; DATA_ACCESS: string };
        tenants: Array<{
          tenantId: string;
          due: Group[];
          held: Array<{ hold: { holdId: string }; suspended: Group[] }>;
        }>;
      };
      expect(cli.asOf).toBe(asOf);
      expect(cli.schedule).toEqual({ GOVERNANCE: 'P6Y', DATA_ACCESS: 'P1Y' });
      const tenant = cli.tenants.find((t) => t.tenantId === 'default')!;
      expect(tenant.due).toEqual(fromGraphql.due);
      expect(tenant.held.map((h) => [h.hold.holdId, h.suspended])).toEqual(
        fromGraphql.held.map((h) => [h.hold.holdId, h.suspended]),
      );

      const text = await run([]);
      expect(text.code).toBe(0);
      expect(text.stderr).toContain('using the ledger in');
      expect(text.stdout).toContain(
        `retention as of ${asOf}: governance records P6Y, data-access records P1Y`,
      );
      expect(text.stdout).toContain(`GOVERNANCE system triage-2: ${positions['triage-2'].length} event`);
      expect(text.stdout).toMatch(/on hold hold-sepsis \(system sepsis-1, matter Doe v\. Hospital/);
      expect(text.stdout).toMatch(
        /on hold hold-person \(a person, .*\):\n {4}events naming a subject are not matched/,
      );
    });

    it('refuses a bad --as-of, naming it', async () => {
      const child = spawnTs(
        'apps/govledger-cli/src/main.ts',
        ['retention', '--as-of', '2030-02-30T00:00:00Z'],
        {
          LEDGER_DATA_DIR: api.dataDir,
        },
      );
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      const { code } = await exited(child);
      expect(code).toBe(2);
      expect(stderr).toContain('--as-of must be a real calendar date');
    });
  });
});
