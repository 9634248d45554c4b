import { computeWindow, dueWindows, type OutputUse } from '@ledger/domain';
import { sepsisClinicalUse, DEMO_SEPSIS_HISTORY } from './sepsis-clinical-use';

it('sim', () => {
  const out: string[] = [];
  const plans = [
    {
      metric: 'ece',
      minSamples: Number(process.env.ECE ?? 300),
      subgroups: ['ageBand'],
      threshold: 0.08,
      max: true,
    },
    {
      metric: 'calibration_slope',
      minSamples: Number(process.env.SLOPE ?? 1000),
      subgroups: [],
      threshold: 0.75,
      max: false,
    },
    { metric: 'override_rate', minSamples: 50, subgroups: ['ageBand'], threshold: 0.5, max: true },
  ] as const;
  for (const endText of [
    '2026-12-06T00:30:00Z',
    '2026-12-06T06:00:00Z',
    '2026-12-06T11:00:00Z',
    '2026-12-06T17:45:00Z',
    '2026-12-06T23:50:00Z',
  ]) {
    const end = Date.parse(endText);
    const items = sepsisClinicalUse({
      ...DEMO_SEPSIS_HISTORY,
      outputs: 20000,
      end,
      systemId: 's',
      modelVersion: 'v2',
      sourceService: 'x',
      sites: ['a', 'b'],
      clinicians: ['c1', 'c2'],
    });
    const byId = new Map<string, OutputUse>();
    let pos = 0n;
    for (const it of items) {
      pos++;
      if (it.type === 'AiOutputProduced')
        byId.set(it.data.outputId, {
          outputPosition: pos,
          occurredAt: it.occurredAt,
          score: it.data.score,
          alerted: it.data.alerted,
          site: it.data.site,
          ageBand: it.data.ageBand,
          sex: it.data.sex,
        });
      else if (it.type === 'OutcomeObserved')
        byId.get(it.data.outputId)!.outcome = { label: it.data.label, position: pos };
      else byId.get(it.data.outputId)!.response = { response: it.data.response, position: pos };
    }
    const all = [...byId.values()];
    const windows = dueWindows(
      { cadence: 'P1D', computation: { window: 'P7D', settle: 'P2D' } },
      Date.parse(all[0].occurredAt),
      end,
      1000,
    );
    const driftStart = end - 21 * 86400000;
    const lines: string[] = [];
    for (const w of windows) {
      const recs = all.filter((r) => r.occurredAt >= w.from && r.occurredAt < w.to);
      for (const p of plans)
        for (const v of computeWindow(
          {
            metric: p.metric,
            minSamples: p.minSamples,
            positiveLabel: 'sepsis',
            subgroups: p.subgroups as any,
          },
          recs,
        )) {
          const breach = p.max ? v.value > p.threshold : v.value < p.threshold;
          if (breach)
            lines.push(
              `${Date.parse(w.to) <= driftStart ? 'PRE' : 'drift'} ${w.to.slice(0, 10)} ${p.metric} ${v.subgroup ?? 'all'} ${v.value.toFixed(3)} n=${v.n}`,
            );
        }
    }
    out.push(
      `end ${endText} windows ${windows.length} first ${windows[0].to}`,
      ...lines.filter((l) => l.startsWith('PRE')),
      ...[
        ...new Map(
          lines.filter((l) => !l.startsWith('PRE')).map((l) => [l.split(' ').slice(2, 4).join(' '), l]),
        ).values(),
      ].map(String),
      ...(() => {
        const seen = new Set<string>();
        return lines
          .filter((l) => {
            const k = l.split(' ').slice(2, 4).join(' ');
            if (seen.has(k)) return false;
            seen.add(k);
            return true;
          })
          .map((l) => 'FIRST ' + l);
      })(),
    );
  }
  console.log(out.join('\n'));
});
