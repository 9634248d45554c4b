import { DomainError } from './domain-error';

/** RFC 3339 with a mandatory zone: an instant without one means a different moment at each site. */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/i;

export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 24 * MS_PER_HOUR;

/** Parses an instant from a command, naming the field when it is not one. */
export function parseInstant(value: string, field: string): number {
  const [, year, month, day] = RFC3339.exec(value)?.map(Number) ?? [];
  // Date.parse rolls 30 February over into March; a real calendar date is required.
  const ms =
    day !== undefined && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month)
      ? Date.parse(value)
      : Number.NaN;
  if (Number.isNaN(ms))
    throw new DomainError(
      'VALIDATION_FAILED',
      `${field} must be an RFC 3339 date-time with a time zone, e.g. 2025-01-31T09:00:00Z; got ${JSON.stringify(value)}`,
      field,
    );
  return ms;
}

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** Instants already in state were validated on the way in; compare them as milliseconds, since offsets may differ. */
export function millis(instant: string): number {
  return Date.parse(instant);
}

/** An instant some milliseconds after another, in UTC. Pure: it reads no clock. */
export function instantAfter(instant: string, ms: number): string {
  return new Date(millis(instant) + ms).toISOString();
}
