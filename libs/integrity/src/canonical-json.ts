import { canonicalize } from 'json-canonicalize';

/**
 * RFC 8785 (JCS) canonical form. Hashes are taken over this form so that any
 * party can recompute them from the JSON alone, whatever key order or number
 * spelling their tools produce.
 */
export function canonicalJson(value: unknown): string {
  assertJsonSafe(value, '$');
  return canonicalize(value);
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
