import type { Db, Subject } from '../../lib/appenders';
import { progress } from '../../lib/progress';
import { mb, rate, versus, type BenchContext, type Scenario } from '../../lib/report';
import type * as Measure from './measure';

const DBS: Db[] = ['sqlite', 'postgres'];
const BATCHES = [1, 100];
const SUBJECTS: Subject[] = ['ledger', 'raw', 'peer'];
/** Rounds of the three subjects in turn: the median of each resists a burst of load from elsewhere on the machine. */
const ROUNDS = 3;
const TARGET = { raw: 0.7, peer: 1.5 };

interface Figure {
  /** Median over the rounds. */
  eventsPerSecond: number;
  rounds: number[];
  /** Highest over the rounds. */
  peakRssMb: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export const appendScenario: Scenario = {
  name: 'append',
  async run({ quick, dataDir, children }: BenchContext) {
    const window = quick ? { warmupMs: 200, measureMs: 800 } : { warmupMs: 1000, measureMs: 5000 };
    const results: Array<{ db: Db; batch: number } & Record<Subject, Figure>> = [];
    for (const db of DBS)
      for (const batch of BATCHES) {
        // The subjects of one row run in turn, round after round, so they see the same disk, cache and server state.
        const samples = new Map<Subject, Array<{ eventsPerSecond: number; peakRssMb: number }>>(SUBJECTS.map((s) => [s, []]));
        for (let round = 1; round <= ROUNDS; round++)
          for (const subject of SUBJECTS) {
            progress(`append: ${db}, ${subject}, batches of ${batch}, round ${round}/${ROUNDS}`);
            const { figures, peakRssMb } = await children.run<typeof Measure, 'appendCell'>('scenarios/append/measure', 'appendCell', { subject, db, batch, window, dataDir });
            samples.get(subject)!.push({ eventsPerSecond: figures.eventsPerSecond, peakRssMb });
          }
        const figure = (subject: Subject): Figure => {
          const rounds = samples.get(subject)!;
          return { eventsPerSecond: median(rounds.map((r) => r.eventsPerSecond)), rounds: rounds.map((r) => r.eventsPerSecond), peakRssMb: Math.max(...rounds.map((r) => r.peakRssMb)) };
        };
        results.push({ db, batch, ledger: figure('ledger'), raw: figure('raw'), peer: figure('peer') });
      }
    return {
      figures: results.map((r) => ({ ...r, ledgerToRaw: r.ledger.eventsPerSecond / r.raw.eventsPerSecond, ledgerToPeer: r.ledger.eventsPerSecond / r.peer.eventsPerSecond })),
      tables: [
        {
          title: 'Durable append, one writer, events/s',
          columns: ['database', 'batch', 'ledger', 'raw insert', 'peer (Emmett)', 'ledger/raw', 'ledger/peer', 'peak RSS MB ledger/raw/peer'],
          rows: results.map((r) => [
            r.db,
            String(r.batch),
            rate(r.ledger.eventsPerSecond),
            rate(r.raw.eventsPerSecond),
            rate(r.peer.eventsPerSecond),
            versus(r.ledger.eventsPerSecond / r.raw.eventsPerSecond, TARGET.raw),
            versus(r.ledger.eventsPerSecond / r.peer.eventsPerSecond, TARGET.peer),
            SUBJECTS.map((s) => mb(r[s].peakRssMb)).join('/'),
          ]),
          notes: [
            `Each figure: the median of ${ROUNDS} rounds; each round a fresh store and its own process, ${window.warmupMs} ms warm-up, then ${window.measureMs} ms of back-to-back appends to one stream.`,
            'Durability: SQLite WAL with synchronous=FULL for all three; PostgreSQL with its defaults (fsync on, synchronous_commit on).',
            "ledger: SqliteEventStore/PostgresEventStore.append with the expected revision, as a command handler calls it.",
            "raw: the driver the ledger uses (better-sqlite3, pg) inserting into the ledger's own events table, one transaction per batch,",
            '     rows built with JSON.stringify and a plain SHA-256 chain (no RFC 8785, no validation, no lookups): the practical limit.',
            'peer: Emmett appendToStream (emmett-sqlite on one open connection, emmett-postgresql on its own pool).',
          ],
        },
      ],
    };
  },
};
