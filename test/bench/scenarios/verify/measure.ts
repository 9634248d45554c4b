import { erasableFieldsOf } from '@ledger/domain';
import { hashedEnvelopeOf, SqliteEventStore } from '@ledger/event-store';
import { canonicalJson, hashedForm, sha256Hex } from '@ledger/integrity';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { accessBatch, STREAM } from '../../lib/workload';

const STREAMS = 20;
const BATCH = 1000;

/**
 * A ledger of `events` DataAccessed events over several streams, written by
 * the ledger's own store, each made on behalf of `systemId` so that an
 * evidence bundle for that system holds them all.
 */
export async function seedStore({
  file,
  events,
  systemId,
}: {
  file: string;
  events: number;
  systemId: string;
}): Promise<{ events: number }> {
  // Seeding is set-up, not a measurement: NORMAL spares thousands of fsyncs.
  const store = await SqliteEventStore.open(file, {
    synchronous: 'NORMAL',
    erasableFields: erasableFieldsOf,
  });
  try {
    for (let n = 0; n < events; n += BATCH) {
      const batch = accessBatch(Math.min(BATCH, events - n), n).map((e) => ({
        ...e,
        data: { ...(e.data as object), systemId },
      }));
      await store.append(`${STREAM}-${(n / BATCH) % STREAMS}`, batch, 'any');
    }
    return { events: Number(await store.headPosition()) };
  } finally {
    await store.close();
  }
}

/**
 * SHA-256's speed on this machine, over `chunk`: the fastest of three
 * digests, in milliseconds. A physical limit is what the hardware does when
 * nothing interrupts it; the fastest run is the one least disturbed by
 * whatever else the machine is doing.
 */
function fastestDigest(chunk: Buffer): number {
  let fastest = Infinity;
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    createHash('sha256').update(chunk).digest();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

const CHUNK = 4 * 2 ** 20;

/**
 * Raw SHA-256 over the same bytes verify hashes: each event's canonical form,
 * checked to hash to the stored hash (so they are exactly those bytes), and
 * each erasable value kept beside it with its salt (what its commitment
 * covers), gathered into 4 MiB chunks. `bytes` is also the amount verify's MiB/s is
 * taken over.
 */
export async function rawSha256({
  file,
}: {
  file: string;
}): Promise<{ events: number; bytes: number; seconds: number }> {
  const store = await SqliteEventStore.open(file);
  try {
    const chunk = Buffer.allocUnsafe(CHUNK);
    let used = 0;
    let bytes = 0;
    let events = 0;
    let hashing = 0;
    const flush = () => {
      hashing += fastestDigest(chunk.subarray(0, used));
      bytes += used;
      used = 0;
    };
    for await (const event of store.readAll()) {
      const canonical = Buffer.from(hashedForm(hashedEnvelopeOf(event)));
      if (sha256Hex(canonical) !== event.integrity.hash)
        throw new Error(`canonical form of position ${event.position} does not hash to its stored hash`);
      const opened = Object.values(event.sealed?.values ?? {}).map(({ salt, value }) =>
        Buffer.concat([Buffer.from(salt!, 'hex'), Buffer.from(canonicalJson(value))]),
      );
      for (const part of [canonical, ...opened]) {
        if (used + part.length > chunk.length) flush();
        used += part.copy(chunk, used);
      }
      events++;
    }
    flush();
    return { events, bytes, seconds: hashing / 1000 };
  } finally {
    await store.close();
  }
}

/** Raw SHA-256 over a file's bytes (an evidence bundle), read in 4 MiB chunks. */
export async function rawSha256OfFile({
  file,
}: {
  file: string;
}): Promise<{ bytes: number; seconds: number }> {
  const chunk = Buffer.allocUnsafe(CHUNK);
  const fd = openSync(file, 'r');
  try {
    let bytes = 0;
    let hashing = 0;
    for (let read; (read = readSync(fd, chunk, 0, chunk.length, null)) > 0; bytes += read)
      hashing += fastestDigest(chunk.subarray(0, read));
    return { bytes, seconds: hashing / 1000 };
  } finally {
    closeSync(fd);
  }
}
