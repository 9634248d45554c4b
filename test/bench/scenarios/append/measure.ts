import { openAppender, type Subject, type Target } from '../../lib/appenders';
import type { Lifecycle } from '../../lib/child-entry';
import { accessBatch, runFor } from '../../lib/workload';

export interface AppendSubject {
  subject: Subject;
  /** A fresh, empty store, made by the parent (see freshPlace). */
  target: Target;
  batch: number;
  warmupMs: number;
}

/** A request from the parent: append for this long, then answer with what was appended. */
export interface Slice {
  ms: number;
}

/**
 * One subject appending batches of one size, one after another, to a fresh
 * store, in slices the parent asks for: the parent alternates the subjects of
 * a comparison slice by slice, so all of them see the same moments of the
 * machine, and each still runs in its own process.
 */
export async function appendSubject(
  params: AppendSubject,
  lifecycle: Lifecycle,
): Promise<{ events: number; seconds: number; eventsPerSecond: number }> {
  const appender = await openAppender(params.subject, params.target);
  try {
    let n = 0;
    const step = async () => {
      await appender.append(accessBatch(params.batch, n));
      n += params.batch;
      return params.batch;
    };
    // JIT, statement caches and the first pages of a fresh file, before any slice counts.
    await runFor(step, params.warmupMs);
    lifecycle.ready();
    let events = 0;
    let seconds = 0;
    await lifecycle.serve(async (body) => {
      const slice = await runFor(step, (body as Slice).ms);
      events += slice.events;
      seconds += slice.seconds;
      return slice;
    });
    return { events, seconds, eventsPerSecond: events / seconds };
  } finally {
    await appender.close();
  }
}
