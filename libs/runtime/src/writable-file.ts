import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Why `path` cannot be a file this process writes, or undefined when it can:
 * a directory there, or no write permission on it or on the nearest existing
 * folder above it (missing folders are created on first write). Checked at
 * start, so a mistyped path stops the start instead of failing on every write.
 */
export function writableFileProblem(path: string): string | undefined {
  let at = resolve(path);
  try {
    if (statSync(at).isDirectory()) return `${path} is a directory; give the path of a file inside it`;
    accessSync(at, constants.W_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return `${path} is not writable by this process`;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return `${path} cannot be used: ${(error as Error).message}`;
  }
  for (at = dirname(at); ; at = dirname(at)) {
    try {
      if (!statSync(at).isDirectory()) return `${path} cannot be created: ${at} is not a directory`;
      accessSync(at, constants.W_OK);
      return undefined;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && dirname(at) !== at) continue;
      return `${path} cannot be created: ${at} is not writable by this process`;
    }
  }
}
