/**
 * Splits a byte stream into UTF-8 lines without holding more than one line.
 * A JSON Lines file ends with a newline; bytes after the last one are an error,
 * because a truncated file must not read as a shorter, valid one.
 */
/** A fault in the lines themselves, as opposed to the stream that carries them. */
export class LineError extends Error {}

export class JsonLines {
  private pending: Buffer[] = [];
  count = 0;

  *push(chunk: Buffer): Generator<{ text: string; n: number }> {
    let start = 0;
    for (let newline = chunk.indexOf(0x0a, start); newline >= 0; newline = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, newline);
      const line = this.pending.length > 0 ? Buffer.concat([...this.pending, piece]) : piece;
      this.pending = [];
      start = newline + 1;
      this.count++;
      yield { text: decodeUtf8(line, this.count), n: this.count };
    }
    if (start < chunk.length) this.pending.push(chunk.subarray(start));
  }

  end(): void {
    if (this.pending.length > 0)
      throw new LineError(
        `line ${this.count + 1} does not end with a newline: the file is truncated or was altered`,
      );
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Uint8Array, n: number): string {
  try {
    return decoder.decode(bytes);
  } catch {
    throw new LineError(`line ${n} is not valid UTF-8`);
  }
}
