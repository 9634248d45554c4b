import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/child-process';

/**
 * A dependency rule guards the layout only if it can fail. Every rule in
 * .dependency-cruiser.cjs has a fixture, a small tree laid out like the real
 * one (apps/, libs/, test/ and a tsconfig with the @ledger aliases), that
 * breaks that rule at exactly the imports listed here and breaks no other.
 * The real tree, cruised as `npm run lint` cruises it, breaks none.
 */

const CONFIG = join(REPO_ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = join(REPO_ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const FIXTURES = join(__dirname, 'fixtures');

const MUST_BREAK: Record<string, Array<[from: string, to: string]>> = {
  'pure-libs-no-framework-or-driver': [['libs/domain/src/index.ts', 'node_modules/@nestjs/common/index.js']],
  'pure-libs-no-node-io': [
    ['libs/domain/src/index.ts', 'fs'],
    ['libs/domain/src/index.ts', 'fs/promises'],
    ['libs/integrity/src/index.ts', 'child_process'],
    ['libs/integrity/src/index.ts', 'https'],
  ],
  'pure-libs-no-apps': [['libs/integrity/src/index.ts', 'apps/ledger-api/src/config/ledger-config.ts']],
  'pure-libs-only-each-other': [['libs/domain/src/index.ts', 'libs/event-store/src/index.ts']],
  'libs-no-apps': [['libs/read-models/src/index.ts', 'apps/ledger-api/src/config/ledger-config.ts']],
  'no-app-to-app': [['apps/govledger-cli/src/cli-context.ts', 'apps/ledger-api/src/config/ledger-config.ts']],
  'libs-no-test': [['libs/event-store/src/sqlite/sqlite-event-store.ts', 'test/support/events.ts']],
  'no-deep-lib-imports': [
    ['apps/ledger-api/src/main.ts', 'libs/event-store/src/sqlite/sqlite-event-store.ts'],
    ['libs/read-models/src/index.ts', 'libs/event-store/src/sqlite/sqlite-event-store.ts'],
  ],
  'read-store-knows-no-consumer': [['libs/read-store/src/index.ts', 'libs/read-models/src/index.ts']],
  'transparency-log-not-projections': [
    ['libs/transparency-log/src/index.ts', 'libs/read-models/src/index.ts'],
  ],
  'no-circular': [['libs/evidence/src/export-bundle.ts', 'libs/evidence/src/verify-bundle.ts']],
};

type Violation = [rule: string, from: string, to: string];

/** Runs the CLI as `npm run lint` does, from `cwd`: the rules match paths relative to it. */
async function violations(cwd: string, paths: string[]): Promise<Violation[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [DEPCRUISE, '--config', CONFIG, '--output-type', 'json', ...paths],
    { cwd, maxBuffer: 256 * 1024 * 1024 },
  );
  const result = JSON.parse(stdout) as {
    summary: { violations: Array<{ rule: { name: string }; from: string; to: string }> };
  };
  // A fixture resolves packages to the repository's node_modules, some folders up.
  return result.summary.violations
    .map((v): Violation => [v.rule.name, v.from, v.to.replace(/^(\.\.\/)+/, '')])
    .sort();
}

describe('the dependency rules', () => {
  it('have a fixture each, and every fixture is a rule', () => {
    const rules = (require(CONFIG) as { forbidden: Array<{ name: string }> }).forbidden.map((r) => r.name);
    expect(Object.keys(MUST_BREAK).sort()).toEqual([...rules].sort());
    expect(readdirSync(FIXTURES).sort()).toEqual([...rules].sort());
  });

  it.each(Object.entries(MUST_BREAK))(
    'the %s fixture breaks that rule where expected, and no other rule',
    async (rule, edges) => {
      const expected = edges.map(([from, to]): Violation => [rule, from, to]).sort();
      expect(await violations(join(FIXTURES, rule), ['.'])).toEqual(expected);
    },
    120_000,
  );

  it('the real apps and libs break none', async () => {
    expect(await violations(REPO_ROOT, ['apps', 'libs'])).toEqual([]);
  }, 300_000);
});
