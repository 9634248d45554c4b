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
 * Groups an async stream of pages into batches without waiting for a batch
 * to fill: a batch is handed on when it holds `maxSize` items (a page that
 * does not fit is split), or as soon as the next page is not immediately
 * available. Catching up on a backlog then commits large batches (few
 * transactions) at full speed; a live trickle is gathered upstream, by the
 * subscription's linger, into reads of many events at once. The check for
 * the next page is made once per page, not once per item: under ingest every
 * projection and the sealer batch every event, and a check per item was most
 * of what following the log cost them per event.
 */
export async function* batches<T>(
  source: AsyncIterable<readonly T[]>,
  options: BatchOptions,
): AsyncGenerator<T[]> {
  const { maxSize, maxDelayMs = 50 } = options;
  if (!Number.isSafeInteger(maxSize) || maxSize < 1)
    throw new RangeError(`maxSize must be a whole number of 1 or more, got ${maxSize}`);
  const iterator = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<readonly T[]>> | undefined;
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
      for (let from = 0; from < result.value.length;) {
        if (batch.length === 0) startedAt = Date.now();
        const to = Math.min(result.value.length, from + maxSize - batch.length);
        for (let i = from; i < to; i++) batch.push(result.value[i]);
        from = to;
        if (batch.length >= maxSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0 && Date.now() - startedAt >= maxDelayMs) {
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

// Enough for a page buffered upstream to arrive through a few layers of async
// generators; a page that needs a query, I/O or a timer takes longer.
const MICROTASK_TURNS = 50;

/**
 * Whether the next page is immediately available: it settles within a few
 * microtask turns. Racing a macrotask (setImmediate) per page instead would
 * leave one callback and one promise behind per page for as long as the
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
