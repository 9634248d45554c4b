/**
 * The one rule every value a caller sends must meet before anything else
 * looks at it, whatever route it came by: text is well-formed Unicode (no lone
 * UTF-16 surrogate, which has no UTF-8 form and no canonical JSON form) and
 * holds no control character but tab, line feed and carriage return (a NUL
 * cannot be stored in PostgreSQL text or jsonb; the others only hide text
 * from the people who read it); numbers are finite. Keys are text too.
 */
export interface InputProblem {
  /** Where the value sits, as a JSON path from the input's root: `data.extra.notes[1]`. */
  field: string;
  message: string;
}

/** The first control character other than tab, line feed and carriage return, or -1. */
function forbiddenControl(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return c;
  }
  return -1;
}

function textProblem(text: string): string | undefined {
  if (!text.isWellFormed())
    return 'holds a lone UTF-16 surrogate (half of a character); send well-formed Unicode text';
  const control = forbiddenControl(text);
  if (control >= 0)
    return `holds the control character U+${control.toString(16).toUpperCase().padStart(4, '0')}; text may hold tab, line feed and carriage return but no other control character`;
  return undefined;
}

const join = (path: string, key: string) => {
  // A key that is not a plain name is quoted, shortened, so the path stays readable and bounded.
  const segment = /^[A-Za-z_$][\w$-]{0,63}$/.test(key) ? key : `[${JSON.stringify(key.slice(0, 32))}]`;
  return path === '' ? segment : segment.startsWith('[') ? `${path}${segment}` : `${path}.${segment}`;
};

/**
 * Every value the walk has reached, in the order reached, and where each sits:
 * its key in its parent and the parent's index. Kept as parallel arrays, not
 * an object per value: ingest walks every item of a batch, and the objects
 * (with Object.entries' pair per key) were about 2.4 KB of garbage per item.
 */
class Reached {
  readonly values: unknown[] = [];
  private readonly keys: Array<string | number | undefined> = [];
  private readonly parents: number[] = [];

  add(value: unknown, key?: string | number, parent = -1): number {
    this.values.push(value);
    this.keys.push(key);
    this.parents.push(parent);
    return this.values.length - 1;
  }

  /** The path to a value, built only for the value named in a refusal: most inputs break no rule. */
  pathOf(index: number, root: string): string {
    const keys: Array<string | number> = [];
    for (let at = index; this.parents[at] >= 0; at = this.parents[at]) keys.push(this.keys[at]!);
    return keys.reduceRight<string>(
      (path, key) => (typeof key === 'number' ? `${path}[${key}]` : join(path, key)),
      root,
    );
  }

  refusal(index: number, root: string, message: (at: string) => string): InputProblem {
    const path = this.pathOf(index, root);
    return { field: path, message: message(path || 'the input') };
  }
}

/**
 * The first value in `input` that breaks the rule, or undefined. The walk
 * uses its own stack, not recursion, so no nesting depth can overflow it.
 */
export function illFormedInput(input: unknown, root = ''): InputProblem | undefined {
  const reached = new Reached();
  const pending: number[] = [reached.add(input)];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const value = reached.values[next];
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) return reached.refusal(next, root, (at) => `${at} ${problem}`);
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value))
        return reached.refusal(
          next,
          root,
          (at) => `${at} must be a finite number; ${value} has no JSON form`,
        );
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push(reached.add(value[i], i, next));
    } else if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value);
      for (const key of keys) {
        const problem = textProblem(key);
        if (problem) return reached.refusal(next, root, (at) => `a key of ${at} ${problem}`);
      }
      for (let i = keys.length - 1; i >= 0; i--)
        pending.push(reached.add((value as Record<string, unknown>)[keys[i]], keys[i], next));
    }
  }
  return undefined;
}
