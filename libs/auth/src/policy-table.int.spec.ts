import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { policyMarkdown } from './policy-table';

// The table lives in docs/security.md (it left the README with the rest of the security reference).
const README = join(__dirname, '../../../docs/security.md');
const START =
  '<!-- policy-table:start (generated from libs/auth/src/policy.ts; UPDATE_README_POLICY=1 npx jest libs/auth regenerates it) -->';
const END = '<!-- policy-table:end -->';

describe('the policy table in docs/security.md', () => {
  it('is the policy table the code enforces', () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start).toBeGreaterThan(-1);
    const generated = `${START}\n${policyMarkdown()}\n${END}`;
    if (process.env.UPDATE_README_POLICY)
      writeFileSync(README, readme.slice(0, start) + generated + readme.slice(end + END.length));
    else expect(readme.slice(start, end + END.length)).toBe(generated);
  });
});
