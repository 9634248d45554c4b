import fc from 'fast-check';
import { canonicalize } from 'json-canonicalize';
import { canonicalJson, isCanonicalText } from './canonical-json';
import { eventHash, GENESIS_HASH, sha256Hex } from './event-hash';

// Keys the engine treats specially are drawn often: array indices (enumerated first whatever the
// insertion order) and __proto__ (which an assignment would turn into a prototype).
const key = fc.oneof(
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('0', '1', '2', '10', '42', '4294967294', '4294967295', '01', '-1', '__proto__', 'toJSON'),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'grapheme' }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value')),
    fc.dictionary(key, tie('value')),
  ),
})).value;

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and spells numbers the ECMAScript way (RFC 8785 §3.2.3 example)', () => {
    // The example object from RFC 8785 section 3.2.2, and its canonical output from 3.2.3,
    // spelled exactly as the RFC spells them: the excess digits and escapes are the point.
    const input = {
      // eslint-disable-next-line no-loss-of-precision
      numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001],
      // eslint-disable-next-line no-useless-escape
      string: '\u20ac$\u000F\u000aA\'\u0042\u0022\u005c\\\"\/',
      literals: [null, true, false],
    };
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('orders non-ASCII keys by code unit, as the RFC 8785 §3.2.3 sorting example requires', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // Read the keys off the text: JSON.parse would hoist the integer-like key "1".
    const keys = [...canonicalJson(input).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) =>
      JSON.parse(`"${m[1]}"`),
    );
    expect(keys).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  });

  it('spells every JSON value exactly as json-canonicalize, which computed the hashes already stored, does', () => {
    fc.assert(
      fc.property(json, (value) => {
        // What JSON.parse makes of a stored event: own "__proto__" keys, indices in numeric order.
        const parsed: unknown = JSON.parse(JSON.stringify(value));
        expect(canonicalJson(parsed)).toBe(canonicalize(parsed));
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('isCanonicalText confirms a parsed text canonical only when canonicalJson agrees, and confirms plain canonical text', () => {
    fc.assert(
      fc.property(json, (value) => {
        for (const text of [JSON.stringify(value), canonicalJson(JSON.parse(JSON.stringify(value)))]) {
          const parsed: unknown = JSON.parse(text);
          if (isCanonicalText(text, parsed)) expect(canonicalJson(parsed)).toBe(text);
        }
      }),
      { numRuns: 2000 },
    );
    expect(
      isCanonicalText('{"a":1,"b":[2,{"c":"d","é":null}]}', JSON.parse('{"a":1,"b":[2,{"c":"d","é":null}]}')),
    ).toBe(true);
    // Not canonical: keys out of order, a number spelled otherwise, a nested object out of order.
    for (const text of ['{"b":1,"a":2}', '{"a":1.0}', '{"a":[{"d":1,"c":2}]}'])
      expect(isCanonicalText(text, JSON.parse(text))).toBe(false);
    // Canonical, but left to canonicalJson: an escape that may be a lone surrogate, indices the engine reorders.
    for (const text of ['{"a":"\\ud800"}', '{"10":1,"9":2}'])
      expect(isCanonicalText(text, JSON.parse(text))).toBe(false);
  });

  it('names where a value has no canonical form', () => {
    expect(() => canonicalJson({ data: { scores: [1, NaN] } })).toThrow(
      '$.data.scores[1]: NaN has no JSON form',
    );
    // eslint-disable-next-line no-sparse-arrays -- a hole is what is being refused
    expect(() => canonicalJson({ data: [1, , 3] })).toThrow('$.data[1]: undefined has no JSON form');
  });

  it.each([[NaN], [Infinity], [-Infinity], ['\ud800'], [{ ['\udc00']: 1 }], [() => 1]])(
    'refuses %p, which has no canonical JSON form',
    (value) => {
      expect(() => canonicalJson({ value })).toThrow(TypeError);
    },
  );
});

describe('eventHash', () => {
  const envelope = {
    eventId: '6f1c6d1e-3e0c-4d59-9a51-0d6f3c1c9b10',
    type: 'AiSystemRegistered',
    schemaVersion: 1,
    stream: 'ai-system-1',
    revision: 0,
    data: { name: 'Sepsis predictor', sites: ['north'] },
    metadata: { tenantId: 't1', actor: { id: 'dr.ada', role: 'governance-admin' } },
    integrity: { prevHash: GENESIS_HASH },
  };

  it('is the SHA-256 of the canonical envelope without position and hash', () => {
    const { eventId, type, schemaVersion, stream, revision, data, metadata, integrity } = envelope;
    expect(eventHash(envelope)).toBe(
      sha256Hex(canonicalJson({ eventId, type, schemaVersion, stream, revision, data, metadata, integrity })),
    );
  });

  it('does not depend on key order, and changes with any covered field', () => {
    const reordered = { ...envelope, data: { sites: ['north'], name: 'Sepsis predictor' } };
    expect(eventHash(reordered)).toBe(eventHash(envelope));
    expect(eventHash({ ...envelope, revision: 1 })).not.toBe(eventHash(envelope));
    expect(eventHash({ ...envelope, integrity: { prevHash: 'a'.repeat(64) } })).not.toBe(eventHash(envelope));
    expect(eventHash({ ...envelope, data: { ...envelope.data, name: 'Sepsis predictoR' } })).not.toBe(
      eventHash(envelope),
    );
  });

  it('ignores position and any hash already present', () => {
    const stored = { ...envelope, position: 42n, integrity: { prevHash: GENESIS_HASH, hash: 'x' } };
    expect(eventHash(stored)).toBe(eventHash(envelope));
  });
});
