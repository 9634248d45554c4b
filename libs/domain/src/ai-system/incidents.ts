import { DomainError } from '../shared/domain-error';
import { MS_PER_DAY, instantAfter, millis, parseInstant } from '../shared/time';
import { CLOCK_SKEW_ALLOWANCE_MS } from './accountability';
import type {
  AiSystemCommandType,
  CloseIncident,
  RecordIncidentNotification,
  ReportIncident,
  UpdateIncidentStatus,
} from './commands';
import type { AiSystemEvent } from './events';
import { findVersion } from './model-versions';
import type { GovernancePolicy } from './policy';
import type { AiSystemRecord, IncidentRecord } from './state';
import type { IncidentClassification, SeriousIncidentClassification } from './vocabulary';

/**
 * When the market surveillance authority must have been notified. A class
 * without a deadline (not serious) has none; so has a class that is not one of
 * ours, which the event schema then refuses, naming the field.
 */
export function incidentDueAt(
  classification: IncidentClassification,
  awareAt: string,
  policy: GovernancePolicy,
): string | undefined {
  const days: number | undefined = Object.hasOwn(policy.incidentDeadlineDays, classification)
    ? policy.incidentDeadlineDays[classification as SeriousIncidentClassification]
    : undefined;
  return days === undefined ? undefined : instantAfter(awareAt, days * MS_PER_DAY);
}

/**
 * A report long after awareness is accepted and stays on record as it is:
 * refusing it would keep the incident out of the ledger altogether. The
 * compliance findings (INCIDENT_REPORTED_LATE) say it was late.
 */
export function reportIncident(
  cmd: ReportIncident,
  system: AiSystemRecord,
  policy: GovernancePolicy,
): AiSystemEvent[] {
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
  const { systemId, incidentId, classification, severity, description, patientHarmed, awareAt, version } =
    cmd;
  return [
    {
      type: 'IncidentReported',
      data: {
        systemId,
        incidentId,
        classification,
        severity,
        description,
        patientHarmed,
        awareAt,
        version,
        reportedBy: cmd.meta.actor,
        dueAt: incidentDueAt(classification, awareAt, policy),
      },
    },
  ];
}

/**
 * A notification is recorded as it is sent: `sentAt` may differ from the
 * ledger's clock only by the clock-skew allowance, so nobody can claim after
 * the fact that the authority was told in time.
 */
export function recordIncidentNotification(
  cmd: RecordIncidentNotification,
  system: AiSystemRecord,
): AiSystemEvent[] {
  const incident = findIncident(system, cmd.incidentId);
  const sentMs = parseInstant(cmd.sentAt, 'sentAt');
  const atMs = millis(cmd.meta.at);
  if (Math.abs(sentMs - atMs) > CLOCK_SKEW_ALLOWANCE_MS)
    throw new DomainError(
      'VALIDATION_FAILED',
      `sentAt ${cmd.sentAt} is ${sentMs < atMs ? 'before' : 'after'} this notification is recorded (${cmd.meta.at}) by more than ` +
        `the ${CLOCK_SKEW_ALLOWANCE_MS / 60_000}-minute clock-skew allowance; record each notification as it is sent, with the time it was sent`,
      'sentAt',
    );
  const earlier = incident.notifications.filter((n) => n.recipient === cmd.recipient);
  if (cmd.kind === 'initial' && earlier.some((n) => n.kind === 'initial'))
    throw new DomainError(
      'ALREADY_EXISTS',
      `${cmd.recipient} already has the initial notification of incident ${incident.incidentId}; record this one as a follow_up or final`,
      'kind',
    );
  if (cmd.kind !== 'initial' && earlier.length === 0)
    throw new DomainError(
      'INVALID_TRANSITION',
      `${cmd.recipient} has not had the initial notification of incident ${incident.incidentId}; the first notification to a recipient is the initial one`,
      'kind',
    );
  const { systemId, incidentId, recipient, kind, reference, sentAt } = cmd;
  return [
    {
      type: 'IncidentNotificationRecorded',
      data: { systemId, incidentId, recipient, kind, reference, sentAt, sentBy: cmd.meta.actor },
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

/**
 * Art 73(6): while a serious incident is being investigated and the authority
 * has not been told, the system may not be altered in a way that could affect
 * the evaluation of its causes. New versions and deployments wait; takedowns,
 * which only take the system away from patients, do not.
 */
export function assertNoIncidentFreeze(
  system: AiSystemRecord,
  command: Extract<AiSystemCommandType, 'RegisterModelVersion' | 'DeployModelVersion'>,
): void {
  const frozen = system.incidents.filter(freezes);
  if (frozen.length > 0)
    throw new DomainError(
      'INCIDENT_UNDER_INVESTIGATION',
      `${system.systemId} has an open serious incident (${frozen.map((i) => `${i.incidentId}: ${i.classification}`).join(', ')}) ` +
        `not yet notified to the market surveillance authority, so ${command} is refused (EU AI Act Art 73(6)); ` +
        `record the authority's notification or close the incident first. A takedown is still allowed`,
      'systemId',
    );
}

function freezes(incident: IncidentRecord): boolean {
  return (
    !incident.closed &&
    incident.classification !== undefined &&
    incident.classification !== 'not_serious' &&
    !incident.notifications.some((n) => n.recipient === 'market_surveillance_authority')
  );
}

function findIncident(system: AiSystemRecord, incidentId: string): IncidentRecord {
  const incident = system.incidents.find((i) => i.incidentId === incidentId);
  if (!incident)
    throw new DomainError(
      'NOT_FOUND',
      `no incident ${incidentId} on ${system.systemId}; report it first`,
      'incidentId',
    );
  return incident;
}

function assertOpenIncident(system: AiSystemRecord, incidentId: string): void {
  const incident = findIncident(system, incidentId);
  if (incident.closed)
    throw new DomainError(
      'INVALID_TRANSITION',
      `incident ${incidentId} is closed; report a new incident if the problem recurred`,
      'incidentId',
    );
}
