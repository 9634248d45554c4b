import type { Kysely } from 'kysely';
import { appliedThrough } from '@ledger/read-models';
import type { CheckpointTables } from '@ledger/read-store';

/**
 * Answers read from a projection's tables, kept while that projection stays
 * at the position it was at when they were read. A projection's tables change
 * only in the transaction that moves its checkpoint, so an answer kept under
 * the position a request reads is the answer that request would compute: the
 * checkpoint is read before the rows, and a later commit can only make the
 * kept rows newer than their key, never older. Dashboards and auditors repeat
 * the same few questions far more often than governance changes; under
 * ingest a projection moves once per batch, and every batch empties the keys
 * read before it.
 *
 * Callers check authorisation and validate arguments before asking, and put
 * the tenant and every argument the answer depends on into the key; an answer
 * that depends on the clock (an `asOf` left out) must not be kept at all.
 */
export class CheckpointCache {
  private readonly entries = new Map<string, { position: bigint; value: unknown }>();

  constructor(
    private readonly db: Kysely<CheckpointTables>,
    /** A page of 50 data accesses is about 20 kB; this many keep the cache within a few MB. */
    private readonly capacity = 256,
  ) {}

  async read<T>(projection: string, key: string, compute: () => Promise<T>): Promise<T> {
    const position = await appliedThrough(this.db, projection);
    const id = `${projection} ${key}`;
    const kept = this.entries.get(id);
    // Re-inserted on every use, so the Map's order is least recently used first.
    this.entries.delete(id);
    if (kept?.position === position) {
      this.entries.set(id, kept);
      return kept.value as T;
    }
    const value = await compute();
    this.entries.set(id, { position, value });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}
