import { Type } from '@sinclair/typebox';
import { Closed, EventsOf, Id, Principal, Sha256Hex, StringEnum, Text, v1 } from '../shared/schema';

/**
 * Legal holds of one tenant, in its `legal-holds` stream. A hold suspends the
 * erasure and the expiry of what it covers until someone releases it. A held
 * person or patient is never named: only the keyed digest of who they are
 * (see `subjectDigestInput`), which the erasure of that subject recomputes.
 */

export const SUBJECT_KINDS = ['PERSON', 'PATIENT'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

const holdId = Id('the legal hold');

export const LEGAL_HOLD_EVENTS = {
  LegalHoldPlaced: v1(
    Closed(
      {
        holdId,
        scope: Type.Union(
          [
            Closed(
              {
                kind: Type.Literal('SYSTEM'),
                systemId: Id('the AI system whose records are held'),
              },
              { description: 'every record of one AI system' },
            ),
            Closed(
              {
                kind: Type.Literal('SUBJECT'),
                subjectKind: StringEnum(SUBJECT_KINDS, 'whether the subject is a person or a patient'),
                subjectDigest: Sha256Hex(
                  "HMAC-SHA-256, under a key derived from the tenant's pseudonym key, of the tenant id, a NUL, the subject kind, a NUL and the subject: a person's id in its one spelling, a patient's pseudonym",
                ),
              },
              { description: 'every record naming one person or patient' },
            ),
          ],
          { description: 'what the hold covers: an AI system, or one person or patient' },
        ),
        reason: Text('why the records must be kept', 2000),
        matter: Text('the case, claim or investigation the hold is for, as counsel refers to it', 500),
        placedBy: Principal('who placed the hold'),
      },
      { description: 'A legal hold was placed: what it covers may be neither erased nor expired.' },
    ),
  ),

  LegalHoldReleased: v1(
    Closed(
      {
        holdId,
        reason: Text('why the hold is no longer needed', 2000),
        releasedBy: Principal('who released the hold; never who placed it'),
      },
      { description: 'A legal hold was released: what it covered follows its retention again.' },
    ),
  ),
};

export type LegalHoldEvent = EventsOf<typeof LEGAL_HOLD_EVENTS>;
export type LegalHoldScope = Extract<LegalHoldEvent, { type: 'LegalHoldPlaced' }>['data']['scope'];
