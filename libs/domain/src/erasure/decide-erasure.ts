import type { ErasableValues } from '@ledger/integrity';
import { checkedEvents } from '../events/validate-event-data';
import { DomainError } from '../shared/domain-error';
import { personId } from '../shared/person-id';
import { ERASED_EVENTS_PER_RECORD, type ErasureEvent, type ErasureSubjectKind } from './events';

/** The role that decides erasures: the organisation's data protection officer (GDPR Art 37-39). */
export const DATA_PROTECTION_OFFICER = 'data-protection-officer';

/**
 * What the record says when the subjects asked for their own erasure: their
 * name as requester would put back into the ledger what the erasure took out.
 */
export const THE_DATA_SUBJECT = 'the data subject';

/** The subject as the request names it, inside the ledger only: a person's id, or a patient's pseudonym (never the raw patient id). */
export type ErasureSubject = { kind: 'PERSON'; id: string } | { kind: 'PATIENT'; pseudonym: string };

/** What the finder needs of a stored event: its id, the system it is about, and the erasable values kept beside it. */
export interface ErasableEventView {
  eventId: string;
  data: unknown;
  sealed?: { values: ErasableValues };
}

/** One event's values an erasure takes out, and the system the event is about (for legal holds and for the record). */
export interface FoundErasure {
  eventId: string;
  pointers: string[];
  systemId?: string;
}

/**
 * The values an erasure of the subject takes out of these events:
 * - a person: every person value that is the subject in any spelling (personId),
 *   and every structured value (a FHIR AuditEvent as sent) that names them;
 * - a patient: in every event holding the subject's pseudonym as a patient
 *   value, every patient value (the pseudonym and what was kept with it);
 * - and the free text (kind text) of the events the officer names in
 *   `alsoFreeTextOf`, because only a person can tell that a narrative
 *   names the subject.
 * Values already erased are not found again, so a repeated request finds nothing.
 */
export function findErasures(
  subject: ErasureSubject,
  events: Iterable<ErasableEventView>,
  alsoFreeTextOf: ReadonlySet<string> = new Set(),
): FoundErasure[] {
  const found: FoundErasure[] = [];
  const person = subject.kind === 'PERSON' ? personId(subject.id) : undefined;
  for (const event of events) {
    const present = Object.entries(event.sealed?.values ?? {}).filter(([, v]) => v.salt !== undefined);
    const pointers = new Set<string>();
    if (person !== undefined) {
      for (const [pointer, { kind, value }] of present)
        if (
          (kind === 'person' && typeof value === 'string' && personId(value) === person) ||
          (typeof value === 'object' && names(value, (text) => personId(text) === person))
        )
          pointers.add(pointer);
    } else if (subject.kind === 'PATIENT') {
      const holdsPatient = present.some(([, v]) => v.kind === 'patient' && v.value === subject.pseudonym);
      if (holdsPatient)
        for (const [pointer, { kind }] of present) if (kind === 'patient') pointers.add(pointer);
    }
    if (alsoFreeTextOf.has(event.eventId))
      for (const [pointer, { kind }] of present) if (kind === 'text') pointers.add(pointer);
    if (pointers.size === 0) continue;
    const { systemId } = (event.data ?? {}) as { systemId?: unknown };
    found.push({
      eventId: event.eventId,
      pointers: [...pointers].sort(),
      ...(typeof systemId === 'string' ? { systemId } : {}),
    });
  }
  return found;
}

/** Whether any string inside a structured value satisfies the test. */
function names(value: unknown, test: (text: string) => boolean): boolean {
  if (typeof value === 'string') return test(value);
  if (value === null || typeof value !== 'object') return false;
  return Object.values(value).some((item) => names(item, test));
}

export interface RequestErasure {
  erasureId: string;
  subject: ErasureSubject;
  /** The subject's keyed digest, computed at the edge where the key is. */
  subjectDigest: string;
  legalBasis: string;
  requestedBy: string;
  rationale: string;
  /** Who decides: the caller, and the role their token carries. */
  caller: { id: string; role: string };
  /** What the finder found to erase (findErasures). */
  found: readonly FoundErasure[];
  /** Legal holds (their ids) that cover the subject or a system of an event found; any one suspends the erasure. */
  blockingHolds: readonly string[];
}

/**
 * Decides an erasure. Only a data protection officer decides one, never of
 * themselves (an officer erasing their own name from the record of their own
 * acts is the conflict GDPR Art 38(6) forbids); the requester is named,
 * because the record must say on whose request; and a legal hold on the
 * subject or on any system touched suspends it. The decision is recorded as
 * ErasureRecorded, split into parts of at most ERASED_EVENTS_PER_RECORD
 * events, grouped by the AI system the events are about. A subject who asked
 * for it themselves is recorded as THE_DATA_SUBJECT, never by name.
 */
export function decideErasure(command: RequestErasure): ErasureEvent[] {
  const { caller, subject } = command;
  if (caller.role !== DATA_PROTECTION_OFFICER)
    throw new DomainError(
      'NOT_DATA_PROTECTION_OFFICER',
      `only a ${DATA_PROTECTION_OFFICER} decides an erasure; ${caller.id} acts as ${caller.role}`,
    );
  if (command.requestedBy === undefined || command.requestedBy.trim() === '')
    throw new DomainError(
      'VALIDATION_FAILED',
      'requestedBy must name who asked for the erasure (the data subject, or who acts for them)',
      'requestedBy',
    );
  if (subject.kind === 'PERSON' && personId(subject.id) === personId(caller.id))
    throw new DomainError(
      'SELF_ERASURE',
      `${caller.id} may not decide an erasure of themselves; another data protection officer must decide it`,
      'subject',
    );
  if (command.blockingHolds.length > 0)
    throw new DomainError(
      'LEGAL_HOLD',
      `legal hold ${command.blockingHolds.join(', ')} suspends erasure of this subject or of a system whose events it would touch; release the hold first`,
      'subject',
    );

  const totalEvents = command.found.length;
  const totalValues = command.found.reduce((n, f) => n + f.pointers.length, 0);
  const bySystem = new Map<string | undefined, FoundErasure[]>();
  for (const found of command.found)
    bySystem.set(found.systemId, [...(bySystem.get(found.systemId) ?? []), found]);
  if (bySystem.size === 0) bySystem.set(undefined, []);
  const groups: Array<{ systemId?: string; erased: FoundErasure[] }> = [];
  for (const [systemId, erased] of [...bySystem].sort(([a], [b]) => (a ?? '').localeCompare(b ?? '')))
    for (let i = 0; i === 0 || i < erased.length; i += ERASED_EVENTS_PER_RECORD)
      groups.push({ systemId, erased: erased.slice(i, i + ERASED_EVENTS_PER_RECORD) });

  return checkedEvents<ErasureEvent>(
    groups.map(({ systemId, erased }, i) => ({
      type: 'ErasureRecorded',
      data: {
        erasureId: command.erasureId,
        subject: { kind: subject.kind satisfies ErasureSubjectKind, digest: command.subjectDigest },
        legalBasis: command.legalBasis,
        requestedBy:
          subject.kind === 'PERSON' && personId(command.requestedBy) === personId(subject.id)
            ? THE_DATA_SUBJECT
            : command.requestedBy,
        decidedBy: caller.id,
        rationale: command.rationale,
        ...(systemId === undefined ? {} : { systemId }),
        part: i + 1,
        parts: groups.length,
        totalEvents,
        totalValues,
        erased: erased.map(({ eventId, pointers }) => ({ eventId, pointers })),
      },
    })),
  );
}
