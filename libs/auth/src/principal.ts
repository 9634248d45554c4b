import type { Role } from './policy';

/** An authenticated caller, as the token says. The tenant comes from the token and nowhere else. */
export interface Principal {
  /** The token subject as a `personId`: NFC, trimmed, lower-cased, so one person has one id. */
  id: string;
  role: Role;
  tenantId: string;
  /** Regulators: the AI systems granted to them. */
  systems?: readonly string[];
  /** Emitters: the event types they may send; absent means every ingestible type. */
  eventTypes?: readonly string[];
  onBehalfOf?: string;
}
