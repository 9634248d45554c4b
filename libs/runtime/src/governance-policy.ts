import { DEFAULT_GOVERNANCE_POLICY, type GovernancePolicy } from '@ledger/domain';
import type { LedgerConfig } from './ledger-config';

/** The organisation's governance settings, from configuration, handed to every decision explicitly. */
export function governancePolicy(config: LedgerConfig): GovernancePolicy {
  return {
    ...DEFAULT_GOVERNANCE_POLICY,
    validationValidityDays: config.LEDGER_VALIDATION_VALIDITY_DAYS,
    emergencyRatificationHours: config.LEDGER_EMERGENCY_RATIFICATION_HOURS,
  };
}
