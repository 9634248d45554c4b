import { dataAccessCsv } from './data-access-csv';

const record = {
  position: '42',
  eventId: '0f3a12bc-5d4f-4e1a-9b3c-2f6d8e0a1b4c',
  actor: 'dr.ada',
  datasetId: 'icu-vitals',
  resource: null,
  patientPseudonym: 'cd'.repeat(32),
  action: 'R',
  purposeOfUse: 'TREAT',
  outcome: 'success',
  sourceService: 'epic',
  systemId: null,
  occurredAt: '2026-06-01T09:00:00.000Z',
  violation: null,
};

describe('dataAccessCsv', () => {
  it('writes a header row and one row per access, empty fields for nulls, CRLF line ends', () => {
    expect(dataAccessCsv([record]).split('\r\n')).toEqual([
      'occurredAt,eventId,position,actor,action,purposeOfUse,outcome,datasetId,resource,systemId,sourceService,violation,patientPseudonym',
      `2026-06-01T09:00:00.000Z,0f3a12bc-5d4f-4e1a-9b3c-2f6d8e0a1b4c,42,dr.ada,R,TREAT,success,icu-vitals,,,epic,,${'cd'.repeat(32)}`,
      '',
    ]);
  });

  it('quotes commas, quotes and line breaks, and defuses what a spreadsheet would run as a formula', () => {
    const [, row] = dataAccessCsv([
      { ...record, actor: 'say "hi", then\nleave', resource: '=HYPERLINK("x")', sourceService: '@sum' },
    ]).split(/\r\n(?=2026)/);
    expect(row).toBe(
      `2026-06-01T09:00:00.000Z,0f3a12bc-5d4f-4e1a-9b3c-2f6d8e0a1b4c,42,"say ""hi"", then\nleave",R,TREAT,success,icu-vitals,"'=HYPERLINK(""x"")",,'@sum,,${'cd'.repeat(32)}\r\n`,
    );
  });

  it('is just the header for no accesses', () => {
    expect(dataAccessCsv([])).toBe(
      'occurredAt,eventId,position,actor,action,purposeOfUse,outcome,datasetId,resource,systemId,sourceService,violation,patientPseudonym\r\n',
    );
  });
});
