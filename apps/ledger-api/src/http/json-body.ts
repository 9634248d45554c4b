import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RawServerDefault } from 'fastify';
import { ProblemError } from '../errors/problem';
import { nestsDeeperThan } from './bounded-json';

/**
 * One JSON body parser for every route: JSON (ingest, GraphQL) and FHIR JSON,
 * which Fastify would not parse unless told to. It is Fastify's own parser
 * (which refuses `__proto__` and `constructor` keys), preceded by a nesting
 * limit, so a deeply nested body is the caller's 400 naming the body and the
 * limit, not a stack overflow answered 500. Registered before the app starts,
 * so plugins that keep their own copy of the parsers (Mercurius) get it too.
 */
export function useBoundedJsonBodies(app: NestFastifyApplication, maxDepth: number): void {
  const parse = app.getHttpAdapter().getInstance().getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>(
    ['application/json', 'application/fhir+json'],
    {},
    (request, body, done) => {
      const text = body.toString('utf8');
      if (nestsDeeperThan(text, maxDepth))
        return done(
          new ProblemError({
            status: 400,
            code: 'VALIDATION_FAILED',
            field: 'body',
            message: `the body nests arrays and objects more than ${maxDepth} levels deep (LEDGER_INPUT_MAX_DEPTH); no ledger input needs that`,
          }),
          undefined,
        );
      parse(request, text, done);
    },
  );
}
