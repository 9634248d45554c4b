export type EvidenceExportErrorCode =
  /** No such AI system in the tenant. */
  | 'UNKNOWN_SYSTEM'
  /** A scope argument cannot be used; `field` names it. */
  | 'INVALID_SCOPE'
  /** The recipient's earlier checkpoint is not one this ledger signed, or the log does not extend it. */
  | 'INVALID_SINCE_CHECKPOINT'
  /** The newest events are not yet under a signed checkpoint. */
  | 'NOT_SEALED'
  /** A read model the export relies on has stopped or disagrees with the store. */
  | 'READ_MODEL_STOPPED';

/** Why an export could not be made, phrased for the person asking for it. */
export class EvidenceExportError extends Error {
  constructor(
    readonly code: EvidenceExportErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'EvidenceExportError';
  }
}
