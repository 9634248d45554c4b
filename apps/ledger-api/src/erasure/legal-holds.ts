import type { EventStore } from '@ledger/event-store';

/**
 * Which legal holds suspend an erasure: those on the subject (by its digest,
 * see Pseudonymiser.subjectDigest) and those on any AI system whose events the
 * erasure would touch. Answers the ids of the holds in force.
 */
export interface LegalHolds {
  blockingHolds(tenantId: string, subjectDigest: string, systemIds: readonly string[]): Promise<string[]>;
}

export const LEGAL_HOLDS = Symbol('LEGAL_HOLDS');

type HoldScope =
  { kind: 'SYSTEM'; systemId: string } | { kind: 'SUBJECT'; subjectKind: string; subjectDigest: string };

/**
 * Legal holds as the store records them (LegalHoldPlaced, LegalHoldReleased),
 * read from the log itself so a hold placed a moment ago already blocks; a
 * ledger with no holds recorded has none in force.
 */
export class StoredLegalHolds implements LegalHolds {
  constructor(private readonly store: EventStore) {}

  async blockingHolds(
    tenantId: string,
    subjectDigest: string,
    systemIds: readonly string[],
  ): Promise<string[]> {
    const inForce = new Map<string, HoldScope>();
    for await (const event of this.store.readAll()) {
      if (event.metadata.tenantId !== tenantId) continue;
      const { holdId, scope } = event.data as { holdId?: string; scope?: HoldScope };
      if (typeof holdId !== 'string') continue;
      if (event.type === 'LegalHoldPlaced' && scope) inForce.set(holdId, scope);
      else if (event.type === 'LegalHoldReleased') inForce.delete(holdId);
    }
    return [...inForce]
      .filter(([, scope]) =>
        scope.kind === 'SUBJECT' ? scope.subjectDigest === subjectDigest : systemIds.includes(scope.systemId),
      )
      .map(([holdId]) => holdId)
      .sort();
  }
}
