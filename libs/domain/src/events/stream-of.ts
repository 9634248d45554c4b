import { AI_SYSTEM_EVENTS, type AiSystemEvent } from '../ai-system/events';
import { CLINICAL_USE_EVENTS, type ClinicalUseEvent } from '../clinical-use/events';
import { DATASET_EVENTS, type DatasetEvent } from '../dataset/events';
import { ERASURE_EVENTS, type ErasureEvent } from '../erasure/events';
import { EVIDENCE_EVENTS, type EvidenceEvent } from '../evidence/events';
import { LEDGER_AUDIT_EVENTS, type LedgerAuditEvent } from '../ledger-audit/events';
import { LEGAL_HOLD_EVENTS, type LegalHoldEvent } from '../legal-hold/events';
import { streamNames } from '../shared/streams';
import type { DomainEvent } from './event-schemas';

/** The stream an event belongs to (before the application's `<tenantId>/` prefix), read from its own data. */
export function streamOf(event: DomainEvent): string {
  if (isAiSystemEvent(event)) return streamNames.aiSystem(event.data.systemId);
  if (isDatasetEvent(event)) return streamNames.dataset(event.data.datasetId);
  if (isLedgerAuditEvent(event)) return streamNames.ledgerSelfAudit();
  if (isEvidenceEvent(event)) return streamNames.evidenceExports(event.data.systemId);
  if (isLegalHoldEvent(event)) return streamNames.legalHolds();
  if (isErasureEvent(event)) return streamNames.erasures();
  if (isClinicalUseEvent(event)) return streamNames.clinicalUse(event.data.sourceService);
  return streamNames.dataAccess(event.data.sourceService);
}

const isClinicalUseEvent = (event: DomainEvent): event is ClinicalUseEvent =>
  Object.hasOwn(CLINICAL_USE_EVENTS, event.type);
const isAiSystemEvent = (event: DomainEvent): event is AiSystemEvent =>
  Object.hasOwn(AI_SYSTEM_EVENTS, event.type);
const isLedgerAuditEvent = (event: DomainEvent): event is LedgerAuditEvent =>
  Object.hasOwn(LEDGER_AUDIT_EVENTS, event.type);
const isEvidenceEvent = (event: DomainEvent): event is EvidenceEvent =>
  Object.hasOwn(EVIDENCE_EVENTS, event.type);
const isErasureEvent = (event: DomainEvent): event is ErasureEvent =>
  Object.hasOwn(ERASURE_EVENTS, event.type);
const isDatasetEvent = (event: DomainEvent): event is DatasetEvent =>
  Object.hasOwn(DATASET_EVENTS, event.type);
const isLegalHoldEvent = (event: DomainEvent): event is LegalHoldEvent =>
  Object.hasOwn(LEGAL_HOLD_EVENTS, event.type);
