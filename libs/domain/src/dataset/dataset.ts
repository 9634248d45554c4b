import { assertCommandMeta } from '../shared/command-meta';
import type { Decider } from '../shared/decider';
import { DomainError, assertNever } from '../shared/domain-error';
import { personId } from '../shared/person-id';
import { millis, parseInstant } from '../shared/time';
import { checkedEvents } from '../events/validate-event-data';
import type { DatasetSnapshot } from '../ai-system/commands';
import { accessLogReview } from '../shared/access-log-review';
import type {
  ApproveDataset,
  DatasetCommand,
  GrantDatasetAccess,
  RegisterDataset,
  RevokeDatasetAccess,
} from './commands';
import type { DatasetEvent } from './events';

export type DatasetState = { status: 'unregistered' } | RegisteredDataset;

export interface RegisteredDataset {
  status: 'registered';
  datasetId: string;
  approvedPurposes: string[];
  /** Who approved each purpose: the approver of a validation dataset must not be an author of what it validates. */
  approvals: DatasetApproval[];
  grants: AccessGrant[];
}

export interface DatasetApproval {
  purpose: string;
  approvedBy: string;
}

export interface AccessGrant {
  grantId: string;
  principal: string;
  purpose: string;
  expiresAt: string;
  revoked: boolean;
}

export function initialDatasetState(): DatasetState {
  return { status: 'unregistered' };
}

export function evolveDataset(state: DatasetState, event: DatasetEvent): DatasetState {
  if (event.type === 'DatasetRegistered')
    return {
      status: 'registered',
      datasetId: event.data.datasetId,
      approvedPurposes: [],
      approvals: [],
      grants: [],
    };
  // Only a registration can start a stream; the store never holds anything else before it.
  if (state.status === 'unregistered') return state;
  switch (event.type) {
    case 'DatasetApproved':
      return {
        ...state,
        approvedPurposes: [...state.approvedPurposes, event.data.purpose],
        approvals: [...state.approvals, { purpose: event.data.purpose, approvedBy: event.data.approvedBy }],
      };
    case 'DatasetAccessGranted': {
      const { grantId, principal, purpose, expiresAt } = event.data;
      return {
        ...state,
        grants: [
          ...state.grants,
          { grantId, principal: personId(principal), purpose, expiresAt, revoked: false },
        ],
      };
    }
    case 'DatasetAccessRevoked':
      return {
        ...state,
        grants: state.grants.map((g) => (g.grantId === event.data.grantId ? { ...g, revoked: true } : g)),
      };
    // Facts for the record and the compliance rules; no command depends on them.
    case 'DatasetAccessPolicyRecorded':
    case 'DatasetAccessLogReviewed':
      return state;
    default:
      return assertNever(event);
  }
}

export function decideDataset(command: DatasetCommand, state: DatasetState): DatasetEvent[] {
  assertCommandMeta(command.meta);
  return checkedEvents(decideUnchecked(withPersonIds(command), state));
}

/** Every person a command names, in the one spelling state holds them in (see `personId`). */
function withPersonIds(command: DatasetCommand): DatasetCommand {
  const meta = { ...command.meta, actor: personId(command.meta.actor) };
  switch (command.type) {
    case 'RegisterDataset':
      return { ...command, meta, steward: personId(command.steward) };
    case 'GrantDatasetAccess':
      return { ...command, meta, principal: personId(command.principal) };
    default:
      return { ...command, meta };
  }
}

export const datasetDecider: Decider<DatasetCommand, DatasetEvent, DatasetState> = {
  decide: decideDataset,
  evolve: evolveDataset,
  initialState: initialDatasetState,
};

/** What a deployment needs to know about a training dataset; the command handler builds it from the dataset's stream. */
export function datasetSnapshot(datasetId: string, state: DatasetState): DatasetSnapshot {
  return state.status === 'registered'
    ? { datasetId, registered: true, approvedPurposes: state.approvedPurposes, approvals: state.approvals }
    : { datasetId, registered: false, approvedPurposes: [], approvals: [] };
}

function decideUnchecked(command: DatasetCommand, state: DatasetState): DatasetEvent[] {
  if (command.type === 'RegisterDataset') return registerDataset(command, state);
  if (state.status === 'unregistered')
    throw new DomainError('NOT_FOUND', `no dataset ${command.datasetId}; register it first`, 'datasetId');
  switch (command.type) {
    case 'ApproveDataset':
      return approveDataset(command, state);
    case 'GrantDatasetAccess':
      return grantDatasetAccess(command, state);
    case 'RevokeDatasetAccess':
      return revokeDatasetAccess(command, state);
    case 'RecordDatasetAccessPolicy':
      return [
        {
          type: 'DatasetAccessPolicyRecorded',
          data: {
            datasetId: state.datasetId,
            documentRef: command.documentRef,
            reviewEveryDays: command.reviewEveryDays,
            recordedBy: command.meta.actor,
          },
        },
      ];
    case 'RecordDatasetAccessLogReview':
      return [
        {
          type: 'DatasetAccessLogReviewed',
          data: { datasetId: state.datasetId, ...accessLogReview(command) },
        },
      ];
    default:
      return assertNever(command);
  }
}

function registerDataset(cmd: RegisterDataset, state: DatasetState): DatasetEvent[] {
  if (state.status !== 'unregistered')
    throw new DomainError(
      'ALREADY_EXISTS',
      `dataset ${cmd.datasetId} is already registered; choose another datasetId`,
      'datasetId',
    );
  const { datasetId, name, classification, legalBasis, steward, source, retentionPeriod } = cmd;
  return [
    {
      type: 'DatasetRegistered',
      data: {
        datasetId,
        name,
        classification,
        legalBasis,
        steward,
        source,
        retentionPeriod,
        registeredBy: cmd.meta.actor,
      },
    },
  ];
}

function approveDataset(cmd: ApproveDataset, dataset: RegisteredDataset): DatasetEvent[] {
  if (dataset.approvedPurposes.includes(cmd.purpose))
    throw new DomainError(
      'ALREADY_EXISTS',
      `dataset ${dataset.datasetId} is already approved for ${cmd.purpose}`,
      'purpose',
    );
  return [
    {
      type: 'DatasetApproved',
      data: { datasetId: dataset.datasetId, purpose: cmd.purpose, approvedBy: cmd.meta.actor },
    },
  ];
}

/** Access is only ever granted for a purpose the dataset is approved for, and for a limited time. */
function grantDatasetAccess(cmd: GrantDatasetAccess, dataset: RegisteredDataset): DatasetEvent[] {
  if (!dataset.approvedPurposes.includes(cmd.purpose))
    throw new DomainError(
      'PURPOSE_NOT_APPROVED',
      `dataset ${dataset.datasetId} is not approved for ${cmd.purpose}; approve it for that purpose first (approved: ${dataset.approvedPurposes.join(', ') || 'none'})`,
      'purpose',
    );
  const now = parseInstant(cmd.meta.at, 'meta.at');
  if (parseInstant(cmd.expiresAt, 'expiresAt') <= now)
    throw new DomainError(
      'VALIDATION_FAILED',
      `expiresAt must be after ${cmd.meta.at}; access that has already expired grants nothing`,
      'expiresAt',
    );
  if (dataset.grants.some((g) => g.grantId === cmd.grantId))
    throw new DomainError(
      'ALREADY_EXISTS',
      `grant ${cmd.grantId} already exists; use a new grantId`,
      'grantId',
    );
  const active = dataset.grants.find(
    (g) =>
      g.principal === cmd.principal && g.purpose === cmd.purpose && !g.revoked && millis(g.expiresAt) > now,
  );
  if (active)
    throw new DomainError(
      'ALREADY_EXISTS',
      `${cmd.principal} already has access to ${dataset.datasetId} for ${cmd.purpose} until ${active.expiresAt} (grant ${active.grantId}); revoke it to change the terms`,
      'principal',
    );
  const { datasetId, grantId, principal, purpose, expiresAt } = cmd;
  return [
    {
      type: 'DatasetAccessGranted',
      data: { datasetId, grantId, principal, purpose, expiresAt, grantedBy: cmd.meta.actor },
    },
  ];
}

function revokeDatasetAccess(cmd: RevokeDatasetAccess, dataset: RegisteredDataset): DatasetEvent[] {
  const grant = dataset.grants.find((g) => g.grantId === cmd.grantId);
  if (!grant)
    throw new DomainError('NOT_FOUND', `no grant ${cmd.grantId} on dataset ${dataset.datasetId}`, 'grantId');
  if (grant.revoked)
    throw new DomainError('INVALID_TRANSITION', `grant ${cmd.grantId} is already revoked`, 'grantId');
  const { principal, purpose } = grant;
  return [
    {
      type: 'DatasetAccessRevoked',
      data: {
        datasetId: dataset.datasetId,
        grantId: grant.grantId,
        principal,
        purpose,
        reason: cmd.reason,
        revokedBy: cmd.meta.actor,
      },
    },
  ];
}
