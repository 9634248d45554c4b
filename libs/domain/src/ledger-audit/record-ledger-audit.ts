import { checkedEvents } from '../events/validate-event-data';
import type { LedgerAuditEvent } from './events';

type Of<T extends LedgerAuditEvent['type']> = Extract<LedgerAuditEvent, { type: T }>;

/** A refused request as the ledger records it; validated like every event, so a bad field names itself. */
export function recordAccessDenied(data: Of<'AccessDenied'>['data']): Of<'AccessDenied'> {
  return checkedEvents<Of<'AccessDenied'>>([{ type: 'AccessDenied', data }])[0];
}

/** A lookup of one patient's data access; only the pseudonym is ever recorded. */
export function recordPatientLookup(
  data: Of<'PatientLookupPerformed'>['data'],
): Of<'PatientLookupPerformed'> {
  return checkedEvents<Of<'PatientLookupPerformed'>>([{ type: 'PatientLookupPerformed', data }])[0];
}

/** A data-access search taken away as CSV; the filter names a patient only by pseudonym. */
export function recordDataAccessExport(data: Of<'DataAccessExported'>['data']): Of<'DataAccessExported'> {
  return checkedEvents<Of<'DataAccessExported'>>([{ type: 'DataAccessExported', data }])[0];
}
