import { allows, AuthenticationError, HTTP_POLICY, type TokenVerifier } from '@ledger/auth';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Caller } from '../request-context/caller';
import type { SelfAuditService } from './self-audit.service';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

/**
 * Authenticates every request to a non-public route before anything else runs,
 * and refuses roles the policy table does not allow there. Deny by default: a
 * route missing from the table is refused.
 */
export function installHttpAuth(
  fastify: FastifyInstance,
  verifier: TokenVerifier,
  audit: SelfAuditService,
): void {
  fastify.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    // Unknown URLs fall through to the 404 handler; there is nothing to protect.
    if (route === undefined) return;
    const operation = `${request.method} ${route}`;
    const access = HTTP_POLICY[operation];
    if (access === 'public') return;

    const header = request.headers.authorization;
    const token =
      typeof header === 'string' && /^Bearer [\w-]+\.[\w-]*\.[\w-]*$/.test(header)
        ? header.slice(7)
        : undefined;
    if (!token)
      return refuse(reply, audit, {
        operation,
        status: 401,
        reason: 'send Authorization: Bearer <token>; `govledger token` issues one on the embedded default',
      });
    try {
      request.caller = await verifier.verify(token);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      return refuse(reply, audit, { operation, status: 401, reason: error.message });
    }
    if (!allows(access, request.caller.role))
      return refuse(reply, audit, {
        operation,
        status: 403,
        caller: request.caller,
        reason: `role ${request.caller.role} may not call ${operation}${access ? `; it needs ${(access as readonly string[]).join(' or ')}` : ''}`,
      });
  });
}

async function refuse(
  reply: FastifyReply,
  audit: SelfAuditService,
  details: { operation: string; status: 401 | 403; reason: string; caller?: Caller },
): Promise<FastifyReply> {
  await audit.accessDenied(details);
  if (details.status === 401) void reply.header('www-authenticate', 'Bearer realm="govledger"');
  return reply.status(details.status).send({
    error: { code: details.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', message: details.reason },
  });
}

/** Deny by default, enforced at start as well: the service refuses to boot with a route the policy table does not list. */
export function refuseRoutesWithoutPolicy(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD' && method !== 'OPTIONS' && HTTP_POLICY[`${method} ${route.url}`] === undefined)
        throw new Error(
          `route ${method} ${route.url} has no entry in the policy table (libs/auth/src/policy.ts); add one`,
        );
  });
}
