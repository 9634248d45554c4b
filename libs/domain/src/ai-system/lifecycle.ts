import { DomainError } from '../shared/domain-error';
import type { AiSystemCommandType } from './commands';
import type { AiSystemEventOf, AiSystemEventType } from './events';
import type { AiSystemRecord } from './state';
import type { LifecycleStatus } from './vocabulary';

/**
 * The only legal status moves. Status changes are never commanded directly;
 * they follow from a fact (a version registered, the fourth approval, a
 * deployment, a takedown, a reinstatement) and are recorded beside it.
 * A rollback keeps a deployed system deployed, so it is not a status move.
 */
export const LIFECYCLE_TRANSITIONS: Readonly<Record<LifecycleStatus, readonly LifecycleStatus[]>> = {
  proposed: ['in_validation', 'retired'],
  in_validation: ['approved', 'retired'],
  approved: ['deployed', 'retired'],
  deployed: ['suspended', 'retired'],
  suspended: ['deployed', 'retired'],
  retired: [],
};

export function statusChange(
  system: AiSystemRecord,
  to: LifecycleStatus,
  because: AiSystemEventType,
  at: string,
): AiSystemEventOf<'AiSystemStatusChanged'> {
  const legal = LIFECYCLE_TRANSITIONS[system.status];
  if (!legal.includes(to))
    throw new DomainError(
      'INVALID_TRANSITION',
      `AI system ${system.systemId} is ${system.status} and cannot become ${to}; from ${system.status} it can become ${legal.join(' or ') || 'nothing (retirement is final)'}`,
    );
  return {
    type: 'AiSystemStatusChanged',
    data: { systemId: system.systemId, from: system.status, to, because, at },
  };
}

/**
 * A retired system stays on the record: its open incidents, audits, role
 * hand-backs, pending ratifications and the last windows of its monitoring
 * must still be recordable. Nothing may
 * move it back towards patients.
 */
const ACCEPTED_AFTER_RETIREMENT: ReadonlySet<AiSystemCommandType> = new Set<AiSystemCommandType>([
  'RevokeAccountability',
  'ReportIncident',
  'UpdateIncidentStatus',
  'RecordIncidentNotification',
  'CloseIncident',
  'RatifyTakedown',
  'RecordAudit',
  'ResolveAuditFinding',
  'VerifyAuditFindingClosure',
  'RecordAccessLogReview',
  // Outputs produced before the retirement are still measured.
  'RecordComputedSignal',
]);

export function assertAcceptsAfterRetirement(system: AiSystemRecord, command: AiSystemCommandType): void {
  if (system.status === 'retired' && !ACCEPTED_AFTER_RETIREMENT.has(command))
    throw new DomainError(
      'INVALID_TRANSITION',
      `AI system ${system.systemId} is retired; a retired system only accepts ${[...ACCEPTED_AFTER_RETIREMENT].join(', ')}. Register a new system to bring it back`,
    );
}

export const isLive = (system: AiSystemRecord) =>
  system.status === 'deployed' || system.status === 'suspended';
