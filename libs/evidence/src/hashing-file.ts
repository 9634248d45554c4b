import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';

/**
 * A file written as a stream, its SHA-256 and length taken on the way, waiting on the disk rather than buffering.
 * With `gzip`, what is written is gzipped on the way to the file, and the digest and length are of the gzipped bytes:
 * a member the bundle carries compressed is never written out whole first (the FHIR view of 333k events is 634 MiB).
 */
export class HashingFile {
  private readonly stream: WriteStream;
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private readonly gzip?: { stream: Gzip; piped: Promise<void> };

  constructor(
    readonly path: string,
    options: { gzip?: boolean } = {},
  ) {
    this.stream = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    if (options.gzip) {
      const stream = createGzip();
      const piped = pipeline(stream, (gzipped) => this.tally(gzipped), this.stream);
      // Its failure surfaces in write or close; one left unawaited after abort must not end the process.
      piped.catch(() => undefined);
      this.gzip = { stream, piped };
    }
  }

  async write(text: string | Buffer): Promise<void> {
    const chunk = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    if (this.gzip) {
      if (!this.gzip.stream.write(chunk)) await once(this.gzip.stream, 'drain');
      return;
    }
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<{ bytes: number; sha256: string }> {
    if (this.gzip) {
      this.gzip.stream.end();
      await this.gzip.piped;
    } else {
      this.stream.end();
      await once(this.stream, 'finish');
    }
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** After a failure: let go of the file; the caller removes the directory. */
  abort(): void {
    this.gzip?.stream.destroy();
    this.stream.destroy();
  }

  /** The gzipped bytes on their way to the file, digested and counted. */
  private async *tally(gzipped: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of gzipped) {
      this.hash.update(chunk);
      this.bytes += chunk.length;
      yield chunk;
    }
  }
}
