import { LocalIssuer } from '@ledger/auth';
import { loadConfig } from '@ledger/runtime';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLedgerApi } from '../../apps/ledger-api/src/bootstrap';

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/*
 * EventStoreDB keeps every value inside its hashed events: nothing can be
 * taken out without changing a hash. The request is refused before the store
 * is asked anything, so no cluster is needed to show it.
 */
describe('requestErasure on an EventStoreDB ledger', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'erasure-esdb-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is refused with ERASURE_UNSUPPORTED, naming the stores that can erase', async () => {
    const config = loadConfig({
      PORT: '0',
      LOG_LEVEL: 'error',
      LEDGER_DATA_DIR: dataDir,
      LEDGER_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: `esdb://127.0.0.1:${await closedPort()}?tls=false`,
    });
    const { app, url } = await startLedgerApi(config);
    try {
      const issuer = await LocalIssuer.open(join(dataDir, 'keys'), config.AUTH_ISSUER, config.AUTH_AUDIENCE);
      const token = await issuer.issue(
        { id: 'dpo.dora', role: 'data-protection-officer', tenantId: 'default' },
        600,
      );
      const response = await fetch(`${url.replace('[::1]', '127.0.0.1')}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: `mutation { requestErasure(input: { subject: { personId: "dr.ada" }, legalBasis: "GDPR Art 17(1)(a)",
            requestedBy: "dr.ada", rationale: "left" }) { erasureId } }`,
        }),
      });
      const body = (await response.json()) as {
        errors?: Array<{ message: string; extensions?: { code?: string } }>;
      };
      expect(body.errors?.[0].extensions?.code).toBe('ERASURE_UNSUPPORTED');
      expect(body.errors?.[0].message).toContain('LEDGER_STORE=sqlite or postgres');
    } finally {
      await app.close();
    }
  }, 60_000);
});
