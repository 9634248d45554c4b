import type { LoggerService } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import pino, { type Logger } from 'pino';

/**
 * A request as the access log shows it: the path without its query string.
 * A query string can carry anything a caller typed, a GraphQL document and
 * its variables with a raw patient id among them, and logs are kept and read
 * far more widely than the ledger.
 */
function requestSummary(request: FastifyRequest) {
  return {
    method: request.method,
    path: request.url.split('?', 1)[0],
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** Structured JSON logs. Headers that carry credentials are never written, nor query strings. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'ledger-api' },
    serializers: { req: requestSummary },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'],
      censor: '[redacted]',
    },
  });
}

/** A Nest message is text, or an object of fields with its text under `msg`. */
function fields(message: unknown, context?: string): [object, string] {
  if (message !== null && typeof message === 'object') {
    const { msg, ...rest } = message as { msg?: unknown };
    return [{ context, ...rest }, String(msg ?? '')];
  }
  return [{ context }, String(message)];
}

/** Nest's own messages go through the same pino logger as requests. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}
  log(message: unknown, context?: string) {
    this.logger.info(...fields(message, context));
  }
  error(message: unknown, trace?: string, context?: string) {
    const [details, text] = fields(message, context);
    this.logger.error({ ...details, trace }, text);
  }
  warn(message: unknown, context?: string) {
    this.logger.warn(...fields(message, context));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug(...fields(message, context));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace(...fields(message, context));
  }
}
