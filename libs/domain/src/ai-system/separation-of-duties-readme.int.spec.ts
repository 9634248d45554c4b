import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { separationOfDutiesMarkdown } from './separation-of-duties';

const README = join(__dirname, '../../../../docs/graphql.md');
const START =
  '<!-- separation-of-duties:start (generated from libs/domain/src/ai-system/separation-of-duties.ts; UPDATE_README_SEPARATION=1 npx jest libs/domain/src/ai-system/separation-of-duties-readme regenerates it) -->';
const END = '<!-- separation-of-duties:end -->';

describe('the separation-of-duties table in docs/graphql.md', () => {
  it('is the matrix the deciders refuse by', () => {
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start).toBeGreaterThan(-1);
    expect(end).toBeGreaterThan(start);
    const generated = `${START}\n${separationOfDutiesMarkdown()}\n${END}`;
    if (process.env.UPDATE_README_SEPARATION)
      writeFileSync(README, readme.slice(0, start) + generated + readme.slice(end + END.length));
    else expect(readme.slice(start, end + END.length)).toBe(generated);
  });
});
