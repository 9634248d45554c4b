import { EVENT_TYPES } from '../events/event-schemas';
import type { RecordedLegalHold } from '../legal-hold/legal-hold';
import { RETENTION_CATEGORIES, retentionCategoryOf } from './categories';
import { retentionTally, type RetentionEvent } from './report';
import { addRetention, lastsAtLeastMonths } from './schedule';

describe('retention categories', () => {
  const DATA_ACCESS = [
    'DataAccessed',
    'AiOutputProduced',
    'ClinicianResponseRecorded',
    'OutcomeObserved',
    'AiOutputFlagged',
    'AccessDenied',
    'PatientLookupPerformed',
    'DataAccessExported',
  ];

  it.each(EVENT_TYPES.map((type) => [type]))('gives %s a category', (type) => {
    expect(RETENTION_CATEGORIES).toContain(retentionCategoryOf(type));
    expect(retentionCategoryOf(type)).toBe(DATA_ACCESS.includes(type) ? 'DATA_ACCESS' : 'GOVERNANCE');
  });

  it('keeps a type it does not know as long as governance', () =>
    expect(retentionCategoryOf('SomethingForged')).toBe('GOVERNANCE'));
});

describe('retention durations on the calendar', () => {
  it.each([
    ['2020-01-31T10:00:00Z', 'P1M', '2020-02-29T10:00:00.000Z'],
    ['2020-02-29T00:00:00Z', 'P6Y', '2026-02-28T00:00:00.000Z'],
    ['2026-07-01T00:00:00Z', 'P6M', '2027-01-01T00:00:00.000Z'],
    ['2026-12-30T00:00:00Z', 'P1W2D', '2027-01-08T00:00:00.000Z'],
    ['2026-03-14T09:00:00+02:00', 'P1Y', '2027-03-14T07:00:00.000Z'],
  ])('%s + %s is %s', (start, duration, end) => expect(addRetention(start, duration)).toBe(end));

  it.each([
    ['P6M', true],
    ['P1Y', true],
    ['P5M31D', true],
    ['P184D', true],
    ['P26W2D', true],
    ['P183D', false],
    ['P180D', false],
    ['P5M', false],
    ['P26W', false],
  ])('%s lasts at least six months: %s', (duration, expected) =>
    expect(lastsAtLeastMonths(duration, 6)).toBe(expected),
  );
});

describe('the retention report', () => {
  const schedule = { GOVERNANCE: 'P6Y', DATA_ACCESS: 'P1Y' };
  let position = 0n;
  const event = (type: string, recordedAt: string, where: { systemId?: string; stream: string }) =>
    ({
      type,
      stream: where.stream,
      systemId: where.systemId ?? null,
      recordedAt,
      position: ++position,
    }) satisfies RetentionEvent;
  const sepsis = { systemId: 'sepsis-1', stream: 'default/ai-system-sepsis-1' };
  const triage = { systemId: 'triage-2', stream: 'default/ai-system-triage-2' };
  const ehr = { stream: 'default/data-access-ehr' };
  const events = [
    event('AiSystemRegistered', '2020-01-10T00:00:00Z', sepsis),
    event('DataAccessed', '2020-02-01T00:00:00Z', ehr),
    event('DataAccessed', '2020-03-01T00:00:00Z', ehr),
    event('AiSystemRegistered', '2020-04-01T00:00:00Z', triage),
    event('AiOutputProduced', '2020-05-01T00:00:00Z', { ...sepsis, stream: 'default/clinical-use-icu' }),
    event('DataAccessed', '2026-03-01T00:00:00Z', ehr),
    event('ModelVersionRegistered', '2026-03-01T00:00:00Z', sepsis),
  ];
  const hold = (overrides: Partial<RecordedLegalHold> = {}): RecordedLegalHold => ({
    holdId: 'hold-1',
    scope: { kind: 'SYSTEM', systemId: 'sepsis-1' },
    reason: 'r',
    matter: 'Doe v. Hospital',
    placedBy: 'counsel.carol',
    placedAt: '2026-06-01T00:00:00Z',
    placedEventId: 'e1',
    ...overrides,
  });
  const report = (asOf: string, holds: RecordedLegalHold[] = []) => {
    const tally = retentionTally({ schedule, holds, asOf });
    for (const e of events) tally.add(e);
    return tally.report();
  };

  it('lists nothing before any retention has passed', () =>
    expect(report('2020-12-31T00:00:00Z')).toMatchObject({ due: [], held: [] }));

  it('lists what is past its category’s retention, per category and system or stream', () =>
    expect(report('2026-03-15T00:00:00Z').due).toEqual([
      {
        category: 'GOVERNANCE',
        systemId: 'sepsis-1',
        stream: null,
        count: 1,
        firstPosition: 1n,
        lastPosition: 1n,
        oldestRecordedAt: '2020-01-10T00:00:00Z',
        dueSince: '2026-01-10T00:00:00.000Z',
      },
      {
        category: 'DATA_ACCESS',
        systemId: null,
        stream: 'default/data-access-ehr',
        count: 2,
        firstPosition: 2n,
        lastPosition: 3n,
        oldestRecordedAt: '2020-02-01T00:00:00Z',
        dueSince: '2021-02-01T00:00:00.000Z',
      },
      expect.objectContaining({ category: 'DATA_ACCESS', systemId: 'sepsis-1', count: 1, firstPosition: 5n }),
    ]));

  it('keeps what an active system hold covers out of the due list, listing it under the hold', () => {
    const { due, held } = report('2026-07-01T00:00:00Z', [hold()]);
    expect(due.map((g) => g.systemId ?? g.stream)).toEqual(['triage-2', 'default/data-access-ehr']);
    expect(held).toEqual([
      {
        hold: hold(),
        suspended: [
          expect.objectContaining({ category: 'GOVERNANCE', systemId: 'sepsis-1', count: 1 }),
          expect.objectContaining({ category: 'DATA_ACCESS', systemId: 'sepsis-1', count: 1 }),
        ],
      },
    ]);
  });

  it('applies a hold only while it is active at asOf', () => {
    expect(report('2026-05-01T00:00:00Z', [hold()]).held).toEqual([]);
    const released = hold({ releasedAt: '2026-06-15T00:00:00Z', released: { reason: 'x', releasedBy: 'y' } });
    expect(report('2026-07-01T00:00:00Z', [released])).toMatchObject({ held: [] });
    expect(report('2026-07-01T00:00:00Z', [released]).due).toHaveLength(4);
  });

  it('keeps the record of the holds while one of them is in force', () => {
    const holdEvent = event('LegalHoldPlaced', '2020-01-01T00:00:00Z', { stream: 'default/legal-holds' });
    const at = (asOf: string, holds: RecordedLegalHold[]) => {
      const tally = retentionTally({ schedule, holds, asOf });
      tally.add(holdEvent);
      return tally.report().due;
    };
    const placedEarly = hold({ placedAt: '2020-01-01T00:00:00Z' });
    expect(at('2030-01-01T00:00:00Z', [placedEarly])).toEqual([]);
    const released = { ...placedEarly, releasedAt: '2021-01-01T00:00:00Z' };
    expect(at('2030-01-01T00:00:00Z', [released])).toEqual([
      expect.objectContaining({ category: 'GOVERNANCE', stream: 'default/legal-holds', count: 1 }),
    ]);
  });

  it('lists a subject hold with the events that name its subject', () => {
    const digest = 'c'.repeat(64);
    const subjectHold = hold({
      holdId: 'hold-2',
      scope: { kind: 'SUBJECT', subjectKind: 'PATIENT', subjectDigest: digest },
    });
    const tally = retentionTally({ schedule, holds: [subjectHold], asOf: '2030-01-01T00:00:00Z' });
    tally.add({ ...event('DataAccessed', '2020-01-01T00:00:00Z', ehr), subjectDigests: [digest] });
    tally.add(event('DataAccessed', '2020-01-01T00:00:00Z', ehr));
    const { due, held } = tally.report();
    expect(due).toEqual([expect.objectContaining({ count: 1 })]);
    expect(held).toEqual([{ hold: subjectHold, suspended: [expect.objectContaining({ count: 1 })] }]);
  });
});
