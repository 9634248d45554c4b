const NOT_READY = Symbol('not ready');

export interface BatchOptions {
  /** Most items in one batch. */
  maxSize: number;
  /**
   * How long a batch waits for more items once it has one. 0 hands a batch on
   * as soon as the next item is not immediately available. A few milliseconds
   * turn a live trickle into a few transactions per second instead of one per event.
   */
  lingerMs?: number;
  /**
   * Longest wait of a batch's first item, whatever the source does: a source
   * that resolves entirely in microtasks (better-sqlite3 under promises, fed by
   * a tight loop) never lets the "not immediately available" check fire.
   */
  maxDelayMs?: number;
}

/**
 * Groups an async stream into batches without waiting for a batch to fill:
 * a batch is handed on when it holds `maxSize` items, or once the next item
 * is not available within the linger time. Catching up on a backlog then
 * commits large batches (few transactions), while a live trickle is applied
 * within a few milliseconds.
 */
export async function* batches<T>(source: AsyncIterable<T>, options: BatchOptions): AsyncGenerator<T[]> {
  const { maxSize, lingerMs = 0, maxDelayMs = Math.max(50, lingerMs) } = options;
  if (!Number.isSafeInteger(maxSize) || maxSize < 1) throw new RangeError(`maxSize must be a whole number of 1 or more, got ${maxSize}`);
  const iterator = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | undefined;
  let batch: T[] = [];
  let startedAt = 0;
  try {
    for (;;) {
      pending ??= iterator.next();
      // With an empty batch there is nothing to hand on, so wait for the source.
      const result = batch.length === 0 ? await pending : await Promise.race([pending, notReadyAfter(startedAt + lingerMs - Date.now())]);
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
      if (batch.length === 0) startedAt = Date.now();
      batch.push(result.value);
      if (batch.length >= maxSize || Date.now() - startedAt >= maxDelayMs) {
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

/** After `ms`, or once pending I/O callbacks ran when the linger is over: anything already buffered upstream wins the race. */
function notReadyAfter(ms: number): Promise<typeof NOT_READY> {
  return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms, NOT_READY) : setImmediate(resolve, NOT_READY)));
}
