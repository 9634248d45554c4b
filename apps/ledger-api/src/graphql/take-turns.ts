import { setImmediate as nextTurn } from 'node:timers/promises';

const queues = new WeakMap<object, Promise<unknown>>();

/**
 * Runs one request's expensive items (a proof for each event of a page) one
 * after another, each after a turn of the event loop. better-sqlite3 answers
 * in microtasks, so a page of proofs started together would otherwise run to
 * the end without letting any other request in: health checks, ingest and
 * other callers' queries are now served between two items.
 */
export function takeTurn<T>(request: object, work: () => Promise<T>): Promise<T> {
  const turn = (queues.get(request) ?? Promise.resolve()).then(() => nextTurn()).then(work);
  queues.set(
    request,
    turn.catch(() => undefined),
  );
  return turn;
}
