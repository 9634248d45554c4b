import {
  eventLeafHash,
  noteVerifier,
  openCheckpoint,
  verifyConsistency,
  verifyInclusion,
} from '@ledger/integrity';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEvent } from '../support/events';
import { until } from '../support/until';
import { startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';

const ORIGIN = 'e2e.example/ledger';
const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

async function get(
  api: TestApi,
  path: string,
): Promise<{ status: number; type: string | null; text: string; json: () => any }> {
  // The events below are appended for tenant-a; an inclusion proof is answered only within the caller's tenant.
  const response = await fetch(`${api.url}${path}`, {
    headers: {
      authorization: `Bearer ${await api.token('auditor.amy', 'auditor', { tenantId: 'tenant-a' })}`,
    },
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    text,
    json: () => JSON.parse(text),
  };
}

describe.each<[StoreKind]>([['sqlite'], ['postgres']])('tamper evidence over HTTP on %s', (kind) => {
  let api: TestApi;
  const eventIds: string[] = [];

  beforeAll(async () => {
    api = await startTestApi(kind, {
      LEDGER_ORIGIN: ORIGIN,
      LEDGER_CHECKPOINT_EVERY_EVENTS: '10',
      LEDGER_CHECKPOINT_EVERY_MS: '200',
      LEDGER_WITNESSES: '',
    });
  });
  afterAll(() => api.close());

  it('answers GET /checkpoint with 404 and a clear error before anything is sealed', async () => {
    const response = await get(api, '/checkpoint');
    expect(response.status).toBe(404);
    expect(response.json()).toEqual({
      error: expect.objectContaining({
        code: 'NO_CHECKPOINT',
        message: expect.stringContaining('no checkpoint has been signed yet'),
      }),
    });
  });

  it('serves the latest signed checkpoint as text/plain, verifiable with the keys it publishes', async () => {
    for (let i = 0; i < 25; i++) {
      const { events } = await api.store.append(`e2e-${i % 3}`, [newEvent({ i })], 'any');
      eventIds.push(events[0].eventId);
    }
    // 10 and 20 by count; 25 by time, since the tree grew after the last one.
    const note = await until(async () => {
      const response = await get(api, '/checkpoint');
      return response.status === 200 && response.text.split('\n')[1] === '25' ? response : undefined;
    });
    expect(note.type).toMatch(/^text\/plain/);
    const keys = await get(api, '/v1/keys');
    expect(keys.type).toMatch(/^text\/plain/);
    const vkeys = keys.text.trim().split('\n');
    expect(vkeys).toHaveLength(1);
    const checkpoint = openCheckpoint(note.text, vkeys.map(noteVerifier), ORIGIN);
    expect(checkpoint.size).toBe(25);
  });

  const checksKeyFile = kind === 'sqlite';
  if (!checksKeyFile)
    console.log(
      `tamper evidence over HTTP on ${kind}: the signing key's file mode is skipped. The key is a file under LEDGER_DATA_DIR whatever the store; the sqlite run checks it.`,
    );
  (checksKeyFile ? it : it.skip)('keeps its generated signing key readable only by the service', () => {
    const keyFile = join(api.dataDir, 'keys', 'ledger.key');
    expect(existsSync(keyFile)).toBe(true);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(api.dataDir, 'keys', 'verifiers.txt'), 'utf8')).toMatch(
      new RegExp(`^${ORIGIN.replace('.', '\\.')}\\+`),
    );
  });

  it('serves an inclusion proof for an event that verifies against the signed checkpoint it names', async () => {
    const vkeys = (await get(api, '/v1/keys')).text.trim().split('\n').map(noteVerifier);
    for (const [index, treeSize] of [
      [0, undefined],
      [17, undefined],
      [3, 10],
      [19, 20],
    ] as const) {
      const response = await get(
        api,
        `/v1/proofs/inclusion?eventId=${eventIds[index]}${treeSize ? `&treeSize=${treeSize}` : ''}`,
      );
      expect(response.status).toBe(200);
      const body = response.json();
      expect(body).toMatchObject({
        eventId: eventIds[index],
        leafIndex: index,
        treeSize: treeSize ?? 25,
        position: expect.stringMatching(/^\d+$/),
      });
      const checkpoint = openCheckpoint(body.checkpoint, vkeys, ORIGIN);
      expect(checkpoint.size).toBe(body.treeSize);
      verifyInclusion({
        leafIndex: body.leafIndex,
        treeSize: checkpoint.size,
        leafHash: eventLeafHash(body.eventHash),
        proof: body.proof.map(fromBase64),
        root: checkpoint.rootHash,
      });
      const [stored] = await api.store.findByEventIds([eventIds[index]]);
      expect(body.eventHash).toBe(stored.integrity.hash);
    }
  });

  it('serves a consistency proof between two checkpoints that verifies against both signed roots', async () => {
    const vkeys = (await get(api, '/v1/keys')).text.trim().split('\n').map(noteVerifier);
    const response = await get(api, '/v1/proofs/consistency?from=10&to=20');
    expect(response.status).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ from: 10, to: 20 });
    verifyConsistency({
      oldSize: 10,
      newSize: 20,
      oldRoot: openCheckpoint(body.fromCheckpoint, vkeys, ORIGIN).rootHash,
      newRoot: openCheckpoint(body.toCheckpoint, vkeys, ORIGIN).rootHash,
      proof: body.proof.map(fromBase64),
    });
    expect((await get(api, '/v1/proofs/consistency?from=10')).json()).toMatchObject({ from: 10, to: 25 });
  });

  it.each([
    [
      '/v1/proofs/inclusion?eventId=not-a-uuid',
      400,
      'VALIDATION_FAILED',
      'eventId',
      'eventId must be the UUID of a ledger event',
    ],
    [
      `/v1/proofs/inclusion?eventId=${randomUUID()}&treeSize=-3`,
      400,
      'VALIDATION_FAILED',
      'treeSize',
      'treeSize must be a whole number from 1',
    ],
    [
      `/v1/proofs/inclusion?eventId=${randomUUID()}&treeSize=ten`,
      400,
      'VALIDATION_FAILED',
      'treeSize',
      'treeSize must be a whole number from 1',
    ],
    [
      `/v1/proofs/inclusion?eventId=${randomUUID()}`,
      404,
      'UNKNOWN_EVENT',
      'eventId',
      'no sealed event has eventId',
    ],
    ['/v1/proofs/consistency', 400, 'VALIDATION_FAILED', 'from', 'from must be a whole number from 1'],
    [
      '/v1/proofs/consistency?from=20&to=10',
      400,
      'INVALID_RANGE',
      'from',
      'from (20) must not exceed to (10)',
    ],
    [
      '/v1/proofs/consistency?from=7&to=20',
      404,
      'NO_CHECKPOINT',
      'from',
      'there is no signed checkpoint of tree size 7',
    ],
  ])('refuses %s with %i naming the parameter and the rule', async (path, status, code, field, message) => {
    const response = await get(api, path);
    expect(response.status).toBe(status);
    expect(response.json().error).toMatchObject({ code, field, message: expect.stringContaining(message) });
  });

  it('refuses an inclusion proof for a checkpoint that predates the event', async () => {
    const response = await get(api, `/v1/proofs/inclusion?eventId=${eventIds[15]}&treeSize=10`);
    expect(response.status).toBe(404);
    expect(response.json().error).toMatchObject({
      code: 'NOT_IN_CHECKPOINT',
      field: 'treeSize',
      message: expect.stringContaining('is leaf 15, after the checkpoint of tree size 10'),
    });
  });

  it('reports the sealer and its lag beside the projections in /health/ready and /metrics', async () => {
    const health = (await get(api, '/health/ready')).json();
    expect(health.status).toBe('ready');
    expect(health.projections).toContainEqual(
      expect.objectContaining({ name: 'merkle_log', lagEvents: 0, lagSeconds: 0, running: true }),
    );
    const metrics = (await get(api, '/metrics')).text;
    expect(metrics).toMatch(/ledger_projection_lag_events\{projection="merkle_log"\} 0/);
    expect(metrics).toMatch(/ledger_projection_lag_seconds\{projection="merkle_log"\} 0/);
  });
});

describe('witnesses and shutdown', () => {
  it('hands every checkpoint to a file witness, and signs the last sealed events on shutdown', async () => {
    const witnessDir = mkdtempSync(join(tmpdir(), 'ledger-witness-'));
    const latest = join(witnessDir, 'latest.checkpoint');
    const api = await startTestApi('sqlite', {
      LEDGER_CHECKPOINT_EVERY_EVENTS: '5',
      LEDGER_CHECKPOINT_EVERY_MS: '60000',
      LEDGER_WITNESSES: latest,
    });
    try {
      for (let i = 0; i < 12; i++) await api.store.append('witnessed', [newEvent({ i })], 'any');
      await until(async () => (existsSync(join(witnessDir, '10.checkpoint')) ? true : undefined));
      expect(readFileSync(join(witnessDir, '5.checkpoint'), 'utf8').split('\n')[1]).toBe('5');
      await until(async () =>
        (await get(api, '/health/ready'))
          .json()
          .projections.find((p: { name: string }) => p.name === 'merkle_log')?.lagEvents === 0
          ? true
          : undefined,
      );
      expect((await get(api, '/checkpoint')).text).toBe(readFileSync(latest, 'utf8'));
    } finally {
      await api.close();
    }
    try {
      expect(readFileSync(latest, 'utf8').split('\n')[1]).toBe('12');
      expect(readFileSync(join(witnessDir, '12.checkpoint'), 'utf8')).toBe(readFileSync(latest, 'utf8'));
    } finally {
      rmSync(witnessDir, { recursive: true, force: true });
    }
  });

  it('counts on /metrics each witness that cannot be reached or holds a contradicting checkpoint, naming no credentials', async () => {
    // A port that was just free and is closed again: nothing answers there.
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const unreachable = `http://witness:s3cret@127.0.0.1:${closedPort}/add-checkpoint?token=t0ken`;
    const witnessDir = mkdtempSync(join(tmpdir(), 'ledger-witness-'));
    const latest = join(witnessDir, 'latest.checkpoint');
    // What a witness of another history of the same size would hold.
    writeFileSync(join(witnessDir, '5.checkpoint'), 'e2e.example/ledger\n5\nAAAA\n\n— forged\n');
    const api = await startTestApi('sqlite', {
      LEDGER_ORIGIN: ORIGIN,
      LEDGER_CHECKPOINT_EVERY_EVENTS: '5',
      LEDGER_CHECKPOINT_EVERY_MS: '60000',
      LEDGER_WITNESSES: `${unreachable},${latest}`,
    });
    const http = `witness="http://127.0.0.1:${closedPort}/add-checkpoint"`;
    const file = `witness="${latest}"`;
    const value = (metrics: string, series: string) =>
      Number(
        metrics
          .split('\n')
          .find((line) => line.startsWith(`${series} `))
          ?.slice(series.length + 1),
      );
    try {
      const before = (await get(api, '/metrics')).text;
      for (const witness of [http, file]) {
        expect(value(before, `ledger_witness_failures_total{${witness},reason="unreachable"}`)).toBe(0);
        expect(value(before, `ledger_witness_failures_total{${witness},reason="conflict"}`)).toBe(0);
        expect(value(before, `ledger_witness_queue_checkpoints{${witness}}`)).toBe(0);
      }

      for (let i = 0; i < 5; i++) await api.store.append('witnessed', [newEvent({ i })], 'any');
      const after = await until(async () => {
        const metrics = (await get(api, '/metrics')).text;
        const settled =
          value(metrics, `ledger_witness_failures_total{${http},reason="unreachable"}`) >= 1 &&
          value(metrics, `ledger_witness_failures_total{${file},reason="conflict"}`) === 1;
        return settled ? metrics : undefined;
      });
      // The unreachable witness keeps the checkpoint to retry; the conflicting one dropped it (retrying cannot help).
      expect(value(after, `ledger_witness_queue_checkpoints{${http}}`)).toBe(1);
      expect(value(after, `ledger_witness_failures_total{${http},reason="conflict"}`)).toBe(0);
      expect(value(after, `ledger_witness_queue_checkpoints{${file}}`)).toBe(0);
      expect(value(after, `ledger_witness_failures_total{${file},reason="unreachable"}`)).toBe(0);
      expect(after).not.toMatch(/s3cret|t0ken/);
    } finally {
      await api.close();
      rmSync(witnessDir, { recursive: true, force: true });
    }
  });
});
