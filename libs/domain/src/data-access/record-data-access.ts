import { checkedEvents } from '../events/validate-event-data';
import type { DataAccessAction, DataAccessedEvent, DataAccessOutcome } from './events';

/**
 * What an emitting service reports about one touch of data. The patient is
 * named only by the keyed pseudonym the emitter computed; the ledger never
 * sees the raw identifier.
 */
export interface DataAccessReport {
  actor: string;
  datasetId?: string;
  resource?: string;
  patientPseudonym?: string;
  action: DataAccessAction;
  purposeOfUse: string;
  outcome: DataAccessOutcome;
  sourceService: string;
  systemId?: string;
}

/** Builds a valid `DataAccessed` event, or refuses naming each bad field. No aggregate is loaded: access is recorded, not decided. */
export function recordDataAccess(report: DataAccessReport): DataAccessedEvent {
  const {
    actor,
    datasetId,
    resource,
    patientPseudonym,
    action,
    purposeOfUse,
    outcome,
    sourceService,
    systemId,
  } = report;
  const [event] = checkedEvents<DataAccessedEvent>([
    {
      type: 'DataAccessed',
      data: {
        actor,
        datasetId,
        resource,
        patientPseudonym,
        action,
        purposeOfUse,
        outcome,
        sourceService,
        systemId,
      },
    },
  ]);
  return event;
}
