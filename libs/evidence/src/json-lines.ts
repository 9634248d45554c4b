import { isAscii } from 'node:buffer';

/**
 * Splits a byte stream into UTF-8 lines without holding more than one line.
 * A JSON Lines file ends with a newline; bytes after the last one are an error,
 * because a truncated file must not read as a shorter, valid one.
 */
/** A fault in the lines themselves, as opposed to the stream that carries them. */
export class LineError extends Error {}

export class JsonLines {
  private pending: Buffer[] = [];

  /** `count`: the lines before these, for a part of a file read on its own. */
  constructor(public count = 0) {}

  /** Each line's text, and its bytes (a view into `chunk` or a copy), valid until the next push. */
  *push(chunk: Buffer): Generator<{ text: string; bytes: Buffer; n: number }> {
    let start = 0;
    for (let newline = chunk.indexOf(0x0a, start); newline >= 0; newline = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, newline);
      const line = this.pending.length > 0 ? Buffer.concat([...this.pending, piece]) : piece;
      this.pending = [];
      start = newline + 1;
      this.count++;
      yield { text: decodeUtf8(line, this.count), bytes: line, n: this.count };
    }
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
  }

  end(): void {
    if (this.pending.length > 0) throw unterminated(this.count + 1);
  }
}

/** Line `n` is the last and has no newline after it. */
export function unterminated(n: number): LineError {
  return new LineError(`line ${n} does not end with a newline: the file is truncated or was altered`);
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Buffer, n: number): string {
  // ASCII, as the ledger's own lines mostly are, reads the same as Latin-1, which needs no transcoding.
  if (isAscii(bytes)) return bytes.toString('latin1');
  try {
    return decoder.decode(bytes);
  } catch {
    throw new LineError(`line ${n} is not valid UTF-8`);
  }
}
