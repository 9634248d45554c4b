export interface BatchOptions {
  /** Most items in one batch. */
  maxSize: number;
  /**
   * Longest wait of a batch's first item, whatever the source does: a source
   * that resolves entirely in microtasks (better-sqlite3 under promises, fed by
   * a tight loop) never lets the "not immediately available" check fire.
   */
  maxDelayMs?: number;
}

/**
 * Groups an async stream into batches without waiting for a batch to fill:
 * a batch is handed on when it holds `maxSize` items, or as soon as the next
 * item is not immediately available. Catching up on a backlog then commits
 * large batches (few transactions) at full speed; a live trickle is gathered
 * upstream, by the subscription's linger, into reads of many events at once.
 */
export async function* batches<T>(source: AsyncIterable<T>, options: BatchOptions): AsyncGenerator<T[]> {
  const { maxSize, maxDelayMs = 50 } = options;
  if (!Number.isSafeInteger(maxSize) || maxSize < 1)
    throw new RangeError(`maxSize must be a whole number of 1 or more, got ${maxSize}`);
  const iterator = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | undefined;
  let batch: T[] = [];
  let startedAt = 0;
  try {
    for (;;) {
      pending ??= iterator.next();
      // With an empty batch there is nothing to hand on, so wait for the source.
      if (batch.length > 0 && !(await settlesSoon(pending))) {
        yield batch;
        batch = [];
        continue;
      }
      const result = await pending;
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

// Enough for an item buffered upstream (a page already read) to arrive through
// a few layers of async generators; an item that needs a query, I/O or a timer takes longer.
const MICROTASK_TURNS = 50;

/**
 * Whether the next item is immediately available: it settles within a few
 * microtask turns. Racing a macrotask (setImmediate) per item instead would
 * leave one callback and one promise behind per item for as long as the
 * source never yields to I/O (better-sqlite3 under promises does not while
 * catching up): a million-event backlog would fill the heap.
 */
async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let turn = 0; turn < MICROTASK_TURNS && !settled; turn++) await undefined;
  return settled;
}
