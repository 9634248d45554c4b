import { assertCommandMeta } from '../shared/command-meta';
import type { Decider } from '../shared/decider';
import { DomainError, assertNever } from '../shared/domain-error';
import { personId } from '../shared/person-id';
import { checkedEvents } from '../events/validate-event-data';
import { accessLogReview } from '../shared/access-log-review';
import { acceptAccountability, assignAccountability, revokeAccountability } from './accountability';
import { recordAudit, resolveAuditFinding, verifyAuditFindingClosure } from './audits';
import type { AiSystemCommand, RegisterAiSystem } from './commands';
import { approveDeployment, deployModelVersion, recordAccessPolicy, registerAuditSource } from './deployment';
import type { AiSystemEvent } from './events';
import {
  assertNoIncidentFreeze,
  closeIncident,
  recordIncidentNotification,
  reportIncident,
  updateIncidentStatus,
} from './incidents';
import { assertAcceptsAfterRetirement } from './lifecycle';
import { planValidation, recordValidationResult, registerModelVersion } from './model-versions';
import {
  planMonitoring,
  recordComputedSignal,
  recordMonitoringSignal,
  registerMonitoringSource,
} from './monitoring';
import { DEFAULT_GOVERNANCE_POLICY, type GovernancePolicy } from './policy';
import { evolveAiSystem, initialAiSystemState, type AiSystemRecord, type AiSystemState } from './state';
import { decideTakedown, ratifyTakedown, reinstateAiSystem } from './takedown';

/** Decides one command against the system's folded state; throws a DomainError when a rule refuses it. */
export function decideAiSystem(
  command: AiSystemCommand,
  state: AiSystemState,
  policy: GovernancePolicy = DEFAULT_GOVERNANCE_POLICY,
): AiSystemEvent[] {
  assertCommandMeta(command.meta);
  return checkedEvents(decideUnchecked(withPersonIds(command), state, policy));
}

/** Every person a command names, in the one spelling state holds them in, so rules compare people with `===`. */
function withPersonIds(command: AiSystemCommand): AiSystemCommand {
  const meta = { ...command.meta, actor: personId(command.meta.actor) };
  switch (command.type) {
    case 'AssignAccountability':
      return { ...command, meta, assignee: personId(command.assignee) };
    case 'RegisterModelVersion':
      return {
        ...command,
        meta,
        developer: command.developer === undefined ? undefined : personId(command.developer),
      };
    case 'RegisterMonitoringSource':
      return { ...command, meta, serviceId: personId(command.serviceId) };
    case 'RecordAudit':
      return {
        ...command,
        meta,
        findings: command.findings.map((f) => ({ ...f, owner: personId(f.owner) })),
      };
    default:
      return { ...command, meta };
  }
}

export function aiSystemDecider(
  policy: GovernancePolicy = DEFAULT_GOVERNANCE_POLICY,
): Decider<AiSystemCommand, AiSystemEvent, AiSystemState> {
  return {
    decide: (command, state) => decideAiSystem(command, state, policy),
    evolve: evolveAiSystem,
    initialState: initialAiSystemState,
  };
}

function decideUnchecked(
  command: AiSystemCommand,
  state: AiSystemState,
  policy: GovernancePolicy,
): AiSystemEvent[] {
  if (command.type === 'RegisterAiSystem') return registerAiSystem(command, state);
  const system = existing(state, command);
  switch (command.type) {
    case 'AssignAccountability':
      return assignAccountability(command, system);
    case 'AcceptAccountability':
      return acceptAccountability(command, system);
    case 'RevokeAccountability':
      return revokeAccountability(command, system, policy);
    case 'RegisterModelVersion':
      assertNoIncidentFreeze(system, command.type);
      return registerModelVersion(command, system);
    case 'PlanValidation':
      return planValidation(command, system, policy);
    case 'RecordValidationResult':
      return recordValidationResult(command, system);
    case 'ApproveDeployment':
      return approveDeployment(command, system);
    case 'RecordAccessPolicy':
      return recordAccessPolicy(command, system);
    case 'RegisterAuditSource':
      return registerAuditSource(command, system);
    case 'RegisterMonitoringSource':
      return registerMonitoringSource(command, system);
    case 'DeployModelVersion':
      assertNoIncidentFreeze(system, command.type);
      return deployModelVersion(command, system, policy);
    case 'PlanMonitoring':
      return planMonitoring(command, system);
    case 'RecordMonitoringSignal':
      return recordMonitoringSignal(command, system);
    case 'RecordComputedSignal':
      return recordComputedSignal(command, system);
    case 'ReportIncident':
      return reportIncident(command, system, policy);
    case 'UpdateIncidentStatus':
      return updateIncidentStatus(command, system);
    case 'RecordIncidentNotification':
      return recordIncidentNotification(command, system);
    case 'CloseIncident':
      return closeIncident(command, system);
    case 'DecideTakedown':
      return decideTakedown(command, system, policy);
    case 'RatifyTakedown':
      return ratifyTakedown(command, system);
    case 'ReinstateAiSystem':
      return reinstateAiSystem(command, system, policy);
    case 'RecordAudit':
      return recordAudit(command, system);
    case 'ResolveAuditFinding':
      return resolveAuditFinding(command, system);
    case 'VerifyAuditFindingClosure':
      return verifyAuditFindingClosure(command, system);
    case 'RecordAccessLogReview':
      return [
        { type: 'AccessLogReviewed', data: { systemId: system.systemId, ...accessLogReview(command) } },
      ];
    default:
      return assertNever(command);
  }
}

function registerAiSystem(cmd: RegisterAiSystem, state: AiSystemState): AiSystemEvent[] {
  if (state.status !== 'unregistered')
    throw new DomainError(
      'ALREADY_EXISTS',
      `AI system ${cmd.systemId} is already registered; choose another systemId`,
      'systemId',
    );
  const { systemId, name, intendedUse, clinicalDomain, riskClass, supplier, vendorName, sites } = cmd;
  return [
    {
      type: 'AiSystemRegistered',
      data: { systemId, name, intendedUse, clinicalDomain, riskClass, supplier, vendorName, sites },
    },
  ];
}

function existing(state: AiSystemState, command: Exclude<AiSystemCommand, RegisterAiSystem>): AiSystemRecord {
  if (state.status === 'unregistered')
    throw new DomainError('NOT_FOUND', `no AI system ${command.systemId}; register it first`, 'systemId');
  assertAcceptsAfterRetirement(state, command.type);
  return state;
}
