import { type ReactNode, useId } from 'react';
import type { Metric } from '../queries';
import { Scroll } from './components';

/*
 * Small charts as inline SVG: no chart library in the bundle. Each chart has
 * a title and description for screen readers, and every value it draws is
 * also in a table beside it; colour never carries meaning alone (breaches are
 * marked by shape and text too).
 */

const WIDTH = 760;

function ticks(start: number, end: number, count = 5): number[] {
  return Array.from({ length: count }, (_, i) => start + ((end - start) * i) / (count - 1));
}

function timeLabel(ms: number, span: number): string {
  const iso = new Date(ms).toISOString();
  if (span > 2 * 86_400_000) return iso.slice(0, 10);
  if (span > 120_000) return iso.slice(11, 16);
  return iso.slice(11, 23);
}

function Svg({
  title,
  description,
  height,
  children,
}: {
  title: string;
  description: string;
  height: number;
  children: ReactNode;
}) {
  const id = useId();
  // The chart keeps at least its drawn width (styles.css), so its 12-unit labels never shrink below 12 CSS px; on a phone it scrolls sideways inside its own box, never the page.
  return (
    <Scroll label={`${title} (chart)`}>
      <svg
        className="chart"
        viewBox={`0 0 ${WIDTH} ${height}`}
        role="img"
        aria-labelledby={`${id}-t ${id}-d`}
      >
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{description}</desc>
        {children}
      </svg>
    </Scroll>
  );
}

export interface RoleInterval {
  role: string;
  holder: string;
  from: number;
  /** When the role ended; undefined while it still runs. */
  to?: number;
  /** When the holder accepted; before that the assignment is pending and drawn hatched. */
  acceptedAt?: number;
}

/**
 * The assignments of a role in force at `t`, by the ledger's own rule (its
 * accountability read model's inForceAt): from its effectiveFrom, inclusive,
 * to its effectiveTo, exclusive; acceptance does not decide whether it holds.
 * The chart names these at its as-of line, so it says what the as-of table says.
 */
export function holdersAt(intervals: RoleInterval[], role: string, t: number): RoleInterval[] {
  return intervals.filter((i) => i.role === role && holds(i, t));
}

function holds(interval: RoleInterval, t: number): boolean {
  return interval.from <= t && (interval.to === undefined || t < interval.to);
}

/** Who held each role when: one row per role, one bar per assignment, the as-of instant as a vertical line. */
export function AccountabilityChart({
  intervals,
  roles,
  domain,
  marker,
  now,
}: {
  intervals: RoleInterval[];
  roles: readonly string[];
  domain: [number, number];
  marker?: number;
  now: number;
}) {
  const [start, end] = domain;
  const left = 210;
  const rowHeight = 30;
  const height = roles.length * rowHeight + 40;
  const x = (t: number) =>
    left + ((Math.min(Math.max(t, start), end) - start) / Math.max(end - start, 1)) * (WIDTH - left - 10);
  const line = marker !== undefined && marker >= start && marker <= end ? marker : undefined;
  const atMarker = new Set(line === undefined ? [] : intervals.filter((i) => holds(i, line)));
  // Past the middle, the holders' names sit to the left of the line, so they stay inside the chart.
  const labelLeft = line !== undefined && x(line) > (left + WIDTH) / 2;
  return (
    <Svg
      title="Accountability over time"
      description={`Who held each of ${roles.length} roles between ${new Date(start).toISOString()} and ${new Date(end).toISOString()}; hatched bars are assignments not yet accepted.`}
      height={height}
    >
      <defs>
        <pattern
          id="pending"
          width="6"
          height="6"
          patternUnits="userSpaceOnUse"
          patternTransform="rotate(45)"
        >
          <rect width="6" height="6" fill="#dbe7f5" />
          <line x1="0" y1="0" x2="0" y2="6" stroke="#0b5cad" strokeWidth="2" />
        </pattern>
      </defs>
      {roles.map((role, row) => (
        <text key={role} x={left - 8} y={row * rowHeight + 20} textAnchor="end" className="axis-label">
          {role}
        </text>
      ))}
      {intervals
        .filter((i) => (i.to ?? end) >= start && i.from <= end)
        .map((interval, n) => {
          const row = roles.indexOf(interval.role);
          const y = row * rowHeight + 6;
          const x0 = x(interval.from);
          // A role still held is drawn up to now: what follows is not yet known.
          const x1 = x(interval.to ?? Math.max(now, interval.from));
          const accepted =
            interval.acceptedAt === undefined ? x1 : x(Math.max(interval.acceptedAt, interval.from));
          return (
            <g key={n}>
              <rect x={x0} y={y} width={Math.max(accepted - x0, 0)} height={20} fill="url(#pending)" />
              <rect x={accepted} y={y} width={Math.max(x1 - accepted, 1)} height={20} fill="#0b5cad" />
              {x1 - x0 > 90 && !atMarker.has(interval) && (
                <text
                  x={x0 + 4}
                  y={y + 14}
                  className="bar-label"
                  fill={interval.acceptedAt !== undefined && accepted - x0 < 40 ? '#ffffff' : '#1b1b1b'}
                >
                  {interval.holder}
                </text>
              )}
            </g>
          );
        })}
      {ticks(start, end).map((t, i, all) => (
        <text
          key={t}
          x={x(t)}
          y={height - 8}
          textAnchor={i === all.length - 1 ? 'end' : 'middle'}
          className="axis-label"
        >
          {timeLabel(t, end - start)}
        </text>
      ))}
      {line !== undefined && (
        <>
          <line
            x1={x(line)}
            x2={x(line)}
            y1={0}
            y2={height - 24}
            stroke="#b3261e"
            strokeWidth="2"
            strokeDasharray="4 3"
          />
          {roles.map((role, row) => {
            const holders = holdersAt(intervals, role, line)
              .map((i) => i.holder)
              .join(', ');
            const text = holders || 'nobody';
            const width = text.length * 7 + 8;
            const at = labelLeft ? x(line) - 4 - width : x(line) + 4;
            return (
              <g key={role} className="marker-holder" data-role={role} data-holder={holders}>
                <rect
                  x={at}
                  y={row * rowHeight + 6}
                  width={width}
                  height={20}
                  fill="#ffffff"
                  stroke="#b3261e"
                />
                <text x={at + 4} y={row * rowHeight + 20} className="bar-label">
                  {text}
                </text>
              </g>
            );
          })}
        </>
      )}
    </Svg>
  );
}

/** Metric values as bars against their thresholds: a tick marks the threshold, the label says pass or fail. */
export function MetricChart({
  title,
  rows,
}: {
  title: string;
  rows: Array<{ label: string; metric: Metric }>;
}) {
  const left = 230;
  const right = 150;
  const rowHeight = 26;
  const height = rows.length * rowHeight + 10;
  const max = Math.max(1, ...rows.flatMap((r) => [r.metric.value, r.metric.threshold])) * 1.05;
  const x = (v: number) => left + (v / max) * (WIDTH - left - right);
  return (
    <Svg
      title={title}
      description={rows
        .map(
          (r) =>
            `${r.label}: ${r.metric.value} against ${r.metric.direction} ${r.metric.threshold}, ${r.metric.passed ? 'passed' : 'failed'}`,
        )
        .join('; ')}
      height={height}
    >
      {rows.map(({ label, metric }, row) => {
        const y = row * rowHeight + 5;
        return (
          <g key={label}>
            <text x={left - 8} y={y + 14} textAnchor="end" className="axis-label">
              {label}
            </text>
            <rect
              x={left}
              y={y + 2}
              width={x(metric.value) - left}
              height={16}
              fill={metric.passed ? '#1e6b2f' : '#b3261e'}
            />
            <line
              x1={x(metric.threshold)}
              x2={x(metric.threshold)}
              y1={y - 2}
              y2={y + 22}
              stroke="#1b1b1b"
              strokeWidth="2"
            />
            <text x={WIDTH - right + 8} y={y + 14} className="axis-label">
              {metric.value} {metric.passed ? '✓ pass' : '✗ fail'} ({metric.direction} {metric.threshold})
            </text>
          </g>
        );
      })}
    </Svg>
  );
}

export interface SignalPoint {
  at: number;
  value: number;
  breached: boolean;
}

/** A monitored metric over time with its threshold; breached signals are drawn as large crossed markers and labelled. */
export function SignalChart({
  title,
  points,
  threshold,
  direction,
}: {
  title: string;
  points: SignalPoint[];
  threshold?: number;
  direction?: string;
}) {
  const height = 220;
  const [left, top, bottom] = [60, 16, 30];
  const times = points.map((p) => p.at);
  const values = points.map((p) => p.value).concat(threshold ?? []);
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const pad = (Math.max(...values) - Math.min(...values)) * 0.15 || 0.05;
  const [v0, v1] = [Math.min(...values) - pad, Math.max(...values) + pad];
  const x = (t: number) =>
    t1 === t0 ? (left + WIDTH) / 2 : left + ((t - t0) / (t1 - t0)) * (WIDTH - left - 40);
  const y = (v: number) => top + (1 - (v - v0) / (v1 - v0)) * (height - top - bottom);
  const sorted = [...points].sort((a, b) => a.at - b.at);
  return (
    <Svg
      title={title}
      description={`${points.length} signals${threshold !== undefined ? ` against a ${direction} threshold of ${threshold}` : ''}; ${points.filter((p) => p.breached).length} breached.`}
      height={height}
    >
      {ticks(v0, v1, 4).map((v) => (
        <text key={v} x={left - 6} y={y(v) + 4} textAnchor="end" className="axis-label">
          {v.toFixed(2)}
        </text>
      ))}
      {threshold !== undefined && (
        <g>
          <line
            x1={left}
            x2={WIDTH - 10}
            y1={y(threshold)}
            y2={y(threshold)}
            stroke="#8a4b00"
            strokeWidth="2"
            strokeDasharray="6 4"
          />
          <text x={WIDTH - 12} y={y(threshold) - 6} textAnchor="end" className="axis-label">
            threshold {direction} {threshold}
          </text>
        </g>
      )}
      <polyline
        points={sorted.map((p) => `${x(p.at)},${y(p.value)}`).join(' ')}
        fill="none"
        stroke="#0b5cad"
        strokeWidth="2"
      />
      {sorted.map((p, i) =>
        p.breached ? (
          <g key={i}>
            <path
              d={`M${x(p.at) - 7},${y(p.value) - 7}l14,14m0,-14l-14,14`}
              stroke="#b3261e"
              strokeWidth="3"
            />
            <text x={x(p.at)} y={y(p.value) + 22} textAnchor="middle" className="axis-label breach-label">
              breach {p.value}
            </text>
          </g>
        ) : (
          <circle key={i} cx={x(p.at)} cy={y(p.value)} r={4} fill="#0b5cad" />
        ),
      )}
      {(t1 === t0 ? [t0] : ticks(t0, t1, 3)).map((t) => (
        <text key={t} x={x(t)} y={height - 8} textAnchor="middle" className="axis-label">
          {timeLabel(t, t1 - t0)}
        </text>
      ))}
    </Svg>
  );
}

export interface Series {
  label: string;
  points: SignalPoint[];
}

/** Each population's line is told apart by its dash pattern and the label at its end, never by colour alone. */
const DASHES = ['', '8 4', '2 4', '12 4 2 4', '4 4', '1 3'];

/**
 * One metric over time for several populations (the whole and each subgroup
 * band) against one threshold: a line per population, labelled where it
 * ends; breached values as crossed markers.
 */
export function SeriesChart({
  title,
  series,
  threshold,
  direction,
}: {
  title: string;
  series: Series[];
  threshold?: number;
  direction?: string;
}) {
  const height = 260;
  const [left, top, bottom, right] = [60, 16, 30, 180];
  const all = series.flatMap((s) => s.points);
  const times = all.map((p) => p.at);
  const values = all.map((p) => p.value).concat(threshold ?? []);
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const pad = (Math.max(...values) - Math.min(...values)) * 0.1 || 0.05;
  const [v0, v1] = [Math.min(...values) - pad, Math.max(...values) + pad];
  const x = (t: number) =>
    t1 === t0 ? (left + WIDTH - right) / 2 : left + ((t - t0) / (t1 - t0)) * (WIDTH - left - right);
  const y = (v: number) => top + (1 - (v - v0) / (v1 - v0)) * (height - top - bottom);
  const breached = all.filter((p) => p.breached).length;
  // Line ends close together would print their labels over each other: each label keeps 12 units below the one above.
  const lastOf = (s: Series) => s.points.reduce((a, b) => (b.at > a.at ? b : a));
  const labelY = new Map<string, number>();
  let floor = -Infinity;
  for (const s of series
    .filter((s) => s.points.length > 0)
    .sort((a, b) => y(lastOf(a).value) - y(lastOf(b).value))) {
    floor = Math.max(floor + 12, y(lastOf(s).value) + 4);
    labelY.set(s.label, floor);
  }
  return (
    <Svg
      title={title}
      description={`${series.length} populations (${series.map((s) => s.label).join(', ')}), ${all.length} values${threshold !== undefined ? ` against a ${direction} threshold of ${threshold}` : ''}; ${breached} breached.`}
      height={height}
    >
      {ticks(v0, v1, 4).map((v) => (
        <text key={v} x={left - 6} y={y(v) + 4} textAnchor="end" className="axis-label">
          {v.toFixed(2)}
        </text>
      ))}
      {threshold !== undefined && (
        <g>
          <line
            x1={left}
            x2={WIDTH - right}
            y1={y(threshold)}
            y2={y(threshold)}
            stroke="#8a4b00"
            strokeWidth="2"
            strokeDasharray="6 4"
          />
          <text x={left + 4} y={y(threshold) - 6} className="axis-label">
            threshold {direction} {threshold}
          </text>
        </g>
      )}
      {series.map((s, n) => {
        const sorted = [...s.points].sort((a, b) => a.at - b.at);
        const last = sorted[sorted.length - 1];
        return (
          <g key={s.label}>
            <polyline
              points={sorted.map((p) => `${x(p.at)},${y(p.value)}`).join(' ')}
              fill="none"
              stroke={n === 0 ? '#0b5cad' : '#4a4a4a'}
              strokeWidth={n === 0 ? 3 : 1.5}
              strokeDasharray={DASHES[n % DASHES.length]}
            />
            {sorted
              .filter((p) => p.breached)
              .map((p) => (
                <path
                  key={p.at}
                  d={`M${x(p.at) - 5},${y(p.value) - 5}l10,10m0,-10l-10,10`}
                  stroke="#b3261e"
                  strokeWidth="2.5"
                />
              ))}
            {last && (
              <text x={x(last.at) + 8} y={labelY.get(s.label)} className="axis-label">
                {s.label}
                {last.breached ? ' ✗' : ''}
              </text>
            )}
          </g>
        );
      })}
      {(t1 === t0 ? [t0] : ticks(t0, t1, 4)).map((t) => (
        <text key={t} x={x(t)} y={height - 8} textAnchor="middle" className="axis-label">
          {timeLabel(t, t1 - t0)}
        </text>
      ))}
    </Svg>
  );
}
