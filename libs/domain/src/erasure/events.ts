import { Type } from '@sinclair/typebox';
import {
  Closed,
  EventsOf,
  Id,
  Narrative,
  NonEmptyList,
  Principal,
  Sha256Hex,
  StringEnum,
  Text,
  v1,
} from '../shared/schema';

/** Whom an erasure is about: a person (staff, named by their identity) or a patient (named by their pseudonym). */
export const ERASURE_SUBJECT_KINDS = ['PERSON', 'PATIENT'] as const;
export type ErasureSubjectKind = (typeof ERASURE_SUBJECT_KINDS)[number];

/**
 * The most erased events one ErasureRecorded lists. An erasure touching more
 * is recorded as several parts, appended together, so that the record of
 * what was erased is always complete and no single event grows unbounded.
 */
export const ERASED_EVENTS_PER_RECORD = 500;

const Count = (description: string) => Type.Integer({ minimum: 0, description });

/**
 * An erasure decided by a data protection officer: the durable decision,
 * appended before any value is taken out (so a crash between the two is
 * finished on the next erasure), and the evidence of what was taken out.
 * Recorded in the tenant's `erasures` stream, one event per AI system whose
 * events were touched (and one for events about no system), so that each
 * system's evidence bundle carries the erasures that concern it. It names the
 * subject only by its keyed digest and never holds an erased value.
 */
export const ERASURE_EVENTS = {
  ErasureRecorded: v1(
    Closed(
      {
        erasureId: Id('the erasure; every part of one erasure carries the same id'),
        subject: Closed(
          {
            kind: StringEnum(ERASURE_SUBJECT_KINDS, 'whether the subject is a person or a patient'),
            digest: Sha256Hex(
              "the subject's keyed digest (HMAC-SHA-256 under a key derived from the tenant's pseudonym key, of the tenant, the kind and the normalised id or patient pseudonym): it lets the ledger recognise the subject again without keeping them",
            ),
          },
          { description: 'whom the erased values named, by digest only' },
        ),
        legalBasis: Text('the legal basis of the erasure, e.g. GDPR Art 17(1)(a)', 500),
        requestedBy: Principal('who asked for the erasure: the data subject, or who acts for them'),
        decidedBy: Principal('the data protection officer who decided the erasure'),
        rationale: Narrative('why the data protection officer granted the request', 4000),
        systemId: Type.Optional(
          Id('the AI system whose events this record lists; absent for events about no system'),
        ),
        part: Type.Integer({ minimum: 1, description: 'which record of the erasure this is, from 1' }),
        parts: Type.Integer({ minimum: 1, description: 'how many records the erasure was recorded as' }),
        totalEvents: Count('how many events the whole erasure took values out of'),
        totalValues: Count('how many values the whole erasure took out'),
        erased: Type.Array(
          Closed(
            {
              eventId: Type.String({ format: 'uuid', description: 'an event values were taken out of' }),
              pointers: NonEmptyList(
                Type.String({
                  pattern: '^/',
                  maxLength: 1000,
                  description: 'a JSON Pointer, from the envelope root, of a value taken out',
                }),
                'the places taken out; their commitments stay',
              ),
            },
            { description: 'one event and the places erased in it' },
          ),
          {
            maxItems: ERASED_EVENTS_PER_RECORD,
            description: `the events this record covers and what was erased in each (at most ${ERASED_EVENTS_PER_RECORD}; more are further parts)`,
          },
        ),
      },
      {
        description:
          "A data protection officer erased a person's or a patient's values from the ledger; their commitments, and so every hash and proof, remain.",
      },
    ),
  ),
};

export type ErasureEvent = EventsOf<typeof ERASURE_EVENTS>;
