import { Writable } from 'node:stream';
import { createLogger, PinoNestLogger, prettyLogsFor, withoutPassword } from './logger';

/** A stream that keeps what the logger wrote. */
function captured(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/;

describe('log format', () => {
  it('is pretty only on a terminal', () => {
    expect(prettyLogsFor({ isTTY: true })).toBe(true);
    expect(prettyLogsFor({ isTTY: false })).toBe(false);
    expect(prettyLogsFor({})).toBe(false); // a pipe, a file, a log collector
  });

  it('writes one JSON object per line with an ISO 8601 time for machines', () => {
    const out = captured();
    createLogger('info', false, out.stream).info({ store: 'sqlite' }, 'ledger-api listening');
    const line = JSON.parse(out.text()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, msg: 'ledger-api listening', store: 'sqlite' });
    expect(line.time).toMatch(new RegExp(`^${ISO.source}$`));
  });

  it('writes a line a person reads, with the ISO time, the level and the message first, for a terminal', () => {
    const out = captured();
    createLogger('info', true, out.stream).info({ store: 'sqlite' }, 'ledger-api listening');
    const text = out.text();
    expect(text).toMatch(
      new RegExp(`^\\[${ISO.source}\\] INFO: ledger-api listening \\{"store":"sqlite"\\}\n$`),
    );
    expect(() => JSON.parse(text)).toThrow();
  });

  it("puts Nest's boot chatter at debug and keeps the service's own messages at info", () => {
    const out = captured();
    const nest = new PinoNestLogger(createLogger('info', false, out.stream));
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    nest.log('Mapped {/health/live, GET} route', 'RouterExplorer');
    nest.log({ msg: 'projector lock held' }, 'Projections');
    expect(
      out
        .text()
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { msg: string }).msg),
    ).toEqual(['projector lock held']);
  });

  it("logs an error Nest hands over (a failed start's) with its message and stack, not only its own fields", () => {
    const out = captured();
    const nest = new PinoNestLogger(createLogger('info', false, out.stream));
    // As pg reports a missing database: the message and stack are not enumerable, the code and severity are.
    const failure = Object.assign(new Error('database "ledger" does not exist'), {
      code: '3D000',
      severity: 'FATAL',
    });
    nest.error(failure, undefined, 'ExceptionHandler');
    const line = JSON.parse(out.text()) as { msg: string; context: string; err: Record<string, unknown> };
    expect(line).toMatchObject({
      level: 50,
      context: 'ExceptionHandler',
      msg: 'database "ledger" does not exist',
      err: { type: 'Error', message: 'database "ledger" does not exist', code: '3D000' },
    });
    expect(line.err.stack).toContain('logger.unit.spec');
  });
});

describe('a store URL in the startup line', () => {
  it('keeps the user and the host, never the password', () => {
    expect(withoutPassword('postgres://ledger:s3cr%40t@db.internal:5432/ledger')).toBe(
      'postgres://ledger:***@db.internal:5432/ledger',
    );
    expect(withoutPassword('postgres://ledger:p@ss@db.internal/ledger?sslmode=require')).toBe(
      'postgres://ledger:***@db.internal/ledger?sslmode=require',
    );
    expect(withoutPassword('esdb://admin:changeit@es1:2113,es2:2113?tls=true')).toBe(
      'esdb://admin:***@es1:2113,es2:2113?tls=true',
    );
    expect(withoutPassword('postgres://db.internal/ledger')).toBe('postgres://db.internal/ledger');
  });
});
