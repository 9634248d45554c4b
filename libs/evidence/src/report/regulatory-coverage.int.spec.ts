import { EVENT_TYPES } from '@ledger/domain';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REGULATORY_COVERAGE } from './regulatory-coverage';

const ROOT = join(__dirname, '../../../..');

describe('the regulatory coverage table', () => {
  it('covers every control the issue names', () =>
    expect(REGULATORY_COVERAGE.map((c) => `${c.framework} ${c.control.split(' ')[0]}`)).toEqual([
      'HIPAA §164.312(b)',
      'HIPAA §164.308(a)(1)(ii)(D)',
      'HIPAA §164.316(b)(2)',
      'EU AI Act Art.',
      'EU AI Act Art.',
      'EU AI Act Art.',
      'EU AI Act Art.',
      'EU AI Act Art.',
      'EU AI Act Art.',
      'EU AI Act Art.',
      'NIST AI RMF GOVERN',
      'NIST AI RMF GOVERN',
      'NIST AI RMF GOVERN',
      'NIST AI RMF MANAGE',
      'NIST AI RMF MANAGE',
      'ISO/IEC 42001 A.3.2',
      'ISO/IEC 42001 A.7.5',
      'ISO/IEC 42001 10.2',
      'FDA PCCP',
      'ONC §170.315(d)(2)',
    ]));

  it.each(REGULATORY_COVERAGE.map((c) => [`${c.framework} ${c.control}`, c] as const))(
    '%s names event types the ledger records and test files that exist',
    (_, control) => {
      for (const type of control.eventTypes) expect(EVENT_TYPES).toContain(type);
      for (const test of control.tests)
        expect({ test, exists: existsSync(join(ROOT, test)) }).toEqual({ test, exists: true });
    },
  );

  it('is the table in docs/regulatory-coverage.md, row for row', () => {
    const readme = readFileSync(join(ROOT, 'docs/regulatory-coverage.md'), 'utf8');
    for (const control of REGULATORY_COVERAGE)
      expect(readme).toContain(`| ${control.framework} ${control.control} |`);
  });
});
