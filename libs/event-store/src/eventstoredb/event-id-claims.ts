import type { AppendExpectedRevision, JSONEventData } from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import type { StoredEvent } from '../types';
import { toStoredEvent } from './envelope';
import type { EsdbClient } from './esdb-client';
import { isClientError, NO_STREAM } from './esdb-runtime';
import { readAt, readLast, readStreamEvents } from './reads';
import { claimStreamOf } from './streams';

/*
 * Idempotency beyond EventStoreDB's window
 * ========================================
 *
 * The ledger promises that an eventId is stored at most once, ever, and that a
 * resend is answered with the original revision and position. EventStoreDB
 * only recognises a repeated event id within its idempotency window (a cache
 * of recent writes, lost on restart), and has no index by event id.
 *
 * Design: before an event is appended, its id is claimed in a stream of its
 * own, `_ledger-eventid-<eventId>`. A claim names the exact place the event
 * will take if the append succeeds, its slot: the stream, the revision the
 * append expects (`base`, -1 for a new stream) and the event's index in the
 * batch; the event lands at revision base + 1 + index or not at all, because
 * every ledger append is sent with an exact expected revision (never ANY) and
 * appends are atomic. Whether a claim produced the event is then a fact the
 * store itself can answer at any later time, with two reads:
 *
 *   read the stream's last revision L, then the event at the slot:
 *   - the slot holds this eventId      → STORED (a resend is a duplicate);
 *   - the slot holds another event, or
 *     L moved past base without it    → DEAD (the append lost or never ran,
 *                                        and now never can succeed);
 *   - L is still base                 → PENDING (the append may still land).
 *
 * The first claim is created with expected revision NO_STREAM, and the server
 * lets exactly one writer create a stream, so only one appender at a time
 * proceeds without looking. Anyone who finds the claim stream existing
 * resolves every claim in it:
 *   - one is STORED: answer duplicate (same content) or EVENT_ID_REUSED;
 *   - one is PENDING in another stream: refuse with EVENT_ID_REUSED (that
 *     append may still land; an event id names one event in one stream);
 *   - otherwise (all DEAD, or PENDING in the same stream): append a new claim
 *     with the claim stream's exact expected revision (so of two resolvers
 *     only one claims) and append the event. A PENDING claim in the same
 *     stream has base = L, and our append is sent at L too: whichever of the
 *     two appends arrives first wins and the other fails WrongExpectedVersion,
 *     so the event cannot land twice.
 * An append that gives up before sending (a conflict, a reused id elsewhere in
 * the batch) releases its claims, so they are DEAD at once.
 *
 * Crash windows (process killed, connection lost):
 *   1. after claiming, before appending: the claim stays PENDING while the
 *      stream stays at base. A resend to the same stream takes it over at
 *      once; the same id sent to another stream is refused with
 *      EVENT_ID_REUSED until the stream moves. Never a double store; at worst
 *      an id that was never stored cannot be reused for other content.
 *   2. append sent, outcome unknown: the slot answers it. If the append is
 *      still in flight, a takeover is sent at the same base, so only one of
 *      them can succeed; if EventStoreDB treats the two as one idempotent
 *      write, the adapter reads the slot back and reports what is stored.
 *   3. after the append, before acknowledging: the slot holds the event, and
 *      every resend is a duplicate, forever.
 *   4. between claims of one batch: each claim is window 1 on its own.
 *
 * Why not a PostgreSQL table of event ids: it shares no transaction with
 * EventStoreDB, so it has the same windows, adds a second system every append
 * depends on, and its "stored" could still be a lie after a crash. Why not one
 * index stream of all ids: every append would contend on it. One small stream
 * per event id is what EventStoreDB is built for (streams are index entries,
 * not files); it costs one extra small write per event, and two reads only
 * when a claim already exists.
 *
 * What this relies on: every ledger event is appended through this adapter
 * (claims come first), ledger and claim streams are never truncated or
 * deleted (RetentionGuard, ACLs in docs/event-store.md).
 */

const CLAIMED = 'LedgerEventIdClaimed';
const RELEASED = 'LedgerEventIdReleased';

/** Where an event lands if its append succeeds. */
export interface Slot {
  stream: string;
  /** The stream's last revision the append expects; -1 when it expects no stream. */
  base: number;
  /** The event's index within its append. */
  index: number;
}

interface ClaimData extends Slot {
  attemptId: string;
}

export type Reservation =
  /** Ours: the event may be appended at the slot. `tookOver`: an earlier claim in the same stream was still pending. */
  | { kind: 'claimed'; eventId: string; attemptId: string; claimRevision: bigint; tookOver: boolean }
  | { kind: 'stored'; eventId: string; event: StoredEvent }
  /** Pending in another stream: that append may still land. */
  | { kind: 'held'; eventId: string; by: Slot }
  /** Another resolver claimed between our read of the claims and our claim. */
  | { kind: 'raced'; eventId: string };

/** The last revision of a stream (null when it does not exist), as read before the slots it is compared with. */
export type LastRevisionOf = (stream: string) => Promise<number | null>;

interface Resolution {
  stored?: StoredEvent;
  pending: Slot[];
  /** Revision of the claim stream's last event, for the next claim's expected revision. */
  claimStreamRevision?: bigint;
}

function claimEvent(data: ClaimData): JSONEventData {
  return {
    id: randomUUID(),
    contentType: 'application/json',
    type: CLAIMED,
    data: { ...data },
    metadata: undefined,
  };
}

export class EventIdClaims {
  constructor(private readonly client: EsdbClient) {}

  /** Claims `eventId` for an append at `slot`, or says why it may not be appended. */
  async reserve(eventId: string, slot: Slot, lastRevisionOf: LastRevisionOf): Promise<Reservation> {
    const attemptId = randomUUID();
    const claim = claimEvent({ attemptId, ...slot });
    const first = await this.tryClaim(eventId, claim, NO_STREAM);
    if (first) return { kind: 'claimed', eventId, attemptId, claimRevision: 0n, tookOver: false };

    const resolution = await this.resolve(eventId, lastRevisionOf);
    if (resolution.stored) return { kind: 'stored', eventId, event: resolution.stored };
    const elsewhere = resolution.pending.find((p) => p.stream !== slot.stream);
    if (elsewhere) return { kind: 'held', eventId, by: elsewhere };
    const expected = resolution.claimStreamRevision ?? NO_STREAM;
    if (!(await this.tryClaim(eventId, claim, expected))) return { kind: 'raced', eventId };
    return {
      kind: 'claimed',
      eventId,
      attemptId,
      claimRevision: expected === NO_STREAM ? 0n : (expected as bigint) + 1n,
      tookOver: resolution.pending.length > 0,
    };
  }

  /**
   * Marks a claim dead because its append will not be sent. Best effort: if
   * someone claimed after us the release is refused, which is fine (their
   * claim supersedes ours), and a release lost to a crash leaves crash window 1.
   */
  async release(reservation: Extract<Reservation, { kind: 'claimed' }>): Promise<void> {
    const released: JSONEventData = {
      id: randomUUID(),
      contentType: 'application/json',
      type: RELEASED,
      data: { attemptId: reservation.attemptId },
      metadata: undefined,
    };
    await this.tryClaim(reservation.eventId, released, reservation.claimRevision);
  }

  /** The stored event with this id, if any claim produced one. Reads only. */
  async find(eventId: string, lastRevisionOf: LastRevisionOf): Promise<StoredEvent | undefined> {
    return (await this.resolve(eventId, lastRevisionOf)).stored;
  }

  private async tryClaim(
    eventId: string,
    event: JSONEventData,
    expectedRevision: AppendExpectedRevision,
  ): Promise<boolean> {
    try {
      await this.client.appendToStream(claimStreamOf(eventId), event, { expectedRevision });
      return true;
    } catch (error) {
      if (isClientError(error, 'WrongExpectedVersionError')) return false;
      throw error;
    }
  }

  private async resolve(eventId: string, lastRevisionOf: LastRevisionOf): Promise<Resolution> {
    const claims: ClaimData[] = [];
    const released = new Set<string>();
    let claimStreamRevision: bigint | undefined;
    for await (const event of readStreamEvents(this.client, claimStreamOf(eventId), {})) {
      claimStreamRevision = event.revision;
      const data = event.data as Partial<ClaimData>;
      if (event.type === CLAIMED) claims.push(data as ClaimData);
      else if (event.type === RELEASED && typeof data.attemptId === 'string') released.add(data.attemptId);
    }
    const pending: Slot[] = [];
    for (const claim of claims.filter((c) => !released.has(c.attemptId))) {
      // The last revision first, then the slot: if the append lands between the
      // two reads the slot shows it; if it lands after both, L still equals base
      // and the claim counts as pending, which only ever makes us wait or race.
      const last = await lastRevisionOf(claim.stream);
      const atSlot = await readAt(this.client, claim.stream, claim.base + 1 + claim.index);
      if (atSlot) {
        if (atSlot.id === eventId) return { stored: toStoredEvent(atSlot), pending: [], claimStreamRevision };
        continue;
      }
      if ((last ?? -1) <= claim.base)
        pending.push({ stream: claim.stream, base: claim.base, index: claim.index });
    }
    return { pending, claimStreamRevision };
  }
}

/** The current last revision of any stream, read fresh: for callers that have not read one already. */
export function freshLastRevision(client: EsdbClient): LastRevisionOf {
  return async (stream) => {
    const last = await readLast(client, stream);
    return last === undefined ? null : Number(last.revision);
  };
}
