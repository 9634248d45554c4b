import { DomainError } from './domain-error';

/**
 * RFC 3339 with a mandatory zone: an instant without one means a different
 * moment at each site. Upper-case T and Z only, and at most nanoseconds: one
 * spelling per instant is what every reader of the ledger can parse.
 */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 24 * MS_PER_HOUR;

/** The instants accepted, both ends inclusive, as RFC 3339 text (shown in refusals) and milliseconds. */
export interface InstantRange {
  readonly min: string;
  readonly max: string;
  readonly minMs: number;
  readonly maxMs: number;
}

/** The range between two RFC 3339 instants; its ends are parsed here once, not for every instant checked against it. */
export function instantRangeOf(min: string, max: string): InstantRange {
  return { min, max, minMs: Date.parse(min), maxMs: Date.parse(max) };
}

/** Everything a four-digit RFC 3339 year can write; the edges narrow it to the configured plausible range. */
export const CALENDAR_RANGE = instantRangeOf('0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999999999Z');

const isLeap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysIn = (year: number, month: number) => (month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]);

/**
 * The one check of a date-time the ledger is given, wherever it arrives
 * (ingest, FHIR, GraphQL, commands): the instant in milliseconds, or the rule
 * it breaks, worded to follow the field's name. Date.parse alone rolls
 * 30 February over into March and takes year 0; a real calendar date is required.
 */
export function checkInstant(
  value: unknown,
  range: InstantRange = CALENDAR_RANGE,
): { ms: number; rule?: undefined } | { rule: string; ms?: undefined } {
  const format = RFC3339.exec(typeof value === 'string' ? value : '');
  if (!format)
    return {
      rule: `must be an RFC 3339 date-time with a time zone, e.g. 2026-03-14T09:00:00Z; got ${JSON.stringify(value)?.slice(0, 64)}`,
    };
  const [year, month, day] = format.slice(1, 4).map(Number);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month))
    return {
      rule: `must be a real calendar date (years 0001-9999, months 01-12, days that month has); ${format[0].slice(0, 10)} is not one`,
    };
  const ms = Date.parse(format[0]);
  if (ms < range.minMs || ms > range.maxMs)
    return { rule: `must lie between ${range.min} and ${range.max}; got ${format[0]}` };
  return { ms };
}

/** Parses an instant from a command, naming the field when it is not one. */
export function parseInstant(value: string, field: string, range: InstantRange = CALENDAR_RANGE): number {
  const { ms, rule } = checkInstant(value, range);
  if (rule !== undefined) throw new DomainError('VALIDATION_FAILED', `${field} ${rule}`, field);
  return ms;
}

/** Instants already in state were validated on the way in; compare them as milliseconds, since offsets may differ. */
export function millis(instant: string): number {
  return Date.parse(instant);
}

/** An instant some milliseconds after another, in UTC. Pure: it reads no clock. */
export function instantAfter(instant: string, ms: number): string {
  return new Date(millis(instant) + ms).toISOString();
}

const ISO_DURATION =
  /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** ISO 8601 duration to milliseconds; months and years count as 30 and 365 days, as monitoring cadences are approximate. */
export function durationMs(duration: string): number {
  const m = ISO_DURATION.exec(duration);
  if (!m) throw new Error(`${duration} is not an ISO 8601 duration`);
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0));
  return ((((y * 365 + mo * 30 + w * 7 + d) * 24 + h) * 60 + mi) * 60 + s) * 1000;
}

/** Whether a duration has one length whatever the date: no months or years, which the calendar stretches. */
export function isFixedDuration(duration: string): boolean {
  const m = ISO_DURATION.exec(duration);
  return m !== null && m[1] === undefined && m[2] === undefined;
}
