import { parseCheckpoint } from '@ledger/integrity';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunnerLogger } from '@ledger/read-store';

/**
 * A place outside the database that keeps a copy of every checkpoint, so an
 * administrator who rewrites the database cannot rewrite what was witnessed.
 */
export interface WitnessTarget {
  /** For logs: a path, or a URL without credentials or query. */
  readonly label: string;
  publish(note: string, treeSize: number): Promise<void>;
}

/** The witness holds something that contradicts this checkpoint; sending it again cannot help. */
export class WitnessConflictError extends Error {}

/**
 * A file witness: the latest checkpoint at `file` (replaced atomically, only
 * ever by a larger tree), and every checkpoint beside it as
 * `<tree size>.checkpoint`, written once. `govledger verify --against <file>`
 * reads either.
 */
export function fileWitness(file: string): WitnessTarget {
  const directory = dirname(file);
  return {
    label: file,
    async publish(note, treeSize) {
      mkdirSync(directory, { recursive: true });
      const sized = join(directory, `${treeSize}.checkpoint`);
      try {
        writeFileSync(sized, note, { flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (readFileSync(sized, 'utf8') !== note) {
          throw new WitnessConflictError(
            `${sized} already holds a different checkpoint of tree size ${treeSize}: the log has signed two histories`,
          );
        }
      }
      if (treeSize <= witnessedSize(file)) return;
      const temporary = join(directory, `.${basename(file)}.${process.pid}.tmp`);
      writeFileSync(temporary, note);
      renameSync(temporary, file);
    },
  };
}

/** An HTTP witness: each checkpoint is POSTed as `text/plain`; any 2xx status accepts it. */
export function httpWitness(url: string, timeoutMs = 5000): WitnessTarget {
  const parsed = new URL(url);
  // fetch refuses a URL that holds credentials, in an error that spells them
  // out into the log: they go as Basic authentication instead.
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (parsed.username || parsed.password)
    headers.authorization = `Basic ${Buffer.from(
      `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`,
    ).toString('base64')}`;
  const label = `${parsed.origin}${parsed.pathname}`;
  parsed.username = '';
  parsed.password = '';
  const target = parsed.href;
  return {
    label,
    async publish(note) {
      const response = await fetch(target, {
        method: 'POST',
        headers,
        body: note,
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!response.ok) {
        const body = (await response.text().catch(() => '')).slice(0, 200);
        const reason = `the witness answered ${response.status}${body ? `: ${body}` : ''}`;
        // 409 is how witnesses say "this contradicts what I hold".
        throw response.status === 409 ? new WitnessConflictError(reason) : new Error(reason);
      }
    },
  };
}

/** `LEDGER_WITNESSES`: comma-separated file paths and http(s) URLs. */
export function parseWitnesses(list: string | undefined): WitnessTarget[] {
  return (list ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => (/^https?:\/\//i.test(entry) ? httpWitness(entry) : fileWitness(entry)));
}

function witnessedSize(file: string): number {
  try {
    return parseCheckpoint(readFileSync(file, 'utf8').split('\n\n')[0] + '\n').size;
  } catch {
    return -1;
  }
}

/** Where one witness stands, for metrics: counts since the process started. */
export interface WitnessStatus {
  /** The target's label: a path, or a URL without credentials or query. */
  readonly witness: string;
  /** Checkpoints waiting to be sent (the one being retried included). */
  readonly queued: number;
  /** Attempts that failed and will be retried: no connection, a timeout, a non-2xx answer other than 409, a file error. */
  readonly unreachable: number;
  /** Checkpoints the witness refused because they contradict what it holds; never retried. */
  readonly conflicts: number;
}

export interface WitnessPublisherOptions {
  logger?: RunnerLogger;
  /** Checkpoints kept per witness while it is unreachable; the oldest go first (a later one still proves the earlier). */
  maxQueued?: number;
  firstRetryMs?: number;
  maxRetryMs?: number;
}

/**
 * Sends checkpoints to every witness in the background. Sealing never waits
 * for a witness: a failure is logged and retried with backoff, in order, per witness.
 */
export class WitnessPublisher {
  private readonly queues: WitnessQueue[];

  constructor(targets: readonly WitnessTarget[], options: WitnessPublisherOptions = {}) {
    this.queues = targets.map((target) => new WitnessQueue(target, options));
  }

  /** One entry per configured witness, from the start: a witness that never failed reports zeros. */
  status(): WitnessStatus[] {
    return this.queues.map((q) => q.status());
  }

  publish(note: string, treeSize: number): void {
    for (const queue of this.queues) queue.push({ note, treeSize });
  }

  /** Resolves when every witness has taken every checkpoint so far (or given up on a conflicting one). */
  async idle(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.idle()));
  }

  stop(): void {
    for (const queue of this.queues) queue.stop();
  }
}

interface Pending {
  note: string;
  treeSize: number;
}

class WitnessQueue {
  private readonly items: Pending[] = [];
  private draining?: Promise<void>;
  private readonly stopping = new AbortController();
  private readonly logger?: RunnerLogger;
  private readonly maxQueued: number;
  private readonly firstRetryMs: number;
  private readonly maxRetryMs: number;
  private unreachable = 0;
  private conflicts = 0;

  constructor(
    readonly target: WitnessTarget,
    options: WitnessPublisherOptions,
  ) {
    this.logger = options.logger;
    this.maxQueued = options.maxQueued ?? 100;
    this.firstRetryMs = options.firstRetryMs ?? 1000;
    this.maxRetryMs = options.maxRetryMs ?? 60_000;
  }

  push(item: Pending): void {
    if (this.stopping.signal.aborted) return;
    this.items.push(item);
    if (this.items.length > this.maxQueued) this.items.shift();
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  idle(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  stop(): void {
    this.stopping.abort();
  }

  status(): WitnessStatus {
    return {
      witness: this.target.label,
      queued: this.items.length,
      unreachable: this.unreachable,
      conflicts: this.conflicts,
    };
  }

  private async drain(): Promise<void> {
    let failures = 0;
    while (this.items.length > 0 && !this.stopping.signal.aborted) {
      const item = this.items[0];
      try {
        await this.target.publish(item.note, item.treeSize);
        this.items.shift();
        failures = 0;
      } catch (error) {
        if (error instanceof WitnessConflictError) {
          this.conflicts++;
          this.logger?.error(
            { witness: this.target.label, treeSize: item.treeSize, err: error },
            'witness refused a checkpoint that contradicts what it holds',
          );
          this.items.shift();
          continue;
        }
        this.unreachable++;
        const retryInMs = Math.min(this.maxRetryMs, this.firstRetryMs * 2 ** failures++);
        this.logger?.warn(
          { witness: this.target.label, treeSize: item.treeSize, retryInMs, err: error },
          'could not send a checkpoint to a witness; will retry',
        );
        // A stop rejects the wait early; the loop then sees the aborted signal.
        await sleep(retryInMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
  }
}
