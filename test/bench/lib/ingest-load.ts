import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Children } from './child';
import { bearerToken } from './cli';
import { postLoad } from './load';
import { progress } from './progress';
import type { ApiReady } from './serve-api';
import { EMITTER, ingestItem } from './workload';

export interface IngestLoad {
  connections: number;
  itemsPerRequest: number;
  warmupSeconds: number;
  seconds: number;
}

export interface IngestFigures {
  eventsPerSecond: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  peakRssMb: number;
  /** The service's CPU per stored event, warm-up included: what the machine's load moves least. */
  cpuMicrosPerEvent: number;
}

/**
 * POSTs batches of fresh DataAccessed items to /v1/events of the service
 * running in a child, first to warm it up, then for the measured window.
 * Every event the service acknowledged must be in its store afterwards.
 */
export async function ingestLoad(
  children: Children,
  dataDir: string,
  load: IngestLoad,
): Promise<IngestFigures> {
  const dir = mkdtempSync(join(dataDir, 'api-'));
  try {
    return await measureIngest(children, dir, load);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measureIngest(children: Children, dataDir: string, load: IngestLoad): Promise<IngestFigures> {
  const api = await children.service<ApiReady>('lib/serve-api', 'serveApi', { dataDir });
  let warmup, measured;
  try {
    const headers = {
      authorization: `Bearer ${await bearerToken(children, dataDir, 'emitter', EMITTER, ['--event-types', 'DataAccessed'])}`,
    };
    let n = 0;
    const body = () =>
      JSON.stringify({ events: Array.from({ length: load.itemsPerRequest }, () => ingestItem(n++)) });
    const drive = (seconds: number) =>
      postLoad(api.ready.url, '/v1/events', { connections: load.connections, seconds, headers, body });
    warmup = await drive(load.warmupSeconds);
    measured = await drive(load.seconds);
  } catch (error) {
    await api.stop().catch(() => undefined);
    throw error;
  }
  const served = await api.stop<{ stored: number; cpuSeconds: number }>();
  const acknowledged = (warmup.ok + measured.ok) * load.itemsPerRequest;
  // Requests cut off when the load stops may still commit, so the stream may hold a few batches more, never fewer.
  const inFlight = 2 * load.connections * load.itemsPerRequest;
  if (served.figures.stored < acknowledged || served.figures.stored > acknowledged + inFlight)
    throw new Error(`the service acknowledged ${acknowledged} events but stored ${served.figures.stored}`);
  const figures = {
    eventsPerSecond: (measured.ok * load.itemsPerRequest) / measured.seconds,
    requestsPerSecond: measured.ok / measured.seconds,
    p50Ms: measured.p50Ms,
    p99Ms: measured.p99Ms,
    peakRssMb: served.peakRssMb,
    cpuMicrosPerEvent: (served.figures.cpuSeconds * 1e6) / served.figures.stored,
  };
  progress(
    `ingest ${load.connections} connections x ${load.itemsPerRequest} items: ${Math.round(figures.eventsPerSecond)} events/s, p99 ${figures.p99Ms} ms, ${Math.round(figures.cpuMicrosPerEvent)} µs CPU per event`,
  );
  return figures;
}
