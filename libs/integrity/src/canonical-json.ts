/**
 * RFC 8785 (JCS) canonical form. Hashes are taken over this form so that any
 * party can recompute them from the JSON alone, whatever key order or number
 * spelling their tools produce.
 *
 * JCS spells strings and numbers exactly as ECMAScript's JSON.stringify does
 * (RFC 8785 §3.2.2) and sorts keys by UTF-16 code units, which is what
 * Array.prototype.sort does to strings; so sorting keys and handing every
 * primitive to JSON.stringify is the canonical form. Every append and every
 * verified event goes through here, so it builds no paths on the way: only
 * input that has no canonical form pays for a walk that names where it went
 * wrong.
 */
export function canonicalJson(value: unknown): string {
  try {
    return JSON.stringify(sortedCopy(value));
  } catch (fast) {
    if (fast !== NOT_PLAIN) throw fast;
    try {
      return serialize(value);
    } catch (error) {
      if (error !== NO_JSON_FORM) throw error;
      assertJsonSafe(value, '$');
      throw new TypeError('$: has no JSON form');
    }
  }
}

/** Thrown (and caught above) on the first value that has no canonical form. */
const NO_JSON_FORM = Symbol('no JSON form');
/** Thrown (and caught above) on a value the fast path leaves to serialize. */
const NOT_PLAIN = Symbol('not plain JSON data');
/** A key JavaScript enumerates before all others, in numeric order, whatever order it was added in. */
const INDEX_KEY = /^(?:0|[1-9][0-9]*)$/;

/**
 * The fast path, for plain JSON data (what every event is): the value with
 * every object's keys inserted in sorted order, for the native JSON.stringify
 * to write out. Anything else (an integer-like key, which no insertion order
 * can put in its sorted place, a toJSON method, a hole, a value with no JSON
 * form) goes to serialize, which also names what has no form.
 */
function sortedCopy(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) throw NOT_PLAIN;
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw NOT_PLAIN;
      return value;
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const copy: unknown[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined) throw NOT_PLAIN;
          copy[i] = sortedCopy(item);
        }
        return copy;
      }
      if ((value as { toJSON?: unknown }).toJSON != null) throw NOT_PLAIN;
      const record = value as Record<string, unknown>;
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(record).sort()) {
        const item = record[key];
        if (item === undefined) continue;
        if (INDEX_KEY.test(key) || !key.isWellFormed()) throw NOT_PLAIN;
        copy[key] = sortedCopy(item);
      }
      return copy;
    }
    default:
      throw NOT_PLAIN;
  }
}

function serialize(value: unknown): string {
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) throw NO_JSON_FORM;
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw NO_JSON_FORM;
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        let first = true;
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined) {
            // A hole in a sparse array is passed over, as forEach passes it; an undefined element has no form.
            if (!(i in value)) continue;
            throw NO_JSON_FORM;
          }
          out += (first ? '' : ',') + serialize(item);
          first = false;
        }
        return `${out}]`;
      }
      // A Date or any object that says how it is written: as JSON.stringify writes it.
      if ((value as { toJSON?: unknown }).toJSON != null) {
        assertJsonSafe(value, '$');
        return JSON.stringify(value);
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '{';
      let first = true;
      for (const key of keys) {
        const item = record[key];
        if (item === undefined) continue;
        if (!key.isWellFormed()) throw NO_JSON_FORM;
        out += `${first ? '' : ','}${JSON.stringify(key)}:${serialize(item)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw NO_JSON_FORM;
  }
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
        value.forEach((item, i) => assertJsonSafe(item, `${path}[${i}]`));
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
