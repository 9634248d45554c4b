import { largeLedger } from '../../lib/large-ledger';
import { rate, rss, toFloor, type BenchContext, type Scenario } from '../../lib/report';

/** The must and goal for catching up from zero at 1M events; the sealer has none of its own. */
const TARGET = { must: 20_000, goal: 30_000 };

export const projectionScenario: Scenario = {
  name: 'projection',
  async run(ctx: BenchContext) {
    const ledger = await largeLedger(ctx);
    const { projections, sealer } = ledger.catchUp;
    const rows = [
      {
        consumer: 'projections: registry, data_access, clinical_use, timeline together',
        run: projections,
        target: toFloor(projections.figures.eventsPerSecond, TARGET.must, rate, TARGET.goal),
      },
      { consumer: 'Merkle sealer', run: sealer, target: '—' },
    ];
    return {
      figures: {
        events: ledger.events,
        accessEvents: ledger.accessEvents,
        projections: {
          ...projections.figures,
          peakRssMb: projections.peakRssMb,
          toTarget: projections.figures.eventsPerSecond / TARGET.must,
        },
        sealer: { ...sealer.figures, peakRssMb: sealer.peakRssMb },
      },
      tables: [
        {
          title: `Catch-up from zero, SQLite, ${rate(ledger.events)} events${ctx.quick ? " (quick mode: the issue's figure is at 1M)" : ''}`,
          columns: ['consumer', 'events', 'seconds', 'events/s', 'target', 'peak RSS MB'],
          rows: rows.map((r) => [
            r.consumer,
            rate(r.run.figures.events),
            r.run.figures.seconds.toFixed(1),
            rate(r.run.figures.eventsPerSecond),
            r.target,
            rss(r.run.peakRssMb),
          ]),
          notes: [
            `The ledger: seed-demo's organisation (3 AI systems with role holders, versions, validations, a rollback, dataset grants) through the service,`,
            `     then ${rate(ledger.accessEvents)} of its DataAccessed events as ingest makes them (patients pseudonymised), with time-ordered (v7) ids,`,
            '     appended straight to the store in batches of about 1,000 per emitter stream.',
            "projections: every read model of ProjectionsService's registry (PROJECTIONS), each on its own ProjectionRunner with the service's",
            '     batch size, all at once in one process as the service runs them, into a fresh read.sqlite (synchronous=NORMAL),',
            '     both stores opened as the service opens them (each SQLite WAL checkpointed on a thread).',
            'Merkle sealer: MerkleLog with the service settings, alone, afterwards. In the service both run together, sharing one read-store connection.',
            'Timed from start until every runner has applied the head; the timeline holds every event afterwards.',
          ],
        },
      ],
    };
  },
};
