/**
 * The clinical-use scenario's measurements, each run in a child of its own
 * (see Children.run) so each peak RSS is that step's alone.
 */
import { computeWindow, positionsDigest, type ComputedMetric, type SubgroupDimension } from '@ledger/domain';
import { clinicalUseProjection, projectionConsumer, windowColumns, type ReadDb } from '@ledger/read-models';
import { openReadStore, ProjectionRunner } from '@ledger/read-store';
import { loadConfig, openEventStore } from '@ledger/runtime';
import { join } from 'node:path';
import { progress } from '../../lib/progress';
import { rate } from '../../lib/report';
import { serviceEnv } from '../../lib/service-env';
import { appends, FIRST_OUTPUT_AT, SYSTEM_ID, TENANT } from './workload';

export interface Rate {
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /** This process's CPU time (user and system) over the same span: steadier than the wall clock on a shared machine. */
  cpuSeconds: number;
}

const cpuSince = (start: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1e6;
};

/**
 * Every output, response and outcome appended through the EventStore port as
 * the ingest service appends an emitter's batch (one append of 500 to the
 * emitter's clinical-use stream, expected revision 'any'), into the
 * service's store with the service's durability (synchronous=FULL).
 */
export async function appendClinicalUse({
  dataDir,
  outputs,
}: {
  dataDir: string;
  outputs: number;
}): Promise<Rate> {
  const store = await openEventStore(loadConfig(serviceEnv(dataDir)));
  const started = performance.now();
  const cpu = process.cpuUsage();
  let events = 0;
  let reported = 0;
  try {
    for (const { stream, events: batch } of appends(outputs)) {
      await store.append(stream, batch, 'any');
      events += batch.length;
      if (events - reported >= 300_000) {
        reported = events;
        progress(
          `clinical-use: ${rate(events)} of ${rate(3 * outputs)} events appended (${rate(events / ((performance.now() - started) / 1000))} events/s)`,
        );
      }
    }
    const seconds = (performance.now() - started) / 1000;
    return { events, seconds, eventsPerSecond: events / seconds, cpuSeconds: cpuSince(cpu) };
  } finally {
    await store.close();
  }
}

/**
 * The clinical_use projection alone, from zero to the head, on its own runner
 * with the service's settings, into the service's read store (read.sqlite).
 */
export async function catchUpClinicalUse({ dataDir }: { dataDir: string }): Promise<Rate & { rows: number }> {
  const store = await openEventStore(loadConfig(serviceEnv(dataDir)));
  const readStore = await openReadStore({ kind: 'sqlite', sqliteFile: join(dataDir, 'read.sqlite') });
  try {
    const head = await store.headPosition();
    const runner = new ProjectionRunner({
      store,
      readStore,
      consumer: projectionConsumer(clinicalUseProjection as never),
    });
    const started = performance.now();
    const cpu = process.cpuUsage();
    await runner.start();
    try {
      const step = head / 10n || 1n;
      for (let target = step; target < head; target += step) {
        await runner.waitFor(target, 3_600_000);
        progress(
          `clinical-use: projection at ${rate(Number(target))} of ${rate(Number(head))} events (${rate(Number(target) / ((performance.now() - started) / 1000))} events/s)`,
        );
      }
      await runner.waitFor(head, 3_600_000);
    } finally {
      await runner.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = cpuSince(cpu);
    const db = readStore.db as ReadDb;
    const { rows } = await db
      .selectFrom('cu_outputs')
      .select((eb) => eb.fn.countAll<number>().as('rows'))
      .where('output_position', 'is not', null)
      .where('response_position', 'is not', null)
      .where('outcome_position', 'is not', null)
      .executeTakeFirstOrThrow();
    return {
      events: Number(head),
      seconds,
      eventsPerSecond: Number(head) / seconds,
      cpuSeconds,
      rows: Number(rows),
    };
  } finally {
    await readStore.close();
    await store.close();
  }
}

const METRICS: ComputedMetric[] = ['auroc', 'ece', 'calibration_slope', 'ppv'];
const SUBGROUPS: SubgroupDimension[] = ['ageBand', 'sex', 'site'];

export interface WindowFigures {
  from: string;
  to: string;
  outputs: number;
  readSeconds: number;
  computeSeconds: number;
  cpuSeconds: number;
  /** Values computed (overall and per band) across the metrics, and seconds per metric. */
  values: number;
  perMetric: Record<string, { seconds: number; values: number; overall?: number }>;
}

/**
 * One day's window as the monitoring worker computes it: the day's outputs of
 * the system read from cu_outputs with their latest response and outcome,
 * then each planned metric overall and per band of age, sex and site, each
 * value with the digest of the positions behind it, as a signal carries it.
 */
export async function computeDay({ dataDir, day }: { dataDir: string; day: number }): Promise<WindowFigures> {
  const readStore = await openReadStore({ kind: 'sqlite', sqliteFile: join(dataDir, 'read.sqlite') });
  try {
    const from = new Date(FIRST_OUTPUT_AT + day * 86_400_000).toISOString();
    const to = new Date(FIRST_OUTPUT_AT + (day + 1) * 86_400_000).toISOString();
    const cpu = process.cpuUsage();
    const readStarted = performance.now();
    // The outcome metrics' read, exactly as the monitoring worker makes it.
    const { records } = await windowColumns(
      readStore.db as ReadDb,
      TENANT,
      SYSTEM_ID,
      { from, to },
      {
        response: false,
        outcome: true,
      },
    );
    const readSeconds = (performance.now() - readStarted) / 1000;
    const perMetric: WindowFigures['perMetric'] = {};
    const computeStarted = performance.now();
    for (const metric of METRICS) {
      const started = performance.now();
      const values = computeWindow(
        { metric, minSamples: 100, positiveLabel: 'sepsis', subgroups: SUBGROUPS },
        records,
      ).map((v) => ({ ...v, digest: positionsDigest(v.positions) }));
      perMetric[metric] = {
        seconds: (performance.now() - started) / 1000,
        values: values.length,
        overall: values.find((v) => v.subgroup === undefined)?.value,
      };
    }
    const computeSeconds = (performance.now() - computeStarted) / 1000;
    return {
      from,
      to,
      outputs: records.length,
      readSeconds,
      computeSeconds,
      cpuSeconds: cpuSince(cpu),
      values: Object.values(perMetric).reduce((sum, m) => sum + m.values, 0),
      perMetric,
    };
  } finally {
    await readStore.close();
  }
}
