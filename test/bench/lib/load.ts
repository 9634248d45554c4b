import { BENCH_DIR } from './build';

/** The part of autocannon's options and result this bench uses; the package ships no types. */
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  requests: Array<{
    method: 'POST';
    path: string;
    headers: Record<string, string>;
    setupRequest: (request: { body?: string }) => { body?: string };
  }>;
}
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p99: number };
}
type Autocannon = (options: AutocannonOptions) => Promise<AutocannonResult>;

export interface LoadResult {
  /** Requests answered 2xx. */
  ok: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Drives POST requests over `connections` keep-alive connections for a fixed
 * time; `body()` builds each request's body, so each can carry fresh event
 * ids. A request that is not answered 2xx makes the run worthless as a
 * measurement, so it fails, naming the statuses.
 */
export async function postLoad(
  url: string,
  path: string,
  options: { connections: number; seconds: number; headers: Record<string, string>; body: () => string },
): Promise<LoadResult> {
  // Loaded here, after the runner has installed test/bench's own packages.
  const autocannon = require(require.resolve('autocannon', { paths: [BENCH_DIR] })) as Autocannon;
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    requests: [
      {
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', ...options.headers },
        setupRequest: (request) => ({ ...request, body: options.body() }),
      },
    ],
  });
  if (result.non2xx + result.errors + result.timeouts > 0) {
    const statuses = Object.entries(result.statusCodeStats).map(
      ([status, { count }]) => `${count}× ${status}`,
    );
    throw new Error(
      `POST ${path}: ${[...statuses, `${result.errors} connection errors`, `${result.timeouts} timeouts`].join(', ')}`,
    );
  }
  return {
    ok: result['2xx'],
    seconds: result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}
