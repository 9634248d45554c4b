import { pointerToken, type ErasableField, type ErasableKind } from '@ledger/integrity';
import { ERASABLE_KEYWORD, type EventSchema } from '../shared/schema';
import { EVENT_SCHEMAS, isEventType, SUPERSEDED_EVENT_SCHEMAS } from './event-schemas';

/** A place the schema marks erasable, `*` standing for every item of an array. */
interface ErasablePattern {
  path: readonly string[];
  kind: ErasableKind;
  /** The place's JSON Pointer, spelled once, when the path has no `*`: every append seals it. */
  pointer?: string;
}

const pattern = (path: readonly string[], kind: ErasableKind): ErasablePattern =>
  path.includes('*')
    ? { path, kind }
    : { path, kind, pointer: path.map((k) => `/${pointerToken(k)}`).join('') };

/** Every envelope names who acted, and for whom: personal data, whatever the event. */
const METADATA_FIELDS: readonly ErasablePattern[] = [
  pattern(['metadata', 'actor', 'id'], 'person'),
  pattern(['metadata', 'actor', 'onBehalfOf'], 'person'),
];

const patternsBySchema = new WeakMap<EventSchema, readonly ErasablePattern[]>();

/**
 * The erasable places an event holds, as JSON Pointers from the envelope's
 * root: the actor, and whatever its data schema marks (see `erasable` in
 * shared/schema). A marked field is erasable whole, so nothing inside it is
 * looked at again; a field the event leaves out is not listed.
 */
export function erasableFieldsOf(event: {
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: unknown;
}): ErasableField[] {
  const schema = schemaOf(event.type, event.schemaVersion);
  let patterns = schema && patternsBySchema.get(schema);
  if (schema && !patterns) {
    patterns = [...METADATA_FIELDS, ...patternsIn(schema.schema, ['data'])];
    patternsBySchema.set(schema, patterns);
  }
  const fields: ErasableField[] = [];
  for (const { path, kind, pointer } of patterns ?? METADATA_FIELDS) {
    if (pointer === undefined)
      for (const found of pointersTo(event, path, '')) fields.push({ pointer: found, kind });
    else if (holds(event, path)) fields.push({ pointer, kind });
  }
  return fields;
}

function schemaOf(type: string, version: number): EventSchema | undefined {
  if (!isEventType(type)) return undefined;
  const current = EVENT_SCHEMAS[type] as EventSchema;
  if (current.version === version) return current;
  return SUPERSEDED_EVENT_SCHEMAS[type]?.find((s) => s.version === version);
}

function patternsIn(schema: unknown, path: readonly string[]): ErasablePattern[] {
  if (schema === null || typeof schema !== 'object') return [];
  const node = schema as Record<string, unknown>;
  const kind = node[ERASABLE_KEYWORD];
  if (typeof kind === 'string') return [pattern(path, kind as ErasableKind)];
  const found: ErasablePattern[] = [];
  if (node.properties && typeof node.properties === 'object')
    for (const [key, property] of Object.entries(node.properties))
      found.push(...patternsIn(property, [...path, key]));
  if (node.items) found.push(...patternsIn(node.items, [...path, '*']));
  for (const branches of [node.anyOf, node.oneOf, node.allOf])
    if (Array.isArray(branches)) for (const branch of branches) found.push(...patternsIn(branch, path));
  return found;
}

function holds(at: unknown, path: readonly string[]): boolean {
  for (const key of path) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, key)) return false;
    at = (at as Record<string, unknown>)[key];
  }
  return at !== undefined;
}

function pointersTo(at: unknown, path: readonly string[], pointer: string): string[] {
  if (at === undefined) return [];
  if (path.length === 0) return [pointer];
  if (at === null || typeof at !== 'object') return [];
  const [head, ...rest] = path;
  if (head === '*')
    return Array.isArray(at) ? at.flatMap((item, i) => pointersTo(item, rest, `${pointer}/${i}`)) : [];
  return Object.hasOwn(at, head)
    ? pointersTo((at as Record<string, unknown>)[head], rest, `${pointer}/${pointerToken(head)}`)
    : [];
}
