import { BENCH_DIR } from './build';

/** The part of autocannon's options and result this bench uses; the package ships no types. */
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  /** Requests per second over all connections; unset, as fast as answers come. */
  overallRate?: number;
  requests: Array<{
    method: 'POST';
    path: string;
    headers: Record<string, string>;
    setupRequest?: (request: { body?: string }) => { body?: string };
    body?: string;
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
function loadAutocannon(): Autocannon {
  // Loaded here, after the runner has installed test/bench's own packages.
  return require(require.resolve('autocannon', { paths: [BENCH_DIR] })) as Autocannon;
}

export async function postLoad(
  url: string,
  path: string,
  options: { connections: number; seconds: number; headers: Record<string, string>; body: () => string },
): Promise<LoadResult> {
  const result = await loadAutocannon()({
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

/**
 * POSTs the same body without credentials, `rate` requests a second for a
 * fixed time: a caller with no token hammering the ingest route. Every answer
 * is a refusal; how many of each status is the result.
 */
export async function unauthenticatedFlood(
  url: string,
  path: string,
  options: { connections: number; seconds: number; rate: number },
): Promise<{ sent: number; statuses: Record<string, number> }> {
  const result = await loadAutocannon()({
    url,
    connections: options.connections,
    duration: options.seconds,
    overallRate: options.rate,
    requests: [{ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: '{}' }],
  });
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count]),
  );
  return { sent: Object.values(statuses).reduce((sum, n) => sum + n, 0), statuses };
}
