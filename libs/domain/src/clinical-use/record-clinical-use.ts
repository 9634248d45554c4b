import { checkedEvents } from '../events/validate-event-data';
import type { ClinicalUseEvent } from './events';

export type ClinicalUseEventOf<T extends ClinicalUseEvent['type']> = Extract<ClinicalUseEvent, { type: T }>;

/**
 * Clinical use is recorded, not decided: no aggregate is loaded, each event is
 * built from what the emitting service reports and validated like every event,
 * so a bad field names itself. Patients and encounters arrive here already as
 * keyed pseudonyms; the ledger's edge computes them.
 */
export function recordAiOutput(
  data: ClinicalUseEventOf<'AiOutputProduced'>['data'],
): ClinicalUseEventOf<'AiOutputProduced'> {
  return checkedEvents<ClinicalUseEventOf<'AiOutputProduced'>>([{ type: 'AiOutputProduced', data }])[0];
}

export function recordClinicianResponse(
  data: ClinicalUseEventOf<'ClinicianResponseRecorded'>['data'],
): ClinicalUseEventOf<'ClinicianResponseRecorded'> {
  return checkedEvents<ClinicalUseEventOf<'ClinicianResponseRecorded'>>([
    { type: 'ClinicianResponseRecorded', data },
  ])[0];
}

export function recordOutcome(
  data: ClinicalUseEventOf<'OutcomeObserved'>['data'],
): ClinicalUseEventOf<'OutcomeObserved'> {
  return checkedEvents<ClinicalUseEventOf<'OutcomeObserved'>>([{ type: 'OutcomeObserved', data }])[0];
}
