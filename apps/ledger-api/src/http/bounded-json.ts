/**
 * Whether JSON text nests arrays and objects more than `limit` levels deep,
 * counted in one pass over the text, before it is parsed: a body of millions
 * of nested brackets is refused without building it, and whatever walks a
 * parsed body recursively (FHIR validation, canonical JSON) can trust its
 * depth. Brackets inside strings do not count.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
