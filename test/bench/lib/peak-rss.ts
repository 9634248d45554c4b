/**
 * Preloaded (`node -r`) into a command the bench runs the way a user would,
 * such as `govledger verify`: reports that process's peak RSS, in kilobytes,
 * on file descriptor 3 as it exits.
 */
import { writeSync } from 'node:fs';

process.on('exit', () => writeSync(3, String(process.resourceUsage().maxRSS)));
