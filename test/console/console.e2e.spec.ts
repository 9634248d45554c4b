import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { generateCosignatureKey } from '@ledger/integrity';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { exited, LineReader, REPO_ROOT } from '../support/child-process';
import { buildDist } from '../support/build';
import { ANOTHER_LEDGERS_KEY, ANOTHER_LEDGERS_KID, forgedTokens } from '../support/tokens';
import { until } from '../support/until';

/*
 * The auditor console in a real browser: Debian's Chromium driven by
 * playwright-core, against the service started as `npm start` would, on
 * seed-demo data. Screenshots of every view land in test/console/artifacts.
 */

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];
const MAIN = join(REPO_ROOT, 'dist/apps/ledger-api/src/main.js');
const CLI = join(REPO_ROOT, 'bin/govledger.js');
const ARTIFACTS = join(REPO_ROOT, 'test/console/artifacts');
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const run = promisify(execFile);

jest.setTimeout(120_000);

let dataDir: string;
let profileDir: string;
let service: ChildProcessWithoutNullStreams;
let witness: ChildProcessWithoutNullStreams | undefined;
let url: string;
let context: BrowserContext;
let page: Page;
let demo: { beforeRollback: string; handoverAt: string };
const timings: string[] = [];

const cli = async (...args: string[]) =>
  (
    await run(process.execPath, [CLI, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, LEDGER_DATA_DIR: dataDir },
    })
  ).stdout.trim();
const token = (role: string, sub: string) =>
  cli('token', '--role', role, '--tenant', 'default', '--sub', sub);

/** The service as `npm start` runs it, as its own process group; a checkpoint at every event, so any event the test asks a proof for is already in a signed checkpoint. */
async function startService(
  dir: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcessWithoutNullStreams; url: string }> {
  const child = spawn(process.execPath, [MAIN], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: '0',
      LOG_LEVEL: 'info',
      LEDGER_DATA_DIR: dir,
      LEDGER_CHECKPOINT_EVERY_EVENTS: '1',
      ...env,
    },
    detached: true,
  });
  const line = await new LineReader(child).waitFor((l) => l.includes('"ledger-api listening"'), 30_000);
  return { child, url: (JSON.parse(line) as { url: string }).url.replace('[::1]', '127.0.0.1') };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function stopService(child: ChildProcessWithoutNullStreams | undefined): Promise<void> {
  if (!child?.pid) return;
  process.kill(-child.pid, 'SIGTERM');
  await exited(child);
}

async function timed<T>(what: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await step();
  timings.push(`${what}: ${Date.now() - started} ms`);
  return result;
}

/** axe-core in the page; only serious and critical violations fail, each named with where it is. */
async function expectAccessible(view: string): Promise<void> {
  // Evaluated over the DevTools protocol, so the page's CSP (script-src 'self') does not stop it, and is not loosened for it.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // Runs in the page; the test's own compiler knows no DOM, hence the shapes spelled out here.
    const window = globalThis as unknown as {
      document: unknown;
      axe: {
        run(
          context: unknown,
          options: object,
        ): Promise<{
          violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }>;
        }>;
      };
    };
    const result = await window.axe.run(window.document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      where: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  expect({
    view,
    violations: violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'),
  }).toEqual({ view, violations: [] });
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function signIn(bearer: string): Promise<void> {
  await page.goto(`${url}/console`);
  await page.getByLabel('Bearer token').fill(bearer);
  await page.getByRole('button', { name: 'Sign in with this token' }).click();
}

async function view(name: string): Promise<void> {
  await screenshot(name);
  await expectAccessible(name);
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `Chromium is missing at ${CHROMIUM}; the console's browser tests need it. Install it with: apt-get update && apt-get install -y chromium (CI's .ci/run does this)`,
    );
  mkdirSync(ARTIFACTS, { recursive: true });
  await timed('build', async () => buildDist());
  dataDir = mkdtempSync(join(tmpdir(), 'ledger-console-'));
  profileDir = mkdtempSync(join(tmpdir(), 'ledger-console-chromium-'));
  ({ child: service, url } = await startService(dataDir, {}));
  const seeded = await timed('seed-demo (20,000 sepsis outputs, 300 data-access events)', () =>
    cli('seed-demo', '--url', url, '--access-events', '300'),
  );
  demo = {
    beforeRollback: /before the rollback: (\S+)/.exec(seeded)![1],
    handoverAt: /authority handover: \S+ -> \S+ at (\S+)/.exec(seeded)![1],
  };
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
  });
  context.setDefaultTimeout(15_000);
  page = context.pages()[0] ?? (await context.newPage());
  // The build, and seed-demo's weeks of clinical use with the ledger computing their monitoring, take minutes, not seconds.
}, 600_000);

afterAll(async () => {
  await context?.close();
  await stopService(service);
  await stopService(witness);
  // Unset when beforeAll stopped early (Chromium missing): its own error is the one to read.
  for (const dir of [dataDir, profileDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`console e2e timings\n  ${timings.join('\n  ')}\n`);
});

describe('the auditor console in Chromium, on seed-demo data', () => {
  it('ships under 300 KB of gzipped JavaScript for the first load', () => {
    const assets = join(REPO_ROOT, 'dist/console/assets');
    const gzipped = readdirSync(assets)
      .filter((name) => name.endsWith('.js'))
      .reduce((total, name) => total + gzipSync(readFileSync(join(assets, name))).length, 0);
    timings.push(`gzipped JavaScript: ${gzipped} bytes`);
    expect(gzipped).toBeLessThan(300 * 1024);
  });

  it('signs in with a pasted auditor token and lists the systems with status, live version and open findings', async () => {
    await timed('sign in and list systems', async () => {
      await signIn(await token('auditor', 'auditor.amy'));
      await page.getByRole('heading', { name: 'AI systems', level: 1 }).waitFor();
      const row = page.getByRole('row').filter({ hasText: 'sepsis-predictor' });
      await row.waitFor();
      expect(await row.innerText()).toMatch(/deployed\s+v1/);
    });
    await view('01-systems');
  });

  it('opens the rolled-back system and, at the instant before the rollback, shows that moment’s takedown authority and live version', async () => {
    await timed('as-of control', async () => {
      await page.locator('a[href="#/systems/sepsis-predictor"]').click();
      await page
        .getByRole('heading', { name: 'Who was accountable, and what was live, at an instant' })
        .waitFor();
      const asOf = page.getByRole('region', { name: 'Accountability at the chosen instant' });
      const holder = asOf.locator('tr[data-role="TAKEDOWN_AUTHORITY"] .holder');
      const showAt = async (instant: string, shown = instant) => {
        await page.getByLabel('As of (UTC)').fill(instant);
        await page.getByRole('button', { name: 'Show', exact: true }).click();
        await asOf.getByText(`At ${shown.replace('T', ' ')}`).waitFor();
      };
      // Each role's holders, role by role: the table's rows, and the names the chart boxes at its as-of line.
      const holdersBy = async (rows: Locator) => {
        const byRole: Record<string, string[]> = {};
        for (const row of await rows.all()) {
          const [role, name] = await Promise.all([
            row.getAttribute('data-role'),
            row.getAttribute('data-holder'),
          ]);
          byRole[role!] = [...(byRole[role!] ?? []), ...(name ? name.split(', ') : [])].sort();
        }
        return byRole;
      };
      const expectChartToAgreeWithTable = async () => {
        const chart = page.getByRole('img', { name: /^Accountability over time/ });
        await chart.locator('g.marker-holder').first().waitFor();
        const table = await holdersBy(asOf.locator('tr[data-role]'));
        expect(Object.keys(table)).toHaveLength(7);
        expect(await holdersBy(chart.locator('g.marker-holder'))).toEqual(table);
      };

      await showAt(demo.beforeRollback);
      expect(await holder.innerText()).toBe('dr.cmio.deputy.bea');
      expect(await asOf.getByTestId('live-version').innerText()).toBe('v2');
      await expectChartToAgreeWithTable();
      await view('02-system-accountability-before-rollback');

      // At the handover instant seed-demo printed, and a millisecond before it, the authority was still the previous holder: the control really moves through time.
      await showAt(demo.handoverAt);
      expect(await holder.innerText()).toBe('dr.cmio.ada');
      await expectChartToAgreeWithTable();
      await showAt(new Date(Date.parse(demo.handoverAt) - 1).toISOString());
      expect(await holder.innerText()).toBe('dr.cmio.ada');
      await expectChartToAgreeWithTable();

      // On the boundaries themselves, read from the chart's own list of assignments: the new authority's first
      // millisecond (both held the role until the old assignment was revoked) and the old one's end (no longer held).
      const assignment = (holderName: string) =>
        page
          .getByRole('region', { name: 'Every assignment' })
          .locator('tr')
          .filter({ has: page.locator('td:nth-child(1)', { hasText: /^TAKEDOWN_AUTHORITY$/ }) })
          .filter({
            has: page.locator('td:nth-child(2)', {
              hasText: new RegExp(`^${holderName.replaceAll('.', '\\.')}$`),
            }),
          });
      const newFrom = (await assignment('dr.cmio.deputy.bea')
        .locator('td:nth-child(3) time')
        .getAttribute('datetime'))!;
      const oldTo = (await assignment('dr.cmio.ada')
        .locator('td:nth-child(5) time')
        .getAttribute('datetime'))!;
      await showAt(newFrom);
      expect(await asOf.locator('tr[data-role="TAKEDOWN_AUTHORITY"] .holder').allInnerTexts()).toEqual([
        'dr.cmio.ada',
        'dr.cmio.deputy.bea',
      ]);
      await expectChartToAgreeWithTable();
      await showAt(oldTo);
      expect(await holder.innerText()).toBe('dr.cmio.deputy.bea');
      await expectChartToAgreeWithTable();
    });
  });

  it('reads a plain date as the start of that UTC day and a date-time without offset as UTC, and clears the answer when an instant is refused', async () => {
    await timed('as-of forms', async () => {
      const asOf = page.getByRole('region', { name: 'Accountability at the chosen instant' });
      const show = async (text: string) => {
        await page.getByLabel('As of (UTC)').fill(text);
        await page.getByRole('button', { name: 'Show', exact: true }).click();
      };
      // Before seed-demo registered anything: nobody held any role.
      await show('2026-06-01');
      await asOf.getByText('At 2026-06-01 00:00:00.000Z').waitFor();
      expect(await asOf.locator('tr[data-role="TAKEDOWN_AUTHORITY"] .holder').innerText()).toBe('nobody');
      // As a datetime-local control writes it, and as the console shows times (a space, no zone).
      await show(demo.beforeRollback.slice(0, 16));
      await asOf.getByText(`At ${demo.beforeRollback.slice(0, 16).replace('T', ' ')}:00.000Z`).waitFor();
      await show(demo.beforeRollback.replace('T', ' ').replace('Z', ''));
      await asOf.getByText(`At ${demo.beforeRollback.replace('T', ' ')}`).waitFor();
      expect(await asOf.locator('tr[data-role="TAKEDOWN_AUTHORITY"] .holder').innerText()).toBe(
        'dr.cmio.deputy.bea',
      );

      for (const refused of ['yesterday', '2026-02-30', '2026-06-01T25:00']) {
        await show(refused);
        await page.getByRole('alert').getByText(`“${refused}” is not a date or an instant.`).waitFor();
        expect(await page.getByLabel('As of (UTC)').getAttribute('aria-invalid')).toBe('true');
        // The answer to the earlier instant is gone, not left beneath the error to be read as this one's.
        expect(await asOf.count()).toBe(0);
      }
      await show(demo.beforeRollback);
      await asOf.getByText(`At ${demo.beforeRollback.replace('T', ' ')}`).waitFor();
      expect(await page.getByRole('alert').count()).toBe(0);
    });
  });

  it('shows the system’s lineage, monitoring, incidents, takedowns and events, each accessible', async () => {
    /** `unfold`: the disclosure whose rows hold what the view must show. */
    const tab = async (name: string, heading: string, shot: string, shows: RegExp, unfold?: RegExp) => {
      await page.getByRole('navigation', { name: 'System views' }).getByRole('link', { name }).click();
      await page.getByRole('heading', { name: heading, level: 2 }).waitFor();
      await page.getByRole('status').filter({ hasText: 'Loading' }).first().waitFor({ state: 'detached' });
      if (unfold) await page.getByRole('main').locator('summary').filter({ hasText: unfold }).click();
      expect(await page.getByRole('main').innerText()).toMatch(shows);
      await view(shot);
    };
    await timed('system tabs', async () => {
      await tab(
        'Version lineage',
        'Version lineage',
        '03-system-lineage',
        /age>80\s+auroc\s+0\.81\s+min 0\.8\s+pass/,
      );
      await tab(
        'Monitoring',
        'Monitoring',
        '04-system-monitoring',
        /0\.74\s+v2\s+breached/,
        /^Every signal \(\d+\)$/,
      );
      await tab('Incidents', 'Incidents', '05-system-incidents', /inc-2026-0142[\s\S]*after awareness/);
      await tab(
        'Takedowns',
        'Takedowns and reinstatements',
        '06-system-takedowns',
        /Decided by\s+dr\.cmio\.deputy\.bea[\s\S]*Rationale\s+AUROC drifted to 0\.74[^\n]*; the ledger computed ece 0\.\d{3} in ageBand=80\+ for the week to/,
      );
      await tab(
        'Events',
        'Events',
        '07-system-events',
        /Ai system registered\s+clinicalDomain critical care, name Sepsis early-warning predictor[^\n]*\s+gov\.admin\.grace/,
      );
    });
  });

  it('leads each event with what happened, who and when, folds its integrity fields one click away, and shows 50 events in under 4,000 px at 1366 px', async () => {
    await timed('events view', async () => {
      await page.setViewportSize({ width: 1366, height: 900 });
      try {
        const rows = page.getByRole('region', { name: 'Event timeline' }).locator('tbody tr');
        expect(await rows.count()).toBe(50);
        const main = page.getByRole('main');
        expect(await main.innerText()).not.toMatch(/[0-9a-f]{64}/);
        const height = await page.evaluate(
          () =>
            (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document
              .documentElement.scrollHeight,
        );
        timings.push(`events view, 50 events at 1366 px: ${height} px tall`);
        expect(height).toBeLessThan(4000);

        // One click opens the envelope with its hashes; the proof link is in the row itself.
        const first = rows.first();
        await first.locator('summary').click();
        expect(await first.innerText()).toMatch(
          /Hash\s+[0-9a-f]{64}\s+Previous hash\s+[0-9a-f]{64}\s+Correlation\s+\S+\s+Causation/,
        );
        const eventId = (await first.getAttribute('data-event-id'))!;
        await first.getByRole('link', { name: `${eventId}: verify its inclusion proof` }).click();
        await page
          .getByRole('region', { name: 'Inclusion proof result' })
          .getByText('✓ Verified in this browser')
          .waitFor();
        // Back to the system's page, where the next test goes on.
        await page.goBack();
        await page.getByRole('heading', { name: 'Events', level: 2 }).waitFor();
      } finally {
        await page.setViewportSize({ width: 1280, height: 900 });
      }
    });
  });

  it('charts the sepsis predictor’s computed calibration per window, overall and per age band, against its threshold, with override rates', async () => {
    await timed('computed performance', async () => {
      await page
        .getByRole('navigation', { name: 'System views' })
        .getByRole('link', { name: 'Computed performance' })
        .click();
      await page.getByRole('heading', { name: 'Computed performance', level: 2 }).waitFor();
      const latest = page.getByRole('region', { name: 'Latest computed values' });
      await latest.waitFor();
      // seed-demo's drift: by the last settled week the over-80 band and the whole population are both past 0.08.
      const row = (population: string) =>
        latest
          .locator('tbody tr')
          .filter({ has: page.locator('td:nth-child(1)', { hasText: /^ece$/ }) })
          .filter({ has: page.locator('td:nth-child(2)', { hasText: population }) });
      expect(await row('ageBand=80+').innerText()).toMatch(/max 0\.08\s+breached/);
      expect(await row('the whole population').innerText()).toMatch(/max 0\.08\s+breached/);
      expect(
        await page.getByRole('img', { name: /^ece per window, the whole population, ageBand=18-39/ }).count(),
      ).toBe(1);
      expect(await page.getByRole('main').innerText()).toMatch(
        /the whole population: \d+\.\d% of \d+ answered alerts overridden/,
      );
      await view('07b-system-performance');

      // The subgroup argument: the over-80 band alone.
      await page.getByLabel('Population', { exact: true }).selectOption('ageBand=80+');
      await page.getByRole('button', { name: 'Show', exact: true }).click();
      await page.waitForURL(/subgroup=ageBand%3D80%2B/);
      await page.getByRole('status').filter({ hasText: 'Loading' }).first().waitFor({ state: 'detached' });
      const populations = await latest.locator('tbody tr td:nth-child(2)').allInnerTexts();
      expect(new Set(populations)).toEqual(new Set(['ageBand=80+']));
    });
  });

  it('shows every rule the schema names on the findings board, each with its count, zeros included, across the width', async () => {
    await timed('findings board', async () => {
      // The schema's own enum, read by introspection, and the ledger's own findings: nothing here is a list the console could drift from.
      const ask = async (query: string) =>
        (
          (await (
            await fetch(`${url}/graphql`, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${await token('auditor', 'board-check')}`,
              },
              body: JSON.stringify({ query }),
            })
          ).json()) as { data: Record<string, unknown> }
        ).data;
      const rules = (
        (await ask('{ __type(name: "ComplianceRule") { enumValues { name } } }')).__type as {
          enumValues: Array<{ name: string }>;
        }
      ).enumValues.map((v) => v.name);
      const findings = (await ask('{ complianceFindings { rule } }')).complianceFindings as Array<{
        rule: string;
      }>;
      const expected = Object.fromEntries(
        rules.map((rule) => [rule, String(findings.filter((f) => f.rule === rule).length)]),
      );

      await page
        .getByRole('navigation', { name: 'Console sections' })
        .getByRole('link', { name: 'Compliance findings' })
        .click();
      const board = page.getByRole('list', { name: 'Every rule, with its open findings' });
      await board.waitFor();
      const shown = await board
        .locator('li[data-rule]')
        .evaluateAll((tiles) =>
          tiles.map((tile) => [
            tile.getAttribute('data-rule'),
            tile.querySelector('[data-testid="rule-count"]')?.textContent,
          ]),
        );
      expect(Object.fromEntries(shown)).toEqual(expected);
      // seed-demo leaves some rules with no finding: those are the zeros the board must show.
      expect(Object.values(expected)).toContain('0');
      expect(await board.locator('li[data-rule="REQUIRED_ROLE_VACANT"]').innerText()).toMatch(
        /high severity/,
      );
      // At 1366 px the tiles run across the page, not down one column.
      await page.setViewportSize({ width: 1366, height: 900 });
      const lefts = new Set(
        await board
          .locator('li[data-rule]')
          .evaluateAll((tiles) => tiles.map((t) => t.getBoundingClientRect().left)),
      );
      expect(lefts.size).toBeGreaterThanOrEqual(4);
      await page.setViewportSize({ width: 1280, height: 900 });
    });
  });

  it('opens a compliance finding, follows it to its proving event, and verifies that event’s inclusion proof in the browser', async () => {
    await timed('finding to proving event to inclusion proof', async () => {
      await page
        .getByRole('navigation', { name: 'Console sections' })
        .getByRole('link', { name: 'Compliance findings' })
        .click();
      const link = page.getByRole('link', { name: /events? proving/ }).first();
      await link.waitFor();
      await view('08-findings');
      const evidence = new URLSearchParams((await link.getAttribute('href'))!.split('?')[1])
        .get('ids')!
        .split(',');
      await link.click();
      await page.getByText('Search complete').waitFor();
      const proving = page.locator(`tr.highlight[data-event-id="${evidence[0]}"]`);
      await proving.waitFor();
      expect(await proving.innerText()).toContain('Data accessed');
      await view('09-proving-events');

      await proving.getByRole('link', { name: evidence[0] }).click();
      const verdict = page.getByRole('region', { name: 'Inclusion proof result' });
      await verdict.waitFor();
      expect(await verdict.innerText()).toContain('✓ Verified in this browser');
      expect(await page.getByRole('main').innerText()).toContain(
        'signature verified in this browser (Ed25519',
      );
      await view('10-integrity');
    });
  });

  it('searches data access by patient, from the keyboard alone', async () => {
    await timed('data-access search', async () => {
      await page.goto(`${url}/console`);
      await page.getByRole('heading', { name: 'AI systems', level: 1 }).waitFor();
      const focused = page.locator(':focus');
      for (let presses = 0; presses < 10; presses++) {
        await page.keyboard.press('Tab');
        if ((await focused.textContent()) === 'Data access') break;
      }
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Data-access search' }).waitFor();
      await page.keyboard.press('Tab');
      expect(await focused.getAttribute('name')).toBe('patientId');
      await page.keyboard.type('MRN-0100042');
      await page.keyboard.press('Enter');
      await page.getByText(/access(es)? match; \d+ shown, newest first/).waitFor();
      expect(await page.getByRole('region', { name: 'Data-access results' }).innerText()).toContain(
        'clinician.',
      );
      await view('11-data-access');
    });
  });

  it('produces the evidence bundle for the system and downloads it', async () => {
    await timed('export and download', async () => {
      await page
        .getByRole('navigation', { name: 'Console sections' })
        .getByRole('link', { name: 'Export evidence' })
        .click();
      await page.getByLabel('AI system').selectOption('sepsis-predictor');
      await page.getByRole('button', { name: 'Produce the bundle' }).click();
      // The sepsis predictor's bundle holds its 60,000 clinical-use events: producing it takes half a minute.
      const downloadButton = page.getByRole('button', { name: 'Download the bundle' });
      await downloadButton.waitFor({ timeout: 120_000 });
      const download = page.waitForEvent('download');
      await downloadButton.click();
      const file = join(ARTIFACTS, 'evidence-bundle.tar.gz');
      await (await download).saveAs(file);
      expect(readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      expect(statSync(file).size).toBeGreaterThan(1000);
      await page.getByText(/Saved as evidence-/).waitFor();
      await view('12-export');
    });
  });

  it('with an emitter’s token shows a clear “not allowed” and no data', async () => {
    await timed('emitter refused', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn(await token('emitter', 'epic-gateway'));
      await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
      const main = await page.getByRole('main').innerText();
      expect(main).toContain('role emitter may not');
      expect(main).not.toContain('sepsis-predictor');
      expect(await page.getByRole('table').count()).toBe(0);
      await view('13-emitter-not-allowed');
    });
  });

  it('refuses an expired token at sign-in, and returns to sign-in with the reason when the ledger refuses a token', async () => {
    await timed('expired and refused tokens', async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      const forged = await forgedTokens(dataDir);
      await signIn(forged.expired);
      await page.getByText(/That token expired at/).waitFor();

      await signIn(forged['wrong audience']);
      await page
        .getByText(/The ledger refused your token: the token's aud claim is not accepted here/)
        .waitFor();
      expect(await page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
      await view('14-token-refused');

      // Another ledger's token: no fresh token from there would do, so the page names the key it carries and the issuer and key this ledger expects.
      await signIn(forged[ANOTHER_LEDGERS_KEY]);
      const notice = page.getByRole('alert').filter({ hasText: 'The ledger refused your token' });
      await notice.waitFor();
      const ledgerKid = (
        JSON.parse(readFileSync(join(dataDir, 'keys', 'token-issuer.jwk'), 'utf8')) as { kid: string }
      ).kid;
      expect(await notice.innerText()).toBe(
        `The ledger refused your token: the token was not signed by a key this ledger trusts: it names key ${ANOTHER_LEDGERS_KID} of issuer govledger-local, and this ledger expects tokens of issuer govledger-local signed by key ${ledgerKid}; get a token from this ledger's issuer, not another ledger's.`,
      );
      expect(await notice.innerText()).not.toContain('fresh token');
    });
  });

  it('applies an auditor’s witness policy to the cosigned checkpoint, in the browser', async () => {
    await timed('witness policy', async () => {
      // `govledger witness` as a regulator runs it, then the ledger restarted with it as a cosigning witness.
      const [origin] = (await (await fetch(`${url}/checkpoint`)).text()).split('\n');
      const ledgerKeys = (await (await fetch(`${url}/v1/keys`)).text()).split('\n').filter(Boolean);
      const keyFile = join(dataDir, 'witness.key');
      const witnessKey = await cli(
        'witness',
        '--new-key',
        'regulator.example/witness',
        '--key-file',
        keyFile,
      );
      const port = await freePort();
      witness = spawn(
        process.execPath,
        [
          CLI,
          'witness',
          '--key-file',
          keyFile,
          '--state',
          join(dataDir, 'witness.sqlite'),
          '--log',
          [origin, ...ledgerKeys].join(' '),
          '--listen',
          `127.0.0.1:${port}`,
        ],
        { cwd: REPO_ROOT, detached: true },
      );
      await new LineReader(witness).waitFor((l) => l.includes(witnessKey), 30_000);
      await stopService(service);
      ({ child: service, url } = await startService(dataDir, {
        LEDGER_TLOG_WITNESSES: `http://127.0.0.1:${port} ${witnessKey}`,
      }));
      // A witness added later is sent the latest checkpoint; its cosignature follows within a second or so.
      await until(async () => {
        const note = await (await fetch(`${url}/checkpoint`)).text();
        return note.includes(`— ${witnessKey.split('+')[0]} `) || undefined;
      }, 60_000);

      await signIn(await token('auditor', 'witness-check'));
      await page.goto(`${url}/console#/integrity`);
      const policyWith = async (keys: string[], threshold: string) => {
        await page.getByLabel('Witness keys').fill(keys.join('\n'));
        await page.getByLabel('Witness threshold').fill(threshold);
        await page.getByRole('button', { name: 'Check witnesses' }).click();
      };
      const result = page.getByRole('region', { name: 'Witness policy result' });
      await policyWith([witnessKey], '1');
      await result.getByText('✓ Witness policy met').waitFor();
      expect(await result.innerText()).toMatch(
        /1 of the 1 trusted witnesses cosigned[\s\S]*✓ cosigned at 20/,
      );
      await view('16-witness-policy-met');

      const stranger = generateCosignatureKey('peer.example/witness').verifierKey;
      await policyWith([witnessKey, stranger], '2');
      await result.getByText('✗ Witness policy not met').waitFor();
      expect(await result.innerText()).toMatch(
        /1 of the 2 trusted witnesses cosigned this checkpoint \(at least 2 required\)[\s\S]*peer\.example\/witness\+\w{8}: ✗ no cosignature on this checkpoint/,
      );
      await view('17-witness-policy-not-met');

      await policyWith([ledgerKeys[0]], '');
      await page
        .getByRole('alert')
        .getByText(/^Witness keys, line 1: .*that is a log key/)
        .waitFor();
      expect(await page.getByLabel('Witness keys').getAttribute('aria-invalid')).toBe('true');
    });
  });
});

/**
 * A stand-in identity provider: discovery, an authorization endpoint that
 * hands out a code bound to the PKCE challenge, and a token endpoint that
 * redeems it only with the matching verifier.
 */
async function fakeIdentityProvider(
  accessToken: () => Promise<string>,
): Promise<{ issuer: string; redeemed: string[]; close(): Promise<void> }> {
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const redeemed: string[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', issuer);
    const json = (status: number, body: object) =>
      response
        .writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' })
        .end(JSON.stringify(body));
    if (url.pathname === '/.well-known/openid-configuration')
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
      });
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      if (
        q.get('response_type') !== 'code' ||
        q.get('client_id') !== 'govledger-console' ||
        q.get('code_challenge_method') !== 'S256' ||
        !q.get('code_challenge')
      )
        return json(400, { error: 'invalid_request' });
      const code = randomUUID();
      codes.set(code, { challenge: q.get('code_challenge')!, redirectUri: q.get('redirect_uri')! });
      return response
        .writeHead(302, {
          location: `${q.get('redirect_uri')}?code=${code}&state=${encodeURIComponent(q.get('state') ?? '')}`,
        })
        .end();
    }
    if (url.pathname === '/token' && request.method === 'POST') {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const form = new URLSearchParams(body);
        const issued = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const challenge = createHash('sha256')
          .update(form.get('code_verifier') ?? '')
          .digest('base64url');
        if (
          !issued ||
          issued.challenge !== challenge ||
          issued.redirectUri !== form.get('redirect_uri') ||
          form.get('grant_type') !== 'authorization_code'
        )
          return json(400, { error: 'invalid_grant' });
        redeemed.push(form.get('code_verifier')!);
        void accessToken().then((token) =>
          json(200, { access_token: token, token_type: 'Bearer', expires_in: 900 }),
        );
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    redeemed,
    close: () => {
      // Chromium keeps its connections open; close() alone would wait for them to time out.
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const LAPTOP = { width: 1366, height: 768 };
const PHONE = { width: 390, height: 844 };

/** Each chart label's rendered size: its computed font size times its SVG's scale (drawn width over viewBox width). */
async function chartTextSizes(): Promise<number[]> {
  return page.locator('svg text').evaluateAll((texts) =>
    texts.map((node) => {
      // Runs in the page; the test's own compiler knows no DOM, hence the shapes spelled out here.
      const text = node as unknown as {
        ownerSVGElement: {
          getBoundingClientRect(): { width: number };
          viewBox: { baseVal: { width: number } };
        };
      };
      const view = globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } };
      const svg = text.ownerSVGElement;
      return (
        (Number.parseFloat(view.getComputedStyle(node).fontSize) * svg.getBoundingClientRect().width) /
        svg.viewBox.baseVal.width
      );
    }),
  );
}

/** The page's width, and every element whose right edge passes the window's and that no scrolling or clipping box within the window holds. */
async function overflow(): Promise<{ scrollWidth: number; sticking: string[] }> {
  return page.evaluate(() => {
    interface Box {
      right: number;
      width: number;
    }
    interface Node {
      tagName: string;
      id: string;
      parentElement: Node | null;
      getBoundingClientRect(): Box;
    }
    const window = globalThis as unknown as {
      document: { documentElement: { scrollWidth: number; clientWidth: number }; body: Node };
      getComputedStyle(e: Node): { overflowX: string };
    };
    const { document } = window;
    const all = (document as unknown as { querySelectorAll(s: string): Node[] }).querySelectorAll('body *');
    const edge = document.documentElement.clientWidth + 0.5;
    const sticking: string[] = [];
    for (const node of all) {
      const box = node.getBoundingClientRect();
      if (box.width === 0 || box.right <= edge) continue;
      let held = false;
      for (let up = node.parentElement; up && up !== document.body; up = up.parentElement)
        if (window.getComputedStyle(up).overflowX !== 'visible' && up.getBoundingClientRect().right <= edge) {
          held = true;
          break;
        }
      if (!held)
        sticking.push(
          `${node.tagName.toLowerCase()}${node.id ? `#${node.id}` : ''} to ${Math.round(box.right)} px`,
        );
    }
    return { scrollWidth: document.documentElement.scrollWidth, sticking: sticking.slice(0, 5) };
  });
}

describe('the auditor console at 1366 px and on a 390-px phone', () => {
  const SYSTEM = '#/systems/sepsis-predictor';
  /** Each view, how to know it has loaded, and whether it draws charts. */
  const VIEWS: Array<{ name: string; path: string; ready: () => Promise<unknown>; charts?: boolean }> = [
    {
      name: 'systems',
      path: '#/systems',
      ready: () => page.getByRole('row').filter({ hasText: 'sepsis-predictor' }).waitFor(),
    },
    {
      name: 'system-overview',
      path: `${SYSTEM}/overview`,
      ready: () => page.getByRole('img', { name: /Accountability over time/ }).waitFor(),
      charts: true,
    },
    {
      name: 'lineage',
      path: `${SYSTEM}/lineage`,
      ready: () => page.getByRole('img').first().waitFor(),
      charts: true,
    },
    {
      name: 'monitoring',
      path: `${SYSTEM}/monitoring`,
      ready: () => page.getByRole('img').first().waitFor(),
      charts: true,
    },
    {
      name: 'performance',
      path: `${SYSTEM}/performance`,
      ready: () => page.getByRole('region', { name: 'Latest computed values' }).waitFor(),
      charts: true,
    },
    {
      name: 'incidents',
      path: `${SYSTEM}/incidents`,
      ready: () => page.getByRole('heading', { level: 2 }).first().waitFor(),
    },
    {
      name: 'takedowns',
      path: `${SYSTEM}/takedowns`,
      ready: () => page.getByRole('heading', { level: 2 }).first().waitFor(),
    },
    { name: 'events', path: `${SYSTEM}/events`, ready: () => page.locator('tbody tr').first().waitFor() },
    {
      name: 'findings',
      path: '#/findings',
      ready: () =>
        page
          .getByRole('link', { name: /events? proving/ })
          .first()
          .waitFor(),
    },
    {
      name: 'data-access',
      path: '#/data-access',
      ready: async () => {
        await page.getByLabel('Purpose of use').fill('HOPERAT');
        await page.getByRole('button', { name: 'Search', exact: true }).click();
        await page.getByText(/accesses? match/).waitFor();
      },
    },
    {
      name: 'integrity',
      path: '#/integrity',
      ready: () => page.getByText(/signature verified in this browser/).waitFor(),
    },
    {
      name: 'export',
      path: '#/export',
      ready: () => page.getByLabel('AI system').locator('option').first().waitFor({ state: 'attached' }),
    },
  ];

  /** Each test signs in afresh as its own auditor, whatever session the one before left. */
  async function signInAs(sub: string): Promise<string> {
    await page.goto(`${url}/console`);
    const signOut = page.getByRole('button', { name: 'Sign out' });
    await page.getByLabel('Bearer token').or(signOut).waitFor();
    if (await signOut.isVisible()) await signOut.click();
    const bearer = await token('auditor', sub);
    await signIn(bearer);
    await page.getByRole('heading', { name: 'AI systems', level: 1 }).waitFor();
    return bearer;
  }

  async function show(path: string, ready: () => Promise<unknown>): Promise<void> {
    await page.goto(`${url}/console/${path}`);
    await ready();
    await page
      .getByRole('status')
      .filter({ hasText: /Loading|Searching/ })
      .first()
      .waitFor({ state: 'detached' });
  }

  async function checkLayout(name: string, size: { width: number }, charts: boolean): Promise<void> {
    await screenshot(`layout-${size.width}-${name}`);
    const sizes = await chartTextSizes();
    if (charts) expect(sizes.length).toBeGreaterThan(0);
    expect({ name, width: size.width, smallest: Math.min(11, ...sizes) }).toEqual({
      name,
      width: size.width,
      smallest: 11,
    });
    if (size.width === PHONE.width)
      expect({ name, ...(await overflow()) }).toEqual({ name, scrollWidth: PHONE.width, sticking: [] });
    await expectAccessible(`${name} at ${size.width} px`);
  }

  it('shows every view at 1366 px and at 390 px with chart text of at least 11 px, no sideways overflow on the phone and no serious axe violation', async () => {
    await timed('every view at two widths', async () => {
      await signInAs('auditor.layout');
      for (const size of [LAPTOP, PHONE]) {
        await page.setViewportSize(size);
        for (const { name, path, ready, charts = false } of VIEWS) {
          await show(path, ready);
          await checkLayout(name, size, charts);
        }
      }
      await page.getByRole('button', { name: 'Sign out' }).click();
      for (const size of [LAPTOP, PHONE]) {
        await page.setViewportSize(size);
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        await checkLayout('sign-in', size, false);
      }
    });
  });

  it('on a phone, shows each system’s incidents and findings on screen, and a system’s first section in the first screen', async () => {
    await page.setViewportSize(PHONE);
    await signInAs('auditor.phone');
    const row = page.locator('tr', { hasText: 'sepsis-predictor' });
    await row.waitFor();
    for (const column of ['Open incidents', 'Open findings']) {
      const box = (await row.locator(`td[data-label="${column}"]`).boundingBox())!;
      expect({ column, left: box.x >= 0, right: box.x + box.width <= PHONE.width }).toEqual({
        column,
        left: true,
        right: true,
      });
    }
    await page.goto(`${url}/console/${SYSTEM}/overview`);
    const first = page.getByRole('main').getByRole('heading', { level: 2 }).first();
    await first.waitFor();
    expect((await first.boundingBox())!.y).toBeLessThan(PHONE.height * 0.6);
  });

  it('names the codes of a data-access search, counts every match, and exports them all as CSV, recorded in the self-audit', async () => {
    await timed('data-access CSV export', async () => {
      await page.setViewportSize(LAPTOP);
      const bearer = await signInAs('auditor.csv');
      await page.goto(`${url}/console/#/data-access`);
      await page.getByLabel('Outcome').selectOption('success');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      const total = Number((await page.locator('.total strong').innerText()).replace(/\D/g, ''));
      // seed-demo's 300 accesses are nearly all successes: more than one page of 50, so the total is not the rows shown.
      expect(total).toBeGreaterThan(50);
      const results = page.getByRole('region', { name: 'Data-access results' });
      expect(await results.innerText()).toMatch(/R read/);
      expect(await results.innerText()).toMatch(/TREAT treatment/);
      // Event ids are shortened, each on one line; the full id is the link's name.
      const link = results.locator('td[data-label="Event"] a').first();
      expect((await link.innerText()).length).toBe(9);
      expect((await link.boundingBox())!.height).toBeLessThan(30);

      const download = page.waitForEvent('download');
      await page.getByRole('button', { name: `Download all ${total} as CSV` }).click();
      const file = join(ARTIFACTS, 'data-access.csv');
      await (await download).saveAs(file);
      const lines = readFileSync(file, 'utf8').split('\r\n').filter(Boolean);
      expect(lines[0]).toMatch(/^occurredAt,eventId,position,actor,action,purposeOfUse,outcome,/);
      expect(lines.length - 1).toBe(total);
      expect(lines.slice(1).every((line) => line.split(',')[6] === 'success')).toBe(true);

      const recordedAs = await page
        .getByText(/recorded in the ledger's self-audit as event/)
        .locator('.mono')
        .innerText();
      // The timeline indexes the self-audit event as the projections reach it, a moment after the export.
      const record = await until(async () => {
        const response = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            query:
              '{ timeline(stream: "ledger-self-audit", types: ["DataAccessExported"], first: 100) { edges { node { eventId data } } } }',
          }),
        });
        const body = (await response.json()) as {
          data: { timeline: { edges: Array<{ node: { eventId: string; data: string } }> } };
        };
        return body.data.timeline.edges.find((e) => e.node.eventId === recordedAs);
      }, 15_000);
      expect(JSON.parse(record.node.data)).toMatchObject({
        actor: 'auditor.csv',
        rowCount: total,
        filter: JSON.stringify({ outcome: 'success' }),
        csvSha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
      });
      await view('11b-data-access-csv');
    });
  });
});

describe('the auditor console signing in through the organisation’s identity provider', () => {
  it('runs the OIDC authorization code flow with PKCE against the issuer and reads the ledger with the access token it gets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-console-oidc-'));
    let oidcService: ChildProcessWithoutNullStreams | undefined;
    let ledgerIssuer = '';
    // The provider's access tokens are minted by the ledger's local issuer under the provider's name, so the ledger accepts them as it would the real provider's.
    const idp = await fakeIdentityProvider(async () =>
      (
        await run(
          process.execPath,
          [CLI, 'token', '--role', 'auditor', '--tenant', 'default', '--sub', 'auditor.oidc'],
          { cwd: REPO_ROOT, env: { ...process.env, LEDGER_DATA_DIR: dir, AUTH_ISSUER: ledgerIssuer } },
        )
      ).stdout.trim(),
    );
    ledgerIssuer = idp.issuer;
    try {
      await timed('OIDC sign-in with PKCE', async () => {
        const started = await startService(dir, {
          AUTH_ISSUER: idp.issuer,
          CONSOLE_OIDC_CLIENT_ID: 'govledger-console',
        });
        oidcService = started.child;
        await page.goto(`${started.url}/console`);
        await page.getByRole('button', { name: `Sign in with ${new URL(idp.issuer).host}` }).click();
        await page.getByRole('heading', { name: 'AI systems', level: 1 }).waitFor();
        await page.getByText('No AI systems are registered in this tenant.').waitFor();
        expect(await page.locator('header').innerText()).toContain('auditor.oidc');
        expect(page.url()).toBe(`${started.url}/console/`);
        expect(idp.redeemed).toHaveLength(1);
        await screenshot('15-oidc-signed-in');
      });
    } finally {
      await stopService(oidcService);
      await idp.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
