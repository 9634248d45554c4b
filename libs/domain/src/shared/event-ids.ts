import { sha256Hex } from '@ledger/integrity';

/** A stable UUID named by text: the same name always gets the same id, so a re-export or a resend matches. */
export function uuidFrom(text: string): string {
  const hex = sha256Hex(text);
  // RFC 9562 version 8 (custom) with the RFC variant bits.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The ledger's id for an event an emitter named `emitterEventId` in a tenant.
 * Emitters choose their ids, so ids are unique per tenant only: storing them
 * as they came would let one tenant's id block (and reveal) another's. The
 * ledger's eventId stays globally unique, as proofs, read models and exports
 * need; the emitter's own id is kept beside it in the event's metadata.
 */
export function tenantEventId(tenantId: string, emitterEventId: string): string {
  return uuidFrom(JSON.stringify(['tenant-event', tenantId, emitterEventId]));
}
