/**
 * Child process for batches.int.spec: heap growth while batching a long backlog
 * from a source that never pauses. A process of its own, so that nothing else
 * a test run leaves going in jest's worker counts against the measurement.
 * Prints one JSON line: { seen, growth }.
 */
import { batches } from '../runner/batches';

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  // better-sqlite3 under promises: every item resolves in microtasks, no I/O turn ever comes.
  async function* backlog() {
    for (let i = 0; i < 300_000; i++) yield [i];
  }
  let baseline = 0;
  let growth = 0;
  let seen = 0;
  for await (const batch of batches(backlog(), { maxSize: 1000 })) {
    seen += batch.length;
    if (seen === 10_000) {
      gc();
      baseline = process.memoryUsage().heapUsed;
    } else if (seen === 300_000) {
      // Growth at the end, not the peak on the way: a leak grows with every item and is all still here,
      // while a busy machine's transient peaks (late background compilation, a slow GC) are gone by then.
      gc();
      growth = process.memoryUsage().heapUsed - baseline;
    }
  }
  process.stdout.write(`${JSON.stringify({ seen, growth })}\n`);
}

void main();
