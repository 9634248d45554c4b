import type { Role } from '@ledger/auth';
import { collect } from '../support/events';
import { ok } from '../support/governance';
import { startTestApi, type TestApi } from '../support/ledger-api';

const EXPORT = `mutation($systemId: ID!) { exportEvidenceBundle(systemId: $systemId) { exportId downloadUrl } }`;

interface ExportAnswer {
  data?: { exportEvidenceBundle: { exportId: string; downloadUrl: string } } | null;
  errors?: Array<{
    message: string;
    extensions: { code: string; status?: number; details?: Record<string, unknown> };
  }>;
}

/**
 * Evidence exports are the heaviest request the ledger answers and the one
 * that carries data away. A bundle goes only to its maker while the maker may
 * still read its system, and nobody can make them without limit.
 */
describe('evidence exports: who may download, and how many a caller may make', () => {
  let api: TestApi;
  const bearer = async (sub: string, role: Role, systems?: string[]) => ({
    authorization: `Bearer ${await api.token(sub, role, { systems })}`,
  });
  const exportAs = async (headers: Record<string, string>, systemId: string): Promise<ExportAnswer> => {
    const response = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: EXPORT, variables: { systemId } }),
    });
    return (await response.json()) as ExportAnswer;
  };
  const made = async (headers: Record<string, string>, systemId: string) => {
    const answer = await exportAs(headers, systemId);
    if (!answer.data) throw new Error(`export failed: ${JSON.stringify(answer.errors)}`);
    return answer.data.exportEvidenceBundle;
  };
  const download = async (headers: Record<string, string>, url: string) => {
    const response = await fetch(`${api.url}${url}`, { headers });
    return { status: response.status, body: await response.text() };
  };
  /** A recorded event the next export must wait for the sealer to cover, so it is still running a moment later. */
  const unsealedEvent = () =>
    ok(api, 'recordAudit', {
      systemId: 'system-a',
      auditId: `audit-${Date.now()}`,
      scope: 'hold',
      findings: [],
    });

  beforeAll(async () => {
    api = await startTestApi('sqlite', {
      LEDGER_CHECKPOINT_EVERY_MS: '1000',
      LEDGER_EXPORTS_PER_HOUR_PER_CALLER: '2',
    });
    for (const systemId of ['system-a', 'system-b'])
      await ok(api, 'registerAiSystem', {
        systemId,
        name: systemId,
        intendedUse: 'triage',
        clinicalDomain: 'ed',
        riskClass: 'high',
        supplier: 'in_house',
        sites: ['main'],
      });
  }, 60_000);
  afterAll(() => api.close());

  it("refuses a regulator without grants the auditor's export of the same person, exactly as a missing one, and records it", async () => {
    const bundle = await made(await bearer('amy', 'auditor'), 'system-a');
    const asRegulator = await bearer('amy', 'regulator', []);

    const refused = await download(asRegulator, bundle.downloadUrl);
    const missing = await download(asRegulator, '/v1/exports/00000000-0000-4000-8000-000000000000');
    expect(refused.status).toBe(404);
    expect(JSON.parse(refused.body).error.code).toBe(JSON.parse(missing.body).error.code);
    expect(JSON.parse(refused.body).error.message).not.toContain('system-a');

    // Refusals are counted per minute and written when the minute closes; flushing writes this one now.
    await api.flushSelfAudit();
    const denied = (await collect(api.store.readStream('default/ledger-self-audit'))).map((e) => e.data);
    expect(denied).toContainEqual(
      expect.objectContaining({
        principal: 'amy',
        role: 'regulator',
        operation: 'GET /v1/exports/:exportId',
        status: 404,
      }),
    );
    // The maker, still an auditor, gets it.
    expect((await download(await bearer('amy', 'auditor'), bundle.downloadUrl)).status).toBe(200);
  }, 30_000);

  it('refuses a regulator granted only system A a bundle of system B, and gives it one of A', async () => {
    const ofB = await made(await bearer('rita', 'auditor'), 'system-b');
    const ofA = await made(await bearer('rita', 'auditor'), 'system-a');
    const grantedA = await bearer('rita', 'regulator', ['system-a']);
    expect((await download(grantedA, ofB.downloadUrl)).status).toBe(404);
    expect((await download(grantedA, ofA.downloadUrl)).status).toBe(200);
  }, 30_000);

  it('refuses the download to a role that may not export, even for the same person', async () => {
    const bundle = await made(await bearer('gus', 'auditor'), 'system-a');
    expect((await download(await bearer('gus', 'governance-admin'), bundle.downloadUrl)).status).toBe(403);
  }, 30_000);

  it('lets one caller make one export at a time, naming the limit, while another caller still exports', async () => {
    await unsealedEvent();
    const ben = await bearer('ben', 'auditor');
    const answers = await Promise.all([
      exportAs(ben, 'system-a'),
      exportAs(ben, 'system-a'),
      exportAs(await bearer('cleo', 'auditor'), 'system-a'),
    ]);
    const [first, second, other] = answers;
    expect([first, second].filter((a) => a.data).length).toBe(1);
    const refusal = [first, second].find((a) => a.errors)!.errors![0];
    expect(refusal.extensions).toMatchObject({
      code: 'EXPORT_QUOTA_EXCEEDED',
      status: 429,
      details: { limit: 'LEDGER_EXPORTS_CONCURRENT_PER_CALLER', max: 1 },
    });
    expect(refusal.message).toContain('retry when one of yours finishes');
    expect(other.errors).toBeUndefined();
  }, 30_000);

  it('lets one caller start only LEDGER_EXPORTS_PER_HOUR_PER_CALLER exports an hour, saying when to retry', async () => {
    const dora = await bearer('dora', 'auditor');
    await made(dora, 'system-a');
    await made(dora, 'system-b');
    const third = await exportAs(dora, 'system-a');
    expect(third.data).toBeNull();
    const { extensions, message } = third.errors![0];
    expect(extensions).toMatchObject({
      code: 'EXPORT_QUOTA_EXCEEDED',
      status: 429,
      details: { limit: 'LEDGER_EXPORTS_PER_HOUR_PER_CALLER', max: 2 },
    });
    const retryAfter = extensions.details!.retryAfterSeconds as number;
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(message).toContain(`retry after ${retryAfter} s`);
    // Another person's allowance is their own.
    expect((await exportAs(await bearer('eli', 'auditor'), 'system-a')).errors).toBeUndefined();
  }, 60_000);
});
