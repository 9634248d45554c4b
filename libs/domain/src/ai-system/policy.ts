import type { AccountabilityRole, SeriousIncidentClassification } from './vocabulary';

/**
 * The organisation's governance settings. The application loads them from
 * configuration and passes them to the decider, so tightening a rule needs no
 * code change and every decision is made against explicit settings.
 */
export interface GovernancePolicy {
  /** Roles that must be held and accepted before deployment, and stay held while the system is live. */
  requiredRoles: readonly AccountabilityRole[];
  /** How old a passing validation may be when a version is deployed. */
  validationValidityDays: number;
  /** How long the takedown authority has to ratify a security officer's emergency decision. */
  emergencyRatificationHours: number;
  /** The purpose a training dataset must be approved for before a model trained on it may deploy. */
  trainingPurpose: string;
  /** The purpose a dataset must be approved for before a version's validation plan may name it. */
  validationPurpose: string;
  /** Days from awareness to the authority's notification, per class of serious incident. */
  incidentDeadlineDays: Readonly<Record<SeriousIncidentClassification, number>>;
}

/**
 * The EU AI Act's reporting deadlines, counted from awareness: 2 days for a
 * widespread infringement or a critical-infrastructure disruption (Art 73(3)),
 * 10 days for a death (Art 73(4)), 15 days otherwise (Art 73(2)). Another
 * jurisdiction overrides them through configuration (LEDGER_INCIDENT_DEADLINE_DAYS).
 */
export const EU_AI_ACT_INCIDENT_DEADLINE_DAYS: Readonly<Record<SeriousIncidentClassification, number>> = {
  death: 10,
  serious_harm_to_health: 15,
  critical_infrastructure_disruption: 2,
  widespread_infringement: 2,
  fundamental_rights_infringement: 15,
  other_serious: 15,
};

/**
 * DATA_STEWARD is not required at system level by default: stewardship is
 * recorded on each dataset, and the training-data gate checks those datasets.
 */
export const DEFAULT_GOVERNANCE_POLICY: GovernancePolicy = {
  requiredRoles: [
    'MODEL_PERFORMANCE_OWNER',
    'BIAS_DRIFT_MONITOR',
    'TAKEDOWN_AUTHORITY',
    'CLINICAL_LEAD',
    'SECURITY_OFFICER',
    'ACCOUNTABLE_EXECUTIVE',
  ],
  validationValidityDays: 365,
  emergencyRatificationHours: 72,
  trainingPurpose: 'model-training',
  validationPurpose: 'model-validation',
  incidentDeadlineDays: EU_AI_ACT_INCIDENT_DEADLINE_DAYS,
};
