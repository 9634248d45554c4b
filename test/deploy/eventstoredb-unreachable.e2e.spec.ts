import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createH2cServer, type Http2Server } from 'node:http2';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, LineReader, spawnTs } from '../support/child-process';

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A stand-in gRPC endpoint, NOT EventStoreDB: cleartext HTTP/2 that answers
 * every streaming read with "OK, no events" (what a server with an empty log
 * answers) and anything else with UNIMPLEMENTED. It shows the service reaching
 * the address once it answers, over the client's own gRPC, without a restart.
 */
function standInGrpcEndpoint(seen: string[]): Http2Server {
  return createH2cServer((request, response) => {
    const path = String(request.headers[':path']);
    seen.push(path);
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/grpc' });
      response.addTrailers({
        'grpc-status': path === '/event_store.client.streams.Streams/Read' ? '0' : '12',
      });
      response.end();
    });
  });
}

async function ready(url: string): Promise<{
  status: number;
  body: { status: string; store: { kind: string; reachable: boolean; reason?: string } };
}> {
  const response = await fetch(`${url}/health/ready`);
  return { status: response.status, body: (await response.json()) as never };
}

describe('LEDGER_STORE=eventstoredb with nothing listening at the connection string', () => {
  let dataDir: string;
  let child: ChildProcessWithoutNullStreams | undefined;
  let endpoint: Http2Server | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'ledger-esdb-down-'));
  });
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    await new Promise((resolve) => (endpoint ? endpoint.close(resolve) : resolve(undefined)));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts, answers /health/ready 503 naming the refused address, stays up, and turns ready once the address answers', async () => {
    const port = await closedPort();
    child = spawnTs('apps/ledger-api/src/main.ts', [], {
      PORT: '0',
      LOG_LEVEL: 'info',
      LEDGER_DATA_DIR: dataDir,
      LEDGER_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: `esdb://127.0.0.1:${port}?tls=false`,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const line = await new LineReader(child)
      .waitFor((l) => l.includes('"ledger-api listening"'), 60_000)
      .catch((error: Error) => {
        throw new Error(`${error.message}\nstderr: ${stderr}`);
      });
    const url = (JSON.parse(line) as { url: string }).url.replace('[::1]', '127.0.0.1');

    const down = await ready(url);
    process.stdout.write(`while refused: ${JSON.stringify(down.body)}\n`);
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('not_ready');
    expect(down.body.store).toMatchObject({ kind: 'eventstoredb', reachable: false });
    expect(down.body.store.reason).toMatch(
      new RegExp(`^EventStoreDB at 127\\.0\\.0\\.1:${port} is not reachable: .*ECONNREFUSED`),
    );

    // Several seconds of refusals: still the same process, still answering, still not ready.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 500));
      expect((await ready(url)).status).toBe(503);
    }
    expect(child.exitCode).toBeNull();

    const seen: string[] = [];
    endpoint = standInGrpcEndpoint(seen);
    await new Promise<void>((resolve) => endpoint!.listen(port, '127.0.0.1', resolve));
    let up = await ready(url);
    for (
      const started = Date.now();
      up.status !== 200 && Date.now() - started < 20_000;
      up = await ready(url)
    )
      await new Promise((r) => setTimeout(r, 250));
    expect(up).toMatchObject({
      status: 200,
      body: { status: 'ready', store: { kind: 'eventstoredb', reachable: true } },
    });
    expect(seen).toContain('/event_store.client.streams.Streams/Read');
    expect(child.exitCode).toBeNull();

    child.kill('SIGTERM');
    expect(await exited(child)).toEqual({ code: 0, signal: null });
  }, 120_000);
});
