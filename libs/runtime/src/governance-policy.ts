import { DEFAULT_GOVERNANCE_POLICY, type GovernancePolicy } from '@ledger/domain';
import type { LedgerConfig } from './ledger-config';

/** The organisation's governance settings, from configuration, handed to every decision explicitly. */
export function governancePolicy(config: LedgerConfig): GovernancePolicy {
  return {
    ...DEFAULT_GOVERNANCE_POLICY,
    validationValidityDays: config.LEDGER_VALIDATION_VALIDITY_DAYS,
    emergencyRatificationHours: config.LEDGER_EMERGENCY_RATIFICATION_HOURS,
    incidentDeadlineDays: {
      ...DEFAULT_GOVERNANCE_POLICY.incidentDeadlineDays,
      ...incidentDeadlineOverrides(config.LEDGER_INCIDENT_DEADLINE_DAYS),
    },
  };
}

/** `death=7, other_serious=30` as days per class; the format was checked when the configuration loaded. */
function incidentDeadlineOverrides(setting: string): Partial<GovernancePolicy['incidentDeadlineDays']> {
  return Object.fromEntries(
    setting
      .split(',')
      .filter((pair) => pair.trim() !== '')
      .map((pair) => {
        const [classification, days] = pair.split('=').map((part) => part.trim());
        return [classification, Number(days)];
      }),
  );
}
