import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { AppModule } from './app.module';
import { inputValidationPipe } from './errors/input-validation';
import { ProblemFilter } from './errors/problem.filter';
import { traceHttpRequests } from './tracing/http-tracing';
import { LedgerConfig } from './config/ledger-config';
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
  const adapter = new FastifyAdapter({ loggerInstance: logger, return503OnClosing: true, bodyLimit: 4 * 1024 * 1024 });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  traceHttpRequests(app.getHttpAdapter().getInstance());
  app.useGlobalPipes(inputValidationPipe());
  app.useGlobalFilters(new ProblemFilter());
  await app.listen(config.PORT, config.HOST);
  return { app, logger, url: await app.getUrl() };
}
