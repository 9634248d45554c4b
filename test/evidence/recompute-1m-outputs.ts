/*
 * What verify-bundle's signal recomputation costs at a busy model's scale:
 * 1,000,000 outputs (ten days at 100,000 a day) with a response each and an
 * outcome for nine in ten, fed as the verifier feeds them, then every daily
 * window of four metrics recomputed. Prints time and memory; asserts nothing.
 *
 *   node -r @swc-node/register test/evidence/recompute-1m-outputs.ts
 */
import { SignalRecomputation, type BundledEvent } from '../../libs/evidence/src/signal-recompute';
import { seeded } from '../support/clinical-use';

const SYSTEM = 'sepsis-predictor';
const DAYS = 10;
const PER_DAY = 100_000;
const START = Date.parse('2026-03-01T00:00:00Z');
const METRICS = ['auroc', 'ece', 'ppv', 'override_rate'];

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const random = seeded(1);
const recomputation = new SignalRecomputation({ systemId: SYSTEM });
let position = 0n;
const add = (type: string, data: Record<string, unknown>, at: number) =>
  recomputation.add({
    type,
    position: ++position,
    data,
    metadata: { occurredAt: new Date(at).toISOString() },
  } satisfies BundledEvent);

for (const metric of METRICS)
  add(
    'MonitoringPlanned',
    {
      systemId: SYSTEM,
      metric,
      threshold: 0.5,
      direction: 'min',
      cadence: 'P1D',
      computation: { window: 'P1D', minSamples: 20, positiveLabel: 'sepsis', subgroups: ['ageBand', 'sex'] },
    },
    START,
  );

const began = process.hrtime.bigint();
for (let i = 0; i < DAYS * PER_DAY; i++) {
  const at = START + Math.floor((i / PER_DAY) * 86_400_000);
  const outputId = `out-${i}`;
  const score = random();
  add(
    'AiOutputProduced',
    {
      outputId,
      systemId: SYSTEM,
      site: random() < 0.5 ? 'north' : 'south',
      score,
      alerted: score >= 0.5,
      ageBand: random() < 0.2 ? '80+' : '40-64',
      sex: random() < 0.5 ? 'female' : 'male',
    },
    at,
  );
  add('ClinicianResponseRecorded', { outputId, systemId: SYSTEM, response: 'accepted' }, at + 600_000);
  if (random() < 0.9)
    add(
      'OutcomeObserved',
      { outputId, systemId: SYSTEM, label: random() < score ? 'sepsis' : 'none' },
      at + 86_400_000,
    );
}
const through = position;
for (let day = 0; day < DAYS; day++)
  for (const metric of METRICS)
    add(
      'MonitoringSignalComputed',
      {
        systemId: SYSTEM,
        metric,
        value: 0,
        n: 1,
        window: {
          from: new Date(START + day * 86_400_000).toISOString(),
          to: new Date(START + (day + 1) * 86_400_000).toISOString(),
        },
        inputs: {
          throughPosition: through.toString(),
          count: 1,
          firstPosition: '1',
          lastPosition: '1',
          positionsSha256: '0'.repeat(64),
        },
        checkpoint: { treeSize: 1, rootHash: 'AAAA' },
      },
      START + (day + 2) * 86_400_000,
    );
const fed = process.hrtime.bigint();
const memory = process.memoryUsage();
const outcome = recomputation.finish();
const done = process.hrtime.bigint();
console.log(
  [
    `${position} events fed in ${(Number(fed - began) / 1e9).toFixed(1)} s; held: heap ${mb(memory.heapUsed)}, typed arrays ${mb(memory.arrayBuffers)}, RSS ${mb(memory.rss)}`,
    `${outcome.signals} signals (${DAYS} daily windows of ${PER_DAY} outputs × ${METRICS.length} metrics) recomputed in ${(Number(done - fed) / 1e9).toFixed(1)} s; peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`,
  ].join('\n'),
);
