import { batches } from './batches';

async function* fromPages<T>(pages: T[][], pauseMs: number): AsyncGenerator<T> {
  for (const page of pages) {
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    for (const item of page) yield item;
  }
}

async function collectBatches<T>(source: AsyncIterable<T>, maxSize: number): Promise<T[][]> {
  const out: T[][] = [];
  for await (const batch of batches(source, maxSize)) out.push(batch);
  return out;
}

describe('batches', () => {
  it('hands on what is buffered as soon as the source has to wait', async () => {
    expect(await collectBatches(fromPages([[1, 2, 3], [4], [5, 6]], 5), 100)).toEqual([[1, 2, 3], [4], [5, 6]]);
  });

  it('never exceeds the maximum size', async () => {
    expect(await collectBatches(fromPages([[1, 2, 3, 4, 5, 6, 7]], 1), 3)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('closes the source when the consumer stops early', async () => {
    let closed = false;
    async function* source() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    for await (const batch of batches(source(), 2)) {
      expect(batch).toEqual([0, 1]);
      break;
    }
    expect(closed).toBe(true);
  });

  it('refuses a batch size below one', async () => {
    await expect(collectBatches(fromPages([[1]], 1), 0)).rejects.toThrow('maxSize must be a whole number of 1 or more, got 0');
  });
});
