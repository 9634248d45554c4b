import type { TSchema } from '@sinclair/typebox';
import { AI_SYSTEM_EVENTS, SUPERSEDED_AI_SYSTEM_EVENTS, type AiSystemEvent } from '../ai-system/events';
import { CLINICAL_USE_EVENTS, type ClinicalUseEvent } from '../clinical-use/events';
import { DATA_ACCESS_EVENTS, type DataAccessedEvent } from '../data-access/events';
import { DATASET_EVENTS, type DatasetEvent } from '../dataset/events';
import { ERASURE_EVENTS, type ErasureEvent } from '../erasure/events';
import { EVIDENCE_EVENTS, type EvidenceEvent } from '../evidence/events';
import {
  LEDGER_AUDIT_EVENTS,
  SUPERSEDED_LEDGER_AUDIT_EVENTS,
  type LedgerAuditEvent,
} from '../ledger-audit/events';
import { LEGAL_HOLD_EVENTS, type LegalHoldEvent } from '../legal-hold/events';
import type { EventSchema } from '../shared/schema';

/**
 * Every event type the domain can emit, with the current version of its data
 * schema. Adding an event to an aggregate's map adds it here, to the
 * aggregate's event union (so its `evolve` stops compiling until it handles
 * it), and to the generated files in schema/events.
 */
export const EVENT_SCHEMAS = {
  ...AI_SYSTEM_EVENTS,
  ...DATASET_EVENTS,
  ...DATA_ACCESS_EVENTS,
  ...CLINICAL_USE_EVENTS,
  ...LEDGER_AUDIT_EVENTS,
  ...EVIDENCE_EVENTS,
  ...LEGAL_HOLD_EVENTS,
  ...ERASURE_EVENTS,
} satisfies Record<string, EventSchema>;

export type EventType = keyof typeof EVENT_SCHEMAS;

/** Earlier versions of event data schemas, kept published: the store holds events written under them. */
export const SUPERSEDED_EVENT_SCHEMAS: { readonly [T in EventType]?: readonly EventSchema[] } = {
  ...SUPERSEDED_AI_SYSTEM_EVENTS,
  ...SUPERSEDED_LEDGER_AUDIT_EVENTS,
};
export type DomainEvent =
  | AiSystemEvent
  | DatasetEvent
  | DataAccessedEvent
  | ClinicalUseEvent
  | LedgerAuditEvent
  | EvidenceEvent
  | LegalHoldEvent
  | ErasureEvent;
export type DomainEventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_SCHEMAS, type);
}

export const eventSchemaFileName = (type: EventType, version: number) => `${type}.v${version}.schema.json`;

/**
 * The published JSON Schema (draft 2020-12) of one event type's `data`: what
 * emitters validate against and what `schema/events/` holds, generated from
 * the same TypeBox schema the domain validates with.
 */
export function eventSchemaDocument(
  type: EventType,
  { version, schema }: EventSchema<TSchema> = EVENT_SCHEMAS[type],
): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:govledger:event-schema:${type}:v${version}`,
    title: `${type} v${version}: event data`,
    // JSON drops TypeBox's symbol-keyed bookkeeping and keeps only JSON Schema.
    ...(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>),
  };
}

/** File name and exact content of every schema file, superseded versions included; the spec beside this compares and regenerates them. */
export function eventSchemaFiles(): Array<{ fileName: string; content: string }> {
  return EVENT_TYPES.flatMap((type) =>
    [...(SUPERSEDED_EVENT_SCHEMAS[type] ?? []), EVENT_SCHEMAS[type]].map((schema) => ({
      fileName: eventSchemaFileName(type, schema.version),
      content: `${JSON.stringify(eventSchemaDocument(type, schema), null, 2)}\n`,
    })),
  );
}
