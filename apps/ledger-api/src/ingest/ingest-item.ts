import {
  checkInstant,
  EVENT_SCHEMAS,
  illFormedInput,
  type InstantRange,
  validateEventData,
} from '@ledger/domain';
import type { NewEvent } from '@ledger/event-store';
import { pseudonymisedAuditEvent } from '@ledger/evidence';
import { canonicalJson } from '@ledger/integrity';
import type { AuditEvent } from '@medplum/fhirtypes';
import type { Caller } from '../request-context/caller';
import type { Pseudonymiser } from '../privacy/pseudonymiser';

/** Facts emitters record that need no decision. Governance decisions go through their GraphQL commands and deciders. */
export const INGESTIBLE_TYPES = [
  'DataAccessed',
  'AiOutputProduced',
  'ClinicianResponseRecorded',
  'OutcomeObserved',
] as const;
export type IngestibleType = (typeof INGESTIBLE_TYPES)[number];

/**
 * Raw identifiers an item may carry, each replaced by its keyed pseudonym
 * before validation, for the types whose events hold that pseudonym. Any
 * other type refuses the raw field as unknown.
 */
const PSEUDONYMISED = [
  { raw: 'patientId', pseudonym: 'patientPseudonym', types: ['DataAccessed', 'AiOutputProduced'] },
  { raw: 'encounterId', pseudonym: 'encounterPseudonym', types: ['AiOutputProduced'] },
] as const;

export interface ItemProblem {
  code: 'VALIDATION_FAILED';
  field: string;
  message: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CORRELATION = /^[\w.:-]{1,128}$/;
const ENVELOPE_FIELDS = new Set([
  'eventId',
  'type',
  'schemaVersion',
  'occurredAt',
  'data',
  'correlationId',
  'causationId',
  'purposeOfUse',
]);

const problem = (field: string, message: string): ItemProblem => ({
  code: 'VALIDATION_FAILED',
  field,
  message,
});

/**
 * Turns one item of an ingest batch into an event, or names what is wrong with
 * it. A raw `data.patientId` is replaced by its keyed pseudonym here, before
 * validation, so the raw identifier never reaches the store or a log line.
 * `original` is the AuditEvent a FHIR item was mapped from, which only the FHIR
 * route passes: it is kept as `data.fhir`, its patient identifiers pseudonymised here.
 */
export function toIngestedEvent(
  item: unknown,
  caller: Caller,
  correlationId: string | undefined,
  pseudonymiser: Pseudonymiser,
  dates: InstantRange,
  original?: AuditEvent,
): { event: NewEvent; problems: [] } | { event?: undefined; problems: ItemProblem[] } {
  if (item === null || typeof item !== 'object' || Array.isArray(item))
    return {
      problems: [
        problem('', 'each item must be a JSON object with eventId, type, schemaVersion, occurredAt and data'),
      ],
    };
  // Text no store can hold (a lone surrogate, a NUL) is this item's fault alone: refused here, it cannot fail the batch.
  const illFormed = illFormedInput(item);
  if (illFormed) return { problems: [problem(illFormed.field, illFormed.message)] };
  const raw = item as Record<string, unknown>;
  const problems: ItemProblem[] = [];
  for (const key of Object.keys(raw))
    if (!ENVELOPE_FIELDS.has(key))
      problems.push(problem(key, `${key} is not an item field; allowed: ${[...ENVELOPE_FIELDS].join(', ')}`));
  if (typeof raw.eventId !== 'string' || !UUID.test(raw.eventId))
    problems.push(
      problem('eventId', 'eventId must be a lower-case UUID chosen by the emitter; resending it is safe'),
    );
  const allowed = INGESTIBLE_TYPES.filter((t) => !caller.eventTypes || caller.eventTypes.includes(t));
  if (typeof raw.type !== 'string' || !(allowed as readonly string[]).includes(raw.type))
    problems.push(
      problem(
        'type',
        `type must be one of ${allowed.join(', ') || '(none: this token allows no ingestible type)'}; governance decisions are made through their GraphQL mutations`,
      ),
    );
  const occurredAt = checkInstant(raw.occurredAt, dates);
  if (occurredAt.rule !== undefined) problems.push(problem('occurredAt', `occurredAt ${occurredAt.rule}`));
  for (const key of ['correlationId', 'causationId'] as const)
    if (raw[key] !== undefined && (typeof raw[key] !== 'string' || !CORRELATION.test(raw[key] as string)))
      problems.push(problem(key, `${key} must be 1-128 letters, digits or . _ : -`));
  if (
    raw.purposeOfUse !== undefined &&
    (typeof raw.purposeOfUse !== 'string' || raw.purposeOfUse.length === 0 || raw.purposeOfUse.length > 200)
  )
    problems.push(
      problem('purposeOfUse', 'purposeOfUse must be 1-200 characters, e.g. the HL7 PurposeOfUse code TREAT'),
    );
  const known = (INGESTIBLE_TYPES as readonly unknown[]).includes(raw.type);
  if (
    raw.schemaVersion !== undefined &&
    known &&
    raw.schemaVersion !== EVENT_SCHEMAS[raw.type as IngestibleType].version
  )
    problems.push(
      problem(
        'schemaVersion',
        `schemaVersion must be ${EVENT_SCHEMAS[raw.type as IngestibleType].version}, the current version of ${raw.type as string} (or left out)`,
      ),
    );
  if (raw.data === null || typeof raw.data !== 'object' || Array.isArray(raw.data))
    problems.push(problem('data', 'data must be a JSON object'));
  if (problems.length > 0) return { problems };

  const type = raw.type as IngestibleType;
  const data: Record<string, unknown> = { ...(raw.data as Record<string, unknown>) };
  for (const { raw: rawField, pseudonym, types } of PSEUDONYMISED) {
    if (!(types as readonly string[]).includes(type)) continue;
    if (pseudonym in data)
      return {
        problems: [
          problem(
            `data.${pseudonym}`,
            `send the raw data.${rawField}; only the ledger computes pseudonyms, with its own key`,
          ),
        ],
      };
    const id = data[rawField];
    if (id === undefined) continue;
    if (typeof id !== 'string' || id.length === 0 || id.length > 256)
      return { problems: [problem(`data.${rawField}`, `data.${rawField} must be 1-256 characters`)] };
    delete data[rawField];
    data[pseudonym] = pseudonymiser.pseudonymise(caller.tenantId, id);
  }
  if ('fhir' in data)
    return {
      problems: [
        problem(
          'data.fhir',
          'data.fhir is the AuditEvent as sent to POST /fhir/AuditEvent, kept by the ledger with its patient identifiers pseudonymised; send the AuditEvent there, not here',
        ),
      ],
    };
  if (original !== undefined && type === 'DataAccessed') {
    const pseudonym = (patientId: string) => pseudonymiser.pseudonymise(caller.tenantId, patientId);
    data.fhir = {
      resource: pseudonymisedAuditEvent(original, pseudonym).resource,
      digest: pseudonymiser.digest(caller.tenantId, canonicalJson(original)),
    };
  }
  data.sourceService ??= caller.id;
  if (data.sourceService !== caller.id)
    return {
      problems: [
        problem(
          'data.sourceService',
          `data.sourceService must be the emitting service itself (${caller.id})`,
        ),
      ],
    };
  const schemaVersion = EVENT_SCHEMAS[type].version;
  const invalid = validateEventData(type, schemaVersion, data);
  if (invalid.length > 0)
    return { problems: invalid.map((p) => problem(`data${p.field.replaceAll('/', '.')}`, p.message)) };

  return {
    problems: [],
    event: {
      eventId: raw.eventId as string,
      type,
      schemaVersion,
      data,
      metadata: {
        tenantId: caller.tenantId,
        actor: { id: caller.id, role: caller.role },
        source: caller.id,
        occurredAt: raw.occurredAt as string,
        // Defaults must be deterministic: a resent item has to match what was stored to be acknowledged as a duplicate.
        correlationId: (raw.correlationId as string | undefined) ?? correlationId ?? (raw.eventId as string),
        causationId: (raw.causationId as string | undefined) ?? (raw.eventId as string),
        ...(raw.purposeOfUse ? { purposeOfUse: raw.purposeOfUse as string } : {}),
      },
    },
  };
}
