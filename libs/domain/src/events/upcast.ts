import {
  upcastAuditRecordedV1,
  upcastIncidentReportedV1,
  upcastModelVersionRegisteredV1,
} from '../ai-system/events';
import { upcastAccessDeniedV1 } from '../ledger-audit/events';
import { EVENT_SCHEMAS, type DomainEvent, type EventType } from './event-schemas';

/** What upcasting reads of a stored event; the event store's StoredEvent is one. */
export interface StoredEventData {
  type: string;
  schemaVersion: number;
  data: unknown;
  /** Named when the event cannot be read, so an operator can find it. */
  position: bigint;
  /** The envelope: an old version may have left to it what a newer one says in its data. */
  metadata: { actor: { id: string }; occurredAt: string };
}

/** Lifts one event type's data from the version it is keyed by to the next one. */
export type Upcaster = (data: Record<string, unknown>, stored: StoredEventData) => Record<string, unknown>;

/** Per event type, keyed by the version each upcaster lifts from. */
export type Upcasters = { readonly [type: string]: Readonly<Record<number, Upcaster>> | undefined };

/**
 * Every stored version older than its type's current one, and how to lift it
 * one version up. A change of shape adds the new schema as version n + 1 and
 * one entry here; the stored event is never rewritten.
 */
const UPCASTERS: { readonly [T in EventType]?: Readonly<Record<number, Upcaster>> } = {
  // v1 did not name the registrant in its data; the envelope's authenticated actor registered it.
  ModelVersionRegistered: {
    1: (v1, stored) =>
      upcastModelVersionRegisteredV1(
        v1 as Parameters<typeof upcastModelVersionRegisteredV1>[0],
        stored.metadata.actor.id,
      ),
  },
  // v1 had no Art 73 class; the incident stays unclassified rather than be given a guessed deadline.
  IncidentReported: {
    1: (v1) => upcastIncidentReportedV1(v1 as Parameters<typeof upcastIncidentReportedV1>[0]),
  },
  // v1 recorded each refusal alone; its envelope says when.
  AccessDenied: {
    1: (v1, stored) =>
      upcastAccessDeniedV1(v1 as Parameters<typeof upcastAccessDeniedV1>[0], stored.metadata.occurredAt),
  },
  // v2 only added optional fields (a review cadence, an expected interval): v1 data is v2 data without them.
  AccessPolicyRecorded: { 1: (v1) => v1 },
  MonitoringPlanned: { 1: (v1) => v1 },
  AuditSourceRegistered: { 1: (v1) => v1 },
  AuditRecorded: { 1: (v1) => upcastAuditRecordedV1(v1 as Parameters<typeof upcastAuditRecordedV1>[0]) },
};

/**
 * Reads a stored event in the domain's current shape: the command path before
 * deciding and every read model before applying it. Pure, so a replay reads
 * each event the same way every time.
 */
export const upcast: (stored: StoredEventData) => DomainEvent = upcasterFor(EVENT_SCHEMAS, UPCASTERS);

/** The upcast for a set of current versions and upcasters; `upcast` is this over the domain's own. */
export function upcasterFor(
  current: Readonly<Record<string, { version: number }>>,
  upcasters: Upcasters,
): (stored: StoredEventData) => DomainEvent {
  return (stored) => {
    const { type, schemaVersion, position } = stored;
    const unreadable = (why: string) =>
      new Error(`cannot read ${type} v${schemaVersion} at position ${position}: ${why}`);
    if (!Object.hasOwn(current, type)) throw unreadable(`${type} is not an event type of this ledger`);
    const target = current[type].version;
    if (schemaVersion > target)
      throw unreadable(
        `the current ${type} schema is v${target}; the event was written by a newer ledger than this one`,
      );
    let data = stored.data as Record<string, unknown>;
    for (let version = schemaVersion; version < target; version++) {
      const lift = upcasters[type]?.[version];
      if (!lift) throw unreadable(`no upcaster from ${type} v${version} to v${version + 1}`);
      data = lift(data, stored);
    }
    return { type, data } as DomainEvent;
  };
}
