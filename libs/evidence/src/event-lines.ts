import { leafHash, openValues, sha256Hex } from '@ledger/integrity';
import { carriedValueMismatches, EVENT_LINE_V2, valuesSuffix, type CarriedValues } from './bundle-format';
import { JsonLines, LineError } from './json-lines';

/*
 * The checks of the events of a bundle, one event at a time: what a v2
 * events.jsonl line must be, its values opened, and whether the event belongs
 * to the bundle's scope. They need nothing but the line and the signed
 * manifest's scope, so batches of v2 lines are checked on threads of their
 * own (see event-line-threads.ts) while the bundle is still being inflated;
 * what needs the lines in order (each position after the one before, the
 * signals recomputed, the leaves proven) is left to the reader.
 */

/** The fields of a stored event the verifier reads. */
export interface EventFields {
  eventId: string;
  type: string;
  position: string;
  data: unknown;
  metadata: { tenantId?: string; occurredAt?: string };
}

/** What of the signed manifest's scope each event is held against. */
export interface EventScope {
  tenantId: string;
  systemId: string;
  throughPosition: string;
  from?: string;
  to?: string;
  /** A period-cut bundle's signal input ranges (inclusive). */
  inputRanges?: ReadonlyArray<{ first: bigint; last: bigint }>;
}

/** What a period-cut bundle holds in full within its declared input ranges, whatever their occurredAt. */
const SIGNAL_INPUT_TYPES = new Set(['AiOutputProduced', 'ClinicianResponseRecorded', 'OutcomeObserved']);

/** The events a signal is recomputed from, and the signals themselves: no other type is read by the recomputation. */
const RECOMPUTED_TYPES: ReadonlySet<string> = new Set([
  ...SIGNAL_INPUT_TYPES,
  'MonitoringPlanned',
  'MonitoringSignalComputed',
]);

/** Whether the recomputation of the bundle's signals reads this event: one of its types, of the bundle's system. */
export function readForSignals(scope: EventScope, type: unknown, data: unknown): boolean {
  return (
    typeof type === 'string' &&
    RECOMPUTED_TYPES.has(type) &&
    (data as { systemId?: unknown } | null)?.systemId === scope.systemId
  );
}

/**
 * A scheme-2 event's carried values must each open the commitment at its
 * place (value-mismatch otherwise); opened with them, the event reads as
 * the ledger shows it, an erased value still its commitment.
 */
export function openCarried(
  event: EventFields,
  values: unknown,
  fail: (message: string) => void,
): EventFields {
  if (values === undefined) return event;
  const mismatches = carriedValueMismatches(event, values);
  if (mismatches.length > 0) {
    fail(
      `: value-mismatch: event ${event.eventId} (position ${event.position}): ${mismatches.join('; ')}: a value carried beside it was altered`,
    );
    return event;
  }
  // Opening copies the event (a tenth of the time of a line): it is skipped where the event reads the same for every check that follows.
  if (
    !(typeof event.type === 'string' && RECOMPUTED_TYPES.has(event.type)) &&
    !Object.keys(values as CarriedValues).some(opensWhatIsRead)
  )
    return event;
  const entries = Object.entries(values as CarriedValues).map(
    ([pointer, { salt, value }]) => [pointer, { kind: 'text' as const, salt, value }] as const,
  );
  return openValues(event, Object.fromEntries(entries));
}

/** The places of an event read after its values are opened, besides what the signals' recomputation reads. */
const READ_AFTER_OPENING = [
  '/eventId',
  '/type',
  '/position',
  '/data/systemId',
  '/metadata/tenantId',
  '/metadata/occurredAt',
];

/** Whether opening the value at `pointer` can change what is read at one of those places: it is one, or holds one, or lies within one. */
function opensWhatIsRead(pointer: string): boolean {
  return READ_AFTER_OPENING.some(
    (read) => read === pointer || read.startsWith(`${pointer}/`) || pointer.startsWith(`${read}/`),
  );
}

/** Why an event is out of order: its position does not follow the last one admitted. */
export function orderFailure(position: string, last: string): string {
  return `: position ${position} does not follow ${last}: events must be in the ledger's global order`;
}

/** The checks of an event's scope, whatever its format: the checkpoint, the tenant and the period. */
export function checkScope(scope: EventScope, event: EventFields, fail: (message: string) => void): void {
  const { eventId, type, position, data, metadata } = event;
  const at = BigInt(position);
  if (at > BigInt(scope.throughPosition))
    fail(`: position ${position} is after the checkpoint's last event (${scope.throughPosition})`);
  if (metadata?.tenantId !== scope.tenantId)
    fail(`: event ${eventId} belongs to tenant ${metadata?.tenantId}, not ${scope.tenantId}`);
  // Parsed only for a bundle cut to a period.
  const occurred = () => Date.parse(String(metadata?.occurredAt));
  if (
    ((scope.from && occurred() < Date.parse(scope.from)) ||
      (scope.to && occurred() >= Date.parse(scope.to))) &&
    !isSignalInput(scope, type, at, data)
  )
    fail(`: event ${eventId} occurred at ${metadata?.occurredAt}, outside the exported period`);
}

/** Whether a period-cut bundle holds this event outside the period as the input of a computed signal it includes. */
function isSignalInput(scope: EventScope, type: string, position: bigint, data: unknown): boolean {
  if (!scope.inputRanges) return false;
  if ((data as { systemId?: unknown } | null)?.systemId !== scope.systemId) return false;
  if (type === 'MonitoringPlanned') return true;
  return (
    SIGNAL_INPUT_TYPES.has(type) && scope.inputRanges.some((r) => r.first <= position && position <= r.last)
  );
}

/** A batch of whole lines of a v2 events.jsonl, and the number of its first line in the file. */
export interface EventLinesBatch {
  id: number;
  firstLine: number;
  bytes: Uint8Array;
}

/** A batch's verdict as the reader takes it, in file order: every finding a message, each position's order checked. */
export type CheckedLines = Omit<EventLinesVerdict, 'findings' | 'bytes'> & { findings: string[] };

/** What a batch of v2 lines holds and what is wrong with it, line by line in order. */
export interface EventLinesVerdict {
  id: number;
  /** The batch's bytes, handed back to be filled again. */
  bytes: Uint8Array;
  /** Lines read: every line of the batch, or those before one that is not text. */
  lines: number;
  /** Each line's position, 0 where the line cannot be read. */
  positions: BigUint64Array;
  /** Each line's stated leaf index, NaN where the line cannot be read. */
  leafIndices: Float64Array;
  /** The leaf hash of each line's stated event hash, 32 bytes a line (zero where the line cannot be read). */
  leafHashes: Uint8Array;
  /** Lines whose leaf cannot be known. */
  unreadable: number;
  /**
   * In order: what is wrong, each message naming its line; and, at the first
   * event of the batch that came to the order check, its position, which
   * must follow the last one admitted before the batch (known once the
   * batches before it are taken).
   */
  findings: Array<{ message: string } | { line: number; position: string }>;
  /** The first and last positions admitted, if any. */
  admitted?: { first: string; last: string };
  /** The admitted events the signals' recomputation reads, opened, in order. */
  signalEvents: Array<{ type: string; position: bigint; data: unknown; metadata: EventFields['metadata'] }>;
  /** Why reading stopped at a line that is not text: nothing after it in the file can be told apart. */
  lineError?: string;
}

const HASH_BYTES = 32;

/** Checks each line of a batch of v2 lines, as the reader would in turn. */
export function checkEventLines(
  { id, firstLine, bytes }: EventLinesBatch,
  scope: EventScope,
): EventLinesVerdict {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // At most one line per newline.
  let room = 0;
  for (let at = buffer.indexOf(0x0a); at >= 0; at = buffer.indexOf(0x0a, at + 1)) room++;
  const verdict: EventLinesVerdict = {
    id,
    bytes,
    lines: 0,
    positions: new BigUint64Array(room),
    leafIndices: new Float64Array(room),
    leafHashes: new Uint8Array(room * HASH_BYTES),
    unreadable: 0,
    findings: [],
    signalEvents: [],
  };
  let first: string | undefined;
  let last: string | undefined;
  let lastAt = 0n;
  const lines = new JsonLines(firstLine - 1);
  try {
    for (const line of lines.push(buffer)) {
      const i = verdict.lines++;
      const fail = (message: string) => verdict.findings.push({ message: `line ${line.n}${message}` });
      const admitted = checkEventLine(line.text, line.bytes, i, verdict, fail);
      if (admitted === undefined) continue;
      const at = BigInt(admitted.position);
      if (last === undefined) verdict.findings.push({ line: line.n, position: admitted.position });
      else if (at <= lastAt) fail(orderFailure(admitted.position, last));
      checkScope(scope, admitted, fail);
      // An altered event is still recomputed from, so the report says what its alteration changes too.
      if (readForSignals(scope, admitted.type, admitted.data))
        verdict.signalEvents.push({
          type: admitted.type,
          position: at,
          data: admitted.data,
          metadata: admitted.metadata ?? {},
        });
      first ??= admitted.position;
      last = admitted.position;
      lastAt = at;
    }
  } catch (error) {
    if (!(error instanceof LineError)) throw error;
    verdict.lineError = error.message;
  }
  if (first !== undefined && last !== undefined) verdict.admitted = { first, last };
  return verdict;
}

/**
 * A v2 line: its prefix states position, leaf index and hash, and the rest
 * but the last brace is the exact text the hash covers, so its SHA-256 is
 * compared as it stands; equal, those are the ledger's bytes, canonical
 * form and all. Records the line's leaf, and returns the event, opened,
 * unless it cannot be read as one.
 */
function checkEventLine(
  line: string,
  bytes: Buffer,
  i: number,
  verdict: EventLinesVerdict,
  fail: (message: string) => void,
): EventFields | undefined {
  const head = EVENT_LINE_V2.exec(line);
  if (!head || !line.endsWith('}')) {
    fail(
      ' is not {"position":"…","leafIndex":…,"hash":"…","event":{…}} with each field as written at export: the events were altered',
    );
    verdict.unreadable++;
    verdict.leafIndices[i] = Number.NaN;
    return undefined;
  }
  const [prefix, position, leafIndex, hash] = head;
  verdict.leafIndices[i] = Number(leafIndex);
  // The stated hash stands for the line's leaf, so the multiproof is checked for the other events whatever this one holds.
  verdict.positions[i] = BigInt(position);
  verdict.leafHashes.set(leafHash(Buffer.from(hash, 'hex')), i * HASH_BYTES);
  let parsed: { event?: Partial<EventFields> | null; values?: unknown } | null;
  try {
    parsed = JSON.parse(line) as typeof parsed;
  } catch {
    parsed = null;
  }
  const values = parsed?.values;
  // A line carrying values ends with them, in RFC 8785 form; the hashed form is what lies between.
  const suffix = values === undefined ? '}' : valuesSuffix(values as CarriedValues);
  if (!line.endsWith(suffix))
    fail(
      ` (position ${position}): its values are not the RFC 8785 form of what it carries: the line was altered`,
    );
  const event = parsed?.event;
  // An ASCII line's characters are its bytes: hashed as read, with no text to encode again.
  const recomputed = sha256Hex(
    bytes.length === line.length
      ? bytes.subarray(prefix.length, bytes.length - suffix.length)
      : line.slice(prefix.length, line.length - suffix.length),
  );
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    fail(` (position ${position}): its event is not a JSON object: the event was altered`);
    return undefined;
  }
  if (recomputed !== hash)
    fail(
      `: event ${event.eventId} (position ${position}) hashes to ${recomputed}, not its recorded ${hash}: the event was altered`,
    );
  return openCarried({ ...event, position } as EventFields, values, fail);
}

/** The scope a manifest states, as the checks read it. */
export function scopeOf(
  scope: { tenantId: string; systemId: string; throughPosition: string; from?: string; to?: string },
  inputRanges: EventScope['inputRanges'],
): EventScope {
  const { tenantId, systemId, throughPosition, from, to } = scope;
  return { tenantId, systemId, throughPosition, from, to, ...(inputRanges ? { inputRanges } : {}) };
}
