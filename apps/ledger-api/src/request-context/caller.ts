import type { Principal } from '@ledger/auth';
import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { ProblemError } from '../errors/problem';

/** The authenticated principal a request acts for, and the tenant it acts in: what the bearer token says. */
export type Caller = Principal;

/** The one place handlers learn who is calling; the authentication hook has verified the token before any handler runs. */
export function callerFrom(request: FastifyRequest): Caller {
  if (!request.caller)
    throw new ProblemError({
      status: 401,
      code: 'UNAUTHENTICATED',
      message: 'send Authorization: Bearer <token>',
    });
  return request.caller;
}

/** The caller's own X-Correlation-Id, when it sent a well-formed one: it joins the ledger's events to the caller's trace. */
export function givenCorrelationId(request: FastifyRequest): string | undefined {
  const given = request.headers['x-correlation-id'];
  return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : undefined;
}

/** Ties the events one request causes together. */
export function correlationIdFrom(request: FastifyRequest): string {
  return givenCorrelationId(request) ?? randomUUID();
}

/**
 * Whether the caller may see an event: one of its tenant's and, for a
 * regulator, of a system granted to it. Callers answer any other exactly like
 * a missing one, so its existence is not disclosed.
 */
export function mayRead(caller: Caller, event: { tenantId: string; systemId: unknown }): boolean {
  return (
    event.tenantId === caller.tenantId &&
    (!caller.systems || (typeof event.systemId === 'string' && caller.systems.includes(event.systemId)))
  );
}
