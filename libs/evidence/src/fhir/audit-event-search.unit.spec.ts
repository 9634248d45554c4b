import { auditEventSearchOf } from './audit-event-search';

const NOW = new Date('2026-12-01T00:00:00.000Z');
const conditionsOf = (query: string) => {
  const parsed = auditEventSearchOf([...new URLSearchParams(query)], NOW);
  if ('issues' in parsed) throw new Error(JSON.stringify(parsed.issues));
  return parsed.search.conditions;
};
const refusalOf = (query: string) => {
  const parsed = auditEventSearchOf([...new URLSearchParams(query)], NOW);
  if (!('issues' in parsed)) throw new Error(`${query} was accepted`);
  return parsed.issues[0];
};

describe('AuditEvent search parameters', () => {
  it('reads a partial date as the whole of its span in UTC, and a time with an offset as the instant it names', () => {
    expect(conditionsOf('date=2024-02')).toEqual([
      { occurred: { from: '2024-02-01T00:00:00.000Z', before: '2024-03-01T00:00:00.000Z' } },
    ]);
    expect(conditionsOf('date=2026')).toEqual([
      { occurred: { from: '2026-01-01T00:00:00.000Z', before: '2027-01-01T00:00:00.000Z' } },
    ]);
    expect(conditionsOf('date=2024-02-29')).toEqual([
      { occurred: { from: '2024-02-29T00:00:00.000Z', before: '2024-03-01T00:00:00.000Z' } },
    ]);
    expect(conditionsOf(`date=${encodeURIComponent('le2026-03-03T14:30:15+02:00')}`)).toEqual([
      { occurred: { before: '2026-03-03T12:30:16.000Z' } },
    ]);
    expect(conditionsOf('date=lt0050')).toEqual([{ occurred: { before: '0050-01-01T00:00:00.000Z' } }]);
    expect(conditionsOf('date=gt2026-03-03T12:30:15.25Z')).toEqual([
      { occurred: { from: '2026-03-03T12:30:15.251Z' } },
    ]);
  });

  it('widens ap by a tenth of the distance from now, and no less than 2.4 hours', () => {
    // 2026-11-21 is 10 days before now: a day either side.
    expect(conditionsOf('date=ap2026-11-21')).toEqual([
      { occurred: { from: '2026-11-20T00:00:00.000Z', before: '2026-11-23T00:00:00.000Z' } },
    ]);
    expect(conditionsOf('date=ap2026-12-01')).toEqual([
      { occurred: { from: '2026-11-30T21:36:00.000Z', before: '2026-12-02T02:24:00.000Z' } },
    ]);
  });

  it('refuses dates that are not on the calendar or not in a FHIR form', () => {
    for (const value of [
      '2026-02-29',
      '2026-00',
      '2026-03-32',
      '26-03-01',
      '2026-03-01T24:00Z',
      'xx2026',
      'eq',
    ])
      expect(refusalOf(`date=${value}`).expression).toEqual(['date']);
  });

  it('splits comma alternatives but not escaped commas, and unescapes them', () => {
    expect(conditionsOf('agent=|a\\,b,|c')).toEqual([
      {
        anyOf: [
          { sent: ['agent |a,b'], otherwise: { column: 'actor', oneOf: ['a,b'] } },
          { sent: ['agent |c'], otherwise: { column: 'actor', oneOf: ['c'] } },
        ],
      },
    ]);
  });

  it('gives patients back raw, one list per parameter, for the caller to pseudonymise', () => {
    const parsed = auditEventSearchOf(
      [
        ['patient', 'Patient/1,2'],
        ['patient', '3'],
      ],
      NOW,
    );
    expect('search' in parsed && parsed.search.patients).toEqual([['1', '2'], ['3']]);
  });

  it('names the parameter and the rule of every refusal', () => {
    expect(refusalOf('colour=blue')).toMatchObject({ expression: ['colour'], code: 'not-supported' });
    expect(refusalOf('subtype:not=read')).toMatchObject({
      expression: ['subtype:not'],
      code: 'not-supported',
    });
    expect(refusalOf('_count=101')).toMatchObject({ expression: ['_count'] });
    expect(refusalOf(`${'n'.repeat(65)}=1`)).toMatchObject({ expression: ['query'] });
    expect(refusalOf('agent=a%01')).toMatchObject({ expression: ['agent'] });
  });
});
