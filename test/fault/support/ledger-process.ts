import { LocalIssuer } from '@ledger/auth';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { exited, spawnTs } from '../../support/child-process';

/** The settings a fault test gives the service; everything else is the service's own default. */
export interface LedgerEnv {
  LEDGER_DATA_DIR: string;
  LEDGER_STORE?: 'sqlite' | 'postgres';
  DATABASE_URL?: string;
}

/** The last lines a child wrote, for failure messages: enough to see why it died, bounded whatever it logs. */
class OutputTail {
  private text = '';

  constructor(child: ChildProcessWithoutNullStreams) {
    const keep = (chunk: Buffer) => (this.text = (this.text + chunk.toString('utf8')).slice(-8000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
  }

  toString(): string {
    return this.text;
  }
}

/**
 * A port outside the kernel's ephemeral range (32768-60999 here), so no
 * outgoing connection of this or a parallel test can take it while the
 * service is down between a SIGKILL and its restart, and every restart can
 * listen where the load generator already sends its requests.
 */
export async function reservedPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/**
 * The real service as its own process (see spawnTs), so SIGKILL hits a
 * process that owns its files and connections exactly as in production.
 */
export class LedgerProcess {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly tail: OutputTail,
    readonly url: string,
  ) {}

  static async start(env: LedgerEnv, port: number): Promise<LedgerProcess> {
    const child = spawnTs('apps/ledger-api/src/main.ts', [], {
      PORT: String(port),
      // Request logs at info would cost the 2-core machine more than the ingest they describe.
      LOG_LEVEL: 'warn',
      // One load generator posts far more than the per-principal abuse limit allows; the limit is not under test.
      LEDGER_RATE_LIMIT_PER_MINUTE: '100000000',
      // Checkpoints during the load, so a kill can land while the sealer signs one.
      LEDGER_CHECKPOINT_EVERY_MS: '200',
      LEDGER_CHECKPOINT_EVERY_EVENTS: '500',
      ...env,
    });
    const service = new LedgerProcess(child, new OutputTail(child), `http://127.0.0.1:${port}`);
    await service.waitReady();
    return service;
  }

  get output(): string {
    return this.tail.toString();
  }

  /** Ready means the store answered; the projections may still be catching up, as after any restart. */
  private async waitReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(
          `the service exited (${this.child.exitCode ?? this.child.signalCode}) before it was ready:\n${this.output}`,
        );
      const status = await fetch(`${this.url}/health/ready`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return;
      await sleep(100);
    }
    this.child.kill('SIGKILL');
    throw new Error(`the service was not ready within ${timeoutMs} ms:\n${this.output}`);
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    const { signal } = await exited(this.child);
    if (signal !== 'SIGKILL')
      throw new Error(`the service had already exited before the kill:\n${this.output}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited(this.child);
    clearTimeout(timer);
  }

  async ready(): Promise<{ status: number; body: ReadyBody }> {
    const response = await fetch(`${this.url}/health/ready`);
    return { status: response.status, body: (await response.json()) as ReadyBody };
  }

  /**
   * Waits until every projection and the sealer have applied the log up to
   * `head`, as /health/ready reports them. A projection that stopped on an
   * error fails the wait at once, naming it.
   */
  async caughtUp(head: bigint, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: ReadyBody | undefined;
    while (Date.now() < deadline) {
      last = (await this.ready()).body;
      const stopped = last.projections.find((p) => p.error);
      if (stopped) throw new Error(`projection ${stopped.name} stopped: ${stopped.error}`);
      if (last.projections.length > 0 && last.projections.every((p) => BigInt(p.position) >= head)) return;
      await sleep(100);
    }
    throw new Error(
      `projections did not reach position ${head} within ${timeoutMs} ms: ${JSON.stringify(last?.projections)}`,
    );
  }
}

export interface ReadyBody {
  status: string;
  store: { kind: string; reachable: boolean; reason?: string };
  projections: Array<{ name: string; position: string; lagEvents: number; running: boolean; error?: string }>;
}

/** Tokens from the service's local issuer, whose key exists once the service has started in this data directory. */
export async function tokens(dataDir: string): Promise<{ emitter: string; admin: string }> {
  const issuer = await LocalIssuer.open(join(dataDir, 'keys'), 'govledger-local', 'govledger');
  return {
    emitter: await issuer.issue({ id: 'ehr-gateway', role: 'emitter', tenantId: 'default' }, 1800),
    admin: await issuer.issue({ id: 'admin.grace', role: 'governance-admin', tenantId: 'default' }, 1800),
  };
}

/** `govledger verify` run as a user runs it, against the same environment as the service. */
export async function runVerify(
  env: LedgerEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnTs('apps/govledger-cli/src/main.ts', ['verify'], { ...env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-4000)));
  const { code } = await exited(child);
  return { code, stdout, stderr };
}

/** Prefixes a failure with the step it happened in and what the service last logged. */
export async function during<T>(label: string, service: LedgerProcess, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // Not `instanceof Error`: fetch's errors come from Node's realm, not the one jest gives the test.
    if (typeof (error as Error | undefined)?.message !== 'string') throw error;
    const { message, stack } = error as Error;
    const output = `\n--- service output ---\n${service.output}`;
    const wrapped = new Error(`${label}: ${message}${output}`);
    // Jest prints the stack, which must still show where the original failure was raised.
    wrapped.stack = `${label}: ${stack ?? message}${output}`;
    throw wrapped;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
