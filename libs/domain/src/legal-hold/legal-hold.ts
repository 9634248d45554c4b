import { assertCommandMeta, type CommandMeta } from '../shared/command-meta';
import type { Decider } from '../shared/decider';
import { DomainError, assertNever } from '../shared/domain-error';
import { personId } from '../shared/person-id';
import { checkedEvents } from '../events/validate-event-data';
import { separationRefused } from '../ai-system/separation-of-duties';
import type { LegalHoldEvent, LegalHoldScope, SubjectKind } from './events';

/** The placer is `meta.actor`. */
export interface PlaceLegalHold {
  type: 'PlaceLegalHold';
  holdId: string;
  scope: LegalHoldScope;
  reason: string;
  matter: string;
  /** For a system hold: whether the system is registered in the tenant, read by the handler from the system's stream. */
  systemRegistered?: boolean;
  meta: CommandMeta;
}

/** The releaser is `meta.actor`. */
export interface ReleaseLegalHold {
  type: 'ReleaseLegalHold';
  holdId: string;
  reason: string;
  meta: CommandMeta;
}

export type LegalHoldCommand = PlaceLegalHold | ReleaseLegalHold;

export interface LegalHold {
  holdId: string;
  scope: LegalHoldScope;
  reason: string;
  matter: string;
  placedBy: string;
  released?: { reason: string; releasedBy: string };
}

export interface LegalHoldsState {
  holds: readonly LegalHold[];
}

export function initialLegalHoldsState(): LegalHoldsState {
  return { holds: [] };
}

export function evolveLegalHolds(state: LegalHoldsState, event: LegalHoldEvent): LegalHoldsState {
  switch (event.type) {
    case 'LegalHoldPlaced':
      return { holds: [...state.holds, { ...event.data }] };
    case 'LegalHoldReleased': {
      const { holdId, reason, releasedBy } = event.data;
      return {
        holds: state.holds.map((h) => (h.holdId === holdId ? { ...h, released: { reason, releasedBy } } : h)),
      };
    }
    default:
      return assertNever(event);
  }
}

export function decideLegalHolds(command: LegalHoldCommand, state: LegalHoldsState): LegalHoldEvent[] {
  assertCommandMeta(command.meta);
  const meta = { ...command.meta, actor: personId(command.meta.actor) };
  switch (command.type) {
    case 'PlaceLegalHold':
      return checkedEvents(placeLegalHold({ ...command, meta }, state));
    case 'ReleaseLegalHold':
      return checkedEvents(releaseLegalHold({ ...command, meta }, state));
    default:
      return assertNever(command);
  }
}

export const legalHoldsDecider: Decider<LegalHoldCommand, LegalHoldEvent, LegalHoldsState> = {
  decide: decideLegalHolds,
  evolve: evolveLegalHolds,
  initialState: initialLegalHoldsState,
};

function placeLegalHold(cmd: PlaceLegalHold, state: LegalHoldsState): LegalHoldEvent[] {
  if (state.holds.some((h) => h.holdId === cmd.holdId))
    throw new DomainError(
      'ALREADY_EXISTS',
      `legal hold ${cmd.holdId} already exists; choose another holdId`,
      'holdId',
    );
  if (cmd.scope.kind === 'SYSTEM' && !cmd.systemRegistered)
    throw new DomainError(
      'NOT_FOUND',
      `no AI system ${cmd.scope.systemId} in this tenant; a hold covers a registered system, check the id`,
      'systemId',
    );
  const same = state.holds.find(
    (h) => !h.released && h.matter === cmd.matter && sameScope(h.scope, cmd.scope),
  );
  if (same)
    throw new DomainError(
      'ALREADY_EXISTS',
      `legal hold ${same.holdId} already holds this for matter ${cmd.matter}; one active hold per matter and scope`,
      'matter',
    );
  const { holdId, scope, reason, matter } = cmd;
  return [{ type: 'LegalHoldPlaced', data: { holdId, scope, reason, matter, placedBy: cmd.meta.actor } }];
}

function releaseLegalHold(cmd: ReleaseLegalHold, state: LegalHoldsState): LegalHoldEvent[] {
  const hold = state.holds.find((h) => h.holdId === cmd.holdId);
  if (!hold) throw new DomainError('NOT_FOUND', `no legal hold ${cmd.holdId} in this tenant`, 'holdId');
  if (hold.released)
    throw new DomainError(
      'INVALID_TRANSITION',
      `legal hold ${hold.holdId} was already released by ${hold.released.releasedBy}`,
      'holdId',
    );
  if (personId(hold.placedBy) === cmd.meta.actor)
    throw separationRefused(
      'RELEASER_IS_PLACER',
      `${cmd.meta.actor} placed ${hold.holdId}`,
      'another governance admin must release it',
    );
  return [
    {
      type: 'LegalHoldReleased',
      data: { holdId: hold.holdId, reason: cmd.reason, releasedBy: cmd.meta.actor },
    },
  ];
}

function sameScope(a: LegalHoldScope, b: LegalHoldScope): boolean {
  if (a.kind === 'SYSTEM') return b.kind === 'SYSTEM' && a.systemId === b.systemId;
  return b.kind === 'SUBJECT' && a.subjectKind === b.subjectKind && a.subjectDigest === b.subjectDigest;
}

/**
 * The active holds that stop an erasure of one subject from records of the
 * given systems: a hold on the subject itself, or on any of the systems.
 */
export function blockingHolds(
  holds: readonly LegalHold[],
  subject: { subjectKind: SubjectKind; subjectDigest: string },
  systemIds: readonly string[],
): LegalHold[] {
  return holds.filter(
    (h) =>
      !h.released &&
      (h.scope.kind === 'SYSTEM'
        ? systemIds.includes(h.scope.systemId)
        : h.scope.subjectKind === subject.subjectKind && h.scope.subjectDigest === subject.subjectDigest),
  );
}

/**
 * The text a subject's digest is the keyed HMAC-SHA-256 of: tenant, kind and
 * the subject in its one spelling (a person's id through `personId`, a
 * patient's keyed pseudonym), NUL-separated so no two inputs run together.
 * The application keys it; a hold and an erasure of one subject meet here.
 */
export function subjectDigestInput(tenantId: string, kind: SubjectKind, id: string): string {
  return `${tenantId}\0${kind}\0${kind === 'PERSON' ? personId(id) : id}`;
}

/** A hold as the ledger recorded it: its data, and when and by which events it was placed and released. */
export interface RecordedLegalHold extends LegalHold {
  placedAt: string;
  placedEventId: string;
  releasedAt?: string;
}

/** The holds of a stream read with its envelopes: what `legalHolds` shows and the retention report applies. */
export function recordedLegalHolds(
  history: ReadonlyArray<LegalHoldEvent & { eventId: string; recordedAt: string }>,
): RecordedLegalHold[] {
  const state = history.reduce(evolveLegalHolds, initialLegalHoldsState());
  const placed = new Map(
    history.flatMap((e) => (e.type === 'LegalHoldPlaced' ? [[e.data.holdId, e] as const] : [])),
  );
  const released = new Map(
    history.flatMap((e) => (e.type === 'LegalHoldReleased' ? [[e.data.holdId, e.recordedAt] as const] : [])),
  );
  return state.holds.map((hold) => {
    const releasedAt = released.get(hold.holdId);
    return {
      ...hold,
      placedAt: placed.get(hold.holdId)!.recordedAt,
      placedEventId: placed.get(hold.holdId)!.eventId,
      ...(releasedAt ? { releasedAt } : {}),
    };
  });
}
