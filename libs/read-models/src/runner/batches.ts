const NOT_READY = Symbol('not ready');

/**
 * Groups an async stream into batches without waiting for a batch to fill:
 * a batch is handed on when it holds `maxSize` items, or as soon as the next
 * item is not immediately available. Catching up on a backlog then commits
 * large batches (few transactions), while a live trickle is applied one event
 * at a time with no added latency.
 */
export async function* batches<T>(source: AsyncIterable<T>, maxSize: number): AsyncGenerator<T[]> {
  if (!Number.isSafeInteger(maxSize) || maxSize < 1) throw new RangeError(`maxSize must be a whole number of 1 or more, got ${maxSize}`);
  const iterator = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | undefined;
  let batch: T[] = [];
  try {
    for (;;) {
      pending ??= iterator.next();
      // With an empty batch there is nothing to hand on, so wait for the source.
      const result = batch.length === 0 ? await pending : await Promise.race([pending, nextTurn()]);
      if (result === NOT_READY) {
        yield batch;
        batch = [];
        continue;
      }
      pending = undefined;
      if (result.done) {
        if (batch.length > 0) yield batch;
        return;
      }
      batch.push(result.value);
      if (batch.length >= maxSize) {
        yield batch;
        batch = [];
      }
    }
  } finally {
    // The consumer stopped early. A read still in flight finishes first (a
    // subscription settles as soon as its signal aborts); waiting for it means
    // nothing touches the store after the consumer has let go of it.
    pending?.catch(() => undefined);
    await iterator.return?.();
  }
}

/** Resolves after pending I/O callbacks: anything already buffered upstream wins the race. */
function nextTurn(): Promise<typeof NOT_READY> {
  return new Promise((resolve) => setImmediate(resolve, NOT_READY));
}
