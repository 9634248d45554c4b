import { DomainError } from '../shared/domain-error';
import { parseInstant } from '../shared/time';
import type { CloseIncident, ReportIncident, UpdateIncidentStatus } from './commands';
import type { AiSystemEvent } from './events';
import { findVersion } from './model-versions';
import type { AiSystemRecord } from './state';

export function reportIncident(cmd: ReportIncident, system: AiSystemRecord): AiSystemEvent[] {
  if (system.incidents.some((i) => i.incidentId === cmd.incidentId))
    throw new DomainError(
      'ALREADY_EXISTS',
      `incident ${cmd.incidentId} is already reported; update its status instead`,
      'incidentId',
    );
  if (cmd.version !== undefined) findVersion(system, cmd.version, 'version');
  // Reporting deadlines run from awareness, so it cannot be later than the report itself.
  if (parseInstant(cmd.awareAt, 'awareAt') > parseInstant(cmd.meta.at, 'meta.at'))
    throw new DomainError(
      'VALIDATION_FAILED',
      `awareAt (${cmd.awareAt}) is after the report (${cmd.meta.at}); give the time the organisation became aware`,
      'awareAt',
    );
  const { systemId, incidentId, severity, description, patientHarmed, awareAt, version } = cmd;
  return [
    {
      type: 'IncidentReported',
      data: {
        systemId,
        incidentId,
        severity,
        description,
        patientHarmed,
        awareAt,
        version,
        reportedBy: cmd.meta.actor,
      },
    },
  ];
}

export function updateIncidentStatus(cmd: UpdateIncidentStatus, system: AiSystemRecord): AiSystemEvent[] {
  assertOpenIncident(system, cmd.incidentId);
  const { systemId, incidentId, status, note } = cmd;
  return [
    {
      type: 'IncidentStatusUpdated',
      data: { systemId, incidentId, status, note, updatedBy: cmd.meta.actor },
    },
  ];
}

export function closeIncident(cmd: CloseIncident, system: AiSystemRecord): AiSystemEvent[] {
  assertOpenIncident(system, cmd.incidentId);
  const { systemId, incidentId, resolution } = cmd;
  return [{ type: 'IncidentClosed', data: { systemId, incidentId, resolution, closedBy: cmd.meta.actor } }];
}

function assertOpenIncident(system: AiSystemRecord, incidentId: string): void {
  const incident = system.incidents.find((i) => i.incidentId === incidentId);
  if (!incident)
    throw new DomainError(
      'NOT_FOUND',
      `no incident ${incidentId} on ${system.systemId}; report it first`,
      'incidentId',
    );
  if (incident.closed)
    throw new DomainError(
      'INVALID_TRANSITION',
      `incident ${incidentId} is closed; report a new incident if the problem recurred`,
      'incidentId',
    );
}
