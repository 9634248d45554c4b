import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { REPO_ROOT } from '../support/child-process';

/** The README and docs/ link to each other and into the repository; a moved section must not leave a dead link. */
const FILES = ['README.md', ...readdirSync(join(REPO_ROOT, 'docs')).map((f) => `docs/${f}`)].filter((f) =>
  f.endsWith('.md'),
);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const outsideCode = markdown.replace(/^```[\s\S]*?^```/gm, '');
  return new Set(
    [...outsideCode.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) =>
      heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
}

function links(markdown: string): string[] {
  const outsideCode = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  return [...outsideCode.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target);
}

describe('links in the README and docs/', () => {
  it.each(FILES)('every relative link and anchor in %s resolves', (file) => {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    const dead: string[] = [];
    for (const target of links(text)) {
      if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
      const [path, anchor] = target.split('#');
      const resolved = path ? join(REPO_ROOT, dirname(file), path) : join(REPO_ROOT, file);
      if (!existsSync(resolved)) dead.push(`${target} (no ${relative(REPO_ROOT, resolved)})`);
      else if (anchor && resolved.endsWith('.md') && !anchors(readFileSync(resolved, 'utf8')).has(anchor))
        dead.push(`${target} (no heading #${anchor})`);
    }
    expect(dead).toEqual([]);
  });
});
