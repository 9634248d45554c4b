import { LEGAL_HOLD_EVENTS } from '../legal-hold/events';
import type { RecordedLegalHold } from '../legal-hold/legal-hold';
import { millis } from '../shared/time';
import { RETENTION_CATEGORIES, retentionCategoryOf, type RetentionCategory } from './categories';
import { addRetention, type RetentionSchedule } from './schedule';

/** What the report reads of a stored event: its envelope, and the system its data names. */
export interface RetentionEvent {
  type: string;
  stream: string;
  /** The system the event's data names (`data.systemId`), if any. */
  systemId: string | null;
  recordedAt: string;
  position: bigint;
  /**
   * The digests of the subjects the event names, for subject holds. No reader
   * fills it yet: which fields name a person or a patient is what the erasable
   * fields of each schema will say, and the erasure work sets it from them.
   * Until then a subject hold is listed without the events it suspends.
   */
  subjectDigests?: readonly string[];
}

/** Events of one category and one system (or, for events that name none, one stream) past their retention. */
export interface RetentionGroup {
  category: RetentionCategory;
  systemId: string | null;
  /** Set when the events name no system. */
  stream: string | null;
  count: number;
  firstPosition: bigint;
  lastPosition: bigint;
  oldestRecordedAt: string;
  /** When the oldest of them passed its retention. */
  dueSince: string;
}

export interface HeldRetention {
  hold: RecordedLegalHold;
  /** The events past their retention that the hold keeps. */
  suspended: RetentionGroup[];
}

export interface RetentionReport {
  asOf: string;
  schedule: RetentionSchedule;
  /** Past their retention and under no hold: due for erasure or archive. */
  due: RetentionGroup[];
  /** Every hold active at `asOf`, with what it keeps that would otherwise be due. */
  held: HeldRetention[];
}

export interface RetentionTally {
  add(event: RetentionEvent): void;
  report(): RetentionReport;
}

/**
 * The retention report, built one event at a time so a whole ledger can be
 * read through it without being held in memory. An event is due once its
 * category's retention has passed since it was recorded; a due event that an
 * active hold covers is listed under each such hold instead. Holds active at
 * `asOf` count: placed by then and not yet released. While any is, the
 * legal-hold events are not due: they are the record of the holds in force.
 */
export function retentionTally(options: {
  schedule: RetentionSchedule;
  holds: readonly RecordedLegalHold[];
  asOf: string;
}): RetentionTally {
  const { schedule, asOf } = options;
  const at = millis(asOf);
  const active = options.holds.filter(
    (h) => millis(h.placedAt) <= at && (h.releasedAt === undefined || millis(h.releasedAt) > at),
  );
  const due = new Map<string, RetentionGroup>();
  const held = new Map(active.map((h) => [h.holdId, new Map<string, RetentionGroup>()]));

  return {
    add(event) {
      const category = retentionCategoryOf(event.type);
      if (millis(addRetention(event.recordedAt, schedule[category])) > at) return;
      // The record of the holds themselves outlives any period while one of them is in force.
      if (active.length > 0 && Object.hasOwn(LEGAL_HOLD_EVENTS, event.type)) return;
      const holding = active.filter((h) => covers(h, event));
      if (holding.length === 0) tallyInto(due, category, event, schedule);
      for (const hold of holding) tallyInto(held.get(hold.holdId)!, category, event, schedule);
    },
    report: () => ({
      asOf,
      schedule,
      due: ordered(due),
      held: active.map((hold) => ({ hold, suspended: ordered(held.get(hold.holdId)!) })),
    }),
  };
}

function covers(hold: RecordedLegalHold, event: RetentionEvent): boolean {
  return hold.scope.kind === 'SYSTEM'
    ? event.systemId === hold.scope.systemId
    : (event.subjectDigests?.includes(hold.scope.subjectDigest) ?? false);
}

function tallyInto(
  groups: Map<string, RetentionGroup>,
  category: RetentionCategory,
  event: RetentionEvent,
  schedule: RetentionSchedule,
): void {
  const key = `${category}\0${event.systemId === null ? `stream\0${event.stream}` : `system\0${event.systemId}`}`;
  const group = groups.get(key);
  if (!group) {
    groups.set(key, {
      category,
      systemId: event.systemId,
      stream: event.systemId === null ? event.stream : null,
      count: 1,
      firstPosition: event.position,
      lastPosition: event.position,
      oldestRecordedAt: event.recordedAt,
      dueSince: addRetention(event.recordedAt, schedule[category]),
    });
    return;
  }
  group.count += 1;
  if (event.position < group.firstPosition) group.firstPosition = event.position;
  if (event.position > group.lastPosition) group.lastPosition = event.position;
  if (millis(event.recordedAt) < millis(group.oldestRecordedAt)) {
    group.oldestRecordedAt = event.recordedAt;
    group.dueSince = addRetention(event.recordedAt, schedule[category]);
  }
}

const ordered = (groups: Map<string, RetentionGroup>) =>
  [...groups.values()].sort(
    (a, b) =>
      RETENTION_CATEGORIES.indexOf(a.category) - RETENTION_CATEGORIES.indexOf(b.category) ||
      (a.firstPosition < b.firstPosition ? -1 : a.firstPosition > b.firstPosition ? 1 : 0),
  );
