import type { Children } from './child';

export interface BenchContext {
  quick: boolean;
  /** Where measurements put their SQLite files; on the disk, removed when the run ends. */
  dataDir: string;
  children: Children;
}

export interface Table {
  title: string;
  columns: string[];
  rows: string[][];
  /** What the figures mean and how they were taken, printed under the table. */
  notes: string[];
}

export interface ScenarioReport {
  tables: Table[];
  /** The figures as numbers, written by --json under the scenario's name. */
  figures: unknown;
}

/** One module per scenario: the runner knows nothing else about it, so adding one is adding a module to the list in run.ts. */
export interface Scenario {
  name: string;
  run(ctx: BenchContext): Promise<ScenarioReport>;
}

export const rate = (n: number) => Math.round(n).toLocaleString('en-US');

/** The ceiling on the peak RSS of every process of the ledger's own. */
const RSS_CEILING_MB = 300;

/** Peak RSS of the ledger's process first, then of what it is compared with, judged on the ledger's: `134/77/110 ok (≤300)`. */
export function rss(ledgerMb: number, ...othersMb: number[]): string {
  return `${[ledgerMb, ...othersMb].map((n) => Math.round(n)).join('/')} ${ledgerMb <= RSS_CEILING_MB ? 'ok' : 'MISS'} (≤${RSS_CEILING_MB})`;
}
export const ms = (n: number) => (n < 10 ? n.toFixed(1) : Math.round(n).toString());

/** A ratio with its verdict against a floor, e.g. `0.82× ok (≥0.7×)` or `0.41× MISS (≥0.7×)`. */
export function versus(ratio: number, floor: number): string {
  // Two significant digits, so a ratio far below its floor still shows how far.
  return `${ratio.toPrecision(2)}× ${ratio >= floor ? 'ok' : 'MISS'} (≥${floor}×)`;
}

/** A ratio against the two numbers: the mark is the must; the goal is shown beside it. `1.2× ok (≥1.0×, goal 1.5×)` */
export function versusMust(ratio: number, must: number, goal: number): string {
  return `${ratio.toPrecision(2)}× ${ratio >= must ? 'ok' : 'MISS'} (≥${must.toFixed(1)}×, goal ${goal}×)`;
}

const goalOf = (goal: number | undefined, show: (n: number) => string) =>
  goal === undefined ? '' : `, goal ${show(goal)}`;

/** An absolute figure against the must, with the ratio to it and any goal beside: `1.2× ok (≥20,000, goal 30,000)`. */
export function toFloor(value: number, must: number, show: (n: number) => string, goal?: number): string {
  return `${(value / must).toPrecision(2)}× ${value >= must ? 'ok' : 'MISS'} (≥${show(must)}${goalOf(goal, show)})`;
}

/** An absolute figure against the ceiling, with the ratio to it and any goal beside: `0.87× ok (≤15, goal 10)`. */
export function toCeiling(value: number, must: number, show: (n: number) => string, goal?: number): string {
  return `${(value / must).toPrecision(2)}× ${value <= must ? 'ok' : 'MISS'} (≤${show(must)}${goalOf(goal, show)})`;
}

export function renderTable(table: Table): string {
  const widths = table.columns.map((c, i) =>
    Math.max(c.length, ...table.rows.map((r) => (r[i] ?? '').length)),
  );
  // Labels read left to right; figures line up on their last digit.
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [
    table.title,
    line(table.columns),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...table.rows.map(line),
    ...table.notes.map((n) => `  ${n}`),
  ].join('\n');
}
