/*
 * What the as-of boxes accept. Every time the console shows is UTC, so a date
 * or a date-time without an offset is read as UTC too: a time copied from any
 * page of the console means the same instant when pasted back.
 */

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/i;

export const INSTANT_HINT =
  'UTC unless an offset is given: 2026-06-01 (the start of that day), 2026-06-01T09:30, 2026-06-01 09:30:15.250, or 2026-06-01T09:30:00+01:00. Events often fall within one second: give the milliseconds.';

/** The instant the text names, as the ledger's ISO form (UTC, milliseconds), or why it names none. */
export function parseInstant(text: string): { iso: string } | { error: string } {
  const match = INSTANT.exec(text.trim());
  const refused = {
    error: `“${text.trim()}” is not a date or an instant. ${INSTANT_HINT}`,
  };
  if (!match) return refused;
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '0', zone = 'Z'] = match;
  const fields = [year, month, day, hour, minute, second].map(Number);
  const utc = Date.UTC(
    fields[0],
    fields[1] - 1,
    fields[2],
    fields[3],
    fields[4],
    fields[5],
    Number(fraction.padEnd(3, '0')),
  );
  const back = new Date(utc);
  // Date.UTC rolls 2026-02-30 over into March; a date that does not round-trip does not exist.
  if (
    back.getUTCFullYear() !== fields[0] ||
    back.getUTCMonth() !== fields[1] - 1 ||
    back.getUTCDate() !== fields[2] ||
    back.getUTCHours() !== fields[3] ||
    back.getUTCMinutes() !== fields[4] ||
    back.getUTCSeconds() !== fields[5]
  )
    return refused;
  const offset =
    zone.toUpperCase() === 'Z'
      ? 0
      : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  // Offsets in use run from -12:00 to +14:00.
  if (Number(zone.slice(4, 6)) > 59 || offset < -12 * 60 || offset > 14 * 60) return refused;
  return { iso: new Date(utc - offset * 60_000).toISOString() };
}
