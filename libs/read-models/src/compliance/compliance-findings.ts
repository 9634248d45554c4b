import { COMPLIANCE_RULES, type ComplianceRule } from '@ledger/domain';
import type { Kysely } from 'kysely';
import { holdingsAt } from '../accountability/accountability-queries';
import type { AccessPoliciesTables } from '../access-policies/access-policies-tables';
import type { AccountabilityTables } from '../accountability/accountability-tables';
import type { AuditsTables } from '../audits/audits-tables';
import type { ClinicalUseTables } from '../clinical-use/clinical-use-tables';
import type { DataAccessTables } from '../data-access/data-access-tables';
import type { IncidentsTables } from '../incidents/incidents-tables';
import type { LiveVersionsTables } from '../live-versions/live-versions-tables';
import type { ModelVersionsTables } from '../model-versions/model-versions-tables';
import type { MonitoringTables } from '../monitoring/monitoring-tables';
import { QueryInputError } from '../pages';
import type { SystemsTables } from '../systems/systems-tables';
import type { TakedownsTables } from '../takedowns/takedowns-tables';

export interface CompliancePolicy {
  requiredRoles: readonly string[];
  validationValidityDays: number;
  auditIntervalDays: number;
  /** How long after awareness an incident may reach the ledger before INCIDENT_REPORTED_LATE. */
  incidentReportGraceHours: number;
}

export interface ComplianceFinding {
  rule: ComplianceRule;
  /** The system the finding is about; for data access without a system, null (the dataset names it). */
  systemId: string | null;
  /** What exactly: the vacant role, the metric, the decision, the dataset. */
  subject: string;
  since: string;
  message: string;
  /** The events that prove the finding, oldest first. */
  evidence: string[];
  /** The person who must act, when the rule names one: an audit finding's owner. */
  owner?: string;
}

export interface FindingFilter {
  systemId?: string;
  rule?: ComplianceRule;
}

/** The read models the rules are judged on. */
type ComplianceDb = Kysely<
  SystemsTables &
    AccountabilityTables &
    LiveVersionsTables &
    ModelVersionsTables &
    MonitoringTables &
    TakedownsTables &
    AuditsTables &
    AccessPoliciesTables &
    DataAccessTables &
    IncidentsTables &
    ClinicalUseTables
>;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const plus = (instant: string, ms: number) => new Date(Date.parse(instant) + ms).toISOString();

/**
 * Evaluates every compliance rule at `asOf` from the read models. Each finding
 * names the system, the rule, since when it holds, and the events proving it;
 * a finding clears as soon as the fact that cures it is recorded.
 */
export async function complianceFindings(
  db: ComplianceDb,
  tenant: string,
  filter: FindingFilter,
  asOf: string,
  policy: CompliancePolicy,
): Promise<ComplianceFinding[]> {
  if (filter.rule && !COMPLIANCE_RULES.includes(filter.rule))
    throw new QueryInputError('rule', `rule must be one of ${COMPLIANCE_RULES.join(', ')}`);
  let systemsQuery = db.selectFrom('reg_systems').selectAll().where('tenant_id', '=', tenant);
  if (filter.systemId) systemsQuery = systemsQuery.where('system_id', '=', filter.systemId);
  const systems = (await systemsQuery.execute()).filter((s) => s.registered_at <= asOf);
  const ids = systems.map((s) => s.system_id);
  const wants = (rule: ComplianceRule) => !filter.rule || filter.rule === rule;
  const findings: ComplianceFinding[] = [];
  const inIds = ids.length > 0 ? ids : [''];
  const [holdings, assignments, liveRows, validations, plans, signals, decisions, audits] = await Promise.all(
    [
      holdingsAt(db, tenant, ids, asOf),
      db
        .selectFrom('reg_assignments')
        .selectAll()
        .where('tenant_id', '=', tenant)
        .where('system_id', 'in', inIds)
        .execute(),
      db
        .selectFrom('reg_live_versions')
        .selectAll()
        .where('tenant_id', '=', tenant)
        .where('system_id', 'in', inIds)
        .where('from_at', '<=', asOf)
        .orderBy('from_at')
        .execute(),
      db
        .selectFrom('reg_validations')
        .selectAll()
        .where('tenant_id', '=', tenant)
        .where('system_id', 'in', inIds)
        .where('validated_at', '<=', asOf)
        .orderBy('validated_at')
        .execute(),
      db
        .selectFrom('reg_monitoring_plans')
        .selectAll()
        .where('tenant_id', '=', tenant)
        .where('system_id', 'in', inIds)
        .where('planned_at', '<=', asOf)
        .execute(),
      db
        .selectFrom('reg_signals')
        .selectAll()
        .where('tenant_id', '=', tenant)
        .where('system_id', 'in', inIds)
        .where('observed_at', '<=', asOf)
        .orderBy('observed_at')
        .execute(),
      db
        .selectFrom('reg_decisions')
        .selectAll()
        .where('tenant_id', '=', tenant)
        .where('system_id', 'in', inIds)
        .where('decided_at', '<=', asOf)
        .orderBy('decided_at')
        .execute(),
      db
        .selectFrom('reg_audits')
        .selectAll()
        .where('tenant_id', '=', tenant)
        .where('system_id', 'in', inIds)
        .where('recorded_at', '<=', asOf)
        .orderBy('recorded_at')
        .execute(),
    ],
  );

  if (wants('AUDIT_FINDING_OVERDUE')) findings.push(...(await overdueAuditFindings(db, tenant, ids, asOf)));
  const [sources, systemPolicies, systemReviews] = await Promise.all([
    db
      .selectFrom('reg_audit_sources')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .where('system_id', 'in', inIds)
      .where('registered_at', '<=', asOf)
      .execute(),
    db
      .selectFrom('reg_access_policies')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .where('system_id', 'in', inIds)
      .where('recorded_at', '<=', asOf)
      .orderBy('recorded_at')
      .execute(),
    db
      .selectFrom('reg_access_reviews')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .where('scope_kind', '=', 'system')
      .where('scope_id', 'in', inIds)
      .where('reviewed_at', '<=', asOf)
      .orderBy('period_to')
      .execute(),
  ]);

  for (const system of systems) {
    const id = system.system_id;
    const history = liveRows.filter((r) => r.system_id === id);
    const current = history[history.length - 1];
    // Live at asOf: deployed by then, and not retired since. A suspended system stays live: it may return to patients.
    if (current === undefined || current.cause === 'TakedownDecided:retire') continue;
    const firstLive = history.find((r) => r.cause === 'ModelVersionDeployed')!;

    if (wants('REQUIRED_ROLE_VACANT'))
      for (const role of policy.requiredRoles) {
        if (holdings.some((h) => h.systemId === id && h.role === role && h.accepted)) continue;
        const ended = assignments
          .filter(
            (a) => a.system_id === id && a.role === role && a.effective_to !== null && a.effective_to <= asOf,
          )
          .sort((a, b) => (a.effective_to! < b.effective_to! ? -1 : 1));
        const lastEnd = ended[ended.length - 1];
        const since =
          lastEnd && lastEnd.effective_to! > firstLive.from_at ? lastEnd.effective_to! : firstLive.from_at;
        findings.push({
          rule: 'REQUIRED_ROLE_VACANT',
          systemId: id,
          subject: role,
          since,
          message: `${id} is live with no accepted ${role}; assign one and have them accept`,
          evidence: [firstLive.event_id, ...(lastEnd?.revoked_event_id ? [lastEnd.revoked_event_id] : [])],
        });
      }

    const version = current.version ?? system.deployed_version;
    if (wants('VALIDATION_EXPIRED') && version) {
      const passing = validations.filter(
        (v) => v.system_id === id && v.version === version && v.passed === 1,
      );
      const latest = passing[passing.length - 1];
      const expiresAt = latest
        ? plus(latest.validated_at, policy.validationValidityDays * DAY)
        : firstLive.from_at;
      if (expiresAt <= asOf)
        findings.push({
          rule: 'VALIDATION_EXPIRED',
          systemId: id,
          subject: version,
          since: expiresAt,
          message: latest
            ? `the validation of live version ${version} is older than ${policy.validationValidityDays} days; record a new passing validation`
            : `live version ${version} has no passing validation; record one`,
          evidence: [...(latest ? [latest.event_id] : []), current.event_id],
        });
    }

    const systemSignals = signals.filter((s) => s.system_id === id);
    if (wants('MONITORING_OVERDUE'))
      for (const plan of plans.filter((p) => p.system_id === id)) {
        const last = systemSignals.filter((s) => s.metric === plan.metric).pop();
        const start = [plan.planned_at, firstLive.from_at, last?.observed_at]
          .filter((t): t is string => !!t)
          .sort()
          .pop()!;
        const due = plus(start, durationMs(plan.cadence));
        if (due <= asOf)
          findings.push({
            rule: 'MONITORING_OVERDUE',
            systemId: id,
            subject: plan.metric,
            since: due,
            message: `no ${plan.metric} signal for ${id} within its cadence ${plan.cadence}; record one`,
            evidence: [plan.event_id, ...(last ? [last.event_id] : [])],
          });
      }

    if (wants('BREACH_UNRESOLVED'))
      for (const breach of systemSignals.filter((s) => s.breached === 1)) {
        const recovered = systemSignals.some(
          (s) =>
            s.metric === breach.metric &&
            s.subgroup === breach.subgroup &&
            s.observed_at > breach.observed_at &&
            s.breached === 0,
        );
        const actedOn = decisions.some(
          (d) => d.system_id === id && d.action !== 'reinstate' && d.decided_at >= breach.observed_at,
        );
        if (!recovered && !actedOn)
          findings.push({
            rule: 'BREACH_UNRESOLVED',
            systemId: id,
            subject: breach.subgroup ? `${breach.metric} (${breach.subgroup})` : breach.metric,
            since: breach.observed_at,
            message: `${breach.metric} breached its threshold on ${id} and neither recovered nor led to a takedown decision`,
            evidence: [breach.event_id, ...(breach.breach_event_id ? [breach.breach_event_id] : [])],
          });
      }

    if (wants('AUDIT_OVERDUE')) {
      const last = audits.filter((a) => a.system_id === id).pop();
      const due = plus(last?.recorded_at ?? firstLive.from_at, policy.auditIntervalDays * DAY);
      if (due <= asOf)
        findings.push({
          rule: 'AUDIT_OVERDUE',
          systemId: id,
          subject: id,
          since: due,
          message: `${id} has had no audit for ${policy.auditIntervalDays} days; record one`,
          evidence: [last?.event_id ?? firstLive.event_id],
        });
    }

    if (wants('ACCESS_REVIEW_OVERDUE')) {
      const policies = systemPolicies.filter((p) => p.system_id === id);
      const overdue = reviewOverdue(
        policies,
        systemReviews.filter((r) => r.scope_id === id),
        firstLive.from_at,
        asOf,
      );
      if (overdue)
        findings.push({
          rule: 'ACCESS_REVIEW_OVERDUE',
          systemId: id,
          subject: id,
          since: overdue.due,
          message: `the access logs of ${id} are due a review every ${overdue.days} days and were last reviewed ${overdue.lastReviewed ? `up to ${overdue.lastReviewed}` : 'never'}; record an access-log review`,
          evidence: overdue.evidence,
        });
    }

    if (wants('AUDIT_SOURCE_SILENT'))
      for (const source of sources.filter((x) => x.system_id === id && x.expected_interval !== null)) {
        const last = await db
          .selectFrom('da_access')
          .select(['event_id', 'occurred_at'])
          .where('tenant_id', '=', tenant)
          .where('system_id', '=', id)
          .where('source_service', '=', source.source_service)
          .where('occurred_at', '<=', asOf)
          .orderBy('occurred_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        const start = [source.registered_at, firstLive.from_at, last?.occurred_at]
          .filter((t): t is string => !!t)
          .sort()
          .pop()!;
        const due = plus(start, durationMs(source.expected_interval!));
        if (due <= asOf)
          findings.push({
            rule: 'AUDIT_SOURCE_SILENT',
            systemId: id,
            subject: source.source_service,
            since: due,
            message: `audit source ${source.source_service} has sent no data-access event for ${id} ${last ? `since ${last.occurred_at}` : 'since it was registered'}, longer than its expected interval ${source.expected_interval}; check the emitter`,
            evidence: [source.event_id, ...(last ? [last.event_id] : [])],
          });
      }
  }

  if (wants('ACCESS_REVIEW_OVERDUE') && !filter.systemId)
    findings.push(...(await datasetReviewsOverdue(db, tenant, asOf)));

  if (wants('EMERGENCY_TAKEDOWN_NOT_RATIFIED'))
    for (const d of decisions.filter(
      (x) => x.emergency === 1 && x.ratification_due_by !== null && ids.includes(x.system_id),
    )) {
      const due = d.ratification_due_by!;
      const late = d.ratified_at === null ? due <= asOf : d.ratified_at > due && d.ratified_at <= asOf;
      if (late)
        findings.push({
          rule: 'EMERGENCY_TAKEDOWN_NOT_RATIFIED',
          systemId: d.system_id,
          subject: d.decision_id,
          since: due,
          message: `emergency decision ${d.decision_id} by ${d.decided_by} was ${d.ratified_at ? 'ratified late' : 'not ratified'} by the takedown authority (due ${due})`,
          evidence: [d.event_id, ...(d.ratified_event_id ? [d.ratified_event_id] : [])],
        });
    }

  if (INCIDENT_RULES.some(wants)) {
    const vendorSupplied = new Set(systems.filter((s) => s.supplier === 'vendor').map((s) => s.system_id));
    findings.push(...(await incidentFindings(db, tenant, inIds, vendorSupplied, asOf, policy, wants)));
  }

  if (wants('DATA_ACCESS_WITHOUT_GRANT'))
    findings.push(...(await accessFindings(db, tenant, filter.systemId, asOf)));
  for (const rule of OUTPUT_RULES)
    if (wants(rule) && ids.length > 0) findings.push(...(await outputFindings(db, tenant, ids, rule, asOf)));
  return findings.sort((a, b) =>
    a.since < b.since ? -1 : a.since > b.since ? 1 : a.rule.localeCompare(b.rule),
  );
}

const OUTPUT_RULES = ['VERSION_MISMATCH', 'USE_AFTER_TAKEDOWN'] as const;
/** Flagged outputs named per finding (each by its output and its flag event); the message gives the full count. */
const FLAGGED_OUTPUTS_NAMED = 10;

/**
 * Outputs the ledger flagged as it stored them, one finding per system and
 * kind, whatever the system's status now: a use after takedown stays on the
 * record after retirement. Read from the clinical-use projection alone, so
 * its own lag, not the registry's, decides when a flag shows; grouped in SQL,
 * since a misconfigured service can produce thousands of them a day.
 */
async function outputFindings(
  db: ComplianceDb,
  tenant: string,
  ids: string[],
  rule: (typeof OUTPUT_RULES)[number],
  asOf: string,
): Promise<ComplianceFinding[]> {
  const flagged = db
    .selectFrom('cu_outputs')
    .where('tenant_id', '=', tenant)
    .where('finding', '=', rule)
    .where('system_id', 'in', ids)
    .where('occurred_at', '<=', asOf);
  const groups = await flagged
    .select('system_id')
    .select((eb) => [
      eb.fn.min('occurred_at').as('since'),
      eb.fn.max('occurred_at').as('last'),
      eb.fn.countAll<number | string>().as('n'),
    ])
    .groupBy('system_id')
    .execute();
  return Promise.all(
    groups.map(async (g) => {
      const named = await flagged
        .select(['output_event_id', 'finding_event_id', 'model_version', 'live_version'])
        .where('system_id', '=', g.system_id)
        .orderBy('occurred_at')
        .orderBy('output_id')
        .limit(FLAGGED_OUTPUTS_NAMED)
        .execute();
      const n = Number(g.n);
      const versions = [...new Set(named.map((r) => r.model_version))].join(', ');
      const what =
        rule === 'VERSION_MISMATCH'
          ? `stamped with a model version that was not live at the time (${versions}; live then: ${[...new Set(named.map((r) => r.live_version ?? 'none'))].join(', ')}); find the service running it and deploy the version through the registry, or stop it`
          : `while it was suspended or retired; find the service still calling it and stop it`;
      return {
        rule,
        systemId: g.system_id,
        subject: versions,
        since: g.since!,
        message: `${n} output${n === 1 ? '' : 's'} of ${g.system_id} produced between ${g.since} and ${g.last}, ${what}`,
        evidence: named.flatMap((r) => [r.output_event_id!, r.finding_event_id!]),
      };
    }),
  );
}

const INCIDENT_RULES: readonly ComplianceRule[] = [
  'INCIDENT_NOTIFICATION_OVERDUE',
  'INCIDENT_REPORTED_LATE',
  'PROVIDER_NOT_INFORMED',
];

/**
 * EU AI Act Art 73: each serious incident notified to the market surveillance
 * authority by its due date, and every incident on the ledger promptly after
 * awareness; Art 26(5): the provider of a vendor-supplied system informed
 * within the same grace. Incidents count on any registered system, live or
 * not: a retired system's incident must still be reported.
 */
async function incidentFindings(
  db: Kysely<IncidentsTables>,
  tenant: string,
  systemIds: string[],
  vendorSupplied: ReadonlySet<string>,
  asOf: string,
  policy: CompliancePolicy,
  wants: (rule: ComplianceRule) => boolean,
): Promise<ComplianceFinding[]> {
  const [incidents, notices] = await Promise.all([
    db
      .selectFrom('reg_incidents')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .where('system_id', 'in', systemIds)
      .where('reported_at', '<=', asOf)
      .orderBy('reported_at')
      .execute(),
    db
      .selectFrom('reg_incident_notifications')
      .select(['system_id', 'incident_id', 'recipient'])
      .where('tenant_id', '=', tenant)
      .where('system_id', 'in', systemIds)
      .where('kind', '=', 'initial')
      .where('sent_at', '<=', asOf)
      .execute(),
  ]);
  const told = (recipient: string) =>
    new Set(notices.filter((n) => n.recipient === recipient).map((n) => `${n.system_id}/${n.incident_id}`));
  const notified = told('market_surveillance_authority');
  const providerTold = told('provider');
  const graceMs = policy.incidentReportGraceHours * HOUR;
  const findings: ComplianceFinding[] = [];
  for (const i of incidents) {
    const due = i.due_at;
    if (
      wants('INCIDENT_NOTIFICATION_OVERDUE') &&
      due !== null &&
      // Notified at the due instant is in time: overdue only once it has passed.
      due < asOf &&
      !notified.has(`${i.system_id}/${i.incident_id}`)
    )
      findings.push({
        rule: 'INCIDENT_NOTIFICATION_OVERDUE',
        systemId: i.system_id,
        subject: i.incident_id,
        since: due,
        message: `incident ${i.incident_id} on ${i.system_id} (${i.classification}, aware ${i.aware_at}) was due to be notified to the market surveillance authority by ${due}; send the initial notification and record it`,
        evidence: [i.event_id],
      });
    const delayMs = Date.parse(i.reported_at) - Date.parse(i.aware_at);
    if (wants('INCIDENT_REPORTED_LATE') && delayMs > graceMs)
      findings.push({
        rule: 'INCIDENT_REPORTED_LATE',
        systemId: i.system_id,
        subject: i.incident_id,
        since: i.reported_at,
        message: `incident ${i.incident_id} on ${i.system_id} reached the ledger ${formatDelay(delayMs)} after the organisation became aware (${i.aware_at}), beyond the ${policy.incidentReportGraceHours}-hour grace; the late report stays on record`,
        evidence: [i.event_id],
      });
    const providerDue = [plus(i.aware_at, graceMs), i.reported_at].sort().pop()!;
    if (
      wants('PROVIDER_NOT_INFORMED') &&
      vendorSupplied.has(i.system_id) &&
      due !== null &&
      providerDue < asOf &&
      !providerTold.has(`${i.system_id}/${i.incident_id}`)
    )
      findings.push({
        rule: 'PROVIDER_NOT_INFORMED',
        systemId: i.system_id,
        subject: i.incident_id,
        since: providerDue,
        message: `${i.system_id} is supplied by a vendor and its provider has not been informed of serious incident ${i.incident_id} (aware ${i.aware_at}); send the provider the initial notification and record it`,
        evidence: [i.event_id],
      });
  }
  return findings;
}

/**
 * Each finding whose due date has passed while it is open: not yet verified
 * closed by someone other than its owner. It names the owner, who must act.
 */
async function overdueAuditFindings(
  db: Kysely<AuditsTables>,
  tenant: string,
  systemIds: string[],
  asOf: string,
): Promise<ComplianceFinding[]> {
  if (systemIds.length === 0) return [];
  const rows = await db
    .selectFrom('reg_audit_findings')
    .selectAll()
    .where('tenant_id', '=', tenant)
    .where('system_id', 'in', systemIds)
    .where('recorded_at', '<=', asOf)
    .where('due_at', '<=', asOf)
    .where((eb) => eb.or([eb('verified_at', 'is', null), eb('verified_at', '>', asOf)]))
    .orderBy('due_at')
    .execute();
  return rows.map((f) => {
    const resolved = f.resolved_at !== null && f.resolved_at <= asOf;
    return {
      rule: 'AUDIT_FINDING_OVERDUE' as const,
      systemId: f.system_id,
      subject: `${f.audit_id}/${f.finding_id}`,
      since: f.due_at!,
      message: `${f.severity} finding ${f.finding_id} of audit ${f.audit_id} on ${f.system_id} was due ${f.due_at}; its owner ${f.owner} ${resolved ? 'resolved it, and someone other than the owner must now verify the closure' : 'has not resolved it'}`,
      evidence: [f.event_id, ...(resolved && f.resolved_event_id ? [f.resolved_event_id] : [])],
      owner: f.owner,
    };
  });
}

interface Cadence {
  recorded_at: string;
  event_id: string;
  review_every_days: number | null;
}
interface Review {
  period_to: string;
  event_id: string;
}

/**
 * When a scope's access logs fell due a review, if they have: the latest
 * policy sets the cadence, and the clock runs from the end of the last period
 * reviewed, or else from when reviews were first required. A new policy does
 * not restart it, and a review of an old period does not clear it.
 */
function reviewOverdue(
  policies: readonly Cadence[],
  reviews: readonly Review[],
  notBefore: string,
  asOf: string,
): { due: string; days: number; lastReviewed?: string; evidence: string[] } | undefined {
  const latest = policies[policies.length - 1];
  if (!latest || latest.review_every_days === null) return undefined;
  const days = Number(latest.review_every_days);
  const firstRequired = policies.find((p) => p.review_every_days !== null)!;
  const last = [...reviews].sort((a, b) => (a.period_to < b.period_to ? -1 : 1)).pop();
  const start = last ? last.period_to : [firstRequired.recorded_at, notBefore].sort().pop()!;
  const due = plus(start, days * DAY);
  if (due > asOf) return undefined;
  return {
    due,
    days,
    lastReviewed: last?.period_to,
    evidence: [latest.event_id, ...(last ? [last.event_id] : [])],
  };
}

async function datasetReviewsOverdue(
  db: Kysely<AccessPoliciesTables>,
  tenant: string,
  asOf: string,
): Promise<ComplianceFinding[]> {
  const [policies, reviews] = await Promise.all([
    db
      .selectFrom('reg_dataset_access_policies')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .where('recorded_at', '<=', asOf)
      .orderBy('recorded_at')
      .execute(),
    db
      .selectFrom('reg_access_reviews')
      .selectAll()
      .where('tenant_id', '=', tenant)
      .where('scope_kind', '=', 'dataset')
      .where('reviewed_at', '<=', asOf)
      .execute(),
  ]);
  const findings: ComplianceFinding[] = [];
  for (const datasetId of [...new Set(policies.map((p) => p.dataset_id))]) {
    const overdue = reviewOverdue(
      policies.filter((p) => p.dataset_id === datasetId),
      reviews.filter((r) => r.scope_id === datasetId),
      '',
      asOf,
    );
    if (overdue)
      findings.push({
        rule: 'ACCESS_REVIEW_OVERDUE',
        systemId: null,
        subject: datasetId,
        since: overdue.due,
        message: `the access logs of dataset ${datasetId} are due a review every ${overdue.days} days and were last reviewed ${overdue.lastReviewed ? `up to ${overdue.lastReviewed}` : 'never'}; record an access-log review`,
        evidence: overdue.evidence,
      });
  }
  return findings;
}

/** A delay as days and hours, the unit regulators count deadlines in. */
function formatDelay(ms: number): string {
  const hours = Math.floor(ms / HOUR);
  const days = Math.floor(hours / 24);
  return days > 0 ? `${days} day(s) ${hours % 24} hour(s)` : `${hours} hour(s)`;
}

/** One finding per system, dataset, actor and kind of violation, proven by (up to 20 of) its accesses. Grouped in SQL: violations can run to millions. */
async function accessFindings(
  db: Kysely<DataAccessTables>,
  tenant: string,
  systemId: string | undefined,
  asOf: string,
): Promise<ComplianceFinding[]> {
  let groups = db
    .selectFrom('da_access')
    .select((eb) => [
      'system_id',
      'dataset_id',
      'actor',
      'violation',
      eb.fn.countAll<number>().as('accesses'),
      eb.fn.min('occurred_at').as('since'),
    ])
    .where('tenant_id', '=', tenant)
    .where('violation', 'is not', null)
    .where('occurred_at', '<=', asOf)
    .groupBy(['system_id', 'dataset_id', 'actor', 'violation']);
  if (systemId) groups = groups.where('system_id', '=', systemId);
  const findings: ComplianceFinding[] = [];
  for (const group of await groups.orderBy('since').execute()) {
    let evidence = db
      .selectFrom('da_access')
      .select('event_id')
      .where('tenant_id', '=', tenant)
      .where('violation', '=', group.violation!)
      .where('actor', '=', group.actor)
      .where('occurred_at', '<=', asOf);
    evidence =
      group.dataset_id === null
        ? evidence.where('dataset_id', 'is', null)
        : evidence.where('dataset_id', '=', group.dataset_id);
    evidence =
      group.system_id === null
        ? evidence.where('system_id', 'is', null)
        : evidence.where('system_id', '=', group.system_id);
    const proving = await evidence.orderBy('position').limit(20).execute();
    const why =
      group.violation === 'no_active_grant'
        ? 'without an active grant'
        : 'for a purpose its grants do not cover';
    findings.push({
      rule: 'DATA_ACCESS_WITHOUT_GRANT',
      systemId: group.system_id,
      subject: `${group.dataset_id}/${group.actor}`,
      since: group.since as string,
      message: `${group.actor} accessed dataset ${group.dataset_id} ${why} ${Number(group.accesses)} time(s); grant access for the purpose or investigate`,
      evidence: proving.map((r) => r.event_id),
    });
  }
  return findings;
}

/** ISO 8601 duration to milliseconds; months and years count as 30 and 365 days, as monitoring cadences are approximate. */
export function durationMs(duration: string): number {
  const m = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(
    duration,
  );
  if (!m) throw new Error(`${duration} is not an ISO 8601 duration`);
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  return ((((y * 365 + mo * 30 + w * 7 + d) * 24 + h) * 60 + mi) * 60 + s) * 1000;
}
