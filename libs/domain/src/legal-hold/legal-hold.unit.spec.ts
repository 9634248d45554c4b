import { specFor } from '../testing/given-when-then';
import type { LegalHoldEvent } from './events';
import {
  blockingHolds,
  legalHoldsDecider,
  recordedLegalHolds,
  subjectDigestInput,
  type LegalHold,
  type PlaceLegalHold,
  type ReleaseLegalHold,
} from './legal-hold';

const given = specFor(legalHoldsDecider);
const at = '2026-12-07T09:00:00Z';
const digest = 'a'.repeat(64);

const place = (overrides: Partial<PlaceLegalHold> = {}): PlaceLegalHold => ({
  type: 'PlaceLegalHold',
  holdId: 'hold-1',
  scope: { kind: 'SYSTEM', systemId: 'sepsis-1' },
  reason: 'litigation about the 2025 sepsis alerts is reasonably anticipated',
  matter: 'Doe v. Hospital, 2026-CV-0042',
  systemRegistered: true,
  meta: { actor: 'counsel.carol', at },
  ...overrides,
});
const release = (overrides: Partial<ReleaseLegalHold> = {}): ReleaseLegalHold => ({
  type: 'ReleaseLegalHold',
  holdId: 'hold-1',
  reason: 'the claim was settled',
  meta: { actor: 'admin.grace', at },
  ...overrides,
});
const placed = (overrides: Partial<PlaceLegalHold> = {}): LegalHoldEvent =>
  legalHoldsDecider.decide(place(overrides), legalHoldsDecider.initialState())[0];

describe('placing a legal hold', () => {
  it('records the hold, its scope and who placed it, in the one spelling of their id', () =>
    given()
      .when(place({ meta: { actor: ' Counsel.Carol ', at } }))
      .then([
        {
          type: 'LegalHoldPlaced',
          data: {
            holdId: 'hold-1',
            scope: { kind: 'SYSTEM', systemId: 'sepsis-1' },
            reason: 'litigation about the 2025 sepsis alerts is reasonably anticipated',
            matter: 'Doe v. Hospital, 2026-CV-0042',
            placedBy: 'counsel.carol',
          },
        },
      ]));

  it('holds a subject by digest only', () =>
    given()
      .when(place({ scope: { kind: 'SUBJECT', subjectKind: 'PATIENT', subjectDigest: digest } }))
      .then([
        expect.objectContaining({
          data: expect.objectContaining({
            scope: { kind: 'SUBJECT', subjectKind: 'PATIENT', subjectDigest: digest },
          }),
        }) as LegalHoldEvent,
      ]));

  it('refuses a hold on a system the tenant has not registered, naming systemId', () =>
    given()
      .when(place({ systemRegistered: false }))
      .thenThrows('NOT_FOUND', 'systemId'));

  it('refuses a second hold with the same id', () =>
    given(placed())
      .when(place({ scope: { kind: 'SYSTEM', systemId: 'other' } }))
      .thenThrows('ALREADY_EXISTS', 'holdId'));

  it('refuses a second active hold of one scope for one matter, but takes another matter', () => {
    given(placed())
      .when(place({ holdId: 'hold-2' }))
      .thenThrows('ALREADY_EXISTS', 'matter');
    expect(
      legalHoldsDecider.decide(place({ holdId: 'hold-2', matter: 'OCR complaint 12-345' }), { holds: [] }),
    ).toHaveLength(1);
  });

  it.each([
    ['reason', { reason: '   ' }],
    ['matter', { matter: '' }],
  ])('refuses a blank %s, naming the field', (field, overrides) =>
    given().when(place(overrides)).thenThrows('VALIDATION_FAILED', field),
  );

  it('refuses a digest that is not one, naming the field', () =>
    given()
      .when(place({ scope: { kind: 'SUBJECT', subjectKind: 'PERSON', subjectDigest: 'dr.ada' } }))
      .thenThrows('VALIDATION_FAILED'));
});

describe('releasing a legal hold', () => {
  it('records who released it and why', () =>
    given(placed())
      .when(release())
      .then([
        {
          type: 'LegalHoldReleased',
          data: { holdId: 'hold-1', reason: 'the claim was settled', releasedBy: 'admin.grace' },
        },
      ]));

  it('is never done by the person who placed it, in any spelling', () => {
    const refusal = given(placed())
      .when(release({ meta: { actor: 'COUNSEL.carol', at } }))
      .rejection();
    expect(refusal.code).toBe('RELEASER_IS_PLACER');
    expect(refusal.message).toMatch(
      /separation of duties: releasing a legal hold is never done by the person who placed it/,
    );
  });

  it('refuses an unknown hold and a second release', () => {
    given().when(release()).thenThrows('NOT_FOUND', 'holdId');
    const releasedEvent: LegalHoldEvent = {
      type: 'LegalHoldReleased',
      data: { holdId: 'hold-1', reason: 'settled', releasedBy: 'admin.grace' },
    };
    given(placed(), releasedEvent)
      .when(release({ meta: { actor: 'exec.eve', at } }))
      .thenThrows('INVALID_TRANSITION', 'holdId');
  });

  it('refuses a blank reason, naming it', () =>
    given(placed())
      .when(release({ reason: ' ' }))
      .thenThrows('VALIDATION_FAILED', 'reason'));
});

describe('what blocks an erasure', () => {
  const systemHold = { ...(placed().data as LegalHold) };
  const subjectHold: LegalHold = {
    holdId: 'hold-2',
    scope: { kind: 'SUBJECT', subjectKind: 'PERSON', subjectDigest: digest },
    reason: 'r',
    matter: 'm',
    placedBy: 'counsel.carol',
  };
  const released: LegalHold = {
    ...subjectHold,
    holdId: 'hold-3',
    released: { reason: 'x', releasedBy: 'y' },
  };
  const holds = [systemHold, subjectHold, released];
  const person = { subjectKind: 'PERSON' as const, subjectDigest: digest };

  it('is every active hold on the subject or on a system its records belong to', () => {
    expect(blockingHolds(holds, person, ['sepsis-1']).map((h) => h.holdId)).toEqual(['hold-1', 'hold-2']);
    expect(blockingHolds(holds, person, ['other']).map((h) => h.holdId)).toEqual(['hold-2']);
    expect(blockingHolds(holds, { subjectKind: 'PERSON', subjectDigest: 'b'.repeat(64) }, ['other'])).toEqual(
      [],
    );
    // A digest is of one kind: a patient with the same digest is someone else.
    expect(blockingHolds(holds, { ...person, subjectKind: 'PATIENT' }, [])).toEqual([]);
  });
});

describe('the subject digest input', () => {
  it('is one text for every spelling of a person, and differs by tenant and kind', () => {
    expect(subjectDigestInput('t1', 'PERSON', 'Dr.Ada')).toBe(subjectDigestInput('t1', 'PERSON', ' dr.ada'));
    expect(subjectDigestInput('t1', 'PERSON', 'dr.ada')).toBe('t1\0PERSON\0dr.ada');
    expect(subjectDigestInput('t2', 'PERSON', 'dr.ada')).not.toBe(
      subjectDigestInput('t1', 'PERSON', 'dr.ada'),
    );
    // A patient is named by pseudonym, taken as it is.
    expect(subjectDigestInput('t1', 'PATIENT', 'ABC')).toBe('t1\0PATIENT\0ABC');
  });
});

describe('holds as recorded', () => {
  it('carries when each hold was placed and released', () => {
    const history = [
      { ...placed(), eventId: 'e1', recordedAt: '2026-01-01T00:00:00Z' },
      { ...placed({ holdId: 'hold-2', matter: 'other' }), eventId: 'e2', recordedAt: '2026-02-01T00:00:00Z' },
      {
        type: 'LegalHoldReleased' as const,
        data: { holdId: 'hold-1', reason: 'settled', releasedBy: 'admin.grace' },
        eventId: 'e3',
        recordedAt: '2026-03-01T00:00:00Z',
      },
    ];
    expect(recordedLegalHolds(history)).toEqual([
      expect.objectContaining({
        holdId: 'hold-1',
        placedAt: '2026-01-01T00:00:00Z',
        placedEventId: 'e1',
        releasedAt: '2026-03-01T00:00:00Z',
        released: { reason: 'settled', releasedBy: 'admin.grace' },
      }),
      expect.not.objectContaining({ releasedAt: expect.anything() }),
    ]);
  });
});
