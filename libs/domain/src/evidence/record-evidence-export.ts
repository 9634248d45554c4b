import { checkedEvents } from '../events/validate-event-data';
import type { EvidenceEvent } from './events';

/** An export as the ledger records it, validated like every event so a bad field names itself. */
export function recordEvidenceExport(data: EvidenceEvent['data']): EvidenceEvent {
  return checkedEvents<EvidenceEvent>([{ type: 'EvidenceExported', data }])[0];
}
