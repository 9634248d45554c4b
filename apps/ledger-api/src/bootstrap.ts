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
    trustProxy: trustedProxies(config.LEDGER_TRUST_PROXY),
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
  // The limiters only; the authentication hook applies them, per address before it and per principal after it.
  await app.register(rateLimit, { global: false });
  // Failures before a handler runs (unparsable JSON, an empty body) answer in the same shape as the rest.
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
 * X-Forwarded-For is believed only from the proxies named: trusted from
 * anyone, any caller could claim any address and walk past the per-address limit.
 */
function trustedProxies(setting: string): string | false {
  return setting === '' ? false : setting;
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
