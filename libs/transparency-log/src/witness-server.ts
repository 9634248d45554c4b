import Database from 'better-sqlite3';
import {
  cosign,
  cosignatureSigner,
  hashFromBase64,
  IntegrityError,
  type NoteSigner,
  type NoteVerifier,
  noteVerifier,
  openCheckpoint,
  parseCheckpoint,
  verifyConsistency,
} from '@ledger/integrity';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { noteText } from './merkle-proofs';

/*
 * A witness (c2sp.org/tlog-witness): it cosigns a log's checkpoint only after
 * checking the log's signature and a consistency proof from the last
 * checkpoint it cosigned, so a log that shows two histories is caught by the
 * first witness that saw the other one. Its state (every checkpoint it
 * cosigned, per log) is an append-only SQLite file written with
 * synchronous=FULL before the cosignature leaves: after kill -9 it never
 * forgets a size it vouched for.
 */

export interface WitnessedLog {
  /** The checkpoint origin (first line). */
  readonly origin: string;
  /** The log's verifier keys (every published one, across a rotation). */
  readonly verifierKeys: readonly string[];
}

export interface WitnessServerOptions {
  /** The SQLite state file; created when missing. */
  stateFile: string;
  /** The witness's cosignature/v1 signer key (PRIVATE+KEY+…, algorithm 4). Secret. */
  signerKey: string;
  logs: readonly WitnessedLog[];
  /** Requests per minute from one address; more get 429. */
  requestsPerMinute?: number;
  clock?: () => Date;
}

/** Larger than any honest request: a checkpoint with its signatures, and at most 63 proof hashes. */
export const MAX_REQUEST_BYTES = 64 * 1024;
const MAX_PROOF_HASHES = 63;

interface Answer {
  status: number;
  body: string;
  contentType?: string;
}

export class WitnessServer {
  private readonly db: Database.Database;
  private readonly signer: NoteSigner;
  private readonly logs: Map<string, NoteVerifier[]>;
  private readonly clock: () => Date;
  private readonly perMinute: number;
  private readonly recent = new Map<string, { minute: number; count: number }>();
  private server?: Server;

  constructor(options: WitnessServerOptions) {
    this.signer = cosignatureSigner(options.signerKey);
    this.logs = new Map(
      options.logs.map((log) => [log.origin, log.verifierKeys.map((k) => noteVerifier(k))]),
    );
    this.clock = options.clock ?? (() => new Date());
    this.perMinute = options.requestsPerMinute ?? 600;
    this.db = new Database(options.stateFile);
    this.db.pragma('journal_mode = WAL');
    // A cosignature promises the witness will refuse any other history: the state must be on disk before it leaves.
    this.db.pragma('synchronous = FULL');
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS cosigned (
         origin TEXT NOT NULL, tree_size INTEGER NOT NULL, root_hash TEXT NOT NULL,
         checkpoint TEXT NOT NULL, cosigned_at TEXT NOT NULL, PRIMARY KEY (origin, tree_size))`,
    );
  }

  /** The witness's cosignature/v1 verifier key, for the logs it witnesses to configure. */
  get verifierKey(): string {
    return this.signer.verifierKey;
  }

  /** The last size and root cosigned for `origin`, or undefined before the first. */
  latest(origin: string): { size: number; rootHash: string } | undefined {
    const row = this.db
      .prepare('SELECT tree_size, root_hash FROM cosigned WHERE origin = ? ORDER BY tree_size DESC LIMIT 1')
      .get(origin) as { tree_size: number; root_hash: string } | undefined;
    return row && { size: row.tree_size, rootHash: row.root_hash };
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    const server = createServer((request, response) => void this.serve(request, response));
    server.requestTimeout = 10_000;
    server.headersTimeout = 5_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    return server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    this.db.close();
  }

  /** One add-checkpoint request body, answered as the spec says. Synchronous, so two requests never interleave. */
  addCheckpoint(body: string): Answer {
    const request = parseRequest(body);
    if ('status' in request) return request;
    const { old, proof, note } = request;
    let origin: string;
    try {
      origin = parseCheckpoint(noteText(note)).origin;
    } catch (error) {
      return { status: 400, body: `the checkpoint is malformed: ${messageOf(error)}\n` };
    }
    const verifiers = this.logs.get(origin);
    if (!verifiers)
      return { status: 404, body: `this witness does not witness the log ${JSON.stringify(origin)}\n` };
    let checkpoint;
    try {
      checkpoint = openCheckpoint(note, verifiers, origin);
    } catch (error) {
      const forbidden =
        error instanceof IntegrityError && ['UNVERIFIED_NOTE', 'INVALID_SIGNATURE'].includes(error.code);
      return { status: forbidden ? 403 : 400, body: `${messageOf(error)}\n` };
    }
    if (old > checkpoint.size)
      return { status: 400, body: `old size ${old} is larger than the checkpoint's ${checkpoint.size}\n` };
    const root = Buffer.from(checkpoint.rootHash).toString('base64');
    const latest = this.latest(origin);
    const held = latest?.size ?? 0;
    if (old !== held) return { status: 409, body: `${held}\n`, contentType: 'text/x.tlog.size' };
    if (latest && old === checkpoint.size && root !== latest.rootHash)
      return { status: 409, body: `${held}\n`, contentType: 'text/x.tlog.size' };
    if (old === 0 || old === checkpoint.size) {
      if (proof.length > 0)
        return { status: 400, body: 'a proof from size 0, or to the same size, is empty\n' };
    } else {
      try {
        verifyConsistency({
          oldSize: old,
          newSize: checkpoint.size,
          oldRoot: hashFromBase64(latest!.rootHash),
          newRoot: checkpoint.rootHash,
          proof,
        });
      } catch (error) {
        return { status: 422, body: `the consistency proof does not verify: ${messageOf(error)}\n` };
      }
    }
    const now = this.clock();
    if (checkpoint.size > held || !latest)
      this.db
        .prepare(
          'INSERT INTO cosigned (origin, tree_size, root_hash, checkpoint, cosigned_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(origin, checkpoint.size, root, note, now.toISOString());
    return {
      status: 200,
      body: cosign(noteText(note), this.signer, Math.floor(now.getTime() / 1000)),
      contentType: 'text/x.tlog.cosignature',
    };
  }

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const answer = await this.answer(request).catch((error: unknown): Answer => ({
      status: 500,
      body: `the witness failed: ${messageOf(error)}\n`,
    }));
    response.writeHead(answer.status, {
      'content-type': answer.contentType ?? 'text/plain; charset=utf-8',
      // An unread body (too large) must not be taken for the next request on this connection.
      ...(request.readableEnded ? {} : { connection: 'close' }),
    });
    response.end(answer.body);
  }

  private async answer(request: IncomingMessage): Promise<Answer> {
    if (!this.allow(request.socket.remoteAddress ?? '')) return { status: 429, body: 'too many requests\n' };
    const path = new URL(request.url ?? '/', 'http://witness').pathname;
    if (!path.endsWith('/add-checkpoint'))
      return { status: 404, body: 'only POST /add-checkpoint is served\n' };
    if (request.method !== 'POST') return { status: 405, body: 'add-checkpoint is a POST\n' };
    const tooLarge: Answer = { status: 413, body: `a request is at most ${MAX_REQUEST_BYTES} bytes\n` };
    if (Number(request.headers['content-length'] ?? 0) > MAX_REQUEST_BYTES) return tooLarge;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) return tooLarge;
      chunks.push(chunk);
    }
    return this.addCheckpoint(Buffer.concat(chunks).toString('utf8'));
  }

  /** A fixed window per address: enough for any log (one request per checkpoint), not for a flood. */
  private allow(address: string): boolean {
    const minute = Math.floor(Date.now() / 60_000);
    const seen = this.recent.get(address);
    if (!seen || seen.minute !== minute) {
      if (this.recent.size > 10_000) this.recent.clear();
      this.recent.set(address, { minute, count: 1 });
      return true;
    }
    return ++seen.count <= this.perMinute;
  }
}

/** `old <size>`, the proof's base64 hashes one per line, a blank line, then the signed checkpoint. */
function parseRequest(body: string): { old: number; proof: Uint8Array[]; note: string } | Answer {
  const bad = (why: string): Answer => ({ status: 400, body: `malformed add-checkpoint request: ${why}\n` });
  const blank = body.indexOf('\n\n');
  if (blank < 0) return bad('no blank line between the proof and the checkpoint');
  const [first, ...hashes] = body.slice(0, blank).split('\n');
  const old = /^old (0|[1-9][0-9]{0,15})$/.exec(first);
  if (!old) return bad('the first line is "old <size>"');
  if (hashes.length > MAX_PROOF_HASHES)
    return bad(`a consistency proof has at most ${MAX_PROOF_HASHES} hashes`);
  const proof: Uint8Array[] = [];
  for (const line of hashes) {
    try {
      proof.push(hashFromBase64(line));
    } catch {
      return bad('each proof line is one base64 SHA-256 hash');
    }
  }
  return { old: Number(old[1]), proof, note: body.slice(blank + 2) };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
