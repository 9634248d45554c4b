import type { MonitoringComputation } from '../ai-system/commands';
import { durationMs } from '../shared/time';

/** A window of a computed plan: outputs whose occurredAt is in [from, to). */
export interface MonitoringWindow {
  from: string;
  to: string;
}

/**
 * The windows of a plan that are due at `now`, oldest first, at most `limit`:
 * windows end on whole multiples of the cadence since the Unix epoch (UTC
 * midnights for P1D), one after another from the first that ends after
 * `after` (the last window computed, or the earliest output), and each is due
 * once its settle time has passed. Pure: the caller brings the clock.
 */
export function dueWindows(
  plan: { cadence: string; computation: Pick<MonitoringComputation, 'window' | 'settle'> },
  after: number,
  now: number,
  limit: number,
): MonitoringWindow[] {
  const cadence = durationMs(plan.cadence);
  const length = durationMs(plan.computation.window);
  const settle = plan.computation.settle === undefined ? 0 : durationMs(plan.computation.settle);
  const windows: MonitoringWindow[] = [];
  for (
    let end = (Math.floor(after / cadence) + 1) * cadence;
    windows.length < limit && end + settle <= now;
    end += cadence
  )
    windows.push({ from: new Date(end - length).toISOString(), to: new Date(end).toISOString() });
  return windows;
}
