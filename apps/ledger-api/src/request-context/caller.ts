import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { ProblemError } from '../errors/problem';

/** The authenticated principal a request acts for, and the tenant it acts in. */
export interface Caller {
  id: string;
  role: string;
  tenantId: string;
  onBehalfOf?: string;
}

const TENANT = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * The one place a request's caller is established. Until token authentication
 * replaces it, the caller is read from the X-Actor-Id, X-Actor-Role and
 * X-Tenant-Id headers.
 */
export function callerFrom(request: FastifyRequest): Caller {
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const id = header('x-actor-id');
  if (!id) throw new ProblemError({ status: 401, code: 'UNAUTHENTICATED', field: 'X-Actor-Id', message: 'send the X-Actor-Id header naming who acts' });
  const tenantId = header('x-tenant-id') ?? 'default';
  if (!TENANT.test(tenantId))
    throw new ProblemError({ status: 400, code: 'VALIDATION_FAILED', field: 'X-Tenant-Id', message: 'X-Tenant-Id must be 1-63 lower-case letters, digits or hyphens' });
  return { id, role: header('x-actor-role') ?? 'governance-admin', tenantId, onBehalfOf: header('x-on-behalf-of') };
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
