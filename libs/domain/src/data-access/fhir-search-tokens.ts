/** The AuditEvent search parameters whose values an AuditEvent as sent says for itself. */
export type SentSearchParam = 'type' | 'subtype' | 'entity-type' | 'outcome' | 'agent' | 'source' | 'entity';

/** AuditEvent.outcome is a code bound to this system. */
export const AUDIT_EVENT_OUTCOME_SYSTEM = 'http://hl7.org/fhir/audit-event-outcome';

/** Longer values are kept out of the token table; no search value may be longer (the search refuses them). */
const MAX_VALUE = 256;

/**
 * One searchable value, in the form a FHIR token search asks for it: with its
 * system (`system|code`), as having none (`|code`, system ''), or under any
 * system (`code`, system undefined). A reference is a code with no system.
 */
export function searchToken(param: SentSearchParam, system: string | undefined, code: string): string {
  return system === undefined ? `${param} ${code}` : `${param} ${system}|${code}`;
}

interface Coded {
  system?: unknown;
  code?: unknown;
}
interface Named {
  reference?: unknown;
  identifier?: { system?: unknown; value?: unknown };
}
interface SentAuditEvent {
  type?: Coded;
  subtype?: Coded[];
  outcome?: unknown;
  agent?: Array<{ who?: Named }>;
  source?: { observer?: Named };
  entity?: Array<{ what?: Named; type?: Coded }>;
}

/**
 * Every value the ITI-81 token and reference parameters match in an
 * AuditEvent as it was sent (R4's search parameter paths: type, subtype,
 * entity.type, outcome, agent.who, source.observer, entity.what), so that it
 * is found by what it says, not by what the ledger would have written for it.
 * Pure: the projection stores these for each access recorded from FHIR.
 */
export function sentSearchTokens(resource: unknown): string[] {
  const sent = resource as SentAuditEvent;
  const tokens = new Set<string>();
  const add = (param: SentSearchParam, system: unknown, code: unknown) => {
    if (typeof code !== 'string' || code.length === 0 || code.length > MAX_VALUE) return;
    if (typeof system === 'string' && system.length > MAX_VALUE) return;
    tokens.add(searchToken(param, undefined, code));
    tokens.add(searchToken(param, typeof system === 'string' ? system : '', code));
  };
  const named = (param: SentSearchParam, who: Named | undefined) => {
    if (typeof who?.reference === 'string' && who.reference.length <= MAX_VALUE)
      tokens.add(searchToken(param, undefined, who.reference));
    if (who?.identifier) add(param, who.identifier.system, who.identifier.value);
  };
  if (sent.type) add('type', sent.type.system, sent.type.code);
  for (const coding of sent.subtype ?? []) add('subtype', coding.system, coding.code);
  add('outcome', AUDIT_EVENT_OUTCOME_SYSTEM, sent.outcome);
  for (const agent of sent.agent ?? []) named('agent', agent.who);
  named('source', sent.source?.observer);
  for (const entity of sent.entity ?? []) {
    named('entity', entity.what);
    if (entity.type) add('entity-type', entity.type.system, entity.type.code);
  }
  return [...tokens];
}
