import type { Role } from '@ledger/auth';
import { SEPARATION_OF_DUTIES, type DomainErrorCode } from '@ledger/domain';
import { collect } from '../support/events';
import {
  DATASET_REGISTRATION,
  approvedDataset,
  approveAll,
  deployableSystem,
  holdoutOf,
  mutate,
  ok,
  PEOPLE,
  registeredVersion,
  registerSystem,
  sha,
  unmonitoredSystem,
  VALIDATION_PLAN,
  validatedVersion,
} from '../support/governance';
import { caughtUp, startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';

/**
 * Issue 14's insider playbook, through GraphQL against the running service:
 * each path by which one person could put a model live, validate or approve
 * their own work, or take a clinical system offline alone is tried and
 * refused with its stable code, leaving the ledger exactly as it was; then
 * the same goal, reached by the right distinct people, succeeds.
 */

interface Attempt {
  mutation: string;
  input: Record<string, unknown>;
  actor: string;
  role?: Role;
}

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const HOUR = 3_600_000;

describe.each<StoreKind>(['sqlite', 'postgres'])('the insider playbook, refused (%s)', (kind) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(kind);
  });
  afterAll(() => api.close());

  /** The attempt is refused with `code`, its message names the rule, and nothing is appended anywhere. */
  async function refused({ mutation, input, actor, role }: Attempt, code: DomainErrorCode) {
    const head = await api.store.headPosition();
    const response = await mutate(api, mutation, input, actor, role);
    const [error] = response.errors ?? [];
    expect({ mutation, actor, code: error?.extensions?.code }).toEqual({ mutation, actor, code });
    if (code in SEPARATION_OF_DUTIES) {
      const { duty, never } = SEPARATION_OF_DUTIES[code as keyof typeof SEPARATION_OF_DUTIES];
      expect(error.message).toContain(`separation of duties: ${duty} is never done by ${never}`);
    }
    expect(await api.store.headPosition()).toBe(head);
    return error;
  }

  const streamOf = async (systemId: string) => collect(api.store.readStream(`default/ai-system-${systemId}`));

  const assign = (systemId: string, assignmentId: string, role: string, assignee: string) => ({
    mutation: 'assignAccountability',
    input: { systemId, assignmentId, role, assignee, effectiveFrom: new Date().toISOString() },
    actor: PEOPLE.admin,
  });

  async function holdRole(systemId: string, assignmentId: string, role: string, assignee: string) {
    const { input, actor } = assign(systemId, assignmentId, role, assignee);
    await ok(api, 'assignAccountability', input, actor);
    await ok(api, 'acceptAccountability', { systemId, assignmentId }, assignee);
  }

  const deployed = async (systemId: string) => {
    await deployableSystem(api, systemId);
    await ok(api, 'deployModelVersion', { systemId, version: 'v1' });
  };

  it('one person under two spellings of their name cannot approve as two reviewers', async () => {
    const systemId = 'pb-spelling';
    await registerSystem(api, systemId);
    await approvedDataset(api, `${systemId}-data`);
    await registeredVersion(api, systemId, 'v1', `${systemId}-data`, 1);
    const approve = (discipline: string, actor: string) => ({
      mutation: 'approveDeployment',
      input: { systemId, version: 'v1', discipline },
      actor,
    });

    await ok(api, 'approveDeployment', approve('clinical', 'rev.same').input, 'rev.same');
    await refused(approve('data_science', 'Rev.Same'), 'REVIEWER_ALREADY_APPROVED');
    await refused(approve('data_science', '  REV.SAME '), 'REVIEWER_ALREADY_APPROVED');
    // NFC: é as one code point and as e plus a combining acute accent are one person.
    await ok(api, 'approveDeployment', approve('security', 'dr.jos\u00e9').input, 'dr.jos\u00e9');
    await refused(approve('compliance', 'Dr.Jose\u0301'), 'REVIEWER_ALREADY_APPROVED');

    await ok(api, 'approveDeployment', approve('data_science', 'ds.review').input, 'ds.review');
    await ok(api, 'approveDeployment', approve('compliance', 'comp.carl').input, 'comp.carl');
    const reviewers = (await streamOf(systemId))
      .filter((e) => e.type === 'DeploymentApproved')
      .map((e) => (e.data as { reviewer: string }).reviewer);
    expect(reviewers).toEqual(['rev.same', 'dr.jos\u00e9', 'ds.review', 'comp.carl']);
  });

  it('a registrant who names someone else as developer cannot plan, validate or approve their own version', async () => {
    const systemId = 'pb-frontman';
    await registerSystem(api, systemId);
    await approvedDataset(api, `${systemId}-data`);
    await approvedDataset(api, holdoutOf(systemId, 'v1'), 'model-validation');
    await ok(
      api,
      'registerModelVersion',
      {
        systemId,
        version: 'v1',
        artifactSha256: sha(1),
        trainingDatasetIds: [`${systemId}-data`],
        codeRevision: 'git:1',
        changeSummary: 'first release',
        withinChangeControlPlan: true,
        developer: 'ds.frontman',
      },
      'ds.insider',
    );
    const plan = { systemId, version: 'v1', datasetId: holdoutOf(systemId, 'v1'), ...VALIDATION_PLAN };
    const result = {
      systemId,
      validationId: 'val-own',
      version: 'v1',
      metrics: [{ name: 'auroc', value: 0.9 }],
      subgroupResults: [{ subgroup: 'age>80', metrics: [{ name: 'auroc', value: 0.9 }] }],
    };
    const approval = { systemId, version: 'v1', discipline: 'clinical' };

    await refused({ mutation: 'planValidation', input: plan, actor: 'ds.insider' }, 'VALIDATOR_IS_DEVELOPER');
    await refused(
      { mutation: 'approveDeployment', input: approval, actor: 'ds.insider' },
      'REVIEWER_IS_DEVELOPER',
    );
    await ok(api, 'planValidation', plan, PEOPLE.performanceOwner);
    for (const author of ['ds.insider', 'ds.frontman'])
      await refused(
        { mutation: 'recordValidationResult', input: result, actor: author },
        'VALIDATOR_IS_DEVELOPER',
      );

    await ok(api, 'recordValidationResult', result, PEOPLE.validator);
    await ok(api, 'approveDeployment', approval, PEOPLE.reviewers.clinical);
    const registered = (await streamOf(systemId)).find((e) => e.type === 'ModelVersionRegistered')!;
    expect(registered.data).toMatchObject({ developer: 'ds.frontman', registeredBy: 'ds.insider' });
  });

  it('a validator cannot type thresholds in with the result, report against no plan, or move the plan once a result exists', async () => {
    const systemId = 'pb-thresholds';
    await registerSystem(api, systemId);
    await approvedDataset(api, `${systemId}-data`);
    await approvedDataset(api, holdoutOf(systemId, 'v1'), 'model-validation');
    await registeredVersion(api, systemId, 'v1', `${systemId}-data`, 1);
    const result = (validationId: string, value: number, extra: Record<string, unknown> = {}) => ({
      mutation: 'recordValidationResult',
      input: {
        systemId,
        validationId,
        version: 'v1',
        metrics: [{ name: 'auroc', value, ...extra }],
        subgroupResults: [{ subgroup: 'age>80', metrics: [{ name: 'auroc', value }] }],
      },
      actor: PEOPLE.validator,
    });

    // The contract has no place for a threshold beside a result.
    const head = await api.store.headPosition();
    const typedIn = await mutate(
      api,
      'recordValidationResult',
      result('val-typed', 0.01, { threshold: 0, direction: 'min' }).input,
      PEOPLE.validator,
    );
    expect(typedIn.errors?.[0].message).toMatch(
      /Field "threshold" is not defined by type "MeasuredMetricInput"/,
    );
    expect(await api.store.headPosition()).toBe(head);
    await refused(result('val-unplanned', 0.01), 'VALIDATION_NOT_PLANNED');

    const plan = { systemId, version: 'v1', datasetId: holdoutOf(systemId, 'v1'), ...VALIDATION_PLAN };
    await ok(api, 'planValidation', plan, PEOPLE.performanceOwner);
    const unplannedMetric = result('val-other-metric', 0.9);
    unplannedMetric.input.metrics = [{ name: 'accuracy', value: 0.9 }];
    await refused(unplannedMetric, 'VALIDATION_PLAN_MISMATCH');
    const subgroupLeftOut = result('val-no-subgroup', 0.9);
    subgroupLeftOut.input.subgroupResults = [];
    await refused(subgroupLeftOut, 'VALIDATION_PLAN_MISMATCH');

    const failed = await ok(api, 'recordValidationResult', result('val-low', 0.01).input, PEOPLE.validator);
    const judged = (await streamOf(systemId)).find((e) => e.eventId === failed.events[0].eventId)!;
    expect(judged.data).toMatchObject({
      passed: false,
      datasetId: holdoutOf(systemId, 'v1'),
      metrics: [{ name: 'auroc', value: 0.01, threshold: 0.8, direction: 'min', passed: false }],
    });
    const loosened = {
      ...plan,
      metrics: [{ name: 'auroc', threshold: 0, direction: 'min' }],
      subgroups: [{ subgroup: 'age>80', metrics: [{ name: 'auroc', threshold: 0, direction: 'min' }] }],
    };
    await refused(
      { mutation: 'planValidation', input: loosened, actor: PEOPLE.performanceOwner },
      'VALIDATION_PLAN_LOCKED',
    );
    await refused(
      { mutation: 'planValidation', input: loosened, actor: PEOPLE.validator },
      'VALIDATION_PLAN_LOCKED',
    );

    const passed = await ok(api, 'recordValidationResult', result('val-good', 0.86).input, PEOPLE.validator);
    const judgedAgain = (await streamOf(systemId)).find((e) => e.eventId === passed.events[0].eventId)!;
    expect(judgedAgain.data).toMatchObject({ passed: true, metrics: [{ threshold: 0.8, passed: true }] });
  });

  it('a version cannot be validated on its own training data, or on a dataset nobody but its author approved for validation', async () => {
    const systemId = 'pb-datasets';
    const training = `${systemId}-data`;
    await registerSystem(api, systemId);
    await approvedDataset(api, training);
    // Approved for validation as well: what refuses it is that the model trained on it.
    await ok(api, 'approveDataset', { datasetId: training, purpose: 'model-validation' }, PEOPLE.steward);
    await approvedDataset(api, `${systemId}-other-training`);
    await approvedDataset(api, holdoutOf(systemId, 'v1'), 'model-validation');
    await registeredVersion(api, systemId, 'v1', training, 1);
    const planOn = (datasetId: string) => ({
      mutation: 'planValidation',
      input: { systemId, version: 'v1', datasetId, ...VALIDATION_PLAN },
      actor: PEOPLE.performanceOwner,
    });

    await refused(planOn(training), 'VALIDATION_DATASET_IS_TRAINING_DATA');
    await refused(planOn(`${systemId}-never-registered`), 'VALIDATION_DATASET_NOT_APPROVED');
    await refused(planOn(`${systemId}-other-training`), 'VALIDATION_DATASET_NOT_APPROVED');
    // A holdout its own developer approved for validation: registered, approved, and still not independent.
    const selfApproved = `${systemId}-self-approved`;
    await ok(api, 'registerDataset', { ...DATASET_REGISTRATION, datasetId: selfApproved });
    await ok(
      api,
      'approveDataset',
      { datasetId: selfApproved, purpose: 'model-validation' },
      PEOPLE.developer,
    );
    await refused(planOn(selfApproved), 'VALIDATION_DATASET_APPROVED_BY_AUTHOR');

    await ok(api, 'planValidation', planOn(holdoutOf(systemId, 'v1')).input, PEOPLE.performanceOwner);
  });

  it('a failing validation recorded after a pass keeps the version from patients: no deploying on the stale pass', async () => {
    const systemId = 'pb-stale-pass';
    await deployableSystem(api, systemId);
    const result = (validationId: string, value: number) => ({
      systemId,
      validationId,
      version: 'v1',
      metrics: [{ name: 'auroc', value }],
      subgroupResults: [{ subgroup: 'age>80', metrics: [{ name: 'auroc', value }] }],
    });
    await ok(api, 'recordValidationResult', result('val-recheck', 0.71), PEOPLE.validator);

    const error = await refused(
      { mutation: 'deployModelVersion', input: { systemId, version: 'v1' }, actor: PEOPLE.admin },
      'GATE_NOT_MET',
    );
    const gates = error.extensions!.details!.unmetGates as Array<{ gate: string; message: string }>;
    expect(gates.map((g) => g.gate)).toEqual(['VALIDATION']);
    expect(gates[0].message).toContain('val-recheck, failed');

    await ok(api, 'recordValidationResult', result('val-after-fix', 0.86), PEOPLE.validator);
    await ok(api, 'deployModelVersion', { systemId, version: 'v1' });
  });

  it('nobody deploys a system nobody watches: no deployment without a monitoring plan', async () => {
    const systemId = 'pb-unwatched';
    await unmonitoredSystem(api, systemId);
    const error = await refused(
      { mutation: 'deployModelVersion', input: { systemId, version: 'v1' }, actor: PEOPLE.admin },
      'GATE_NOT_MET',
    );
    expect((error.extensions!.details!.unmetGates as Array<{ gate: string }>).map((g) => g.gate)).toEqual([
      'MONITORING_PLAN',
    ]);

    await ok(api, 'planMonitoring', {
      systemId,
      metric: 'auroc',
      threshold: 0.8,
      direction: 'min',
      cadence: 'P7D',
    });
    await ok(api, 'deployModelVersion', { systemId, version: 'v1' });
  });

  it('nobody appoints themselves: a governance admin cannot make themselves takedown authority and retire a live system', async () => {
    const systemId = 'pb-self-appointed';
    await deployed(systemId);
    const selfAssigned = assign(systemId, 'ta-self', 'TAKEDOWN_AUTHORITY', 'admin.mallory');
    await refused({ ...selfAssigned, actor: 'admin.mallory' }, 'SELF_ASSIGNMENT');
    await refused(
      {
        ...selfAssigned,
        input: { ...selfAssigned.input, assignee: 'Admin.Mallory' },
        actor: 'admin.mallory',
      },
      'SELF_ASSIGNMENT',
    );
    await refused(
      {
        mutation: 'registerMonitoringSource',
        input: { systemId, serviceId: 'admin.mallory' },
        actor: 'admin.mallory',
      },
      'SELF_ASSIGNMENT',
    );

    // Appointed by someone else and accepted, the same person may then act: two people made it possible.
    await holdRole(systemId, 'ta-mallory', 'TAKEDOWN_AUTHORITY', 'admin.mallory');
    await ok(
      api,
      'decideTakedown',
      {
        systemId,
        decisionId: 'td-retire',
        action: 'retire',
        rationale: 'replaced by a new pathway',
        evidence: ['memo:42'],
      },
      'admin.mallory',
    );
  });

  it('an author of any version cannot hold the roles that check it, nor review it', async () => {
    const systemId = 'pb-author-roles';
    await deployed(systemId);
    await validatedVersion(api, systemId, 'v2', `${systemId}-data`, 2);
    // The developer, and the admin who registered the versions: both are authors.
    for (const role of ['TAKEDOWN_AUTHORITY', 'BIAS_DRIFT_MONITOR'])
      await refused(assign(systemId, `${role}-dev`, role, PEOPLE.developer), 'AUTHOR_HOLDS_CONFLICTING_ROLE');
    await refused(
      { ...assign(systemId, 'ta-registrant', 'TAKEDOWN_AUTHORITY', PEOPLE.admin), actor: 'admin.hal' },
      'AUTHOR_HOLDS_CONFLICTING_ROLE',
    );
    await refused(
      {
        mutation: 'approveDeployment',
        input: { systemId, version: 'v2', discipline: 'clinical' },
        actor: PEOPLE.developer,
      },
      'REVIEWER_IS_DEVELOPER',
    );
    // Nor does a holder of those roles become an author, under their own name or as the named developer.
    const v3 = {
      systemId,
      version: 'v3',
      artifactSha256: sha(3),
      trainingDatasetIds: [`${systemId}-data`],
      codeRevision: 'git:3',
      changeSummary: 'release v3',
      withinChangeControlPlan: true,
    };
    await refused(
      { mutation: 'registerModelVersion', input: v3, actor: PEOPLE.authority },
      'AUTHOR_HOLDS_CONFLICTING_ROLE',
    );
    await refused(
      {
        mutation: 'registerModelVersion',
        input: { ...v3, developer: PEOPLE.biasMonitor },
        actor: PEOPLE.admin,
      },
      'AUTHOR_HOLDS_CONFLICTING_ROLE',
    );

    await holdRole(systemId, 'ta-2', 'TAKEDOWN_AUTHORITY', 'dr.nia');
    await holdRole(systemId, 'bdm-2', 'BIAS_DRIFT_MONITOR', 'ds.noah');
    await approveAll(api, systemId, 'v2');
    await ok(api, 'deployModelVersion', { systemId, version: 'v2' });
  });

  it('one person cannot hold both TAKEDOWN_AUTHORITY and SECURITY_OFFICER', async () => {
    const systemId = 'pb-two-hats';
    await deployed(systemId);
    await refused(
      assign(systemId, 'ta-sec', 'TAKEDOWN_AUTHORITY', PEOPLE.securityOfficer),
      'CONFLICTING_ROLES',
    );
    await refused(assign(systemId, 'sec-ta', 'SECURITY_OFFICER', PEOPLE.authority), 'CONFLICTING_ROLES');

    await holdRole(systemId, 'ta-2', 'TAKEDOWN_AUTHORITY', 'dr.nia');
    await holdRole(systemId, 'sec-2', 'SECURITY_OFFICER', 'sec.tess');
  });

  it('an emergency takedown is never ratified by the security officer who decided it', async () => {
    const systemId = 'pb-self-ratified';
    await deployed(systemId);
    await ok(
      api,
      'decideTakedown',
      {
        systemId,
        decisionId: 'td-emergency',
        action: 'suspend',
        rationale: 'suspected tampering with the model artifact',
        evidence: ['siem:alert-7'],
        emergency: true,
      },
      PEOPLE.securityOfficer,
    );
    const ratify = { mutation: 'ratifyTakedown', input: { systemId, decisionId: 'td-emergency' } };
    await refused({ ...ratify, actor: PEOPLE.securityOfficer }, 'NOT_TAKEDOWN_AUTHORITY');
    await refused(
      assign(systemId, 'ta-sec', 'TAKEDOWN_AUTHORITY', PEOPLE.securityOfficer),
      'CONFLICTING_ROLES',
    );
    // The long way round: hand SECURITY_OFFICER on, become the authority, ratify. The last step still fails.
    await holdRole(systemId, 'sec-2', 'SECURITY_OFFICER', 'sec.tess');
    await ok(api, 'revokeAccountability', {
      systemId,
      assignmentId: 'security_officer-1',
      reason: 'rotation',
    });
    await holdRole(systemId, 'ta-sec', 'TAKEDOWN_AUTHORITY', PEOPLE.securityOfficer);
    await refused({ ...ratify, actor: PEOPLE.securityOfficer }, 'RATIFIER_IS_DECIDER');

    await ok(api, 'ratifyTakedown', ratify.input, PEOPLE.authority);
  });

  it('nobody rewrites who was accountable: no backdated assignment or revocation, on a live or a retired system', async () => {
    const systemId = 'pb-backdated';
    await deployed(systemId);
    const backdatedAssignment = assign(systemId, 'lead-2', 'CLINICAL_LEAD', 'dr.nia');
    backdatedAssignment.input.effectiveFrom = ago(24 * HOUR);
    await refused(backdatedAssignment, 'EFFECTIVE_BEFORE_RECORDED');
    const revokeAuthority = (effectiveAt?: string) => ({
      mutation: 'revokeAccountability',
      input: {
        systemId,
        assignmentId: 'takedown_authority-1',
        reason: 'left the trust',
        ...(effectiveAt ? { effectiveAt } : {}),
      },
      actor: PEOPLE.admin,
    });
    await refused(revokeAuthority(ago(HOUR)), 'EFFECTIVE_BEFORE_RECORDED');

    await ok(
      api,
      'decideTakedown',
      {
        systemId,
        decisionId: 'td-retire',
        action: 'retire',
        rationale: 'withdrawn by the vendor',
        evidence: ['fsn:1'],
      },
      PEOPLE.authority,
    );
    const decision = (await streamOf(systemId)).find((e) => e.type === 'TakedownDecided')!;
    const decidedAt = (decision.data as { decidedAt: string }).decidedAt;
    await refused(revokeAuthority(ago(HOUR)), 'EFFECTIVE_BEFORE_RECORDED');
    await caughtUp(api);
    const { data } = await api.graphql<{
      accountability: { holdings: Array<{ role: string; holder: string }> };
    }>(`{ accountability(systemId: "${systemId}", asOf: "${decidedAt}") { holdings { role holder } } }`);
    expect(data!.accountability.holdings).toContainEqual({
      role: 'TAKEDOWN_AUTHORITY',
      holder: PEOPLE.authority,
    });

    // A clock a minute behind is tolerated and read as the moment the change is recorded.
    const requested = ago(60_000);
    await ok(api, 'revokeAccountability', revokeAuthority(requested).input);
    const revoked = (await streamOf(systemId)).at(-1)!;
    expect(revoked.type).toBe('AccountabilityRevoked');
    expect(Date.parse((revoked.data as { effectiveTo: string }).effectiveTo)).toBeGreaterThan(
      Date.parse(decidedAt),
    );
  });

  it('monitoring signals come only from the people who watch the system, or a monitoring service registered by someone else', async () => {
    const systemId = 'pb-signals';
    await deployed(systemId);
    const signal = (actor: string, role?: Role) => ({
      mutation: 'recordMonitoringSignal',
      input: { systemId, kind: 'drift', metric: 'auroc', value: 0.9, observedAt: new Date().toISOString() },
      actor,
      role,
    });
    for (const outsider of [PEOPLE.clinicalLead, PEOPLE.admin, PEOPLE.developer])
      await refused(signal(outsider), 'NOT_MONITORING_SOURCE');
    await refused(signal('svc.monitor', 'emitter'), 'NOT_MONITORING_SOURCE');

    await ok(api, 'registerMonitoringSource', { systemId, serviceId: 'svc.monitor' });
    await ok(api, 'recordMonitoringSignal', signal('svc.monitor').input, 'svc.monitor', 'emitter');
    await ok(api, 'recordMonitoringSignal', signal(PEOPLE.biasMonitor).input, PEOPLE.biasMonitor);
    await ok(api, 'recordMonitoringSignal', signal(PEOPLE.performanceOwner).input, PEOPLE.performanceOwner);
    const sources = (await streamOf(systemId))
      .filter((e) => e.type === 'MonitoringSignalRecorded')
      .map((e) => e.metadata.actor.id);
    expect(sources).toEqual(['svc.monitor', PEOPLE.biasMonitor, PEOPLE.performanceOwner]);
  });
});
