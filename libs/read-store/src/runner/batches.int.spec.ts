import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../../test/support/child-process';
import { batches } from './batches';

async function* fromPages<T>(pages: T[][], pauseMs: number): AsyncGenerator<T[]> {
  for (const page of pages) {
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    yield page;
  }
}

async function collectBatches<T>(source: AsyncIterable<T[]>, maxSize: number): Promise<T[][]> {
  const out: T[][] = [];
  for await (const batch of batches(source, { maxSize })) out.push(batch);
  return out;
}

describe('batches', () => {
  it('hands on what is buffered as soon as the source has to wait', async () => {
    expect(await collectBatches(fromPages([[1, 2, 3], [4], [5, 6]], 5), 100)).toEqual([
      [1, 2, 3],
      [4],
      [5, 6],
    ]);
  });

  it('never exceeds the maximum size, splitting a page that does not fit', async () => {
    expect(await collectBatches(fromPages([[1, 2, 3, 4, 5, 6, 7]], 1), 3)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7],
    ]);
  });

  it('joins pages that are available at once, up to the maximum size', async () => {
    async function* atOnce() {
      yield [1, 2];
      yield [3, 4];
      yield [5, 6];
      await new Promise((resolve) => setTimeout(resolve, 5));
      yield [7];
    }
    expect(await collectBatches(atOnce(), 5)).toEqual([[1, 2, 3, 4, 5], [6], [7]]);
  });

  it('hands on a batch once its first item has waited the maximum delay, even from a source that never pauses', async () => {
    let clock = 0;
    const realNow = Date.now;
    Date.now = () => clock;
    try {
      async function* busy() {
        for (let i = 0; i < 10; i++) {
          clock += 10;
          yield [i];
        }
      }
      const sizes = (await collectBatches(busy(), 100)).map((b) => b.length);
      expect(sizes.every((size) => size <= 6)).toBe(true);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
    } finally {
      Date.now = realNow;
    }
  });

  it('keeps memory flat over a long backlog from a source that never pauses', () => {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '-r', '@swc-node/register', join(__dirname, '../testing/batches-backlog-child.ts')],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    expect(child.stderr).toBe('');
    const { seen, growth } = JSON.parse(child.stdout) as { seen: number; growth: number };
    expect(seen).toBe(300_000);
    expect(growth).toBeLessThan(8 * 1024 * 1024);
  });

  it('closes the source when the consumer stops early', async () => {
    let closed = false;
    async function* source() {
      try {
        for (let i = 0; ; i++) yield [i];
      } finally {
        closed = true;
      }
    }
    for await (const batch of batches(source(), { maxSize: 2 })) {
      expect(batch).toEqual([0, 1]);
      break;
    }
    expect(closed).toBe(true);
  });

  it('refuses a batch size below one', async () => {
    await expect(collectBatches(fromPages([[1]], 1), 0)).rejects.toThrow(
      'maxSize must be a whole number of 1 or more, got 0',
    );
  });
});
