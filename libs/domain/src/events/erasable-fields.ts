import { pointerToken, type ErasableField, type ErasableKind } from '@ledger/integrity';
import { ERASABLE_KEYWORD, type EventSchema } from '../shared/schema';
import { EVENT_SCHEMAS, isEventType, SUPERSEDED_EVENT_SCHEMAS } from './event-schemas';

/** A place the schema marks erasable, `*` standing for every item of an array. */
interface ErasablePattern {
  path: readonly string[];
  /** Each key of `path` as a pointer spells it, escaped once when the pattern is made rather than for every event. */
  tokens: readonly string[];
  kind: ErasableKind;
  /** The whole pointer, for a path with no `*`: spelled once, not joined again for every event that holds it. */
  pointer?: string;
}

const pattern = (path: readonly string[], kind: ErasableKind): ErasablePattern => {
  const tokens = path.map((key) => (key === '*' ? key : pointerToken(key)));
  return { path, tokens, kind, ...(!path.includes('*') && { pointer: tokens.map((t) => `/${t}`).join('') }) };
};

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
  for (const found of patterns ?? METADATA_FIELDS) pointersTo(event, found, 0, '', fields);
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

/** Adds to `fields` each place `at` holds that the pattern names from `depth` on, `pointer` being where `at` sits. */
function pointersTo(
  at: unknown,
  found: ErasablePattern,
  depth: number,
  pointer: string,
  fields: ErasableField[],
): void {
  if (at === undefined) return;
  if (depth === found.path.length) {
    fields.push({ pointer: found.pointer ?? pointer, kind: found.kind });
    return;
  }
  if (at === null || typeof at !== 'object') return;
  const key = found.path[depth];
  if (key === '*') {
    if (Array.isArray(at))
      at.forEach((item, i) => pointersTo(item, found, depth + 1, `${pointer}/${i}`, fields));
    return;
  }
  if (Object.hasOwn(at, key))
    pointersTo(
      (at as Record<string, unknown>)[key],
      found,
      depth + 1,
      // A path with no `*` has its pointer spelled already: only a wildcard's is spelled as its items are found.
      found.pointer === undefined ? `${pointer}/${found.tokens[depth]}` : pointer,
      fields,
    );
}
