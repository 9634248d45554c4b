import { openAppender, type Db, type Subject } from '../../lib/appenders';
import { progress } from '../../lib/progress';
import { withTarget } from '../../lib/targets';
import { accessBatch, timeBoxed, type Window } from '../../lib/workload';

export interface AppendCell {
  subject: Subject;
  db: Db;
  batch: number;
  window: Window;
  dataDir: string;
}

/** One subject appending batches of one size, one after another, to a fresh store. Runs in its own child. */
export async function appendCell(cell: AppendCell): Promise<{ events: number; seconds: number; eventsPerSecond: number }> {
  return withTarget(cell.db, cell.dataDir, async (target) => {
    const appender = await openAppender(cell.subject, target);
    try {
      let n = 0;
      const result = await timeBoxed(async () => {
        await appender.append(accessBatch(cell.batch, n));
        n += cell.batch;
        return cell.batch;
      }, cell.window);
      progress(`append ${cell.db} ${cell.subject} batch=${cell.batch}: ${Math.round(result.eventsPerSecond)} events/s`);
      return result;
    } finally {
      await appender.close();
    }
  });
}
