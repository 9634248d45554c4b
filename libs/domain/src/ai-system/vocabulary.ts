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

export const INCIDENT_SEVERITIES = ['low', 'moderate', 'high', 'critical'] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

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
