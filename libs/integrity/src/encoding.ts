import { Buffer } from 'node:buffer';

/**
 * Standard base64 (RFC 4648 §4), refusing anything that does not re-encode to
 * the same text. Buffer's own decoder skips invalid characters silently, which
 * would let two different spellings stand for one signature or root hash.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? new Uint8Array(bytes) : undefined;
}

/**
 * Whether `text` is 64 lower-case hex digits: the one spelling of a SHA-256
 * digest, a commitment and a salt. A table lookup per character: verify asks
 * this several times per event, and /^[0-9a-f]{64}$/ cost twice as much.
 */
export function isSha256Hex(text: string): boolean {
  if (text.length !== 64) return false;
  for (let i = 0; i < 64; i++) if (HEX_DIGIT[text.charCodeAt(i)] !== 1) return false;
  return true;
}

const HEX_DIGIT = new Uint8Array(128);
for (const digit of '0123456789abcdef') HEX_DIGIT[digit.charCodeAt(0)] = 1;

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
