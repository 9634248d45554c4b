import type { LoggerService } from '@nestjs/common';
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';
import pino, { type DestinationStream, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';

/** The path without its query string: a query string can carry anything a caller typed, a raw patient id among them. */
const pathOf = (request: FastifyRequest) => request.url.split('?', 1)[0];

/**
 * A request as the logs show it. Logs are kept and read far more widely than
 * the ledger, so neither query strings nor headers are written.
 */
function requestSummary(request: FastifyRequest) {
  return {
    method: request.method,
    path: pathOf(request),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** A connection URL as it may be logged: its user, never its password (up to the authority's last `@`, as URL parsers read it). */
export function withoutPassword(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/?#]*):[^/?#]*@/i, '$1:***@');
}

/** A person reads a terminal; anything else (a file, a pipe, a log collector) gets one JSON object per line. */
export function prettyLogsFor(output: { isTTY?: boolean }): boolean {
  return output.isTTY === true;
}

/**
 * pino with ISO 8601 times, pretty-printed when `pretty`. Headers that carry
 * credentials are never written, nor query strings.
 */
export function createLogger(
  level: string,
  pretty = prettyLogsFor(process.stdout),
  destination: DestinationStream = process.stdout,
): Logger {
  const options = {
    level,
    base: { service: 'ledger-api' },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { req: requestSummary },
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'],
      censor: '[redacted]',
    },
  };
  if (!pretty) return pino(options, destination);
  // In this thread, not a worker transport: lines written just before an exit are not lost.
  return pino(
    options,
    pinoPretty({
      destination,
      sync: true,
      colorize: prettyLogsFor(destination as { isTTY?: boolean }),
      translateTime: false, // the time is already ISO 8601
      ignore: 'service,context', // the context leads the message
      singleLine: true, // a request's fields on its own line, not six more
      messageFormat: '{if context}[{context}] {end}{msg}',
    }),
  );
}

/**
 * One line per request, when it is answered (as pino-http writes it), in
 * place of Fastify's two: one on arrival and one on completion.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) return super.requestCompleted(error, request, reply);
    reply.log.info(
      {
        method: request.method,
        path: pathOf(request),
        route: request.routeOptions.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        remoteAddress: request.ip,
      },
      'request completed',
    );
  }
}

/** Nest's start-up chatter: which modules loaded, which routes were mapped. Worth reading only when debugging. */
const BOOT_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'GraphQLModule',
  'NestApplication',
]);

/** A Nest message is text, or an object of fields with its text under `msg`. */
function fields(message: unknown, context?: string): [object, string] {
  // An error's message and stack are not its own enumerable fields: spread, a failed start logged only its code.
  if (message instanceof Error) return [{ context, err: message }, message.message];
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
    if (context !== undefined && BOOT_CONTEXTS.has(context)) this.logger.debug(...fields(message, context));
    else this.logger.info(...fields(message, context));
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
