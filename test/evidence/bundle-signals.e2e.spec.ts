import { streamNames, tenantStream } from '@ledger/domain';
import { BUNDLE_FILES, verifyBundle, type BundleManifest } from '@ledger/evidence';
import type { NewEvent } from '@ledger/event-store';
import { canonicalJson, openValues } from '@ledger/integrity';
import { randomUUID } from 'node:crypto';
import { createWriteStream, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import {
  clinicalUse,
  computedSignals,
  plannedData,
  type PlannedComputation,
  type PositionedEvent,
} from '../support/clinical-use';
import { collect } from '../support/events';
import type { TestApi } from '../support/ledger-api';
import { govledger, ledgerEnv, offlineEnv, scratchDir, seededLedger } from './evidence-fixture';

/*
 * Acceptance 4 of issue 16: verify-bundle recomputes the computed signals
 * from the bundle's own events, and a bundle whose OutcomeObserved was
 * altered fails. Until the ingest route and the computing worker land, the
 * clinical use and the signals are appended through the EventStore port of
 * the running service, the signals computed with the domain's computeWindow
 * over the stored positions and a checkpoint the service's sealer signed.
 */

const SYSTEM = 'sepsis-predictor';
const EMITTER = 'sepsis-service';
const DAY = 86_400_000;
const START = '2026-03-02T00:00:00.000Z';
const at = (days: number) => new Date(Date.parse(START) + days * DAY).toISOString();

const PLANS: PlannedComputation[] = [
  {
    metric: 'auroc',
    threshold: 0.75,
    direction: 'min',
    window: 'P1D',
    minSamples: 20,
    positiveLabel: 'sepsis',
    subgroups: ['ageBand'],
  },
  { metric: 'ece', threshold: 0.1, direction: 'max', window: 'P1D', minSamples: 20, positiveLabel: 'sepsis' },
  { metric: 'ppv', threshold: 0.3, direction: 'min', window: 'P1D', minSamples: 10, positiveLabel: 'sepsis' },
  {
    metric: 'override_rate',
    threshold: 0.4,
    direction: 'max',
    window: 'P1D',
    minSamples: 10,
    subgroups: ['sex'],
  },
];

type Members = Array<[string, Buffer]>;

async function readMembers(file: string): Promise<Members> {
  const found: Members = [];
  const archive = extract();
  Readable.from(readFileSync(file)).pipe(createGunzip()).pipe(archive);
  for await (const entry of archive)
    found.push([entry.header.name, Buffer.concat(await collect(entry as AsyncIterable<Buffer>))]);
  return found;
}

async function writeMembers(file: string, members: Members): Promise<void> {
  const archive = pack();
  const written = pipeline(archive, createGzip(), createWriteStream(file));
  for (const [name, content] of members) archive.entry({ name }, content);
  archive.finalize();
  await written;
}

type CarriedValues = Record<string, { salt: string; value: unknown }>;

/** The lines of a v2 events.jsonl: each event's hashed form beside its position, leaf index and hash, and the values it carries. */
const linesOf = (members: Members) =>
  members
    .find(([n]) => n === BUNDLE_FILES.events)![1]
    .toString()
    .split('\n')
    .filter(Boolean)
    .map(
      (line) =>
        JSON.parse(line) as {
          position: string;
          leafIndex: number;
          hash: string;
          event: Record<string, any>;
          values?: CarriedValues;
        },
    );

/** The events as the ledger reads them: each opened with the values its line carries. */
const eventsOf = (members: Members) =>
  linesOf(members).map(({ event, values }) =>
    openValues(
      event as Record<string, any> & { data: Record<string, any>; metadata: Record<string, any> },
      Object.fromEntries(
        Object.entries(values ?? {}).map(([pointer, { salt, value }]) => [
          pointer,
          { kind: 'text' as const, salt, value },
        ]),
      ),
    ),
  );

/** The bundle with one event of events.jsonl rewritten, still canonical JSON: only what it says has changed. */
async function withEventChanged(
  members: Members,
  file: string,
  change: (event: Record<string, any>, position: string) => boolean,
): Promise<number> {
  const lines = linesOf(members);
  const line = lines.findIndex((l) => change(l.event, l.position));
  const text = lines
    .map(
      (l) =>
        `{"position":"${l.position}","leafIndex":${l.leafIndex},"hash":"${l.hash}","event":${canonicalJson(l.event)}${l.values ? `,"values":${canonicalJson(l.values)}` : ''}}\n`,
    )
    .join('');
  await writeMembers(
    file,
    members.map(([n, c]) => [n, n === BUNDLE_FILES.events ? Buffer.from(text) : c]),
  );
  return line + 1;
}

function newEvent(type: string, data: Record<string, unknown>, occurredAt: string, source: string): NewEvent {
  return {
    eventId: randomUUID(),
    type,
    schemaVersion: type === 'MonitoringPlanned' ? 2 : 1,
    data,
    metadata: {
      tenantId: 'default',
      actor: { id: `svc.${source}`, role: 'emitter' },
      source,
      occurredAt,
      correlationId: randomUUID(),
      causationId: randomUUID(),
    },
  };
}

/** The latest signed checkpoint once it covers every event stored so far (one leaf each). */
async function checkpointCovering(api: TestApi): Promise<{ treeSize: number; rootHash: string }> {
  const stored = (await collect(api.store.readAll())).length;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const [, size, root] = (await (await fetch(`${api.url}/checkpoint`)).text()).split('\n');
    if (Number(size) >= stored) return { treeSize: Number(size), rootHash: root };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no checkpoint covered the ${stored} events stored within 30 s`);
}

describe.each(['sqlite', 'postgres'] as const)(
  'evidence bundle on %s: computed signals are recomputed from the bundled outputs, responses and outcomes',
  (store) => {
    const dir = scratchDir();
    const full = join(dir, 'full.tar.gz');
    const cut = join(dir, 'cut.tar.gz');
    let vkey: string;
    let signals: PositionedEvent[] = [];
    let outputEventId: string;
    let original: Members;

    beforeAll(async () => {
      const { api } = await seededLedger(store, 20);
      try {
        vkey = (await (await fetch(`${api.url}/v1/keys`)).text()).trim();
        const systemStream = tenantStream('default', streamNames.aiSystem(SYSTEM));
        const clinicalStream = tenantStream('default', streamNames.clinicalUse(EMITTER));
        const stored: PositionedEvent[] = [];
        const append = async (stream: string, events: NewEvent[]) => {
          const result = await api.store.append(stream, events, 'any');
          result.events.forEach((e, i) =>
            stored.push({
              type: events[i].type,
              position: e.position,
              data: events[i].data as Record<string, unknown>,
              occurredAt: events[i].metadata.occurredAt,
            }),
          );
          return result;
        };
        await append(
          systemStream,
          PLANS.map((plan) => newEvent('MonitoringPlanned', plannedData(SYSTEM, plan), at(-1), 'governance')),
        );
        // Three days of use, with another system's use under the same output ids in the same emitter's stream.
        const mine = clinicalUse({ systemId: SYSTEM, start: START, days: 3, perDay: 200, seed: 16 });
        const theirs = clinicalUse({ systemId: 'other-system', start: START, days: 3, perDay: 20, seed: 61 });
        const items = mine.flatMap((item, i) =>
          i % 10 === 0 && theirs[i / 10] ? [item, theirs[i / 10]] : [item],
        );
        // One outcome recorded before its output: late and out-of-order arrival is joined, not dropped.
        const early = items.findIndex((i) => i.type === 'OutcomeObserved' && i.data.systemId === SYSTEM);
        const [outcome] = items.splice(early, 1);
        items.splice(
          items.findIndex((i) => i.type === 'AiOutputProduced' && i.data.outputId === outcome.data.outputId),
          0,
          outcome,
        );
        for (let i = 0; i < items.length; i += 200) {
          const batch = items.slice(i, i + 200);
          const result = await append(
            clinicalStream,
            batch.map((item) => newEvent(item.type, item.data, item.occurredAt, EMITTER)),
          );
          outputEventId ??= result.events[0].eventId;
        }
        const flagged = mine.find((i) => i.type === 'AiOutputProduced')!;
        await append(clinicalStream, [
          newEvent(
            'AiOutputFlagged',
            {
              outputId: flagged.data.outputId,
              systemId: SYSTEM,
              finding: 'VERSION_MISMATCH',
              modelVersion: '2.1.0',
              liveVersion: '2.0.0',
              systemStatus: 'deployed',
              outputOccurredAt: flagged.occurredAt,
              outputEventId,
              sourceService: 'ledger',
            },
            flagged.occurredAt,
            EMITTER,
          ),
        ]);

        // The worker's part: each day's window, computed a day after it ends, read up to the head, under a signed checkpoint.
        const through = await api.store.headPosition();
        const checkpoint = await checkpointCovering(api);
        for (let day = 0; day < 3; day++) {
          const window = { from: at(day), to: at(day + 1) };
          const data = PLANS.flatMap((plan) =>
            computedSignals({ systemId: SYSTEM, plan, events: stored, window, through, checkpoint }),
          );
          const before = stored.length;
          await append(
            systemStream,
            data.map((d) => newEvent('MonitoringSignalComputed', d, at(day + 2), 'monitoring')),
          );
          signals = [...signals, ...stored.slice(before)];
        }
        // A correction recorded after the signals read: it must not change what they are recomputed from.
        await append(clinicalStream, [
          newEvent(
            'OutcomeObserved',
            { ...outcome.data, label: outcome.data.label === 'sepsis' ? 'no-sepsis' : 'sepsis' },
            at(5),
            EMITTER,
          ),
        ]);

        for (const [out, period] of [
          [full, []],
          [cut, ['--from', at(3), '--to', at(5)]],
        ] as const) {
          const run = await govledger(
            ['export', '--system', SYSTEM, '--out', out, '--actor', 'ops.olga', ...period],
            {
              ...ledgerEnv(api),
              ...(api.databaseUrl ? { LEDGER_STORE: 'postgres', DATABASE_URL: api.databaseUrl } : {}),
            },
          );
          if (run.code !== 0) throw new Error(`export failed: ${run.stderr}`);
        }
      } finally {
        await api.close();
      }
      original = await readMembers(full);
    }, 240_000);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('holds the system’s outputs, responses, outcomes and findings, and none of another system’s', () => {
      const events = eventsOf(original);
      const manifest = JSON.parse(original[0][1].toString()) as BundleManifest;
      expect(manifest.counts.clinicalUse).toEqual({
        outputs: 600,
        responses: 600,
        outcomes: events.filter((e) => e.type === 'OutcomeObserved').length,
        findings: 1,
        computedSignals: signals.length,
      });
      expect(events.filter((e) => e.type === 'OutcomeObserved').length).toBeGreaterThan(500);
      expect(events.filter((e) => e.data.systemId === 'other-system')).toEqual([]);
      // Pseudonymised as stored: the output carries the keyed pseudonym, never a raw identifier.
      const output = events.find((e) => e.type === 'AiOutputProduced')!;
      expect(output.data.patientPseudonym).toMatch(/^[0-9a-f]{64}$/);
      const report = original.find(([n]) => n === BUNDLE_FILES.report)![1].toString();
      expect(report).toContain('Computed by the ledger from recorded outputs, responses and outcomes');
      expect(report).toContain('Recorded by hand (method: manual)');
      expect(report).toContain('VERSION_MISMATCH');
    });

    it('an intact bundle passes, every computed signal recomputed and matched, offline through the CLI too', async () => {
      const result = await verifyBundle(full, [vkey]);
      expect(result).toMatchObject({ ok: true });
      const summary = (result as Extract<typeof result, { ok: true }>).summary;
      console.log(
        `verify-bundle recomputed ${summary.signals.recomputed} of ${summary.signals.computed} computed signals`,
      );
      expect(signals.length).toBeGreaterThan(PLANS.length * 3);
      expect(summary.signals).toEqual({ computed: signals.length, recomputed: signals.length });

      const run = await govledger(['verify-bundle', full, '--trusted-key', vkey], offlineEnv());
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        `  ${signals.length} computed signals recomputed from the bundled outputs, responses and outcomes: each matches its value, n, inputs and checkpoint\n`,
      );
    });

    it('a bundle cut to a period brings the inputs of its signals along, and recomputes them', async () => {
      const members = await readMembers(cut);
      const manifest = JSON.parse(members[0][1].toString()) as BundleManifest;
      expect(manifest.scope.signalInputs).toEqual([
        expect.objectContaining({ firstPosition: expect.stringMatching(/^\d+$/) }),
      ]);
      const inPeriod = signals.filter((s) => s.occurredAt >= at(3) && s.occurredAt < at(5));
      // The outputs of day 1, read by the signals recorded on day 3, occurred before the period.
      expect(
        eventsOf(members).some((e) => e.type === 'AiOutputProduced' && e.metadata.occurredAt < at(3)),
      ).toBe(true);
      const result = await verifyBundle(cut, [vkey]);
      expect(result).toMatchObject({ ok: true });
      expect((result as Extract<typeof result, { ok: true }>).summary.signals).toEqual({
        computed: inPeriod.length,
        recomputed: inPeriod.length,
      });
    });

    it('a bundle whose OutcomeObserved was altered fails: the altered event and every signal it changes are reported', async () => {
      const tampered = join(dir, 'outcome.tar.gz');
      const signal = signals.find((s) => s.data.metric === 'auroc' && !s.data.subgroup)!;
      const window = signal.data.window as { from: string; to: string };
      const outputs = new Set(
        eventsOf(original)
          .filter(
            (e) =>
              e.type === 'AiOutputProduced' &&
              e.metadata.occurredAt >= window.from &&
              e.metadata.occurredAt < window.to,
          )
          .map((e) => e.data.outputId),
      );
      const line = await withEventChanged(original, tampered, (e) => {
        if (e.type !== 'OutcomeObserved' || !outputs.has(e.data.outputId)) return false;
        e.data.label = e.data.label === 'sepsis' ? 'no-sepsis' : 'sepsis';
        return true;
      });
      const result = await verifyBundle(tampered, [vkey]);
      expect(result.ok).toBe(false);
      const failures = (result as Extract<typeof result, { ok: false }>).failures;
      expect(failures[0]).toEqual({
        file: 'events.jsonl',
        message: expect.stringMatching(
          new RegExp(`^line ${line}: event .* hashes to [0-9a-f]{64}, not its recorded`),
        ),
      });
      expect(failures).toContainEqual({
        file: 'events.jsonl',
        message: expect.stringMatching(
          new RegExp(
            `^computed signal auroc over \\[${window.from}, ${window.to}\\) at position ${signal.position}: value [0-9.e-]+ recorded, [0-9.e-]+ recomputed`,
          ),
        ),
      });
      expect(failures).toContainEqual({
        file: 'events.jsonl',
        message: expect.stringContaining('is not the'),
      });

      const run = await govledger(['verify-bundle', tampered, '--trusted-key', vkey], offlineEnv());
      expect(run.code).toBe(1);
      const lines = run.stdout.split('\n').filter(Boolean);
      expect(lines[0]).toMatch(new RegExp(`^FAIL: events\\.jsonl: line ${line}: event `));
      expect(lines).toContainEqual(
        expect.stringMatching(/^FAIL: events\.jsonl: computed signal auroc over /),
      );
      expect(lines.at(-1)).toMatch(
        /^ {2}\d+ of \d+ computed signals recomputed from the bundled events and matched$/,
      );
    });

    it('a signal whose stored value was altered fails, naming it and both values', async () => {
      const tampered = join(dir, 'value.tar.gz');
      const signal = signals.find((s) => s.data.metric === 'ppv')!;
      const recorded = signal.data.value as number;
      await withEventChanged(original, tampered, (e, position) => {
        if (position !== signal.position.toString()) return false;
        e.data.value = recorded + 0.05;
        return true;
      });
      const result = await verifyBundle(tampered, [vkey]);
      const failures = (result as Extract<typeof result, { ok: false }>).failures;
      expect(failures).toContainEqual({
        file: 'events.jsonl',
        message: `${`computed signal ppv over [${(signal.data.window as { from: string }).from}, ${(signal.data.window as { to: string }).to}) at position ${signal.position}`}: value ${recorded + 0.05} recorded, ${recorded} recomputed`,
      });
      expect((result as Extract<typeof result, { ok: false }>).summary?.signals).toEqual({
        computed: signals.length,
        recomputed: signals.length - 1,
      });
    });

    it('a signal naming a checkpoint that does not cover its inputs fails, naming the input it leaves out', async () => {
      const tampered = join(dir, 'checkpoint.tar.gz');
      const signal = signals.find((s) => s.data.metric === 'override_rate')!;
      const last = (signal.data.inputs as { lastPosition: string }).lastPosition;
      await withEventChanged(original, tampered, (e, position) => {
        if (position !== signal.position.toString()) return false;
        e.data.checkpoint.treeSize = 1;
        return true;
      });
      const failures = ((await verifyBundle(tampered, [vkey])) as { failures: Array<{ message: string }> })
        .failures;
      expect(failures).toContainEqual({
        file: 'events.jsonl',
        message: expect.stringMatching(
          new RegExp(
            `^computed signal override_rate over .* at position ${signal.position}: its checkpoint \\(tree size 1\\) does not cover its last input at position ${last}, which is leaf \\d+$`,
          ),
        ),
      });
    });
  },
);
