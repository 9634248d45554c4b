import { EventLineThreads } from './event-line-threads';
import type { CheckedLines } from './event-lines';

const SCOPE = { tenantId: 't', systemId: 's', throughPosition: '100000' };
const LINES = 5000;

/** A v2 line of about 640 bytes (or `note` longer or shorter), so that LINES of them make several batches; its stated hash is not its event's, which is reported too. */
function line(position: number, note = 500): string {
  const event = `{"data":{"note":"${'x'.repeat(note)}"},"eventId":"e${position}","metadata":{"tenantId":"t"},"type":"Noted"}`;
  return `{"position":"${position}","leafIndex":${position - 1},"hash":"${'0'.repeat(64)}","event":${event}}\n`;
}

/** The lines' verdicts as the reader takes them, the file written in 64 KiB chunks as a bundle is inflated. */
async function check(file: Buffer): Promise<{ taken: CheckedLines[]; unterminated: boolean }> {
  const taken: CheckedLines[] = [];
  const threads = new EventLineThreads(SCOPE, (lines) => taken.push(lines));
  try {
    for (let at = 0; at < file.length; at += 64 * 1024)
      await threads.write(file.subarray(at, at + 64 * 1024));
    return { taken, unterminated: await threads.finish() };
  } finally {
    await threads.close();
  }
}

const positions = (taken: CheckedLines[]) =>
  taken.flatMap((t) => [...t.positions.subarray(0, t.lines)]).map(Number);
const outOfOrder = (taken: CheckedLines[]) =>
  taken
    .flatMap((t) => t.findings)
    .filter((message) => message.includes('does not follow'))
    .map((message) => Number(/^line (\d+):/.exec(message)?.[1]));

describe('v2 event lines checked on threads', () => {
  it('takes every line in file order, across batches, and finds no position out of order where there is none', async () => {
    const ascending = Array.from({ length: LINES }, (_, i) => i + 1);
    const { taken, unterminated } = await check(Buffer.from(ascending.map(line).join('')));
    expect(taken.length).toBeGreaterThan(2);
    expect(positions(taken)).toEqual(ascending);
    expect(outOfOrder(taken)).toEqual([]);
    expect(unterminated).toBe(false);
  }, 60_000);

  it('names each position that does not follow the one before, where a batch begins as within one', async () => {
    const descending = Array.from({ length: LINES }, (_, i) => LINES - i);
    const { taken } = await check(Buffer.from(descending.map(line).join('')));
    expect(taken.length).toBeGreaterThan(2);
    expect(outOfOrder(taken)).toEqual(Array.from({ length: LINES - 1 }, (_, i) => i + 2));
  }, 60_000);

  it('stops at the first line that is not UTF-8, in whichever batch, naming it by its number in the file', async () => {
    const lines = Array.from({ length: LINES }, (_, i) => Buffer.from(line(i + 1)));
    lines[3999][40] = 0xff;
    const { taken } = await check(Buffer.concat(lines));
    const stopped = taken.findIndex((t) => t.lineError !== undefined);
    expect(stopped).toBeGreaterThan(0);
    expect(taken[stopped].lineError).toBe('line 4000 is not valid UTF-8');
    expect(positions(taken.slice(0, stopped + 1))).toEqual(Array.from({ length: 3999 }, (_, i) => i + 1));
  }, 60_000);

  it('takes each line once when the file ends where a batch does, in a buffer a batch before used', async () => {
    // 512-byte lines in 64 KiB chunks: each 1 MiB batch ends at a newline, leaving nothing for the next.
    const aligned = (position: number) => line(position, 512 - line(position, 0).length);
    const count = 2 * 2048;
    const file = Buffer.from(Array.from({ length: count }, (_, i) => aligned(i + 1)).join(''));
    expect(file.length).toBe(2 * 1024 * 1024);
    const taken: CheckedLines[] = [];
    const threads = new EventLineThreads(SCOPE, (lines) => taken.push(lines));
    try {
      for (let at = 0; at < file.length; at += 64 * 1024) {
        await threads.write(file.subarray(at, at + 64 * 1024));
        // The first batch's buffer back before the second is sent, so the second's leftovers go into it.
        while (at + 64 * 1024 === 1024 * 1024 && taken.length === 0)
          await new Promise((resolve) => setImmediate(resolve));
      }
      expect(await threads.finish()).toBe(false);
    } finally {
      await threads.close();
    }
    expect(positions(taken)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
  }, 60_000);

  it('reports bytes after the last newline, a line with no end', async () => {
    const file = Array.from({ length: LINES }, (_, i) => line(i + 1)).join('');
    const { taken, unterminated } = await check(Buffer.from(file.slice(0, -1)));
    expect(positions(taken)).toHaveLength(LINES - 1);
    expect(unterminated).toBe(true);
  }, 60_000);
});
