import { canonicalJson } from './canonical-json';
import { templateOfCanonical, templatedEventHash } from './event-hash-template';
import { GENESIS_HASH, type HashedEnvelope } from './event-hash';
import type { HashScheme } from './erasable';

/**
 * An event on its way into a stream, before the chain gives it a revision and
 * its hashes; `hashScheme` 2 when its erasable values are already sealed.
 */
export type UnchainedEnvelope = Omit<HashedEnvelope, 'stream' | 'revision' | 'integrity'> & {
  hashScheme?: HashScheme;
};

/** The last event a stream holds: the one the next appended event chains onto. */
export interface ChainHead {
  revision: number;
  hash: string;
}

export type ChainedEnvelope<E extends UnchainedEnvelope> = E & {
  stream: string;
  revision: number;
  integrity: { prevHash: string; hash: string; hashScheme?: HashScheme };
  /** `data` and `metadata` in the canonical form the hash covers: what a store that keeps text stores. */
  canonical: { data: string; metadata: string };
};

/**
 * Extends a stream's hash chain by `events`, in order: each takes the next
 * revision and carries the hash of the event before it, the first chaining
 * onto `head` or, in a new stream, onto GENESIS_HASH at revision 0. Every
 * store appends through this (PostgreSQL through the same template, filled
 * in its append function), so a verifier recomputing the chain from any
 * store's events finds the same hashes.
 */
export function chainEvents<E extends UnchainedEnvelope>(
  stream: string,
  events: readonly E[],
  head: ChainHead | undefined,
): ChainedEnvelope<E>[] {
  let revision = head?.revision ?? -1;
  let prevHash = head?.hash ?? GENESIS_HASH;
  return events.map((event) => {
    revision++;
    const canonical = { data: canonicalJson(event.data), metadata: canonicalJson(event.metadata) };
    const template = templateOfCanonical(stream, event, canonical.data, canonical.metadata, event.hashScheme);
    const hash = templatedEventHash(template, revision, prevHash);
    const integrity =
      event.hashScheme === 2 ? { hashScheme: 2 as const, prevHash, hash } : { prevHash, hash };
    const chained = { ...event, stream, revision, integrity, canonical };
    prevHash = hash;
    return chained;
  });
}
