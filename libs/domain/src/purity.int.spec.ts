import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The domain decides the same way on every replay: no clock, no randomness,
 * no I/O, no framework. dependency-cruiser guards the framework boundary in
 * CI; this guards what it cannot see, such as a stray clock read.
 */

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });

const FORBIDDEN: Array<[RegExp, string]> = [
  [/\bDate\.now\s*\(/, 'reads the clock; take time from command meta'],
  [/new Date\(\s*\)/, 'reads the clock; take time from command meta'],
  [/\bMath\.random\b/, 'is random; take ids from the command'],
  [/\brandomUUID\b|\bperformance\.now\b/, 'is random or reads a clock'],
  [/\bprocess\./, 'reads the environment; pass settings in as policy'],
  [/\b(setTimeout|setInterval|fetch)\s*\(/, 'does I/O or waits'],
];
const ALLOWED_IMPORTS = /^(\.{1,2}\/|@sinclair\/typebox$|ajv\/dist\/2020$|ajv-formats$|@ledger\/integrity$)/;

describe('libs/domain is pure', () => {
  const files = sources(__dirname).map((path) => ({
    path: relative(__dirname, path),
    text: readFileSync(path, 'utf8'),
  }));

  it('has sources to check', () => expect(files.length).toBeGreaterThan(10));

  it('reads no clock, draws no random numbers, touches no environment or network', () => {
    const offences = files.flatMap(({ path, text }) =>
      FORBIDDEN.filter(([pattern]) => pattern.test(text)).map(
        ([pattern, why]) => `${path}: ${pattern} ${why}`,
      ),
    );
    expect(offences).toEqual([]);
  });

  it('imports only its schema and validation libraries, itself, and @ledger/integrity', () => {
    const imports = files.flatMap(({ path, text }) =>
      [...text.matchAll(/from '([^']+)'/g)].map((m) => `${path}: ${m[1]}`),
    );
    expect(imports.filter((i) => !ALLOWED_IMPORTS.test(i.split(': ')[1]))).toEqual([]);
  });
});
