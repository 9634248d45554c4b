import type * as C from '../ai-system/commands';
import { aiSystemDecider } from '../ai-system/decide';
import type { AiSystemEvent } from '../ai-system/events';
import { LEDGER_MONITOR } from '../ai-system/monitoring';
import { DEFAULT_GOVERNANCE_POLICY, type GovernancePolicy } from '../ai-system/policy';
import type { AccountabilityRole } from '../ai-system/vocabulary';
import type { CommandMeta } from '../shared/command-meta';
import { stateFrom } from '../shared/decider';
import { MS_PER_DAY, MS_PER_HOUR, instantAfter } from '../shared/time';

/**
 * The cast and calendar of the AI system specs, and command builders with
 * sensible defaults so each spec spells out only what its rule is about.
 */

export const SYSTEM = 'sepsis-watch';
export const T0 = '2025-03-03T09:00:00.000Z';
/** T0 plus some days (and hours), so specs read as a calendar. */
export const day = (days: number, hours = 0) => instantAfter(T0, days * MS_PER_DAY + hours * MS_PER_HOUR);
export const meta = (actor: string, at = day(0)): CommandMeta => ({ actor, at });

/** One computed value, with inputs that look like a real window's. */
export const computedValue = (value: number, n: number, subgroup?: string): C.ComputedSignalValue => ({
  value,
  n,
  ...(subgroup === undefined ? {} : { subgroup }),
  inputs: {
    throughPosition: '4990',
    count: 2 * n,
    firstPosition: '120',
    lastPosition: '4980',
    positionsSha256: 'ab'.repeat(32),
  },
});

export const ADMIN = 'gov.admin';
export const DEVELOPER = 'dev.dan';
export const VALIDATOR = 'val.vic';
export const HOLDERS: Record<AccountabilityRole, string> = {
  MODEL_PERFORMANCE_OWNER: 'dr.perf',
  BIAS_DRIFT_MONITOR: 'dr.bias',
  TAKEDOWN_AUTHORITY: 'dr.ada',
  CLINICAL_LEAD: 'dr.lead',
  DATA_STEWARD: 'steward.sue',
  SECURITY_OFFICER: 'sec.sam',
  ACCOUNTABLE_EXECUTIVE: 'exec.eve',
};
export const REVIEWERS = {
  clinical: 'rev.clin',
  data_science: 'rev.ds',
  security: 'rev.sec',
  compliance: 'rev.comp',
} as const;
/** Plans validations: neither an author nor the validator. */
export const PLANNER = 'qa.quinn';
export const MONITORING_SERVICE = 'monitoring-service';
export const TRAINING_DATASET = 'icu-2019';
export const APPROVED_TRAINING_DATA: C.DatasetSnapshot[] = [
  {
    datasetId: TRAINING_DATASET,
    registered: true,
    approvedPurposes: ['model-training'],
    approvals: [{ purpose: 'model-training', approvedBy: 'data.steward' }],
  },
];
export const VALIDATION_DATASET = 'icu-2021-holdout';
export const APPROVED_VALIDATION_DATA: C.DatasetSnapshot = {
  datasetId: VALIDATION_DATASET,
  registered: true,
  approvedPurposes: ['model-validation'],
  approvals: [{ purpose: 'model-validation', approvedBy: 'data.steward' }],
};
/** A distinct, well-formed artifact digest per version label. */
export const artifactOf = (version: string) =>
  [...version]
    .map((c) => c.charCodeAt(0).toString(16).padStart(2, '0'))
    .join('')
    .padEnd(64, '0');

type Args<T extends C.AiSystemCommand> = Partial<Omit<T, 'type'>>;
const on = <T extends C.AiSystemCommand>(
  type: T['type'],
  defaults: Omit<T, 'type' | 'systemId' | 'meta'> & { meta: CommandMeta },
  over: Args<T>,
): T => ({ type, systemId: SYSTEM, ...defaults, ...over }) as T;

export const cmd = {
  register: (o: Args<C.RegisterAiSystem> = {}) =>
    on<C.RegisterAiSystem>(
      'RegisterAiSystem',
      {
        name: 'Sepsis Watch',
        intendedUse: 'Early warning of sepsis for adult inpatients',
        clinicalDomain: 'sepsis',
        riskClass: 'high',
        supplier: 'in-house',
        sites: ['north', 'south'],
        meta: meta(ADMIN),
      },
      o,
    ),
  assign: (role: AccountabilityRole, assignee = HOLDERS[role], o: Args<C.AssignAccountability> = {}) =>
    on<C.AssignAccountability>(
      'AssignAccountability',
      {
        assignmentId: `${role}-${assignee}`,
        role,
        assignee,
        effectiveFrom: o.meta?.at ?? day(0),
        meta: meta(ADMIN),
      },
      o,
    ),
  accept: (assignmentId: string, actor: string, o: Args<C.AcceptAccountability> = {}) =>
    on<C.AcceptAccountability>('AcceptAccountability', { assignmentId, meta: meta(actor) }, o),
  revoke: (assignmentId: string, o: Args<C.RevokeAccountability> = {}) =>
    on<C.RevokeAccountability>(
      'RevokeAccountability',
      { assignmentId, reason: 'left the trust', meta: meta(ADMIN, day(10)) },
      o,
    ),
  registerVersion: (version = '1.0.0', o: Args<C.RegisterModelVersion> = {}) =>
    on<C.RegisterModelVersion>(
      'RegisterModelVersion',
      {
        version,
        artifactSha256: artifactOf(version),
        trainingDatasetIds: [TRAINING_DATASET],
        codeRevision: '3f9c2e1',
        changeSummary: 'Initial release',
        withinChangeControlPlan: false,
        meta: meta(DEVELOPER),
      },
      o,
    ),
  planValidation: (version = '1.0.0', o: Args<C.PlanValidation> = {}) =>
    on<C.PlanValidation>(
      'PlanValidation',
      {
        version,
        datasetId: VALIDATION_DATASET,
        dataset: APPROVED_VALIDATION_DATA,
        metrics: [
          { name: 'AUROC', threshold: 0.8, direction: 'min' },
          { name: 'calibration-error', threshold: 0.05, direction: 'max' },
        ],
        subgroups: [{ subgroup: 'age 65+', metrics: [{ name: 'AUROC', threshold: 0.8, direction: 'min' }] }],
        meta: meta(PLANNER, day(0, 6)),
      },
      o,
    ),
  /** Passes the default plan. */
  validate: (version = '1.0.0', o: Args<C.RecordValidationResult> = {}) =>
    on<C.RecordValidationResult>(
      'RecordValidationResult',
      {
        validationId: `val-${version}`,
        version,
        metrics: [
          { name: 'AUROC', value: 0.86 },
          { name: 'calibration-error', value: 0.04 },
        ],
        subgroupResults: [{ subgroup: 'age 65+', metrics: [{ name: 'AUROC', value: 0.83 }] }],
        meta: meta(VALIDATOR, day(1)),
      },
      o,
    ),
  /** Fails the default plan on overall AUROC. */
  validateFailing: (version = '1.0.0', o: Args<C.RecordValidationResult> = {}) =>
    cmd.validate(version, {
      validationId: `val-${version}-failed`,
      metrics: [
        { name: 'AUROC', value: 0.5 },
        { name: 'calibration-error', value: 0.04 },
      ],
      ...o,
    }),
  approve: (
    discipline: C.ApproveDeployment['discipline'],
    version = '1.0.0',
    o: Args<C.ApproveDeployment> = {},
  ) =>
    on<C.ApproveDeployment>(
      'ApproveDeployment',
      { version, discipline, meta: meta(REVIEWERS[discipline], day(1, 2)) },
      o,
    ),
  accessPolicy: (o: Args<C.RecordAccessPolicy> = {}) =>
    on<C.RecordAccessPolicy>(
      'RecordAccessPolicy',
      {
        documentRef: 'policies/sepsis-watch-access-v3.pdf',
        permittedRoles: ['clinician', 'nurse'],
        permittedPurposes: ['TREAT'],
        meta: meta(ADMIN),
      },
      o,
    ),
  auditSource: (sourceService = 'ehr-gateway', o: Args<C.RegisterAuditSource> = {}) =>
    on<C.RegisterAuditSource>(
      'RegisterAuditSource',
      { sourceService, expectedInterval: 'PT24H', meta: meta(ADMIN) },
      o,
    ),
  monitoringSource: (serviceId = MONITORING_SERVICE, o: Args<C.RegisterMonitoringSource> = {}) =>
    on<C.RegisterMonitoringSource>('RegisterMonitoringSource', { serviceId, meta: meta(ADMIN) }, o),
  deploy: (version = '1.0.0', o: Args<C.DeployModelVersion> = {}) =>
    on<C.DeployModelVersion>(
      'DeployModelVersion',
      { version, datasets: APPROVED_TRAINING_DATA, meta: meta(ADMIN, day(2)) },
      o,
    ),
  plan: (o: Args<C.PlanMonitoring> = {}) =>
    on<C.PlanMonitoring>(
      'PlanMonitoring',
      {
        metric: 'AUROC',
        threshold: 0.8,
        direction: 'min',
        cadence: 'P7D',
        meta: meta(HOLDERS.MODEL_PERFORMANCE_OWNER, day(2)),
      },
      o,
    ),
  /** A plan the ledger computes: daily windows of a week of sepsis alerts, settled for a day, by age band. */
  computedPlan: (o: Args<C.PlanMonitoring> = {}) =>
    cmd.plan({
      metric: 'ppv',
      threshold: 0.3,
      cadence: 'P1D',
      computation: {
        window: 'P7D',
        minSamples: 100,
        positiveLabel: 'sepsis',
        settle: 'P1D',
        subgroups: ['ageBand'],
      },
      ...o,
    }),
  /** The window of the computed plan ending at the first midnight a week after T0, recorded a day after it settled. */
  computed: (values: C.ComputedSignalValue[], o: Args<C.RecordComputedSignal> = {}) =>
    on<C.RecordComputedSignal>(
      'RecordComputedSignal',
      {
        metric: 'ppv',
        window: { from: '2025-03-03T00:00:00.000Z', to: '2025-03-10T00:00:00.000Z' },
        version: '1.0.0',
        checkpoint: { treeSize: 5000, rootHash: 'q'.repeat(43) + '=' },
        values,
        meta: meta(LEDGER_MONITOR, day(8)),
      },
      o,
    ),
  signal: (value: number, o: Args<C.RecordMonitoringSignal> = {}) =>
    on<C.RecordMonitoringSignal>(
      'RecordMonitoringSignal',
      {
        kind: 'performance',
        metric: 'AUROC',
        value,
        observedAt: day(9),
        meta: meta(MONITORING_SERVICE, day(9, 1)),
      },
      o,
    ),
  reportIncident: (o: Args<C.ReportIncident> = {}) =>
    on<C.ReportIncident>(
      'ReportIncident',
      {
        incidentId: 'inc-1',
        classification: 'serious_harm_to_health',
        severity: 'high',
        description: 'Missed sepsis alert on ward 4',
        patientHarmed: false,
        awareAt: day(10),
        meta: meta(HOLDERS.CLINICAL_LEAD, day(10, 2)),
      },
      o,
    ),
  updateIncident: (o: Args<C.UpdateIncidentStatus> = {}) =>
    on<C.UpdateIncidentStatus>(
      'UpdateIncidentStatus',
      {
        incidentId: 'inc-1',
        status: 'investigating',
        note: 'Pulling model inputs for the case',
        meta: meta(HOLDERS.CLINICAL_LEAD, day(11)),
      },
      o,
    ),
  notifyIncident: (o: Args<C.RecordIncidentNotification> = {}) =>
    on<C.RecordIncidentNotification>(
      'RecordIncidentNotification',
      {
        incidentId: 'inc-1',
        recipient: 'market_surveillance_authority',
        kind: 'initial',
        reference: 'MSA-2025-0042',
        sentAt: day(11),
        meta: meta(HOLDERS.CLINICAL_LEAD, day(11)),
      },
      o,
    ),
  closeIncident: (o: Args<C.CloseIncident> = {}) =>
    on<C.CloseIncident>(
      'CloseIncident',
      { incidentId: 'inc-1', resolution: 'Rolled back to 1.0.0', meta: meta(HOLDERS.CLINICAL_LEAD, day(20)) },
      o,
    ),
  takedown: (action: C.DecideTakedown['action'], o: Args<C.DecideTakedown> = {}) =>
    on<C.DecideTakedown>(
      'DecideTakedown',
      {
        decisionId: `td-${action}`,
        action,
        rationale: 'AUROC fell below plan',
        evidence: ['inc-1'],
        meta: meta(HOLDERS.TAKEDOWN_AUTHORITY, day(12)),
      },
      o,
    ),
  ratify: (decisionId: string, o: Args<C.RatifyTakedown> = {}) =>
    on<C.RatifyTakedown>(
      'RatifyTakedown',
      { decisionId, meta: meta(HOLDERS.TAKEDOWN_AUTHORITY, day(13)) },
      o,
    ),
  reinstate: (o: Args<C.ReinstateAiSystem> = {}) =>
    on<C.ReinstateAiSystem>(
      'ReinstateAiSystem',
      {
        decisionId: 'td-reinstate',
        rationale: 'Revalidated on recent data',
        evidence: ['val-1.0.0-after'],
        meta: meta(HOLDERS.TAKEDOWN_AUTHORITY, day(15)),
      },
      o,
    ),
  audit: (o: Args<C.RecordAudit> = {}) =>
    on<C.RecordAudit>(
      'RecordAudit',
      {
        auditId: 'audit-2025-q1',
        scope: 'Deployment gates and monitoring, Q1',
        findings: [
          {
            findingId: 'F-1',
            severity: 'minor',
            description: 'Cadence missed once',
            owner: HOLDERS.MODEL_PERFORMANCE_OWNER,
            dueAt: day(60),
          },
        ],
        meta: meta('auditor.ann', day(30)),
      },
      o,
    ),
  resolveFinding: (o: Args<C.ResolveAuditFinding> = {}) =>
    on<C.ResolveAuditFinding>(
      'ResolveAuditFinding',
      {
        auditId: 'audit-2025-q1',
        findingId: 'F-1',
        resolution: 'Signals now scheduled by the monitoring service',
        meta: meta(HOLDERS.MODEL_PERFORMANCE_OWNER, day(40)),
      },
      o,
    ),
  verifyClosure: (o: Args<C.VerifyAuditFindingClosure> = {}) =>
    on<C.VerifyAuditFindingClosure>(
      'VerifyAuditFindingClosure',
      {
        auditId: 'audit-2025-q1',
        findingId: 'F-1',
        note: 'Checked a month of signals',
        meta: meta('auditor.ann', day(45)),
      },
      o,
    ),
  accessReview: (o: Args<C.RecordAccessLogReview> = {}) =>
    on<C.RecordAccessLogReview>(
      'RecordAccessLogReview',
      {
        periodFrom: day(0),
        periodTo: day(30),
        outcome: 'no_issues',
        note: 'Every access matched a grant',
        meta: meta(HOLDERS.SECURITY_OFFICER, day(31)),
      },
      o,
    ),
};

/** Runs commands through the real decider, so a spec's history is one the domain could actually have produced. */
export function run(
  commands: C.AiSystemCommand[],
  history: AiSystemEvent[] = [],
  policy: GovernancePolicy = DEFAULT_GOVERNANCE_POLICY,
): AiSystemEvent[] {
  const decider = aiSystemDecider(policy);
  return commands.reduce(
    (events, command) => [...events, ...decider.decide(command, stateFrom(decider, events))],
    history,
  );
}

/** Every role assigned and accepted at T0. */
export const staffed = (
  roles: readonly AccountabilityRole[] = Object.keys(HOLDERS) as AccountabilityRole[],
) => roles.flatMap((role) => [cmd.assign(role), cmd.accept(`${role}-${HOLDERS[role]}`, HOLDERS[role])]);

/**
 * Version 1.0.0 registered, validated against its plan, approved by all four
 * disciplines, with access policy, audit source and a monitoring plan: every
 * gate met. A monitoring service is registered to report signals.
 */
export const readyToDeploy = (): AiSystemEvent[] =>
  run([
    cmd.register(),
    ...staffed(),
    cmd.registerVersion(),
    cmd.planValidation(),
    cmd.validate(),
    cmd.accessPolicy(),
    cmd.auditSource(),
    cmd.plan({ meta: meta(HOLDERS.MODEL_PERFORMANCE_OWNER, day(1, 4)) }),
    cmd.monitoringSource(),
    ...(['clinical', 'data_science', 'security', 'compliance'] as const).map((d) => cmd.approve(d)),
  ]);

export const deployed = (): AiSystemEvent[] => run([cmd.deploy()], readyToDeploy());

/** 1.0.0 deployed, then 2.0.0 validated, approved and deployed over it: something to roll back from. */
export const upgraded = (): AiSystemEvent[] =>
  run(
    [
      cmd.registerVersion('2.0.0', {
        parentVersion: '1.0.0',
        changeSummary: 'Retrained on 2024 data',
        meta: meta(DEVELOPER, day(3)),
      }),
      cmd.planValidation('2.0.0', { meta: meta(PLANNER, day(3, 6)) }),
      cmd.validate('2.0.0', { meta: meta(VALIDATOR, day(4)) }),
      ...(['clinical', 'data_science', 'security', 'compliance'] as const).map((d) =>
        cmd.approve(d, '2.0.0', { meta: meta(REVIEWERS[d], day(4, 2)) }),
      ),
      cmd.deploy('2.0.0', { meta: meta(ADMIN, day(5)) }),
    ],
    deployed(),
  );

export const suspended = (): AiSystemEvent[] => run([cmd.takedown('suspend')], deployed());
