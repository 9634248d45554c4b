import { extname } from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';

export interface ThreadOptions {
  workerData?: unknown;
  resourceLimits?: ResourceLimits;
}

/**
 * A worker thread running `module` (a path without its extension), and how it
 * can fail: an uncaught error in it, or an exit before stopThreads, go to
 * `onFailure` (a thread that dies unheard would leave its caller waiting).
 * An error is followed by the exit it causes: the first call is the cause.
 * The module is compiled JavaScript in a build. Under jest, whose hook does not
 * reach threads, or run from source, it is TypeScript compiled on load; the
 * loader is named by its path, so a CLI run from source in any directory finds it.
 */
export function startThread(
  module: string,
  what: string,
  onFailure: (error: Error) => void,
  options: ThreadOptions = {},
): Worker {
  // This file is built and run with its callers: .ts beside .ts, .js beside .js.
  const extension = extname(__filename);
  const worker = new Worker(`${module}${extension}`, {
    ...options,
    ...(extension === '.ts' ? { execArgv: ['--require', require.resolve('@swc-node/register')] } : {}),
  });
  worker.once('error', onFailure);
  worker.once('exit', (code) => onFailure(new Error(`${what} exited with code ${code}`)));
  return worker;
}

/** Ends threads from startThread; their exit is not a failure. */
export async function stopThreads(workers: readonly Worker[]): Promise<void> {
  await Promise.all(
    workers.map((worker) => {
      worker.removeAllListeners('exit');
      return worker.terminate();
    }),
  );
}
