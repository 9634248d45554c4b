import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { inputValidationPipe } from './errors/input-validation';
import { ProblemFilter } from './errors/problem.filter';
import { logFailure, toProblem } from './errors/problem';
import { traceHttpRequests } from './tracing/http-tracing';
import { useBoundedJsonBodies } from './http/json-body';
import { refuseRoutesWithoutPolicy } from './auth/http-auth';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { LedgerConfig } from '@ledger/runtime';
import { createLogger, PinoNestLogger } from './logging/logger';

export interface LedgerApp {
  app: NestFastifyApplication;
  logger: Logger;
  url: string;
}

/** Builds and starts the service; shared by `main.ts` and the end-to-end tests so both run the same wiring. */
export async function startLedgerApi(config: LedgerConfig): Promise<LedgerApp> {
  const logger = createLogger(config.LOG_LEVEL);
  if (config.LEDGER_STORE === 'sqlite') mkdirSync(config.LEDGER_DATA_DIR, { recursive: true, mode: 0o700 });
  // Room for a full ingest batch (1000 items of a few hundred bytes each); anything larger is refused with 413.
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    return503OnClosing: true,
    bodyLimit: 4 * 1024 * 1024,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  useBoundedJsonBodies(app, config.LEDGER_INPUT_MAX_DEPTH);
  refuseRoutesWithoutPolicy(app.getHttpAdapter().getInstance());
  closeConnectionsWhileDraining(app.getHttpAdapter().getInstance());
  traceHttpRequests(app.getHttpAdapter().getInstance());
  // Security headers on every answer; no CORS headers at all, so browsers on other origins cannot call the API.
  await app.register(helmet);
  // Per principal (per address before authentication): a noisy client is answered 429 with Retry-After, not served at others' cost.
  await app.register(rateLimit, {
    max: config.LEDGER_RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    hook: 'preHandler',
    keyGenerator: (request) =>
      request.caller ? `${request.caller.tenantId}/${request.caller.id}` : request.ip,
    errorResponseBuilder: (_request, context) =>
      Object.assign(
        new Error(
          `more than ${context.max} requests in a minute; retry after ${Math.ceil(context.ttl / 1000)} s`,
        ),
        { statusCode: 429 },
      ),
  });
  // Failures before a handler runs (unparsable JSON, an empty body, a rate limit) answer in the same shape as the rest.
  app
    .getHttpAdapter()
    .getInstance()
    .setErrorHandler((error, request, reply) => {
      const { status, ...problem } = toProblem(error);
      logFailure(request.log, { status, ...problem }, error);
      void reply.status(status).send({ error: problem });
    });
  app.useGlobalPipes(inputValidationPipe());
  app.useGlobalFilters(new ProblemFilter());
  await app.listen(config.PORT, config.HOST);
  return { app, logger, url: await app.getUrl() };
}

/**
 * Once shutdown begins, every answer carries `Connection: close`. A request in
 * flight on a keep-alive connection would otherwise leave the connection idle
 * but open after its answer, and the server would wait for the client to drop
 * it, past the grace period.
 */
function closeConnectionsWhileDraining(fastify: FastifyInstance): void {
  let draining = false;
  fastify.addHook('preClose', (done) => {
    draining = true;
    done();
  });
  fastify.addHook('onSend', async (_request, reply) => {
    if (draining) void reply.header('connection', 'close');
  });
}
