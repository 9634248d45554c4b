import { openConcurrentWriters } from '../../lib/appenders';
import type { Lifecycle } from '../../lib/child-entry';
import { accessBatch } from '../../lib/workload';

export interface WritersSubject {
  subject: 'ledger' | 'raw';
  /** A fresh, empty PostgreSQL database, made by the parent. */
  url: string;
  writers: number;
  warmupMs: number;
}

/** A request from the parent: every writer appends for this long. */
export interface Slice {
  ms: number;
}

export interface WritersFigures {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** The value below which `fraction` of the sorted samples fall (nearest rank). */
function percentile(sorted: Float64Array, fraction: number): number {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

/**
 * Many writers at once, each appending one event at a time to its own
 * stream, back to back: each append is timed from call to acknowledgement.
 * Like the append scenario, the parent alternates subjects slice by slice.
 */
export async function writersSubject(params: WritersSubject, lifecycle: Lifecycle): Promise<WritersFigures> {
  const { writers, close } = await openConcurrentWriters(params.subject, params.url, params.writers);
  try {
    let n = 0;
    const run = async (ms: number, latencies?: number[]) => {
      const start = performance.now();
      const end = start + ms;
      let events = 0;
      await Promise.all(
        writers.map(async (writer) => {
          while (performance.now() < end) {
            const batch = accessBatch(1, n++);
            const began = performance.now();
            await writer.append(batch);
            latencies?.push(performance.now() - began);
            events++;
          }
        }),
      );
      return { events, seconds: (performance.now() - start) / 1000 };
    };
    await run(params.warmupMs);
    lifecycle.ready();
    const latencies: number[] = [];
    let events = 0;
    let seconds = 0;
    await lifecycle.serve(async (body) => {
      const slice = await run((body as Slice).ms, latencies);
      events += slice.events;
      seconds += slice.seconds;
      return slice;
    });
    const sorted = Float64Array.from(latencies).sort();
    return {
      events,
      seconds,
      eventsPerSecond: events / seconds,
      p50Ms: percentile(sorted, 0.5),
      p99Ms: percentile(sorted, 0.99),
    };
  } finally {
    await close();
  }
}
