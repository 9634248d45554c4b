import { randomUUID } from 'node:crypto';
import type { CommandMeta } from '@ledger/domain';
import type { EventMetadata } from '@ledger/event-store';
import type { Caller } from '../request-context/caller';

/** Everything about one command's execution that is not the command: who, when, where from, and why. */
export interface CommandContext {
  caller: Caller;
  /** The ledger's clock when the request arrived: the instant the command is decided at. */
  at: string;
  source: string;
  correlationId: string;
  /** The id of this command execution; the events it causes carry it as causationId. */
  commandId: string;
  purposeOfUse?: string;
}

export function commandContext(
  caller: Caller,
  source: string,
  correlationId: string,
  now: Date = new Date(),
): CommandContext {
  return { caller, at: now.toISOString(), source, correlationId, commandId: randomUUID() };
}

export function commandMeta(ctx: CommandContext): CommandMeta {
  return { actor: ctx.caller.id, at: ctx.at };
}

export function eventMetadata(ctx: CommandContext): Omit<EventMetadata, 'recordedAt'> {
  const { caller } = ctx;
  return {
    tenantId: caller.tenantId,
    actor: {
      id: caller.id,
      role: caller.role,
      ...(caller.onBehalfOf ? { onBehalfOf: caller.onBehalfOf } : {}),
    },
    source: ctx.source,
    occurredAt: ctx.at,
    correlationId: ctx.correlationId,
    causationId: ctx.commandId,
    ...(ctx.purposeOfUse ? { purposeOfUse: ctx.purposeOfUse } : {}),
  };
}
