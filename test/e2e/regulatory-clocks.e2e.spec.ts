import { randomUUID } from 'node:crypto';
import {
  approveAll,
  approvedDataset,
  deployableSystem,
  mutate,
  ok,
  PEOPLE,
  validatedVersion,
} from '../support/governance';
import { caughtUp, startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';

/**
 * Issue 15, sections 3–5: audit findings with owners and due dates, access-log
 * reviews and silent audit sources, through the running service. Commands are
 * decided at the ledger's clock; the rules are asked about a later instant with
 * `asOf`, so nothing here waits for time to pass.
 */
const DAY = 86_400_000;
const later = (ms: number) => new Date(Date.now() + ms).toISOString();
const AUDITOR = 'aud.ann';
const OWNER = PEOPLE.performanceOwner;

interface Finding {
  rule: string;
  systemId: string | null;
  subject: string;
  since: string;
  message: string;
  evidence: string[];
  owner: string | null;
}

describe.each<StoreKind>(['sqlite', 'postgres'])('regulatory clocks (%s)', (kind) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(kind);
  });
  afterAll(() => api.close());

  const findings = async (rule: string, asOf: string, systemId?: string): Promise<Finding[]> => {
    await caughtUp(api);
    const response = await api.graphql<{ complianceFindings: Finding[] }>(
      `query F($filter: ComplianceFindingFilter) {
        complianceFindings(filter: $filter) { rule systemId subject since message evidence owner }
      }`,
      { filter: { rule, asOf, ...(systemId ? { systemId } : {}) } },
      AUDITOR,
      { authorization: `Bearer ${await api.token(AUDITOR, 'auditor')}` },
    );
    if (!response.data) throw new Error(JSON.stringify(response.errors));
    return response.data.complianceFindings;
  };
  const asAuditor = (mutation: string, input: Record<string, unknown>, actor = AUDITOR) =>
    mutate(api, mutation, input, actor, 'auditor');

  it('acceptance 3: a major finding due in 30 days is overdue on day 31 naming its owner; only someone else closes it; an open critical finding blocks deployment', async () => {
    const systemId = `audited-${kind}`;
    await deployableSystem(api, systemId);
    await ok(api, 'deployModelVersion', { systemId, version: 'v1' });
    const audit = await asAuditor('recordAudit', {
      systemId,
      auditId: 'audit-1',
      scope: 'Annual governance audit',
      findings: [
        {
          findingId: 'F-1',
          severity: 'major',
          description: 'Monitoring cadence missed twice',
          owner: 'Dr.Perf',
          dueAt: later(30 * DAY),
        },
        {
          findingId: 'F-2',
          severity: 'critical',
          description: 'Access policy not enforced at the north site',
          owner: OWNER,
          dueAt: later(60 * DAY),
        },
      ],
    });
    expect(audit.errors).toBeUndefined();

    expect(await findings('AUDIT_FINDING_OVERDUE', later(29 * DAY), systemId)).toEqual([]);
    const overdue = await findings('AUDIT_FINDING_OVERDUE', later(31 * DAY), systemId);
    expect(overdue).toEqual([expect.objectContaining({ subject: 'audit-1/F-1', owner: OWNER, systemId })]);
    expect(overdue[0].message).toContain(`its owner ${OWNER} has not resolved it`);

    // The critical finding keeps the next version from patients.
    await validatedVersion(api, systemId, 'v2', `${systemId}-data`, 2);
    await approveAll(api, systemId, 'v2');
    const blocked = await mutate(api, 'deployModelVersion', { systemId, version: 'v2' });
    expect(blocked.errors?.[0].extensions?.code).toBe('GATE_NOT_MET');
    expect(blocked.errors?.[0].extensions?.details?.unmetGates).toEqual([
      { gate: 'OPEN_CRITICAL_AUDIT_FINDING', message: expect.stringContaining(`owner ${OWNER}`) },
    ]);

    const notOwner = await asAuditor('resolveAuditFinding', {
      systemId,
      auditId: 'audit-1',
      findingId: 'F-2',
      resolution: 'resolved by someone else',
    });
    expect(notOwner.errors?.[0].extensions?.code).toBe('NOT_FINDING_OWNER');
    await ok(
      api,
      'resolveAuditFinding',
      {
        systemId,
        auditId: 'audit-1',
        findingId: 'F-2',
        resolution: 'Enforcement switched on at the north site',
      },
      OWNER,
    );

    // The owner cannot verify their own closure, whatever spelling of their id the token carries.
    for (const spelling of [OWNER, 'DR.PERF', ' dr.perf ']) {
      const own = await mutate(
        api,
        'verifyAuditFindingClosure',
        { systemId, auditId: 'audit-1', findingId: 'F-2', note: 'looks fine to me' },
        spelling,
      );
      expect({ spelling, code: own.errors?.[0].extensions?.code }).toEqual({
        spelling,
        code: 'VERIFIER_IS_OWNER',
      });
    }
    const stillBlocked = await mutate(api, 'deployModelVersion', { systemId, version: 'v2' });
    expect(stillBlocked.errors?.[0].extensions?.code).toBe('GATE_NOT_MET');

    const verified = await asAuditor('verifyAuditFindingClosure', {
      systemId,
      auditId: 'audit-1',
      findingId: 'F-2',
      note: 'Checked enforcement logs for a week',
    });
    expect(verified.errors).toBeUndefined();
    const deployed = await ok(api, 'deployModelVersion', { systemId, version: 'v2' });
    expect(deployed.events.map((e) => e.type)).toEqual(['ModelVersionDeployed']);
  });

  it('names the field of a severity, an outcome or a due date it does not accept, and records nothing', async () => {
    const systemId = `bad-input-${kind}`;
    await deployableSystem(api, systemId);
    const head = await api.store.headPosition();
    const badSeverity = await asAuditor('recordAudit', {
      systemId,
      auditId: 'audit-x',
      scope: 'x',
      findings: [{ findingId: 'F-1', severity: 'dire', description: 'x', owner: OWNER, dueAt: later(DAY) }],
    });
    expect(badSeverity.errors?.[0].message).toMatch(/severity.*FindingSeverity/);
    const pastDue = await asAuditor('recordAudit', {
      systemId,
      auditId: 'audit-x',
      scope: 'x',
      findings: [{ findingId: 'F-1', severity: 'minor', description: 'x', owner: OWNER, dueAt: later(-DAY) }],
    });
    expect(pastDue.errors?.[0].extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'findings.0.dueAt',
    });
    const badOutcome = await mutate(api, 'recordAccessLogReview', {
      systemId,
      periodFrom: later(-2 * DAY),
      periodTo: later(-DAY),
      outcome: 'fine',
      note: 'x',
    });
    expect(badOutcome.errors?.[0].message).toMatch(/outcome.*AccessReviewOutcome/);
    const future = await mutate(api, 'recordAccessLogReview', {
      systemId,
      periodFrom: later(-DAY),
      periodTo: later(DAY),
      outcome: 'no_issues',
      note: 'reviewed tomorrow’s logs',
    });
    expect(future.errors?.[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', field: 'periodTo' });
    const both = await mutate(api, 'recordAccessLogReview', {
      systemId,
      datasetId: `${systemId}-data`,
      periodFrom: later(-2 * DAY),
      periodTo: later(-DAY),
      outcome: 'no_issues',
      note: 'x',
    });
    expect(both.errors?.[0].extensions).toMatchObject({ code: 'VALIDATION_FAILED', field: 'systemId' });
    const badInterval = await mutate(api, 'registerAuditSource', {
      systemId,
      sourceService: 'lab-gateway',
      expectedInterval: 'daily',
    });
    expect(badInterval.errors?.[0].extensions).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: 'expectedInterval',
    });
    expect(await api.store.headPosition()).toBe(head);
  });

  it('acceptance 4: ACCESS_REVIEW_OVERDUE is raised when a dataset goes its cadence unreviewed, and cleared by a review', async () => {
    const datasetId = `reviewed-${kind}`;
    await approvedDataset(api, datasetId);
    await ok(api, 'recordDatasetAccessPolicy', {
      datasetId,
      documentRef: 'policy://data/icu-access-v2',
      reviewEveryDays: 30,
    });
    const [raised] = (await findings('ACCESS_REVIEW_OVERDUE', later(31 * DAY))).filter(
      (f) => f.subject === datasetId,
    );
    expect(raised).toEqual(expect.objectContaining({ systemId: null }));
    // At the instant the first review fell due, a review of the logs up to now clears it: the next is due 30 days on.
    const due = raised.since;
    const reviewedUpTo = new Date(Date.parse(due) - 30 * DAY + 1).toISOString();
    await ok(
      api,
      'recordAccessLogReview',
      {
        datasetId,
        periodFrom: new Date(Date.parse(reviewedUpTo) - DAY).toISOString(),
        periodTo: reviewedUpTo,
        outcome: 'no_issues',
        note: 'Every read of the dataset matched a grant',
      },
      PEOPLE.securityOfficer,
    );
    expect((await findings('ACCESS_REVIEW_OVERDUE', due)).filter((f) => f.subject === datasetId)).toEqual([]);
    expect(
      (await findings('ACCESS_REVIEW_OVERDUE', later(61 * DAY))).filter((f) => f.subject === datasetId),
    ).toHaveLength(1);
  });

  it('acceptance 4: AUDIT_SOURCE_SILENT is raised when a registered source sends nothing for its interval, and cleared when it reports', async () => {
    const systemId = `watched-${kind}`;
    await deployableSystem(api, systemId);
    await ok(api, 'registerAuditSource', {
      systemId,
      sourceService: 'lab-gateway',
      expectedInterval: 'PT1H',
    });
    await ok(api, 'deployModelVersion', { systemId, version: 'v1' });
    const [silent] = await findings('AUDIT_SOURCE_SILENT', later(2 * 3_600_000), systemId);
    expect(silent).toEqual(expect.objectContaining({ subject: 'lab-gateway' }));
    const sent = await api.post(
      '/v1/events',
      {
        events: [
          {
            eventId: randomUUID(),
            type: 'DataAccessed',
            occurredAt: new Date().toISOString(),
            purposeOfUse: 'TREAT',
            data: {
              actor: 'dr.lab',
              datasetId: `${systemId}-data`,
              action: 'R',
              purposeOfUse: 'TREAT',
              outcome: 'success',
              systemId,
            },
          },
        ],
      },
      'lab-gateway',
    );
    expect(sent.body).toMatchObject({ accepted: 1 });
    expect(await findings('AUDIT_SOURCE_SILENT', silent.since, systemId)).toEqual([]);
  });
});
