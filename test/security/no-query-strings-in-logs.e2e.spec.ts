import { LocalIssuer } from '@ledger/auth';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, LineReader, REPO_ROOT } from '../support/child-process';

const RAW = 'MRN-QUERYSTRING-4411-SENTINEL';
const RAW_VARIABLE = 'MRN-VARIABLE-5522-SENTINEL';

describe('logs and query strings', () => {
  it('a raw id in a GET /graphql query string or its variables reaches no log line, even at trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-querystring-'));
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/ledger-api/src/main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, PORT: '0', LEDGER_DATA_DIR: dir, LOG_LEVEL: 'trace' },
    });
    let logs = '';
    child.stdout.on('data', (c) => (logs += c));
    child.stderr.on('data', (c) => (logs += c));
    try {
      const line = await new LineReader(child).waitFor((l) => l.includes('"ledger-api listening"'), 60_000);
      const url = (JSON.parse(line) as { url: string }).url.replace('[::1]', '127.0.0.1');
      const issuer = await LocalIssuer.open(join(dir, 'keys'), 'govledger-local', 'govledger');
      const auditor = await issuer.issue({ id: 'auditor.amy', role: 'auditor', tenantId: 'default' }, 600);
      const query = `query Lookup($p: String!) { dataAccess(filter: { patientId: $p }) { edges { node { patientPseudonym } } } a: dataAccess(filter: { patientId: "${RAW}" }) { edges { node { patientPseudonym } } } }`;
      const get = (headers: Record<string, string>) =>
        fetch(
          `${url}/graphql?${new URLSearchParams({ query, variables: JSON.stringify({ p: RAW_VARIABLE }) })}`,
          { headers },
        );
      // Authenticated and not: the refusal is logged as well as the answer.
      for (const response of [await get({ authorization: `Bearer ${auditor}` }), await get({})])
        await response.arrayBuffer();
      await fetch(`${url}/v1/proofs/inclusion?eventId=${RAW}`, {
        headers: { authorization: `Bearer ${auditor}` },
      });
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      child.kill('SIGTERM');
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    }
    // The requests were logged, by path.
    expect(logs).toContain('"path":"/graphql"');
    expect(logs).toContain('"path":"/v1/proofs/inclusion"');
    expect(logs.includes(RAW)).toBe(false);
    expect(logs.includes(RAW_VARIABLE)).toBe(false);
  }, 120_000);
});
