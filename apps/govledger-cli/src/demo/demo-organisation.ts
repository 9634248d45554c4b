import { OUTCOME_METRICS, type ComputedMetric } from '@ledger/domain';
import { randomUUID } from 'node:crypto';
import { awaitComputedSignals, type LedgerSignal, sendClinicalUse } from './clinical-use-feed';
import type { LedgerClient, Receipt } from './ledger-client';
import {
  DEMO_SEPSIS_HISTORY,
  nextScoringRound,
  SEPSIS_COMPUTED_MONITORING,
  SEPSIS_LABELS,
  SEPSIS_MONITORING_WINDOW,
  sepsisClinicalUse,
} from './sepsis-clinical-use';

/**
 * A realistic small health system, written through the ledger's own command
 * path: two hospitals, three AI systems with full lifecycles (the sepsis
 * predictor is rolled back after a drift breach), weeks of the sepsis
 * predictor's clinical use, and data access at volume.
 *
 * Time: the ledger decides every command at its own clock, so the whole
 * governance story happens as the demo runs. Clinical use is told as its
 * services report it, each event at its own time: weeks of outputs up to now,
 * sent as a backlog, from which the ledger computes the drift the rollback
 * rests on; then, after the rollback, the next scoring round on v1.
 */

const SITES = ['st-mary-north', 'riverside-south'];

export const PEOPLE = {
  admin: 'gov.admin.grace',
  steward: 'dr.steward.sam',
  validator: 'val.victor',
  developer: 'ds.dev.dana',
  reviewers: {
    clinical: 'dr.review.rosa',
    data_science: 'ds.review.raj',
    security: 'sec.review.sol',
    compliance: 'comp.review.carl',
  },
};

interface SystemPlan {
  systemId: string;
  name: string;
  intendedUse: string;
  clinicalDomain: string;
  riskClass: string;
  supplier: 'in_house' | 'vendor';
  vendorName?: string;
  sites: string[];
  datasetId: string;
  auditSource: string;
  holders: Record<string, string>;
}

const SEPSIS = 'sepsis-predictor';

const SYSTEMS: SystemPlan[] = [
  {
    systemId: SEPSIS,
    name: 'Sepsis early-warning predictor',
    intendedUse: 'Flags adult inpatients at risk of sepsis within 12 hours for rapid-response review',
    clinicalDomain: 'critical care',
    riskClass: 'high',
    supplier: 'in_house',
    sites: SITES,
    datasetId: 'icu-vitals-2019-2024',
    auditSource: 'epic-gateway',
    holders: {
      MODEL_PERFORMANCE_OWNER: 'dr.perf.priya',
      BIAS_DRIFT_MONITOR: 'ds.bias.ben',
      TAKEDOWN_AUTHORITY: 'dr.cmio.ada',
      CLINICAL_LEAD: 'dr.icu.lead.lee',
      SECURITY_OFFICER: 'sec.officer.sam',
      ACCOUNTABLE_EXECUTIVE: 'exec.cmo.eve',
    },
  },
  {
    systemId: 'ct-head-triage',
    name: 'CT head haemorrhage triage',
    intendedUse:
      'Prioritises non-contrast CT head studies with suspected intracranial haemorrhage on the radiology worklist',
    clinicalDomain: 'radiology',
    riskClass: 'moderate',
    supplier: 'vendor',
    vendorName: 'Acme Imaging AI',
    sites: [SITES[0]],
    datasetId: 'ct-head-studies-2022',
    auditSource: 'pacs-bridge',
    holders: {
      MODEL_PERFORMANCE_OWNER: 'dr.rad.omar',
      BIAS_DRIFT_MONITOR: 'ds.bias.ben',
      TAKEDOWN_AUTHORITY: 'dr.rad.chief.kim',
      CLINICAL_LEAD: 'dr.rad.lead.ivy',
      SECURITY_OFFICER: 'sec.officer.sam',
      ACCOUNTABLE_EXECUTIVE: 'exec.cmo.eve',
    },
  },
  {
    systemId: 'discharge-notes-assistant',
    name: 'Discharge summary drafting assistant',
    intendedUse: 'Drafts discharge summaries from the inpatient record for clinician review and signature',
    clinicalDomain: 'general medicine',
    riskClass: 'low',
    supplier: 'in_house',
    sites: [SITES[1]],
    datasetId: 'deid-notes-corpus',
    auditSource: 'notes-service',
    holders: {
      MODEL_PERFORMANCE_OWNER: 'dr.med.mia',
      BIAS_DRIFT_MONITOR: 'ds.bias.bo',
      TAKEDOWN_AUTHORITY: 'dr.med.chief.noah',
      CLINICAL_LEAD: 'dr.med.lead.lin',
      SECURITY_OFFICER: 'sec.officer.sam',
      ACCOUNTABLE_EXECUTIVE: 'exec.coo.oli',
    },
  },
];

/** Each version's validation dataset: held out from its training data, approved only for validation. */
const holdoutOf = (plan: SystemPlan, version: string) => `${plan.datasetId}-holdout-${version}`;

/** What each version's validation must reach, fixed by the system's performance owner before any result. */
const VALIDATION_PLAN = {
  metrics: [
    { name: 'auroc', threshold: 0.8, direction: 'min' },
    { name: 'calibration_error', threshold: 0.05, direction: 'max' },
  ],
  subgroups: [
    { subgroup: 'age>80', metrics: [{ name: 'auroc', threshold: 0.8, direction: 'min' }] },
    { subgroup: 'sex=female', metrics: [{ name: 'auroc', threshold: 0.8, direction: 'min' }] },
  ],
};
const digest = (label: string) => Buffer.from(label.padEnd(32, '.')).toString('hex').slice(0, 64);

export interface SeedReport {
  systems: string[];
  datasets: string[];
  rollback: {
    systemId: string;
    decisionId: string;
    beforeRollback: string;
    authority: string;
    handoverAt: string;
    previousAuthority: string;
  };
  dataAccessEvents: number;
  /** Absent when the demo was asked for no clinical use. */
  clinicalUse?: {
    outputs: number;
    responses: number;
    outcomes: number;
    from: string;
    to: string;
    signals: number;
    breaches: number;
    /** The first computed breaches the rollback cites: the over-80 band's, then the whole population's. */
    evidence: LedgerSignal[];
    /** A patient scored before and after the rollback, and by which versions. */
    patient: {
      patientId: string;
      before: { version: string; at: string };
      after: { version: string; at: string };
    };
  };
}

export type SeedProgress =
  | { phase: 'clinical use'; sent: number; total: number }
  | { phase: 'monitoring'; computed: number }
  | { phase: 'data access'; written: number; total: number };

export interface SeedOptions {
  accessEvents: number;
  /** How many sepsis predictor outputs the weeks of clinical use hold; 0 (the default) sends none. */
  sepsisOutputs?: number;
  onProgress: (progress: SeedProgress) => void;
  /** How long to wait for the ledger to compute the breach the clinical use shows. */
  monitoringTimeoutMs?: number;
}

const clinicians = (plan: SystemPlan) =>
  Array.from({ length: 12 }, (_, c) => `clinician.${plan.systemId.split('-')[0]}.${c}`);

/**
 * Now, as an instant strictly before whatever is recorded next: the clock moves on first. Recorded in the same
 * millisecond, a change would already be in force as of this instant (an assignment, pending acceptance, shows
 * its assignee as a holder), and "as of just before" would show it.
 */
async function instantBeforeNext(): Promise<string> {
  const at = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 5));
  return at;
}

/**
 * Data-access item `n` of the demo, as the audit source of one of its systems
 * sends it to POST /v1/events: spread over the three systems, their datasets,
 * their clinicians and 5,000 patients, with a few exports, a few accesses for
 * hospital operations and a few denials. The benchmark writes the same items
 * straight to a store, so its ledger and the demo's are alike.
 */
export function demoAccess(n: number): { service: string; item: Record<string, unknown> } {
  const plan = SYSTEMS[n % SYSTEMS.length];
  return {
    service: plan.auditSource,
    item: {
      eventId: randomUUID(),
      type: 'DataAccessed',
      occurredAt: new Date().toISOString(),
      data: {
        actor: clinicians(plan)[n % 12],
        datasetId: plan.datasetId,
        patientId: `MRN-${String(100000 + (n % 5000)).padStart(7, '0')}`,
        action: n % 17 === 0 ? 'E' : 'R',
        purposeOfUse: n % 23 === 0 ? 'HOPERAT' : 'TREAT',
        outcome: n % 97 === 0 ? 'denied' : 'success',
        systemId: plan.systemId,
      },
    },
  };
}

const formatValue = (v: number) => v.toFixed(3);
const subgroupText = (s: LedgerSignal) => (s.subgroup ? ` in ${s.subgroup}` : ' overall');

export async function seedDemoOrganisation(client: LedgerClient, options: SeedOptions): Promise<SeedReport> {
  const sepsisOutputs = options.sepsisOutputs ?? 0;
  const run = (mutation: string, input: Record<string, unknown>, actor = PEOPLE.admin): Promise<Receipt> =>
    client.command(mutation, input, actor);

  const dataset = async (datasetId: string, purpose: string) => {
    await run('registerDataset', {
      datasetId,
      name: datasetId.replaceAll('-', ' '),
      classification: 'de_identified',
      legalBasis: 'HIPAA health care operations (45 CFR 164.506)',
      steward: PEOPLE.steward,
      source: 'enterprise data warehouse extract',
      retentionPeriod: 'P6Y',
    });
    await run('approveDataset', { datasetId, purpose }, PEOPLE.steward);
  };

  for (const plan of SYSTEMS) {
    const { systemId, datasetId } = plan;
    await dataset(datasetId, 'model-training');
    await run('registerAiSystem', {
      systemId,
      name: plan.name,
      intendedUse: plan.intendedUse,
      clinicalDomain: plan.clinicalDomain,
      riskClass: plan.riskClass,
      supplier: plan.supplier,
      ...(plan.vendorName ? { vendorName: plan.vendorName } : {}),
      sites: plan.sites,
    });
    // No assignment takes effect before it is recorded, so the demo's roles start as it runs.
    for (const [role, assignee] of Object.entries(plan.holders)) {
      const assignmentId = `${role.toLowerCase().replaceAll('_', '-')}-1`;
      const effectiveFrom = new Date().toISOString();
      await run('assignAccountability', { systemId, assignmentId, role, assignee, effectiveFrom });
      await run('acceptAccountability', { systemId, assignmentId }, assignee);
    }
    await run('recordAccessPolicy', {
      systemId,
      documentRef: `policy://ai-governance/${systemId}/access-v1`,
      permittedRoles: ['attending', 'resident', 'nurse'],
      permittedPurposes: ['TREAT'],
      reviewEveryDays: 90,
    });
    await run('registerAuditSource', { systemId, sourceService: plan.auditSource, expectedInterval: 'P1D' });
    // Nobody deploys a system that nobody watches: its monitoring is planned first.
    await run('planMonitoring', {
      systemId,
      metric: 'auroc',
      threshold: 0.8,
      direction: 'min',
      cadence: 'P7D',
    });
    // The ledger computes these from the clinical use the demo sends; without any, they are left out.
    if (systemId === SEPSIS && sepsisOutputs > 0)
      for (const { metric, threshold, direction, subgroups, minSamples } of SEPSIS_COMPUTED_MONITORING)
        await run(
          'planMonitoring',
          {
            systemId,
            metric,
            threshold,
            direction,
            cadence: SEPSIS_MONITORING_WINDOW.cadence,
            computation: {
              window: SEPSIS_MONITORING_WINDOW.window,
              settle: SEPSIS_MONITORING_WINDOW.settle,
              minSamples,
              ...((OUTCOME_METRICS as readonly ComputedMetric[]).includes(metric)
                ? { positiveLabel: SEPSIS_LABELS.positive }
                : {}),
              ...(subgroups.length > 0 ? { subgroups } : {}),
            },
          },
          plan.holders.MODEL_PERFORMANCE_OWNER,
        );
    for (const version of ['v1', 'v2']) {
      await run(
        'registerModelVersion',
        {
          systemId,
          version,
          artifactSha256: digest(`${systemId}:${version}`),
          trainingDatasetIds: [datasetId],
          codeRevision: `git:${digest(version).slice(0, 12)}`,
          ...(version === 'v2' ? { parentVersion: 'v1' } : {}),
          changeSummary:
            version === 'v1' ? 'first clinical release' : 'retrained on 2024 data with recalibration',
          withinChangeControlPlan: true,
        },
        PEOPLE.developer,
      );
      await dataset(holdoutOf(plan, version), 'model-validation');
      await run(
        'planValidation',
        { systemId, version, datasetId: holdoutOf(plan, version), ...VALIDATION_PLAN },
        plan.holders.MODEL_PERFORMANCE_OWNER,
      );
      await run(
        'recordValidationResult',
        {
          systemId,
          validationId: `${systemId}-${version}-validation`,
          version,
          metrics: [
            { name: 'auroc', value: version === 'v1' ? 0.86 : 0.88 },
            { name: 'calibration_error', value: 0.04 },
          ],
          subgroupResults: [
            { subgroup: 'age>80', metrics: [{ name: 'auroc', value: version === 'v1' ? 0.82 : 0.81 }] },
            { subgroup: 'sex=female', metrics: [{ name: 'auroc', value: 0.87 }] },
          ],
        },
        PEOPLE.validator,
      );
      for (const [discipline, reviewer] of Object.entries(PEOPLE.reviewers))
        await run('approveDeployment', { systemId, version, discipline }, reviewer);
      await run('deployModelVersion', { systemId, version });
    }
    await run(
      'recordMonitoringSignal',
      { systemId, kind: 'performance', metric: 'auroc', value: 0.85, observedAt: new Date().toISOString() },
      plan.holders.BIAS_DRIFT_MONITOR,
    );
    await run(
      'recordAudit',
      {
        systemId,
        auditId: `${systemId}-audit-1`,
        scope: 'pre-deployment governance review',
        findings: [
          {
            findingId: 'F-1',
            severity: 'observation',
            description: 'monitoring cadence agreed',
            owner: plan.holders.MODEL_PERFORMANCE_OWNER,
            dueAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
          },
        ],
      },
      'auditor.amy',
    );
    // The owner closes the finding and the auditor, not the owner, verifies it.
    await run(
      'resolveAuditFinding',
      {
        systemId,
        auditId: `${systemId}-audit-1`,
        findingId: 'F-1',
        resolution: 'cadence written into the plan',
      },
      plan.holders.MODEL_PERFORMANCE_OWNER,
    );
    await run(
      'verifyAuditFindingClosure',
      { systemId, auditId: `${systemId}-audit-1`, findingId: 'F-1', note: 'plan checked' },
      'auditor.amy',
    );
    const reviewedUpTo = new Date().toISOString();
    await run(
      'recordAccessLogReview',
      {
        systemId,
        periodFrom: new Date(Date.parse(reviewedUpTo) - 86_400_000).toISOString(),
        periodTo: reviewedUpTo,
        outcome: 'no_issues',
        note: 'every access in the demo day matched the policy',
      },
      plan.holders.SECURITY_OFFICER,
    );
  }

  // The sepsis predictor: authority handed over, drift breach on v2, an incident, and a rollback to v1.
  const sepsis = SYSTEMS[0];
  const previousAuthority = sepsis.holders.TAKEDOWN_AUTHORITY;
  const authority = 'dr.cmio.deputy.bea';
  const handoverAt = await instantBeforeNext();
  await run('assignAccountability', {
    systemId: sepsis.systemId,
    assignmentId: 'takedown-authority-2',
    role: 'TAKEDOWN_AUTHORITY',
    assignee: authority,
    effectiveFrom: handoverAt,
  });
  await run(
    'acceptAccountability',
    { systemId: sepsis.systemId, assignmentId: 'takedown-authority-2' },
    authority,
  );
  await run('revokeAccountability', {
    systemId: sepsis.systemId,
    assignmentId: 'takedown-authority-1',
    reason: 'handed over on rotation',
  });
  const breach = await run(
    'recordMonitoringSignal',
    {
      systemId: sepsis.systemId,
      kind: 'drift',
      metric: 'auroc',
      value: 0.74,
      observedAt: new Date().toISOString(),
    },
    sepsis.holders.BIAS_DRIFT_MONITOR,
  );
  const clinicalUse =
    sepsisOutputs > 0 ? await sepsisInUse(client, sepsis, sepsisOutputs, options) : undefined;
  // A serious incident (Art 73): reported, and its initial notification sent to the authority at once,
  // which also lifts the freeze on new versions; the final report follows the rollback.
  const incident = { systemId: sepsis.systemId, incidentId: 'inc-2026-0142' };
  await run('reportIncident', {
    ...incident,
    classification: 'serious_harm_to_health',
    severity: 'high',
    description:
      'Late sepsis alerts on two medical wards after the v2 release; one patient’s antibiotics were delayed',
    patientHarmed: true,
    awareAt: new Date(Date.now() - 2 * 3_600_000).toISOString(),
    version: 'v2',
  });
  const notify = (kind: string) =>
    run('recordIncidentNotification', {
      ...incident,
      recipient: 'market_surveillance_authority',
      kind,
      reference: 'MSA-2026-0142',
      sentAt: new Date().toISOString(),
    });
  await notify('initial');
  const beforeRollback = await instantBeforeNext();
  const decisionId = 'takedown-sepsis-v2-rollback';
  await run(
    'decideTakedown',
    {
      systemId: sepsis.systemId,
      decisionId,
      action: 'rollback',
      toVersion: 'v1',
      rationale: [
        'AUROC drifted to 0.74 on v2, below the 0.80 plan threshold',
        ...(clinicalUse?.report.evidence ?? []).map(
          (s) =>
            `the ledger computed ${s.metric} ${formatValue(s.value)}${subgroupText(s)} for the week to ${s.observedAt}`,
        ),
        'v1 remains validated',
      ].join('; '),
      evidence: [
        breach.events[breach.events.length - 1].eventId,
        ...(clinicalUse?.report.evidence ?? []).map((s) => s.eventId),
        'incident:inc-2026-0142',
      ],
    },
    authority,
  );
  await notify('final');
  // The service's next round scores the patients still on the wards with the version now live.
  const afterRollback = clinicalUse
    ? nextScoringRound(clinicalUse.history, {
        seed: DEMO_SEPSIS_HISTORY.seed + 1,
        at: Date.now(),
        modelVersion: 'v1',
        patients: 40,
      })
    : [];
  await sendClinicalUse(client, sepsis.auditSource, afterRollback, () => undefined);

  for (const plan of SYSTEMS) {
    await run('approveDataset', { datasetId: plan.datasetId, purpose: 'TREAT' }, PEOPLE.steward);
    // The last two clinicians get no grant: their access shows up as a compliance finding.
    for (const principal of clinicians(plan).slice(0, 10))
      await run(
        'grantDatasetAccess',
        {
          datasetId: plan.datasetId,
          grantId: `grant-${principal}`,
          principal,
          purpose: 'TREAT',
          expiresAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
        },
        PEOPLE.steward,
      );
  }

  let written = 0;
  while (written < options.accessEvents) {
    const size = Math.min(1000, options.accessEvents - written);
    const byService = new Map<string, unknown[]>();
    for (let i = 0; i < size; i++) {
      const { service, item } = demoAccess(written + i);
      const items = byService.get(service) ?? [];
      items.push(item);
      byService.set(service, items);
    }
    for (const [service, items] of byService) await client.ingest(items, service);
    written += size;
    options.onProgress({ phase: 'data access', written, total: options.accessEvents });
  }

  return {
    systems: SYSTEMS.map((s) => s.systemId),
    datasets: SYSTEMS.flatMap((s) => [s.datasetId, holdoutOf(s, 'v1'), holdoutOf(s, 'v2')]),
    rollback: {
      systemId: sepsis.systemId,
      decisionId,
      beforeRollback,
      authority,
      handoverAt,
      previousAuthority,
    },
    dataAccessEvents: written,
    ...(clinicalUse
      ? { clinicalUse: { ...clinicalUse.report, patient: patientStory(clinicalUse.history, afterRollback) } }
      : {}),
  };
}

/**
 * Weeks of the sepsis predictor's use on v2, sent as its scoring service
 * reports them, then the wait for the ledger to compute the drift from them:
 * the first breach of the over-80 band and of the whole population are the
 * evidence the rollback cites.
 */
async function sepsisInUse(client: LedgerClient, sepsis: SystemPlan, outputs: number, options: SeedOptions) {
  const history = sepsisClinicalUse({
    ...DEMO_SEPSIS_HISTORY,
    outputs,
    end: Date.now(),
    systemId: sepsis.systemId,
    modelVersion: 'v2',
    sourceService: sepsis.auditSource,
    sites: sepsis.sites,
    clinicians: clinicians(sepsis),
  });
  await sendClinicalUse(client, sepsis.auditSource, history, (sent) =>
    options.onProgress({ phase: 'clinical use', sent, total: history.length }),
  );
  const firstBreach = (signals: LedgerSignal[], subgroup: string | null) =>
    signals
      .filter((s) => s.metric === 'ece' && s.subgroup === subgroup && s.breached)
      .sort((a, b) => Date.parse(a.observedAt) - Date.parse(b.observedAt))[0];
  // The whole population drifts later than the over-80 band: once it has breached, both have.
  const signals = await awaitComputedSignals(client, sepsis.systemId, (s) => !!firstBreach(s, null), {
    timeoutMs: options.monitoringTimeoutMs ?? 180_000,
    pollMs: 1000,
    auditor: 'auditor.amy',
    onWait: (computed) => options.onProgress({ phase: 'monitoring', computed }),
  });
  const evidence = [firstBreach(signals, 'ageBand=80+'), firstBreach(signals, null)].filter(
    (s): s is LedgerSignal => s !== undefined,
  );
  const count = (type: string) => history.filter((i) => i.type === type).length;
  return {
    history,
    report: {
      outputs: count('AiOutputProduced'),
      responses: count('ClinicianResponseRecorded'),
      outcomes: count('OutcomeObserved'),
      from: history[0].occurredAt,
      to: history[history.length - 1].occurredAt,
      signals: signals.length,
      breaches: signals.filter((s) => s.breached).length,
      evidence,
    },
  };
}

/** The patient scored last before the rollback, scored first by the new round: by which versions, and when. */
function patientStory(
  history: ReturnType<typeof sepsisClinicalUse>,
  afterRollback: ReturnType<typeof nextScoringRound>,
): NonNullable<SeedReport['clinicalUse']>['patient'] {
  const after = afterRollback[0];
  const before = history.findLast(
    (i): i is (typeof afterRollback)[number] =>
      i.type === 'AiOutputProduced' && i.data.patientId === after.data.patientId,
  )!;
  return {
    patientId: after.data.patientId,
    before: { version: before.data.modelVersion, at: before.occurredAt },
    after: { version: after.data.modelVersion, at: after.occurredAt },
  };
}
