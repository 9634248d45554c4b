import type { CapabilityStatement } from '@medplum/fhirtypes';
import { AUDIT_EVENT_PAGE, AUDIT_EVENT_SEARCH_PARAMS, searchParamDefinition } from './audit-event-search';

/**
 * What the ledger's FHIR endpoint does, and nothing it does not: AuditEvent
 * create and search (IHE ITI-20 as FHIR, ITI-81), RiskAssessment create, and
 * batch or transaction Bundles of either. It claims no IHE capability
 * statement: those also require read, which this endpoint does not serve.
 */
export function capabilityStatement(version: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    // The last change to what this statement lists.
    date: '2026-12-06',
    publisher: 'AI Governance Ledger',
    kind: 'instance',
    software: { name: 'govledger', version },
    implementation: {
      description:
        'AI Governance Ledger: an append-only audit record repository; patients appear only as keyed pseudonyms',
    },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        security: {
          description:
            'Authorization: Bearer <token>. AuditEvent and RiskAssessment create: the emitter role. AuditEvent read and search: auditor, regulator (its granted AI systems only) or governance-admin, always within the tenant the token names.',
        },
        resource: [
          {
            type: 'AuditEvent',
            interaction: [{ code: 'create' }, { code: 'read' }, { code: 'search-type' }],
            documentation: `Search answers a searchset Bundle, newest first: ${AUDIT_EVENT_PAGE.default} entries a page unless _count asks for 1 to ${AUDIT_EVENT_PAGE.max}; _total=accurate adds the count of matches; Bundle.link next and previous carry an opaque cursor. Unknown parameters, modifiers and bad values are refused with a 400 OperationOutcome naming the parameter.`,
            searchParam: Object.entries(AUDIT_EVENT_SEARCH_PARAMS).map(([name, param]) => ({
              name,
              definition: searchParamDefinition(name as keyof typeof AUDIT_EVENT_SEARCH_PARAMS),
              type: param.type,
              documentation: `Matched on ${param.on}.`,
            })),
          },
          { type: 'RiskAssessment', interaction: [{ code: 'create' }] },
        ],
        interaction: [{ code: 'batch' }, { code: 'transaction' }],
      },
    ],
  };
}
