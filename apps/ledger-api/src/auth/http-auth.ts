import { allows, AuthenticationError, HTTP_POLICY, type TokenVerifier } from '@ledger/auth';
import type { LedgerConfig } from '@ledger/runtime';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError, toProblem } from '../errors/problem';
import type { Caller } from '../request-context/caller';
import type { SelfAuditService } from './self-audit.service';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

type RateLimiter = ReturnType<FastifyInstance['createRateLimit']>;

/**
 * The edge every request passes, in this order:
 * 1. a limit per client address, before anything else is spent on the
 *    request: it counts every request that does not carry a token verified in
 *    the last minute (so an emitter's steady traffic never counts, and a flood
 *    without a valid token is cut off before its token is even parsed);
 * 2. authentication of every non-public route, and the policy table's roles.
 *    Deny by default: a route missing from the table is refused;
 * 3. a limit per principal, once the principal is known.
 * Both limits answer 429 with Retry-After themselves, so GraphQL answers 429
 * as well. Requires @fastify/rate-limit registered (bootstrap does).
 */
export function installHttpEdge(
  fastify: FastifyInstance,
  config: LedgerConfig,
  verifier: TokenVerifier,
  audit: SelfAuditService,
): void {
  const perAddress = fastify.createRateLimit({
    max: config.LEDGER_RATE_LIMIT_PER_ADDRESS_PER_MINUTE,
    timeWindow: 60_000,
    // Probes must never be starved, and a token the ledger verified a moment ago is its principal's to account for.
    allowList: (request) =>
      request.routeOptions.url?.startsWith('/health/') === true || rememberedToken(request, verifier),
  });
  const perPrincipal = fastify.createRateLimit({
    max: config.LEDGER_RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: (request) =>
      request.caller ? `${request.caller.tenantId}/${request.caller.id}` : `address ${request.ip}`,
  });

  fastify.addHook('onRequest', async (request, reply) => {
    if (await overLimit(perAddress, 'this address', request, reply, audit)) return reply;
    const route = request.routeOptions.url;
    // Unknown URLs fall through to the 404 handler; there is nothing to protect.
    if (route === undefined) return;
    const operation = `${request.method} ${route}`;
    const access = HTTP_POLICY[operation];
    if (access === 'public') return;

    const token = bearerToken(request);
    if (!token)
      return refuse(request, reply, audit, {
        operation,
        status: 401,
        reason: 'send Authorization: Bearer <token>; `govledger token` issues one on the embedded default',
      });
    try {
      request.caller = await verifier.verify(token);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      return refuse(request, reply, audit, { operation, status: 401, reason: error.message });
    }
    if (!allows(access, request.caller.role))
      return refuse(request, reply, audit, {
        operation,
        status: 403,
        caller: request.caller,
        reason: `role ${request.caller.role} may not call ${operation}${access ? `; it needs ${(access as readonly string[]).join(' or ')}` : ''}`,
      });
  });

  fastify.addHook('preHandler', async (request, reply) => {
    if (await overLimit(perPrincipal, 'this principal', request, reply, audit)) return reply;
  });
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  return typeof header === 'string' && /^Bearer [\w-]+\.[\w-]*\.[\w-]*$/.test(header)
    ? header.slice(7)
    : undefined;
}

function rememberedToken(request: FastifyRequest, verifier: TokenVerifier): boolean {
  const token = bearerToken(request);
  return token !== undefined && verifier.remembers(token);
}

const operationOf = (request: FastifyRequest) =>
  `${request.method} ${request.routeOptions.url ?? 'unmatched'}`;

/** Answers 429 with Retry-After when the request is over `limiter`'s limit; the refusal is counted, not written one by one. */
async function overLimit(
  limiter: RateLimiter,
  whose: string,
  request: FastifyRequest,
  reply: FastifyReply,
  audit: SelfAuditService,
): Promise<boolean> {
  const limit = await limiter(request);
  if (limit.isAllowed || !limit.isExceeded) return false;
  const reason = `more than ${limit.max} requests in a minute from ${whose}; retry after ${limit.ttlInSeconds} s`;
  audit.accessDenied({
    caller: request.caller,
    address: request.ip,
    operation: operationOf(request),
    status: 429,
    reason: `more than ${limit.max} requests in a minute from ${whose}`,
  });
  const { status, ...problem } = toProblem(
    new ProblemError({ status: 429, code: 'RATE_LIMITED', message: reason }),
  );
  void reply.status(status).header('retry-after', String(limit.ttlInSeconds)).send({ error: problem });
  return true;
}

async function refuse(
  request: FastifyRequest,
  reply: FastifyReply,
  audit: SelfAuditService,
  details: { operation: string; status: 401 | 403; reason: string; caller?: Caller },
): Promise<FastifyReply> {
  audit.accessDenied({ ...details, address: request.ip });
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
