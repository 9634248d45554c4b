/**
 * Entry point of every measurement child: loads the named module, runs the
 * named export with the JSON parameters, and reports its figures with the
 * process's peak RSS over IPC.
 */
import type { ChildMessage, ParentMessage } from './child';

/** Handed to long-lived children (see Children.service). */
export interface Lifecycle {
  /** Tells the parent the child is set up; its detail (a URL, say) reaches the parent. */
  ready(detail?: unknown): void;
  /** Answers the parent's requests, one at a time, until the parent asks the child to stop. */
  serve(handler: (body: unknown) => Promise<unknown>): Promise<void>;
}

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send!(message, undefined, undefined, (error) => (error ? reject(error) : resolve())),
  );
}

function lifecycle(): Lifecycle {
  let handler: (body: unknown) => Promise<unknown> = async () => undefined;
  const stopped = new Promise<void>((resolve) =>
    process.on('message', (message: ParentMessage) => {
      if (message.kind === 'stop') return resolve();
      handler(message.body).then(
        (body) => send({ kind: 'reply', id: message.id, body }),
        (error: unknown) => fail(error),
      );
    }),
  );
  return {
    ready: (detail) => void send({ kind: 'ready', detail }),
    serve(answer) {
      handler = answer;
      return stopped;
    },
  };
}

async function fail(error: unknown): Promise<never> {
  await send({
    kind: 'failed',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  }).catch(() => undefined);
  process.exit(1);
}

async function main(): Promise<void> {
  const [module, fn, params] = process.argv.slice(2);
  const exports = require(module) as Record<
    string,
    (params: unknown, lifecycle: Lifecycle) => Promise<unknown>
  >;
  const figures = await exports[fn](JSON.parse(params), lifecycle());
  // maxRSS is in kilobytes: the kernel's high-water mark of this process's resident set.
  await send({ kind: 'result', figures, peakRssMb: process.resourceUsage().maxRSS / 1024 });
  // Drivers and servers may hold handles open; the figures are already sent.
  process.exit(0);
}

main().catch(fail);
