import type { RetentionCategory } from './categories';

/** How long each category is kept: an ISO 8601 duration of whole years, months, weeks and days. */
export type RetentionSchedule = Readonly<Record<RetentionCategory, string>>;

export const DEFAULT_RETENTION: RetentionSchedule = { GOVERNANCE: 'P6Y', DATA_ACCESS: 'P6Y' };

/** The EU AI Act's floor for a deployer's logs (Art 19, 26(6)): no setting may keep data access shorter. */
export const DATA_ACCESS_MINIMUM_MONTHS = 6;

/** Calendar parts only: a retention measured in hours has no meaning a regulation gives. */
export const RETENTION_DURATION = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/;

/** The most days any run of 0..6 consecutive calendar months has (July to December is 184). */
const MOST_DAYS_IN_MONTHS = [0, 31, 62, 92, 123, 153, 184];

function partsOf(duration: string): { months: number; days: number } {
  const m = RETENTION_DURATION.exec(duration);
  if (!m) throw new Error(`${duration} is not a retention duration`);
  const [years, months, weeks, days] = m.slice(1).map((x) => Number(x ?? 0));
  return { months: years * 12 + months, days: weeks * 7 + days };
}

/** Whether a duration lasts at least `months` calendar months from any start: P6M, P26W6D and P184D do, P180D does not. */
export function lastsAtLeastMonths(duration: string, months: number): boolean {
  const parts = partsOf(duration);
  return parts.months >= months || parts.days >= MOST_DAYS_IN_MONTHS[months - parts.months];
}

/**
 * An instant plus a retention duration, on the calendar: years and months
 * move the date (the 31st becomes the last day of a shorter month, 29
 * February the 28th in a common year), weeks and days are whole days. UTC.
 */
export function addRetention(instant: string, duration: string): string {
  const { months, days } = partsOf(duration);
  const start = new Date(Date.parse(instant));
  const monthIndex = start.getUTCMonth() + months;
  const year = start.getUTCFullYear() + Math.floor(monthIndex / 12);
  const month = monthIndex % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const moved = new Date(start.getTime());
  moved.setUTCFullYear(year, month, Math.min(start.getUTCDate(), lastDay));
  moved.setUTCDate(moved.getUTCDate() + days);
  return moved.toISOString();
}
