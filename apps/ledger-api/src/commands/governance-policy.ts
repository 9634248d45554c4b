/** Injects the organisation's GovernancePolicy, built once from configuration by @ledger/runtime's governancePolicy. */
export const GOVERNANCE_POLICY = Symbol('GOVERNANCE_POLICY');
