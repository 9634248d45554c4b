import type { views } from './read-model-views';

type DataAccessRecord = ReturnType<typeof views.dataAccess>;

/** A CSV export holds at most this many accesses: one response, one record of it, bounded in memory. */
export const DATA_ACCESS_CSV_MAX_ROWS = 10_000;

const COLUMNS = [
  'occurredAt',
  'eventId',
  'position',
  'actor',
  'action',
  'purposeOfUse',
  'outcome',
  'datasetId',
  'resource',
  'systemId',
  'sourceService',
  'violation',
  'patientPseudonym',
] as const satisfies ReadonlyArray<keyof DataAccessRecord>;

/**
 * RFC 4180: fields holding a comma, a quote or a line break are quoted, quotes
 * doubled. A field a spreadsheet would run as a formula (=, +, -, @, tab or
 * carriage return first) is led by a single quote, so opening the file never
 * runs an emitter-chosen actor or resource.
 */
function field(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** A header row, then one row per access in the order given, CRLF line ends as RFC 4180 has them. */
export function dataAccessCsv(records: readonly DataAccessRecord[]): string {
  const lines = [COLUMNS.join(','), ...records.map((r) => COLUMNS.map((c) => field(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}
