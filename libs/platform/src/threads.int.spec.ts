import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startThread, stopThreads } from './threads';

/** A thread's module: TypeScript here, as every worker module is under jest (see startThread). */
function threadModule(dir: string, name: string, source: string): string {
  writeFileSync(join(dir, `${name}.ts`), source);
  return join(dir, name);
}

function failure(module: string, options = {}): Promise<Error> {
  return new Promise((resolve) => startThread(module, 'the test thread', resolve, options));
}

describe('threads started by startThread', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'threads-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the module beside the caller, TypeScript compiled on load, with the data it was given', async () => {
    const echo = threadModule(
      dir,
      'echo',
      "import { parentPort, workerData } from 'node:worker_threads';\n" +
        'const doubled: number = (workerData as { n: number }).n * 2;\n' +
        'parentPort!.postMessage(doubled);\n',
    );
    const failures: Error[] = [];
    const worker = startThread(echo, 'the test thread', (error) => failures.push(error), {
      workerData: { n: 21 },
    });
    const answer = await new Promise((resolve) => worker.once('message', resolve));
    await stopThreads([worker]);
    expect(answer).toBe(42);
    // Stopped on purpose: its exit is not a failure.
    expect(failures).toEqual([]);
  });

  it('reports an error thrown in the thread', async () => {
    const thrower = threadModule(dir, 'thrower', "throw new Error('the thread broke');\n");
    expect((await failure(thrower)).message).toBe('the thread broke');
  });

  it('reports a thread that exits before it is stopped, naming it and its code', async () => {
    const exiter = threadModule(dir, 'exiter', 'process.exit(3);\n');
    expect((await failure(exiter)).message).toBe('the test thread exited with code 3');
  });

  it('reports a thread that outgrows its heap limit', async () => {
    const grower = threadModule(
      dir,
      'grower',
      'const kept: number[][] = [];\nfor (;;) kept.push(new Array(1e6).fill(1));\n',
    );
    const error = await failure(grower, { resourceLimits: { maxOldGenerationSizeMb: 16 } });
    expect(error.message).toMatch(/memory limit/);
  });
});
