import type { ErasableKind } from '@ledger/integrity';
import { Type, type ObjectOptions, type Static, type TProperties, type TSchema } from '@sinclair/typebox';

/**
 * Building blocks for event data schemas. Every field carries a description
 * because validation messages quote it: it is how an emitter learns what would
 * make a rejected field right.
 */

/** Ids end up in stream names after a `<tenantId>/` prefix, so they may not contain a slash or spaces. */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$';

export const Id = (description: string) =>
  Type.String({
    pattern: ID_PATTERN,
    description: `${description} (1–128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit)`,
  });

/** Non-blank free text: a field that is only spaces says nothing to an auditor. */
export const Text = (description: string, maxLength = 4000) =>
  Type.String({
    minLength: 1,
    maxLength,
    pattern: '\\S',
    description: `${description} (non-blank text, at most ${maxLength} characters)`,
  });

/**
 * The JSON Schema keyword that marks a field as personal data the ledger may
 * have to erase, and which kind (see @ledger/integrity ERASABLE_KINDS): its
 * value is hashed only as a commitment, kept beside the event, and an erasure
 * of the person or patient it names takes it out.
 */
export const ERASABLE_KEYWORD = 'x-erasable';

export const erasable = <S extends TSchema>(kind: ErasableKind, schema: S): S =>
  ({ ...schema, [ERASABLE_KEYWORD]: kind }) as S;

/** A person or service account as the identity provider names it (e-mail, subject id, service name). */
export const Principal = (description: string) => erasable('person', Text(description, 256));

/** Free text people write about what happened: it may name someone, so it is erasable. */
export const Narrative = (description: string, maxLength = 4000) =>
  erasable('text', Text(description, maxLength));

export const Instant = (description: string) =>
  Type.String({
    format: 'date-time',
    description: `${description} (RFC 3339 date-time with a time zone, e.g. 2025-01-31T09:00:00Z)`,
  });

export const Sha256Hex = (description: string) =>
  Type.String({
    pattern: '^[0-9a-f]{64}$',
    description: `${description} (64 lowercase hexadecimal characters)`,
  });

/** A patient as the ledger keeps one: a keyed pseudonym, still personal data, so erasable. */
export const PatientPseudonym = (description: string) => erasable('patient', Sha256Hex(description));

export const IsoDuration = (description: string) =>
  Type.String({
    pattern: '^P(?!$)(\\d+Y)?(\\d+M)?(\\d+W)?(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+(\\.\\d+)?S)?)?$',
    description: `${description} (ISO 8601 duration, e.g. P7D, PT12H, P10Y)`,
  });

/** A closed set of strings as a plain JSON Schema `enum`: clearer errors than a union of consts. */
export const StringEnum = <const T extends string>(values: readonly T[], description: string) =>
  Type.Unsafe<T>({
    type: 'string',
    enum: [...values],
    description: `${description}: one of ${values.join(', ')}`,
  });

/** Event data is a closed object: an unknown field is a typo or a new schema version, never silently kept. */
export const Closed = <P extends TProperties>(properties: P, options: ObjectOptions) =>
  Type.Object(properties, { ...options, additionalProperties: false });

export const NonEmptyList = <T extends TSchema>(item: T, description: string) =>
  Type.Array(item, {
    minItems: 1,
    uniqueItems: true,
    description: `${description} (at least one, no duplicates)`,
  });

/** One registered version of an event's data schema. */
export interface EventSchema<S extends TSchema = TSchema> {
  version: number;
  schema: S;
}

export const v1 = <S extends TSchema>(schema: S): EventSchema<S> => ({ version: 1, schema });
export const v2 = <S extends TSchema>(schema: S): EventSchema<S> => ({ version: 2, schema });

/** `{ type, data }` for every entry of a map of event schemas. */
export type EventsOf<M extends Record<string, EventSchema>> = {
  [K in keyof M & string]: { type: K; data: Static<M[K]['schema']> };
}[keyof M & string];
