import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The checkout (or image) root that holds `schema/` and `package.json`, found from here whether running from src or dist. */
export function repoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'schema'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json with a schema/ folder above ${from}`);
  }
}
