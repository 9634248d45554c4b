/** The closed vocabularies of the AI system aggregate, shared by its commands, events and state. */

export const LIFECYCLE_STATUSES = [
  'proposed',
  'in_validation',
  'approved',
  'deployed',
  'suspended',
  'retired',
] as const;
export type LifecycleStatus = (typeof LIFECYCLE_STATUSES)[number];

export const ACCOUNTABILITY_ROLES = [
  'MODEL_PERFORMANCE_OWNER',
  'BIAS_DRIFT_MONITOR',
  'TAKEDOWN_AUTHORITY',
  'CLINICAL_LEAD',
  'DATA_STEWARD',
  'SECURITY_OFFICER',
  'ACCOUNTABLE_EXECUTIVE',
] as const;
export type AccountabilityRole = (typeof ACCOUNTABILITY_ROLES)[number];

export const RISK_CLASSES = ['low', 'moderate', 'high', 'critical'] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];

export const SUPPLIERS = ['in-house', 'vendor'] as const;
export type Supplier = (typeof SUPPLIERS)[number];

/** The four sign-offs a version needs before it may reach patients. */
export const REVIEW_DISCIPLINES = ['clinical', 'data_science', 'security', 'compliance'] as const;
export type ReviewDiscipline = (typeof REVIEW_DISCIPLINES)[number];

/** `min`: the value must be at least the threshold (e.g. sensitivity); `max`: at most (e.g. calibration error). */
export const THRESHOLD_DIRECTIONS = ['min', 'max'] as const;
export type ThresholdDirection = (typeof THRESHOLD_DIRECTIONS)[number];

export const SIGNAL_KINDS = ['drift', 'bias', 'performance'] as const;
export type SignalKind = (typeof SIGNAL_KINDS)[number];

/**
 * The metrics the ledger computes itself from recorded outputs, clinician
 * responses and outcomes (see monitoring/metrics.ts for each one's method).
 * A plan for one of these may carry a computation; any other metric name is
 * measured elsewhere and recorded by hand.
 */
export const COMPUTED_METRICS = [
  'auroc',
  'ece',
  'calibration_slope',
  'sensitivity',
  'ppv',
  'override_rate',
  'alert_rate',
] as const;
export type ComputedMetric = (typeof COMPUTED_METRICS)[number];

/** The subgroup dimensions a computed metric is also broken down by; each band is its own signal. */
export const SUBGROUP_DIMENSIONS = ['ageBand', 'sex', 'site'] as const;
export type SubgroupDimension = (typeof SUBGROUP_DIMENSIONS)[number];

export const INCIDENT_SEVERITIES = ['low', 'moderate', 'high', 'critical'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

/**
 * What kind of serious incident it is under the EU AI Act (Art 3(49), Art 73):
 * the class sets the reporting deadline. Widespread infringement (Art 73(3))
 * and infringement of fundamental-rights obligations (Art 3(49)(c)) are kept
 * apart because the Act gives them different deadlines. `other_serious` is
 * serious harm to property or the environment (Art 3(49)(d)); `not_serious`
 * has no deadline and freezes nothing.
 */
export const INCIDENT_CLASSIFICATIONS = [
  'death',
  'serious_harm_to_health',
  'critical_infrastructure_disruption',
  'widespread_infringement',
  'fundamental_rights_infringement',
  'other_serious',
  'not_serious',
] as const;
export type IncidentClassification = (typeof INCIDENT_CLASSIFICATIONS)[number];
export type SeriousIncidentClassification = Exclude<IncidentClassification, 'not_serious'>;

/** Who an incident was notified to (Art 73(1) the market surveillance authority; Art 26(5) the provider). */
export const NOTIFICATION_RECIPIENTS = [
  'market_surveillance_authority',
  'provider',
  'deployer',
  'patient_or_family',
  'other',
] as const;
export type NotificationRecipient = (typeof NOTIFICATION_RECIPIENTS)[number];

/** Art 73(5): an initial, possibly incomplete report may be followed by others and a complete one. */
export const NOTIFICATION_KINDS = ['initial', 'follow_up', 'final'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Intermediate states of an open incident; closing is its own command because it records a resolution. */
export const INCIDENT_PROGRESS = ['investigating', 'mitigated'] as const;
export type IncidentProgress = (typeof INCIDENT_PROGRESS)[number];

export const TAKEDOWN_ACTIONS = ['suspend', 'rollback', 'retire'] as const;
export type TakedownAction = (typeof TAKEDOWN_ACTIONS)[number];

export const FINDING_SEVERITIES = ['observation', 'minor', 'major', 'critical'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/** What a review of access logs concluded (HIPAA §164.308(a)(1)(ii)(D), information system activity review). */
export const ACCESS_REVIEW_OUTCOMES = ['no_issues', 'issues_found', 'escalated'] as const;
export type AccessReviewOutcome = (typeof ACCESS_REVIEW_OUTCOMES)[number];

/** Whether a measured value satisfies a threshold; used for validations and monitoring alike so both agree. */
export function meetsThreshold(value: number, threshold: number, direction: ThresholdDirection): boolean {
  return direction === 'min' ? value >= threshold : value <= threshold;
}
