/**
 * The one spelling of a person or service identity, applied before any two
 * are compared: `rev.same`, `Rev.Same` and ` rev.same ` are one reviewer, and
 * `é` typed as one code point or as `e` plus a combining accent is one letter.
 *
 * Unicode NFC, trimmed, then lower-cased with the Unicode default
 * (locale-independent) mapping and composed again so the result is stable.
 * Full case folding would also join `ß` with `ss`; JavaScript has no built-in
 * for it, and the identity providers whose subjects we compare (e-mail
 * addresses, directory user names) match case-insensitively by simple case
 * mapping, which is what `toLowerCase` does.
 */
export function personId(raw: string): string {
  return raw.normalize('NFC').trim().toLowerCase().normalize('NFC');
}
