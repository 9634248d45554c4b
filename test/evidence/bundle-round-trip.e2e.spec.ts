import { BUNDLE_FILES, type BundleManifest } from '@ledger/evidence';
import type { StoredEvent } from '@ledger/event-store';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collect } from '../support/events';
import type { TestApi } from '../support/ledger-api';
import { verifyBundle } from '@ledger/evidence';
import { LocalIssuer } from '@ledger/auth';
import { generateNoteKey } from '@ledger/integrity';
import { seedDemoOrganisation } from '../../apps/govledger-cli/src/demo/demo-organisation';
import { LedgerClient } from '../../apps/govledger-cli/src/demo/ledger-client';
import {
  bundleEvents,
  bundleMembers,
  exportOverGraphql,
  govledger,
  ledgerEnv,
  offlineEnv,
  scratchDir,
  seededLedger,
} from './evidence-fixture';

describe('evidence bundle: export a seed-demo system, verify it offline', () => {
  const dir = scratchDir();
  let api: TestApi;
  let vkey: string;
  let cliExport: { code: number | null; stdout: string; stderr: string };
  let since: { treeSize: number };
  let graphqlExport: Awaited<ReturnType<typeof exportOverGraphql>>;
  let exportEvents: StoredEvent[];
  let v1Export: { code: number | null; stdout: string; stderr: string };
  let reseeded: unknown;
  const SYSTEM = 'sepsis-predictor';

  beforeAll(async () => {
    const seeded = await seededLedger('sqlite', 1500);
    api = seeded.api;
    vkey = (await (await fetch(`${api.url}/v1/keys`)).text()).trim();
    // A checkpoint the regulator kept from an earlier look, and more history after it.
    const earlier = await (await fetch(`${api.url}/checkpoint`)).text();
    since = { treeSize: Number(earlier.split('\n')[1]) };
    writeFileSync(join(dir, 'earlier.checkpoint'), earlier);
    await seedMore(api, SYSTEM);

    cliExport = await govledger(
      [
        'export',
        '--system',
        SYSTEM,
        '--out',
        join(dir, 'cli.tar.gz'),
        '--recipient',
        'Notified body 0123',
        '--actor',
        'ops.olga',
        '--since-checkpoint',
        join(dir, 'earlier.checkpoint'),
      ],
      ledgerEnv(api),
    );
    graphqlExport = await exportOverGraphql(
      api,
      { systemId: SYSTEM, recipient: 'Care Quality Commission' },
      join(dir, 'graphql.tar.gz'),
    );
    exportEvents = (await collect(
      api.store.readStream(`default/evidence-exports-${SYSTEM}`),
    )) as StoredEvent[];
    // The same system in the format before, for a recipient whose tools read only v1.
    v1Export = await govledger(
      [
        'export',
        '--system',
        SYSTEM,
        '--out',
        join(dir, 'v1.tar.gz'),
        '--actor',
        'ops.olga',
        '--bundle-format',
        'v1',
      ],
      ledgerEnv(api),
    );
    const issuer = await LocalIssuer.open(join(api.dataDir, 'keys'), 'govledger-local', 'govledger');
    reseeded = await seedDemoOrganisation(new LedgerClient(api.url, issuer, 'default'), {
      accessEvents: 0,
      onProgress: () => undefined,
    }).then(
      () => 'seeded twice',
      (error: unknown) => error,
    );
    // From here on there is no ledger: the service is stopped and its data directory deleted.
    await api.close();
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to seed the demo a second time into the same tenant, saying how to seed again', () => {
    expect(String(reseeded)).toMatch(
      /tenant default already holds the demo organisation: seed an empty ledger, or another tenant with --tenant/,
    );
  });

  it('exports with govledger export, showing progress on stderr and how to verify on stdout', () => {
    expect(cliExport.code).toBe(0);
    expect(cliExport.stderr).toContain('exporting [');
    expect(cliExport.stdout).toContain(`verify it offline: govledger verify-bundle`);
    expect(cliExport.stdout).toMatch(/events of sepsis-predictor, proven against checkpoint \d+/);
  });

  it.each(['cli.tar.gz', 'graphql.tar.gz'])(
    'verify-bundle passes %s in a process with no database, no server and no ledger settings',
    async (name) => {
      const run = await govledger(['verify-bundle', join(dir, name), '--trusted-key', vkey], offlineEnv());
      // All it says on stderr is what it stands on: the bundle and the key it was told to trust.
      expect(run.stderr).toBe(
        `govledger: checking the bundle ${join(dir, name)} offline, trusting ${vkey.split('+').slice(0, 2).join('+')}\n`,
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^PASS: .* is an intact evidence bundle from govledger\.local\/ledger/);
      expect(run.stdout).toMatch(
        /every hash recomputed and every leaf proven by one multiproof against checkpoint \d+/,
      );
    },
  );

  it('still writes (--bundle-format v1) and verifies a v1 bundle: one inclusion proof per event, the FHIR view inflated', async () => {
    expect(v1Export.code).toBe(0);
    const file = join(dir, 'v1.tar.gz');
    const run = await govledger(['verify-bundle', file, '--trusted-key', vkey], offlineEnv());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /every hash recomputed and every inclusion proof checked against checkpoint \d+/,
    );
    const bundle = await bundleMembers(file);
    expect([...bundle.keys()]).toEqual([
      'manifest.json',
      'manifest.sig',
      'checkpoint.note',
      'keys.txt',
      'events.jsonl',
      'proofs.jsonl',
      'fhir-bundle.json',
      'report.html',
      'VERIFY.md',
    ]);
    const events = bundleEvents(bundle.get(BUNDLE_FILES.events)!.toString());
    expect(JSON.parse(bundle.get(BUNDLE_FILES.manifest)!.toString())).toMatchObject({
      format: 'govledger-evidence-bundle/v1',
      counts: { events: events.length },
    });
    expect(bundle.get(BUNDLE_FILES.proofs)!.toString().trim().split('\n')).toHaveLength(events.length);
  });

  it('reports as JSON with --json: the summary on a pass, the failing file on a failure', async () => {
    const pass = await govledger(
      ['verify-bundle', join(dir, 'cli.tar.gz'), '--trusted-key', vkey, '--json'],
      offlineEnv(),
    );
    expect(pass.code).toBe(0);
    expect(JSON.parse(pass.stdout)).toMatchObject({
      ok: true,
      summary: { origin: 'govledger.local/ledger', systemId: 'sepsis-predictor', exportedBy: 'ops.olga' },
    });
    const impostor = generateNoteKey('govledger.local/ledger').verifierKey;
    const fail = await govledger(
      ['verify-bundle', join(dir, 'cli.tar.gz'), '--trusted-key', impostor, '--json'],
      offlineEnv(),
    );
    expect(fail.code).toBe(1);
    expect(JSON.parse(fail.stdout)).toMatchObject({ ok: false, file: 'manifest.sig' });
  });

  it('proves with --since-checkpoint that the log extends the checkpoint the recipient already held', async () => {
    const run = await govledger(
      ['verify-bundle', join(dir, 'cli.tar.gz'), '--trusted-key', vkey],
      offlineEnv(),
    );
    expect(run.stdout).toContain(`the log extends your checkpoint of tree size ${since.treeSize}`);
    const bundle = await bundleMembers(join(dir, 'cli.tar.gz'));
    expect(JSON.parse(bundle.get(BUNDLE_FILES.consistency)!.toString()).from.treeSize).toBe(since.treeSize);
  });

  it('is one standard gzipped tar, members in the order a streaming verifier reads them', () => {
    const listing = execFileSync('tar', ['-tzf', join(dir, 'cli.tar.gz')], { encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(listing).toEqual([
      'manifest.json',
      'manifest.sig',
      'checkpoint.note',
      'keys.txt',
      'consistency.json',
      'events.jsonl',
      'multiproof.txt',
      'fhir-bundle.json.gz',
      'report.html',
      'VERIFY.md',
    ]);
    expect(execFileSync('tar', ['-tzf', join(dir, 'graphql.tar.gz')], { encoding: 'utf8' })).not.toContain(
      'consistency.json',
    );
  });

  it('holds the system’s events with their envelope and integrity, data access on its behalf, and its training data, in global order', async () => {
    const bundle = await bundleMembers(join(dir, 'cli.tar.gz'));
    const events = bundleEvents(bundle.get(BUNDLE_FILES.events)!.toString());
    const manifest = JSON.parse(bundle.get(BUNDLE_FILES.manifest)!.toString()) as BundleManifest;
    expect(manifest.counts.events).toBe(events.length);
    expect(events.map((e) => BigInt(e.position))).toEqual(
      [...events.map((e) => BigInt(e.position))].sort((a, b) => (a < b ? -1 : 1)),
    );
    expect(events[0]).toMatchObject({
      type: expect.any(String),
      metadata: { tenantId: 'default', actor: expect.any(Object) },
      integrity: { prevHash: expect.any(String), hash: expect.any(String) },
    });
    const kinds = new Set(
      events.map((e) =>
        e.stream === `default/ai-system-${SYSTEM}`
          ? 'system'
          : e.stream.startsWith('default/data-access-')
            ? 'access'
            : e.stream.startsWith('default/dataset-')
              ? 'dataset'
              : e.stream.startsWith('default/clinical-use-')
                ? 'clinical use'
                : e.stream,
      ),
    );
    // Clinical use comes with it once the demo records some; nothing from any other stream does.
    expect([...kinds].filter((k) => k !== 'clinical use').sort()).toEqual(['access', 'dataset', 'system']);
    expect(manifest.scope.datasetIds.map((id) => `default/dataset-${id}`)).toEqual(
      expect.arrayContaining([
        ...new Set(events.filter((e) => e.stream.startsWith('default/dataset-')).map((e) => e.stream)),
      ]),
    );
    expect(
      events
        .filter((e) => e.type === 'DataAccessed')
        .every((e) => (e.data as { systemId?: string }).systemId === SYSTEM),
    ).toBe(true);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['AiSystemRegistered', 'TakedownDecided', 'DatasetRegistered', 'DataAccessed']),
    );
    expect(bundle.has(BUNDLE_FILES.proofs)).toBe(false);
    expect(bundle.get(BUNDLE_FILES.keys)!.toString().trim()).toBe(vkey);
  });

  it('records every export in the ledger: who, for whom, which checkpoint and the exact manifest', async () => {
    expect(
      exportEvents.map((e) => [
        e.metadata.actor.id,
        (e.data as { recipient?: string }).recipient,
        e.metadata.source,
      ]),
    ).toEqual([
      ['ops.olga', 'Notified body 0123', 'govledger-cli'],
      ['auditor.amy', 'Care Quality Commission', 'ledger-api/graphql'],
    ]);
    const manifest = (await bundleMembers(join(dir, 'graphql.tar.gz'))).get(BUNDLE_FILES.manifest)!;
    const digest = require('node:crypto').createHash('sha256').update(manifest).digest('hex');
    expect(exportEvents[1].data).toMatchObject({
      systemId: SYSTEM,
      manifestSha256: digest,
      exportId: graphqlExport.result?.exportId,
    });
    expect(graphqlExport).toMatchObject({
      contentType: 'application/gzip',
      result: { manifestSha256: digest },
    });
  });

  it('carries a self-contained, printable report with every section the issue asks for and no patient identifier', async () => {
    const report = (await bundleMembers(join(dir, 'cli.tar.gz'))).get(BUNDLE_FILES.report)!.toString();
    for (const heading of [
      'System dossier',
      'Accountability timeline',
      'Model versions, validations and subgroup results',
      'Deployments and their approvals',
      'Monitoring signals and breaches',
      'Incidents',
      'Takedowns and reinstatements',
      'Audit findings and access-log reviews',
      'Compliance findings',
      'Integrity summary',
      'Regulatory coverage',
    ])
      expect(report).toContain(heading);
    expect(report).toContain('Notified body 0123');
    // The demo's finding, closed by its owner and verified by the auditor, and the review of the system's logs.
    expect(report).toMatch(/closed: resolved by [^<]+ at [^<]+, verified by auditor\.amy/);
    expect(report).toContain('every access in the demo day matched the policy');
    expect(report).toMatch(/Aware at/);
    expect(report).toContain('HIPAA');
    expect(report).not.toMatch(/<script|src="http|href="http/);
    expect(report).not.toContain('MRN-');
  });

  it("shows the incident's Art 73 timeline: its class, when it was due to the authority, and when the initial and final notifications were sent", async () => {
    const report = (await bundleMembers(join(dir, 'cli.tar.gz'))).get(BUNDLE_FILES.report)!.toString();
    const row = /<tr><td>inc-2026-0142 [\s\S]*?<\/tr>/.exec(report)?.[0] ?? '';
    const instant = String.raw`\d{4}-\d{2}-\d{2}T[\d:.]+Z`;
    expect(row).toContain('serious_harm_to_health');
    expect(row).toMatch(new RegExp(`<b>${instant}</b><br>initial notification in time`));
    for (const kind of ['initial', 'final'])
      expect(row).toMatch(
        new RegExp(
          `${kind} to market_surveillance_authority \\(ref\\. MSA-2026-0142\\): sent <b>${instant}</b> by [^,]+, [\\d.]+ h after awareness`,
        ),
      );
  });
});

/** A little more history after the regulator's checkpoint: an audit and some accesses, sealed before the export. */
async function seedMore(api: TestApi, systemId: string) {
  const token = await api.token('auditor.amy', 'auditor');
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      query: 'mutation($i: RecordAuditInput!) { recordAudit(input: $i) { revision } }',
      variables: { i: { systemId, auditId: 'audit-after', scope: 'post-rollback review', findings: [] } },
    }),
  });
  const body = (await response.json()) as { errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
}

describe('evidence bundle over GraphQL on PostgreSQL: made, refused and fetched as the caller would expect', () => {
  const dir = scratchDir();
  let api: TestApi;
  let vkey: string;
  const exportQuery = `mutation($systemId: ID!, $from: DateTime, $to: DateTime) { exportEvidenceBundle(systemId: $systemId, from: $from, to: $to) { exportId downloadUrl events } }`;
  const asCaller = async (token: string, query: string, variables: Record<string, unknown>) => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as {
      data?: { exportEvidenceBundle: { exportId: string; downloadUrl: string; events: number } } | null;
      errors?: Array<{ extensions: { code: string; field?: string } }>;
    };
  };

  beforeAll(async () => {
    api = (await seededLedger('postgres', 300)).api;
    vkey = (await (await fetch(`${api.url}/v1/keys`)).text()).trim();
  }, 180_000);
  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports a period of a system, and the downloaded bundle verifies', async () => {
    const out = join(dir, 'period.tar.gz');
    const { result } = await exportOverGraphql(
      api,
      { systemId: 'sepsis-predictor', from: '2020-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' },
      out,
    );
    expect(result?.events).toBeGreaterThan(0);
    await expect(verifyBundle(out, [vkey])).resolves.toMatchObject({
      ok: true,
      summary: { systemId: 'sepsis-predictor', events: result?.events },
    });
  });

  it('names what is wrong: an unknown system, a period that ends before it starts', async () => {
    const auditor = await api.token('auditor.amy', 'auditor');
    expect(
      (await asCaller(auditor, exportQuery, { systemId: 'no-such-system' })).errors?.[0].extensions,
    ).toMatchObject({ code: 'UNKNOWN_SYSTEM', field: 'systemId' });
    expect(
      (
        await asCaller(auditor, exportQuery, {
          systemId: 'sepsis-predictor',
          from: '2026-02-01T00:00:00Z',
          to: '2026-01-01T00:00:00Z',
        })
      ).errors?.[0].extensions,
    ).toMatchObject({ code: 'INVALID_SCOPE', field: 'to' });
  });

  it('lets a regulator export only its granted systems, and only the maker download a bundle', async () => {
    const regulator = await api.token('reg.rita', 'regulator', { systems: ['ct-head-triage'] });
    expect(
      (await asCaller(regulator, exportQuery, { systemId: 'sepsis-predictor' })).errors?.[0].extensions,
    ).toMatchObject({ code: 'FORBIDDEN', field: 'systemId' });
    const auditor = await api.token('auditor.amy', 'auditor');
    const made = (await asCaller(auditor, exportQuery, { systemId: 'sepsis-predictor' })).data!
      .exportEvidenceBundle;
    const other = await api.token('auditor.ben', 'auditor');
    expect(
      (await fetch(`${api.url}${made.downloadUrl}`, { headers: { authorization: `Bearer ${other}` } }))
        .status,
    ).toBe(404);
    expect(
      (await fetch(`${api.url}${made.downloadUrl}`, { headers: { authorization: `Bearer ${auditor}` } }))
        .status,
    ).toBe(200);
  });
});
