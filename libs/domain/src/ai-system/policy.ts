import type { AccountabilityRole } from './vocabulary';

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
}

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
};
