import { DomainError } from '../shared/domain-error';
import { parseInstant } from '../shared/time';
import type { RecordAudit, ResolveAuditFinding, VerifyAuditFindingClosure } from './commands';
import type { AiSystemEvent } from './events';
import { separationRefused } from './separation-of-duties';
import type { AiSystemRecord, AuditFindingRecord } from './state';

/**
 * An audit and its findings. Each finding has an owner who must resolve it by
 * its due date, and stays open until someone other than the owner verifies
 * the closure: the audit-finding lifecycle the seed's "regular audits" need.
 */
export function recordAudit(cmd: RecordAudit, system: AiSystemRecord): AiSystemEvent[] {
  if (system.auditIds.includes(cmd.auditId))
    throw new DomainError(
      'ALREADY_EXISTS',
      `audit ${cmd.auditId} is already recorded; use a new auditId`,
      'auditId',
    );
  const at = parseInstant(cmd.meta.at, 'meta.at');
  cmd.findings.forEach((finding, i) => {
    if (cmd.findings.findIndex((f) => f.findingId === finding.findingId) !== i)
      throw new DomainError(
        'ALREADY_EXISTS',
        `finding ${finding.findingId} appears twice in audit ${cmd.auditId}; give each finding its own id`,
        `findings.${i}.findingId`,
      );
    if (parseInstant(finding.dueAt, `findings.${i}.dueAt`) <= at)
      throw new DomainError(
        'VALIDATION_FAILED',
        `findings.${i}.dueAt must be after the audit is recorded (${cmd.meta.at}); a finding due already is overdue from birth`,
        `findings.${i}.dueAt`,
      );
  });
  const { systemId, auditId, scope, findings } = cmd;
  const recorded = findings.map(({ findingId, severity, description, owner, dueAt }) => ({
    findingId,
    severity,
    description,
    owner,
    dueAt,
  }));
  return [
    {
      type: 'AuditRecorded',
      data: { systemId, auditId, scope, findings: recorded, auditor: cmd.meta.actor },
    },
  ];
}

export function resolveAuditFinding(cmd: ResolveAuditFinding, system: AiSystemRecord): AiSystemEvent[] {
  const finding = findFinding(system, cmd.auditId, cmd.findingId);
  if (finding.owner !== cmd.meta.actor)
    throw new DomainError(
      'NOT_FINDING_OWNER',
      `finding ${cmd.findingId} of audit ${cmd.auditId} is owned by ${finding.owner}; only its owner resolves it`,
      'findingId',
    );
  if (finding.resolvedBy !== undefined)
    throw new DomainError(
      'INVALID_TRANSITION',
      `finding ${cmd.findingId} of audit ${cmd.auditId} is already resolved; ${finding.verifiedBy ? 'its closure was verified' : 'someone other than its owner now verifies the closure'}`,
      'findingId',
    );
  const { systemId, auditId, findingId, resolution } = cmd;
  return [
    {
      type: 'AuditFindingResolved',
      data: { systemId, auditId, findingId, resolution, resolvedBy: cmd.meta.actor, resolvedAt: cmd.meta.at },
    },
  ];
}

export function verifyAuditFindingClosure(
  cmd: VerifyAuditFindingClosure,
  system: AiSystemRecord,
): AiSystemEvent[] {
  const finding = findFinding(system, cmd.auditId, cmd.findingId);
  // Checked first, so an owner learns the rule rather than the finding's progress.
  if (finding.owner === cmd.meta.actor)
    throw separationRefused(
      'VERIFIER_IS_OWNER',
      `${cmd.meta.actor} owns finding ${cmd.findingId} of audit ${cmd.auditId}`,
      'ask someone else, such as the auditor, to verify the closure',
    );
  if (finding.resolvedBy === undefined)
    throw new DomainError(
      'INVALID_TRANSITION',
      `finding ${cmd.findingId} of audit ${cmd.auditId} is not resolved; its owner ${finding.owner} resolves it first`,
      'findingId',
    );
  if (finding.verifiedBy !== undefined)
    throw new DomainError(
      'INVALID_TRANSITION',
      `the closure of finding ${cmd.findingId} of audit ${cmd.auditId} was already verified by ${finding.verifiedBy}`,
      'findingId',
    );
  const { systemId, auditId, findingId, note } = cmd;
  return [
    {
      type: 'AuditFindingClosureVerified',
      data: { systemId, auditId, findingId, note, verifiedBy: cmd.meta.actor, verifiedAt: cmd.meta.at },
    },
  ];
}

function findFinding(system: AiSystemRecord, auditId: string, findingId: string): AuditFindingRecord {
  if (!system.auditIds.includes(auditId))
    throw new DomainError('NOT_FOUND', `no audit ${auditId} on ${system.systemId}`, 'auditId');
  const finding = system.auditFindings.find((f) => f.auditId === auditId && f.findingId === findingId);
  if (!finding)
    throw new DomainError('NOT_FOUND', `audit ${auditId} has no finding ${findingId}`, 'findingId');
  return finding;
}
