import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '@ledger/runtime';
import { REPO_ROOT } from '../support/child-process';

const DEPLOY = join(REPO_ROOT, 'deploy');

type Yaml = string | Yaml[] | { [key: string]: Yaml } | null;

/**
 * Reads the YAML subset the compose files are written in (block mappings and
 * sequences, flow sequences, plain and quoted scalars, comments) and refuses
 * anything else, naming the line: no YAML library is a dependency here, and a
 * file that drifted beyond the subset should fail loudly rather than be misread.
 */
function parseYaml(text: string, file: string): Yaml {
  const lines = text.split('\n').flatMap((raw, i) => {
    const content = stripComment(raw).trimEnd();
    return content.trim() === ''
      ? []
      : [
          {
            indent: content.length - content.trimStart().length,
            text: content.trim(),
            at: `${file}:${i + 1}`,
          },
        ];
  });
  let next = 0;
  const unsupported = (line: { text: string; at: string }, what: string) =>
    new Error(`${line.at}: ${what} is outside the YAML subset this test reads: ${line.text}`);

  function scalar(value: string, at: { text: string; at: string }): Yaml {
    if (/^[&*!|>{]/.test(value) || value.startsWith('<<'))
      throw unsupported(at, 'an anchor, alias, tag, block scalar or flow mapping');
    if (value.startsWith('[')) {
      if (!value.endsWith(']')) throw unsupported(at, 'a multi-line flow sequence');
      const inner = value.slice(1, -1).trim();
      return inner === ''
        ? []
        : (inner.match(/"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,]+/g) ?? []).map((item) =>
            scalar(item.trim(), at),
          );
    }
    if (value.startsWith('"')) return JSON.parse(value) as string;
    if (value.startsWith("'")) return value.slice(1, -1).replace(/''/g, "'");
    return value;
  }

  function block(indent: number): Yaml {
    const first = lines[next];
    if (first.text === '-' || first.text.startsWith('- ')) {
      const items: Yaml[] = [];
      while (
        next < lines.length &&
        lines[next].indent === indent &&
        (lines[next].text === '-' || lines[next].text.startsWith('- '))
      ) {
        const line = lines[next];
        const rest = line.text.slice(2).trim();
        if (/^[^"'[][^:]*:(\s|$)/.test(rest)) {
          // "- key: value": a mapping whose first key shares the dash's line.
          lines[next] = { ...line, indent: indent + 2, text: rest };
          items.push(block(indent + 2));
        } else {
          next++;
          items.push(scalar(rest, line));
        }
      }
      return items;
    }
    const map: { [key: string]: Yaml } = {};
    while (next < lines.length && lines[next].indent === indent) {
      const line = lines[next++];
      const match = /^("[^"]+"|'[^']+'|[^:]+):(?:\s+(.*))?$/.exec(line.text);
      if (!match) throw unsupported(line, 'a line that is not "key: value"');
      const key = scalar(match[1].trim(), line) as string;
      if (match[2] !== undefined) map[key] = scalar(match[2], line);
      else map[key] = next < lines.length && lines[next].indent > indent ? block(lines[next].indent) : null;
    }
    if (next < lines.length && lines[next].indent > indent)
      throw unsupported(lines[next], 'an indentation that matches no parent');
    return map;
  }

  const document = block(0);
  if (next !== lines.length) throw unsupported(lines[next], 'a line after the document');
  return document;
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

/** compose's env_file format as these files use it: KEY=VALUE lines and # comments. */
function parseEnvFile(file: string): Record<string, string> {
  const env: Record<string, string> = {};
  readFileSync(join(DEPLOY, file), 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '' || line.trimStart().startsWith('#')) return;
      const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
      if (!match) throw new Error(`deploy/${file}:${i + 1}: not KEY=VALUE: ${line}`);
      env[match[1]] = match[2];
    });
  return env;
}

/** What an operator provides when starting compose; every `${VAR}` in a ledger service must have a sample here. */
const OPERATOR_ENV: Record<string, string> = {
  LEDGER_PSEUDONYM_KEY: 'a1'.repeat(32),
  POSTGRES_PASSWORD: 'sample-password',
};

function interpolate(value: string, where: string): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::?[?-][^}]*)?\}/g, (_, name: string) => {
    if (!(name in OPERATOR_ENV))
      throw new Error(`${where} interpolates \${${name}}, which this test has no sample for`);
    return OPERATOR_ENV[name];
  });
}

interface Service {
  image?: string;
  build?: { dockerfile?: string };
  env_file?: string[];
  environment?: Record<string, string> | string[];
  deploy?: { replicas?: string };
}

function servicesOf(file: string): Record<string, Service> {
  const document = parseYaml(readFileSync(join(DEPLOY, file), 'utf8'), `deploy/${file}`) as unknown as {
    services: Record<string, Service>;
  };
  return document.services;
}

function environmentOf(service: Service, where: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const file of service.env_file ?? []) Object.assign(env, parseEnvFile(file));
  const inline = service.environment ?? {};
  const pairs = Array.isArray(inline)
    ? inline.map((entry) => entry.split(/=(.*)/s, 2) as [string, string])
    : Object.entries(inline);
  for (const [key, value] of pairs) env[key] = interpolate(value, `${where} ${key}`);
  return env;
}

const isLedger = (service: Service) =>
  service.image?.startsWith('ai-governance-ledger') || service.build?.dockerfile === 'deploy/Dockerfile';

describe.each([
  ['compose.yaml', 1],
  ['compose.cluster.yaml', 3],
])('deploy/%s', (file, nodes) => {
  const services = servicesOf(file);
  const ledger = Object.entries(services).filter(([, s]) => isLedger(s));

  it('runs EventStoreDB, PostgreSQL for the read models, the projector and two API replicas', () => {
    const eventstore = Object.entries(services).filter(([, s]) =>
      s.image?.startsWith('eventstore/eventstore'),
    );
    expect(eventstore).toHaveLength(nodes);
    expect(services.postgres?.image).toMatch(/^postgres:/);
    expect(ledger.map(([name]) => name).sort()).toEqual(['ledger-api', 'projector']);
    expect(services['ledger-api'].deploy?.replicas).toBe('2');
  });

  it('sets only environment variables the ledger config validates, each with a value it accepts and reads', () => {
    for (const [name, service] of ledger) {
      const env = environmentOf(service, `deploy/${file} service ${name}`);
      expect(Object.keys(env).length).toBeGreaterThan(5);
      const config = loadConfig(env) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(env))
        expect({ [key]: config[key] === undefined ? undefined : String(config[key]) }).toEqual({
          [key]: value,
        });
    }
  });

  it('points the ledger at services of the same file', () => {
    for (const [name, service] of ledger) {
      const env = environmentOf(service, `deploy/${file} service ${name}`);
      const eventstoreHosts = env.EVENTSTORE_CONNECTION_STRING.replace(/^esdb:\/\//, '')
        .split('?')[0]
        .split(',')
        .map((h) => h.split(':')[0]);
      for (const host of eventstoreHosts) expect(Object.keys(services)).toContain(host);
      expect(Object.keys(services)).toContain(new URL(env.DATABASE_URL).hostname);
    }
  });

  it('keeps every EventStoreDB node from skipping fsync or undoing hard deletes', () => {
    for (const [name, service] of Object.entries(services).filter(([, s]) =>
      s.image?.startsWith('eventstore/eventstore'),
    )) {
      const env = environmentOf(service, `deploy/${file} service ${name}`);
      expect({
        name,
        unsafeIgnoreHardDelete: env.EVENTSTORE_UNSAFE_IGNORE_HARD_DELETE,
        unsafeDisableFlush: env.EVENTSTORE_UNSAFE_DISABLE_FLUSH_TO_DISK,
      }).toEqual({
        name,
        unsafeIgnoreHardDelete: 'false',
        unsafeDisableFlush: 'false',
      });
    }
  });
});

describe('deploy/Dockerfile', () => {
  it('sets only environment variables the ledger config validates, runs as a non-root user and checks readiness', () => {
    const dockerfile = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
    const envBlock = /^ENV ((?:.*\\\n)*.*)$/m.exec(dockerfile)![1];
    const env = Object.fromEntries(
      envBlock.split(/\\\n/).map((part) => part.trim().split('=') as [string, string]),
    );
    const config = loadConfig(env) as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(env))
      expect({ [key]: String(config[key]) }).toEqual({ [key]: value });
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/health\/ready/m);
  });
});

describe('the YAML subset reader', () => {
  it('reads mappings, sequences, flow sequences and quoted scalars as compose means them', () => {
    const yaml = 'a:\n  b: "x: y" # note\n  c: [1, "2", \'3\']\n  d:\n    - e\n    - f: g\n      h: i\n';
    expect(parseYaml(yaml, 'inline')).toEqual({
      a: { b: 'x: y', c: ['1', '2', '3'], d: ['e', { f: 'g', h: 'i' }] },
    });
  });

  it('refuses what it does not read instead of guessing', () => {
    expect(() => parseYaml('a: &anchor\n  b: c\n', 'inline')).toThrow(/inline:1: an anchor/);
    expect(() => parseYaml('a: |\n  text\n', 'inline')).toThrow(
      /inline:1: an anchor, alias, tag, block scalar/,
    );
  });
});
