import { generateCosignatureKey } from '@ledger/integrity';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/child-process';
import { startTestApi, type TestApi } from '../support/ledger-api';

const RULES = join(REPO_ROOT, 'deploy/prometheus/alerts.yml');
const RULE_TESTS = join(REPO_ROOT, 'deploy/prometheus/alerts.test.yml');

/** False (with a printed reason) where promtool is missing; CI installs it, so there it must run. */
function havePromtool(): boolean {
  if (!spawnSync('promtool', ['--version']).error) return true;
  // CI installs Debian's prometheus package (.ci/run); there the check must run, never pass by skipping.
  if (process.env.CI === 'true') throw new Error('promtool is not installed: apt-get install prometheus');
  console.warn('skipped: promtool is not installed here (apt-get install prometheus); CI runs this check');
  return false;
}

describe('the Prometheus alert rules of docs/operations.md', () => {
  it('pass promtool check rules', () => {
    if (!havePromtool()) return;
    expect(execFileSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' })).toContain('SUCCESS');
  });

  it('fire on witness failures as deploy/prometheus/alerts.test.yml expects', () => {
    if (!havePromtool()) return;
    expect(execFileSync('promtool', ['test', 'rules', RULE_TESTS], { encoding: 'utf8' })).toContain(
      'SUCCESS',
    );
  });

  describe('against a running ledger', () => {
    let api: TestApi;
    // The witness series exist for configured witnesses only, as in any deployment the witness alerts are for.
    const witnessDir = mkdtempSync(join(tmpdir(), 'ledger-rules-witness-'));
    beforeAll(async () => {
      api = await startTestApi('sqlite', {
        LEDGER_WITNESSES: join(witnessDir, 'latest.checkpoint'),
        // A cosigning witness too (nothing listens there): its series are what the conflict alerts read.
        LEDGER_TLOG_WITNESSES: `http://127.0.0.1:9 ${generateCosignatureKey('rules.example/w').verifierKey}`,
      });
    });
    afterAll(async () => {
      await api.close();
      rmSync(witnessDir, { recursive: true, force: true });
    });

    it('use only ledger metrics and projection names that /metrics serves', async () => {
      await fetch(`${api.url}/health/ready`);
      const served = await (await fetch(`${api.url}/metrics`)).text();
      const rules = readFileSync(RULES, 'utf8').replace(/^\s*#.*$/gm, '');
      const used = new Set(rules.match(/\bledger_[a-z_]+/g));
      expect(used.size).toBeGreaterThan(0);
      for (const name of used) expect(served).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
      for (const [, projection] of rules.matchAll(/projection!?="([a-z_]+)"/g))
        expect(served).toContain(`projection="${projection}"`);
    });
  });
});
