/**
 * Stream names per aggregate. Stored streams carry them behind `<tenantId>/`
 * (see `tenantStream`); ids are restricted (see `ID_PATTERN`) so they can
 * never contain that slash.
 */
export const streamNames = {
  aiSystem: (systemId: string) => `ai-system-${systemId}`,
  dataset: (datasetId: string) => `dataset-${datasetId}`,
  /** Data access is high volume and loads no aggregate: one stream per emitting service keeps its order. */
  dataAccess: (sourceService: string) => `data-access-${sourceService}`,
  /** Outputs, clinician responses and outcomes: the highest volume of all, one stream per emitting service. */
  clinicalUse: (sourceService: string) => `clinical-use-${sourceService}`,
  /** What the ledger records about its own use: refusals and patient lookups. */
  ledgerSelfAudit: () => 'ledger-self-audit',
  /** Kept apart from the system's own stream: recording an export decides nothing about the system. */
  evidenceExports: (systemId: string) => `evidence-exports-${systemId}`,
  /** One per tenant: few events, and a hold on a subject belongs to no system. */
  legalHolds: () => 'legal-holds',
  /** Erasures decided by the tenant's data protection officers: decisions about people, not about one system. */
  erasures: () => 'erasures',
};

/** Streams are scoped to the tenant by name; domain ids cannot contain the slash. */
export function tenantStream(tenantId: string, stream: string): string {
  return `${tenantId}/${stream}`;
}
