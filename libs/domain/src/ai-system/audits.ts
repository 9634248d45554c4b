import { DomainError } from '../shared/domain-error';
import type { RecordAudit } from './commands';
import type { AiSystemEvent } from './events';
import type { AiSystemRecord } from './state';

export function recordAudit(cmd: RecordAudit, system: AiSystemRecord): AiSystemEvent[] {
  if (system.auditIds.includes(cmd.auditId))
    throw new DomainError(
      'ALREADY_EXISTS',
      `audit ${cmd.auditId} is already recorded; use a new auditId`,
      'auditId',
    );
  const { systemId, auditId, scope, findings } = cmd;
  const recorded = findings.map(({ severity, description }) => ({ severity, description }));
  return [
    {
      type: 'AuditRecorded',
      data: { systemId, auditId, scope, findings: recorded, auditor: cmd.meta.actor },
    },
  ];
}
