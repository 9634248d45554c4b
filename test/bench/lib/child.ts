import { fork, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './build';

export interface Measured<T> {
  figures: T;
  /** The child's peak resident set (VmHWM), so each figure comes with the memory it took. */
  peakRssMb: number;
}

/** What a child sends its parent over IPC. */
export type ChildMessage =
  | { kind: 'ready'; detail: unknown }
  | { kind: 'reply'; id: number; body: unknown }
  | { kind: 'result'; figures: unknown; peakRssMb: number }
  | { kind: 'failed'; message: string };

/** What a parent sends a long-lived child. */
export type ParentMessage = { kind: 'request'; id: number; body: unknown } | { kind: 'stop' };

type Fn = (params: never) => Promise<unknown>;

/** A long-lived child: ready once set up, answers requests one at a time, and reports its figures and peak RSS when stopped. */
export interface Service<R> {
  ready: R;
  request<T>(body: unknown): Promise<T>;
  stop<T>(): Promise<Measured<T>>;
}

/**
 * Children run the bench compiled ahead of time (see build.ts) on plain Node,
 * the way `npm start` runs the service: a compiler hook in the child would
 * add its own memory to the peak RSS being measured.
 */
export class Children {
  /** `nodeOptions` lets a run profile its children, e.g. ['--cpu-prof', '--cpu-prof-dir', dir]. */
  constructor(
    private readonly buildDir: string,
    private readonly nodeOptions: string[] = [],
  ) {}

  /**
   * Runs one exported function of a measurement module (a path under
   * test/bench, without extension) in a fresh Node process, so its peak RSS is
   * its own and one measurement's heap, caches or native handles cannot
   * flatter or burden the next.
   */
  async run<M extends Record<K, Fn>, K extends keyof M & string>(
    module: string,
    fn: K,
    params: Parameters<M[K]>[0],
  ): Promise<Measured<Awaited<ReturnType<M[K]>>>> {
    const mailbox = new Mailbox(this.spawn(module, fn, params), fn);
    const result = await mailbox.next('result');
    return { figures: result.figures as Awaited<ReturnType<M[K]>>, peakRssMb: result.peakRssMb };
  }

  /** Starts a long-lived child (an API server, a subject taking turns with others) and resolves once it is ready. */
  async service<R>(module: string, fn: string, params: unknown): Promise<Service<R>> {
    const child = this.spawn(module, fn, params);
    const mailbox = new Mailbox(child, fn);
    const ready = await mailbox.next('ready');
    let requests = 0;
    // A child that has already exited has nothing left to be asked; its mailbox reports how it ended.
    const send = (message: ParentMessage) => child.connected && child.send(message);
    return {
      ready: ready.detail as R,
      async request<T>(body: unknown) {
        const id = ++requests;
        send({ kind: 'request', id, body });
        return (await mailbox.next('reply', id)).body as T;
      },
      async stop<T>() {
        send({ kind: 'stop' });
        const result = await mailbox.next('result');
        return { figures: result.figures as T, peakRssMb: result.peakRssMb };
      },
    };
  }

  /**
   * Runs a program of the repository (a path under the build, without
   * extension) as its own process with `args` and `env`, as a user would run
   * it: wall-clock time from spawn to exit, and its peak RSS.
   */
  command(
    script: string,
    args: string[],
    env: NodeJS.ProcessEnv,
  ): Promise<Measured<{ code: number | null; stdout: string; stderr: string; seconds: number }>> {
    const start = performance.now();
    const child = spawn(
      process.execPath,
      [
        ...this.nodeOptions,
        '-r',
        join(this.buildDir, 'test/bench/lib/peak-rss.js'),
        join(this.buildDir, `${script}.js`),
        ...args,
      ],
      {
        cwd: REPO_ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      },
    );
    const output = child.stdio.slice(1).map((stream) => {
      const chunks: Buffer[] = [];
      stream?.on('data', (chunk: Buffer) => chunks.push(chunk));
      return () => Buffer.concat(chunks).toString('utf8');
    });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => {
        const [stdout, stderr, rss] = output.map((read) => read());
        resolve({
          figures: { code, stdout, stderr, seconds: (performance.now() - start) / 1000 },
          peakRssMb: Number(rss) / 1024,
        });
      });
    });
  }

  private spawn(module: string, fn: string, params: unknown): ChildProcess {
    const child = fork(
      join(this.buildDir, 'test/bench/lib/child-entry.js'),
      [join(this.buildDir, 'test/bench', `${module}.js`), fn, JSON.stringify(params)],
      {
        cwd: REPO_ROOT,
        execArgv: this.nodeOptions,
        // The API logs to stdout; keep the parent's stdout for the table alone.
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      },
    );
    child.stdout?.pipe(process.stderr, { end: false });
    return child;
  }
}

/** The messages a child has sent, awaited by kind; a failure or an early exit rejects every wait. */
class Mailbox {
  private readonly messages: ChildMessage[] = [];
  private closed = false;
  private wake = () => {};

  constructor(
    private readonly child: ChildProcess,
    private readonly name: string,
  ) {
    child.on('message', (message: ChildMessage) => (this.messages.push(message), this.wake()));
    // 'close' comes after the IPC channel has delivered everything, unlike 'exit'.
    child.once('close', () => ((this.closed = true), this.wake()));
  }

  async next<K extends ChildMessage['kind']>(
    kind: K,
    id?: number,
  ): Promise<Extract<ChildMessage, { kind: K }>> {
    for (;;) {
      const failed = this.messages.find((m) => m.kind === 'failed');
      if (failed?.kind === 'failed') throw new Error(`${this.name}: ${failed.message}`);
      const index = this.messages.findIndex(
        (m) => m.kind === kind && (id === undefined || (m.kind === 'reply' && m.id === id)),
      );
      if (index >= 0) return this.messages.splice(index, 1)[0] as Extract<ChildMessage, { kind: K }>;
      if (this.closed)
        throw new Error(
          `${this.name} exited with ${this.child.signalCode ?? this.child.exitCode} before answering`,
        );
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
