import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './build';

export interface Measured<T> {
  figures: T;
  /** The child's peak resident set (VmHWM), so each figure comes with the memory it took. */
  peakRssMb: number;
}

/** What a child sends its parent over IPC. */
export type ChildMessage = { kind: 'ready'; detail: unknown } | { kind: 'result'; figures: unknown; peakRssMb: number } | { kind: 'failed'; message: string };

type Fn = (params: never) => Promise<unknown>;

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
  run<M extends Record<K, Fn>, K extends keyof M & string>(module: string, fn: K, params: Parameters<M[K]>[0]): Promise<Measured<Awaited<ReturnType<M[K]>>>> {
    const child = this.spawn(module, fn, params);
    return new Promise((resolve, reject) => {
      let settled: ChildMessage | undefined;
      child.on('message', (message: ChildMessage) => (settled = message));
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        if (settled?.kind === 'result') resolve({ figures: settled.figures as Awaited<ReturnType<M[K]>>, peakRssMb: settled.peakRssMb });
        else reject(new Error(settled?.kind === 'failed' ? settled.message : `${fn} exited with ${signal ?? code} before reporting`));
      });
    });
  }

  /**
   * A long-lived child (the API server): resolves once it reports `ready`;
   * `stop()` asks it to finish and resolves with its figures and peak RSS.
   */
  async service<R, T>(module: string, fn: string, params: unknown): Promise<Service<R, T>> {
    const child = this.spawn(module, fn, params);
    const messages: ChildMessage[] = [];
    let wake = () => {};
    child.on('message', (message: ChildMessage) => (messages.push(message), wake()));
    child.once('exit', () => wake());
    const next = async (kind: 'ready' | 'result'): Promise<unknown> => {
      for (;;) {
        const found = messages.find((m) => m.kind === kind || m.kind === 'failed');
        if (found?.kind === 'failed') throw new Error(found.message);
        if (found?.kind === 'ready') return found.detail;
        if (found?.kind === 'result') return found;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${fn} exited with ${child.signalCode ?? child.exitCode} before reporting ${kind}`);
        await new Promise<void>((resolve) => (wake = resolve));
      }
    };
    const ready = (await next('ready')) as R;
    return {
      ready,
      async stop() {
        child.send('stop');
        const result = (await next('result')) as Extract<ChildMessage, { kind: 'result' }>;
        return { figures: result.figures as T, peakRssMb: result.peakRssMb };
      },
    };
  }

  private spawn(module: string, fn: string, params: unknown): ChildProcess {
    const child = fork(join(this.buildDir, 'test/bench/lib/child-entry.js'), [join(this.buildDir, 'test/bench', `${module}.js`), fn, JSON.stringify(params)], {
      cwd: REPO_ROOT,
      execArgv: this.nodeOptions,
      // The API logs to stdout; keep the parent's stdout for the table alone.
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    child.stdout?.pipe(process.stderr, { end: false });
    return child;
  }
}

export interface Service<R, T> {
  ready: R;
  stop(): Promise<Measured<T>>;
}
