/**
 * RFC 8785 (JCS) canonical form. Hashes are taken over this form so that any
 * party can recompute them from the JSON alone, whatever key order or number
 * spelling their tools produce.
 *
 * JCS spells strings and numbers exactly as ECMAScript's JSON.stringify does
 * (RFC 8785 §3.2.2), so the canonical form is JSON.stringify of a copy whose
 * keys are inserted in sorted order: the native serialiser does the spelling,
 * several times faster than assembling the text in JavaScript, which every
 * append and every `govledger verify` pays per event. The one exception is an
 * object with an array-index key ("1", "42"): the engine enumerates those
 * first, whatever the insertion order, so such a value is spelled key by key.
 */
export function canonicalJson(value: unknown): string {
  // The envelope's strings and numbers, several per event hashed: no copy to order, no walk.
  if (
    (typeof value === 'string' && value.isWellFormed()) ||
    (typeof value === 'number' && Number.isFinite(value))
  )
    return JSON.stringify(value);
  const state = { indexKeys: false };
  let ordered: unknown;
  try {
    ordered = inJcsOrder(value, state);
  } catch (error) {
    if (error !== NOT_JSON) throw error;
    assertJsonSafe(value, '$');
    throw error;
  }
  return state.indexKeys ? spell(ordered) : JSON.stringify(ordered);
}

/**
 * Whether `text` is the canonical form of `parsed`, the value JSON.parse made
 * of it: the check a verifier makes of JSON it reads, `canonicalJson(parsed)
 * === text`, without the sorted copy. JSON.parse keeps the text's key order,
 * so canonical text parses to objects already in JCS order, which the native
 * serialiser spells back as they are. False whenever that shortcut cannot
 * tell (a \u escape, which may hold a lone surrogate; keys out of order,
 * array indices among them): the caller then asks canonicalJson, which
 * decides, and says why a value has no canonical form.
 */
export function isCanonicalText(text: string, parsed: unknown): boolean {
  return !text.includes('\\u') && inJcsOrderAlready(parsed) && JSON.stringify(parsed) === text;
}

function inJcsOrderAlready(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.every(inJcsOrderAlready);
  let previous: string | undefined;
  for (const key of Object.keys(value)) {
    if (previous !== undefined && !(previous < key)) return false;
    if (!inJcsOrderAlready((value as Record<string, unknown>)[key])) return false;
    previous = key;
  }
  return true;
}

/** Thrown by the fast walk, which carries no path; canonicalJson replaces it with assertJsonSafe's message. */
const NOT_JSON = new TypeError('$: has no JSON form');

/** Keys ECMAScript enumerates before all others, in numeric order (array indices, below 2^32 - 1). */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,9})$/;

/** A copy of `value` with every object's keys inserted in UTF-16 code unit order, refusing what has no JSON form. */
function inJcsOrder(value: unknown, state: { indexKeys: boolean }): unknown {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) throw NOT_JSON;
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw NOT_JSON;
      return value;
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) return value;
      if (Array.isArray(value)) {
        const copy = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          if (value[i] === undefined) throw NOT_JSON;
          copy[i] = inJcsOrder(value[i], state);
        }
        return copy;
      }
      if (hasToJson(value)) {
        try {
          assertJsonSafe(value, '$');
        } catch {
          throw NOT_JSON;
        }
        return value;
      }
      const record = value as Record<string, unknown>;
      const keys = sortedKeys(record);
      const copy: Record<string, unknown> = {};
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        if (!key.isWellFormed()) throw NOT_JSON;
        if (ARRAY_INDEX.test(key)) state.indexKeys = true;
        // Assigning "__proto__" would set the copy's prototype, not add the key JSON.parse made.
        if (key === '__proto__')
          Object.defineProperty(copy, key, {
            value: inJcsOrder(item, state),
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else copy[key] = inJcsOrder(item, state);
      }
      return copy;
    }
    default:
      throw NOT_JSON;
  }
}

/**
 * An object's keys in UTF-16 code unit order, as `sort()` orders strings. An
 * envelope's objects hold a handful of keys each, and for so few an insertion
 * sort in place beats Array.prototype.sort, which copies them into a work
 * array and back: at ingest that copying was a tenth of the bytes the service
 * allocated per event (a sampling allocation profile of http-batch).
 */
function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > key; j--) keys[j + 1] = keys[j];
    keys[j + 1] = key;
  }
  return keys;
}

/**
 * An object with any `toJSON` member is written as JSON.stringify writes it,
 * keys unsorted: json-canonicalize, which computed every hash stored before
 * this serialiser, did so (a Date becomes its string; a key "toJSON" in the
 * data leaves that object in its own order), and a stored hash must keep
 * verifying.
 */
function hasToJson(value: object): boolean {
  return (value as { toJSON?: unknown }).toJSON != null;
}

/** The canonical text of an already ordered and checked value, written key by key. */
function spell(value: unknown): string {
  if (typeof value !== 'object' || value === null || hasToJson(value)) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(spell).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${spell(record[key])}`)
    .join(',')}}`;
}

/** JCS is defined over I-JSON: no NaN/Infinity, no lone surrogates, no undefined holes. */
function assertJsonSafe(value: unknown, path: string): void {
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} has no JSON form`);
      return;
    case 'string':
      if (!value.isWellFormed()) throw new TypeError(`${path}: string holds a lone surrogate`);
      return;
    case 'boolean':
      return;
    case 'object':
      if (value === null) return;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) assertJsonSafe(value[i], `${path}[${i}]`);
        return;
      }
      for (const [key, item] of Object.entries(value)) {
        if (!key.isWellFormed()) throw new TypeError(`${path}: key holds a lone surrogate`);
        if (item !== undefined) assertJsonSafe(item, `${path}.${key}`);
      }
      return;
    default:
      throw new TypeError(`${path}: ${typeof value} has no JSON form`);
  }
}
