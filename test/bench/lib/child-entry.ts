/**
 * Entry point of every measurement child: loads the named module, runs the
 * named export with the JSON parameters, and reports its figures with the
 * process's peak RSS over IPC.
 */
import type { ChildMessage } from './child';

/** Handed to long-lived children: `ready` tells the parent to start its load, `stopRequested` resolves when it is done. */
export interface Lifecycle {
  ready(detail: unknown): void;
  stopRequested: Promise<void>;
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, undefined, undefined, (error) => (error ? reject(error) : resolve())));
}

async function main(): Promise<void> {
  const [module, fn, params] = process.argv.slice(2);
  const stopRequested = new Promise<void>((resolve) => process.on('message', (m) => m === 'stop' && resolve()));
  const lifecycle: Lifecycle = { ready: (detail) => void send({ kind: 'ready', detail }), stopRequested };
  const exports = require(module) as Record<string, (params: unknown, lifecycle: Lifecycle) => Promise<unknown>>;
  const figures = await exports[fn](JSON.parse(params), lifecycle);
  // maxRSS is in kilobytes: the kernel's high-water mark of this process's resident set.
  await send({ kind: 'result', figures, peakRssMb: process.resourceUsage().maxRSS / 1024 });
}

main()
  .catch(async (error: unknown) => {
    await send({ kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }).catch(() => undefined);
    process.exitCode = 1;
  })
  // Drivers and servers may hold handles open; the figures are already sent.
  .finally(() => process.exit());
