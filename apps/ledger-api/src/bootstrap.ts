import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import pino, { type Logger } from 'pino';
import { formatKeyId } from '@ledger/integrity';
import { LedgerKeys } from '@ledger/transparency-log';
import { AppModule } from './app.module';
import { inputValidationPipe } from './errors/input-validation';
import { ProblemFilter } from './errors/problem.filter';
import { logFailure, toProblem } from './errors/problem';
import { traceHttpRequests } from './tracing/http-tracing';
import { useBoundedJsonBodies } from './http/json-body';
import { refuseRoutesWithoutPolicy } from './auth/http-auth';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import { LedgerConfig, ledgerKeysOptions } from '@ledger/runtime';
import { createLogger, OneLinePerRequest, PinoNestLogger, withoutPassword } from './logging/logger';

export interface LedgerApp {
  app: NestFastifyApplication;
  logger: Logger;
  url: string;
  /** The startup line's fields, for main.ts to log once it handles signals: a test may stop the service on seeing it. */
  startup: Record<string, unknown>;
}

/** Builds and starts the service; shared by `main.ts` and the end-to-end tests so both run the same wiring. */
export async function startLedgerApi(config: LedgerConfig): Promise<LedgerApp> {
  // V8 reads its heap growing factor at each full collection, so this holds from the first one on: without it, on a
  // machine with memory to spare, the heap between collections reached three to four times the live heap (docs/performance.md).
  setFlagsFromString(`--heap-growing-percent=${config.LEDGER_HEAP_GROWTH_PERCENT}`);
  const logger = createLogger(config.LOG_LEVEL);
  if (config.LEDGER_STORE === 'sqlite') mkdirSync(config.LEDGER_DATA_DIR, { recursive: true, mode: 0o700 });
  const keysBefore = keyFiles(config);
  // Room for a full ingest batch (1000 items of a few hundred bytes each); anything larger is refused with 413.
  const adapter = new OneErrorHandlerAdapter({
    // Fastify's own info line ("Server listening at") says less than the startup line below, so Fastify itself
    // logs warnings and errors only; requests log through the service's logger at its level.
    loggerInstance: logger.child(
      {},
      { level: logger.levelVal > pino.levels.values.warn ? logger.level : 'warn' },
    ),
    childLoggerFactory: (
      _fastifyLogger: unknown,
      bindings: pino.Bindings,
      options: pino.ChildLoggerOptions,
    ) => logger.child(bindings, options),
    logController: new OneLinePerRequest(),
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
  // Without an exporter (main.ts starts one only for OTEL_EXPORTER_OTLP_ENDPOINT) every span is a no-op, and the
  // three hooks that open and close one per request were still ~10 µs of a single-event ingest request.
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT) traceHttpRequests(app.getHttpAdapter().getInstance());
  securityHeaders(app.getHttpAdapter().getInstance());
  // The limiters only; the authentication hook applies them, per address before it and per principal after it.
  await app.register(rateLimit, { global: false });
  // Failures before a handler runs (unparsable JSON, a refused token, a rate limit) answer in the same shape as the rest.
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
  const url = await app.getUrl();
  return { app, logger, url, startup: startupSummary(config, url, app.get(LedgerKeys), keysBefore) };
}

/** What an operator checks first: where the ledger answers, where its data is, which key signs, and whether that key is new. */
function startupSummary(config: LedgerConfig, url: string, keys: LedgerKeys, keysBefore: string[]) {
  const sqlite = config.LEDGER_STORE === 'sqlite' || config.LEDGER_READ_STORE === 'sqlite';
  return {
    url,
    console: `${url}/console`,
    store: config.LEDGER_STORE,
    readStore: config.LEDGER_READ_STORE,
    ...(sqlite ? { dataDir: resolve(config.LEDGER_DATA_DIR) } : {}),
    ...(config.DATABASE_URL ? { database: withoutPassword(config.DATABASE_URL) } : {}),
    ...(config.EVENTSTORE_CONNECTION_STRING
      ? { eventstore: withoutPassword(config.EVENTSTORE_CONNECTION_STRING) }
      : {}),
    keyId: formatKeyId(keys.signer().keyId),
    keysDir: keysDir(config),
    // A new key on a ledger that has data means the old one was lost: checkpoints and tokens it signed fail to verify.
    keysCreated: keyFiles(config).some((file) => !keysBefore.includes(file)),
  };
}

const keysDir = (config: LedgerConfig) => resolve(ledgerKeysOptions(config).keysDir);

function keyFiles(config: LedgerConfig): string[] {
  return existsSync(keysDir(config)) ? readdirSync(keysDir(config)) : [];
}

/**
 * Fastify gives each route the error handler of its scope when the route is
 * added. Nest installs its own only as the app starts, after its routes, so
 * it would reach only routes added later, and would replace the service's
 * handler in the same scope: Fastify's FSTWRN004 on every start. The service
 * installs its handler before any route, and this adapter declines Nest's.
 */
class OneErrorHandlerAdapter extends FastifyAdapter {
  override setErrorHandler(): FastifyInstance {
    return this.getInstance();
  }
}

/**
 * X-Forwarded-For is believed only from the proxies named: trusted from
 * anyone, any caller could claim any address and walk past the per-address limit.
 */
function trustedProxies(setting: string): string | false {
  return setting === '' ? false : setting;
}

/**
 * Security headers on every answer; no CORS headers at all, so browsers on
 * other origins cannot call the API. The headers never vary, so helmet's
 * middleware runs once, at start, and every answer gets the headers it set
 * (@fastify/helmet built the middleware anew for every request, parsing its
 * policy each time; running the built one per request still walked its eleven
 * middlewares: together a few percent of a single-event ingest).
 */
function securityHeaders(fastify: FastifyInstance): void {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader: (name: string, value: string) => headers.set(name, value),
    // X-Powered-By, which helmet removes: Fastify never sets it.
    removeHeader: (name: string) => headers.delete(name),
  };
  helmet()({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  fastify.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of headers) reply.raw.setHeader(name, value);
    done();
  });
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
