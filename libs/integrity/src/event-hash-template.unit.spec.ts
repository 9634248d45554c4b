import { canonicalize } from 'json-canonicalize';
import { canonicalJson } from './canonical-json';
import { eventHash, GENESIS_HASH, sha256Hex } from './event-hash';
import { storedCanonicalHash, templatedEventHash, templateOfCanonical } from './event-hash-template';

/** Values of every JSON kind, with the spellings RFC 8785 is particular about. */
const awkward: unknown[] = [
  {},
  [],
  { b: 1, a: [1, 2.5, -0, 1e21, 1e-7, 333333333.3333333, 0.1 + 0.2] },
  { '\u20ac': 'euro', '\r': 'cr', '\ud83d\ude00': 'emoji', '1': 'one', é: ['é', 'e\u0301'] },
  { quote: '"\\\u0000\u001f\u007f\u2028', nested: { deeper: { deepest: [null, true, false, {}] } } },
  { skipped: undefined, kept: 0 },
  { '10': 'ten', '9': 'nine', '01': 'not an index', z: { y: 1, x: [{ b: 2, a: 1 }] } },
  { date: new Date(0) },
];

describe('canonicalJson against an independent RFC 8785 implementation', () => {
  it.each(awkward.map((value) => [JSON.stringify(value) ?? String(value), value]))(
    'writes %s as json-canonicalize does',
    (_label, value) => {
      expect(canonicalJson(value)).toBe(canonicalize(value));
    },
  );

  it('names where the input has no canonical form', () => {
    expect(() => canonicalJson({ a: [1, { b: NaN }] })).toThrow('$.a[1].b: NaN has no JSON form');
    expect(() => canonicalJson({ a: ['\ud800'] })).toThrow('$.a[0]: string holds a lone surrogate');
    expect(() => canonicalJson({ a: [undefined] })).toThrow('$.a[0]: undefined has no JSON form');
    expect(() => canonicalJson({ a: 1n })).toThrow('$.a: bigint has no JSON form');
  });
});

describe('templateOfCanonical', () => {
  const event = (data: unknown) => ({
    eventId: '6f1c6d1e-3e0c-4d59-9a51-0d6f3c1c9b10',
    type: 'DataAccessed',
    schemaVersion: 2,
    data,
    metadata: {
      tenantId: 't1',
      actor: { id: 'dr.ada', role: 'clinician' },
      recordedAt: '2026-03-14T09:00:00Z',
    },
  });
  // As the PostgreSQL store builds it: around data and metadata already canonical.
  const templateOf = (stream: string, e: ReturnType<typeof event>) =>
    templateOfCanonical(stream, e, canonicalJson(e.data), canonicalJson(e.metadata));

  it.each(awkward.map((data) => [JSON.stringify(data) ?? String(data), data]))(
    'filled with a revision and prevHash, hashes to eventHash of the whole envelope (data %s)',
    (_label, data) => {
      const prevHash = sha256Hex('previous');
      for (const [revision, prev] of [
        [0, GENESIS_HASH],
        [7, prevHash],
        [123456789, prevHash],
      ] as const) {
        const stream = 'tenant-é/data-access-"quoted"';
        expect(templatedEventHash(templateOf(stream, event(data)), revision, prev)).toBe(
          eventHash({ ...event(data), stream, revision, integrity: { prevHash: prev } }),
        );
      }
    },
  );

  it('refuses a prevHash or revision that would have to be escaped or is not one', () => {
    const template = templateOf('s', event({}));
    expect(() => templatedEventHash(template, 0, 'A'.repeat(64))).toThrow(TypeError);
    expect(() => templatedEventHash(template, 0, `${'a'.repeat(63)}"`)).toThrow(TypeError);
    expect(() => templatedEventHash(template, -1, GENESIS_HASH)).toThrow(TypeError);
    expect(() => templatedEventHash(template, 1.5, GENESIS_HASH)).toThrow(TypeError);
  });
});

describe('storedCanonicalHash', () => {
  const envelope = (data: unknown) => ({
    eventId: '00000000-0000-4000-8000-000000000001',
    type: 'DataAccessed',
    schemaVersion: 2,
    stream: 'tenant-a/data-access',
    revision: 0,
    data,
    metadata: { tenantId: 'tenant-a', recordedAt: '2026-03-14T09:00:00Z' },
    integrity: { prevHash: GENESIS_HASH },
  });

  it.each(awkward.map((data) => [JSON.stringify(data) ?? String(data), data]))(
    'hashes canonical text as stored to eventHash of the envelope, and other spellings of it to something else (data %s)',
    (_label, data) => {
      const event = envelope(data);
      const metadata = canonicalJson(event.metadata);
      expect(storedCanonicalHash(event, canonicalJson(data), metadata)).toBe(eventHash(event));
      const spaced = JSON.stringify(JSON.parse(canonicalJson(data)), null, 1);
      if (spaced !== canonicalJson(data))
        expect(storedCanonicalHash(event, spaced, metadata)).not.toBe(eventHash(event));
    },
  );

  it("declines texts holding the envelope's own integrity opening: text moved across the split would hash the same", () => {
    // Data an emitter could send, shaped like the envelope's own members.
    const data = { a: 1, eventId: 'forged', integrity: { prevHash: GENESIS_HASH }, metadata: {} };
    const event = envelope(data);
    const hash = eventHash(event);
    const metadata = canonicalJson(event.metadata);
    // An administrator moves the split: data cut short, the rest of it and the true members pushed into metadata.
    const forged = { ...event, eventId: 'forged' };
    const forgedData = '{"a":1';
    const forgedMetadata = `{}},"eventId":"${event.eventId}","integrity":{"prevHash":"${GENESIS_HASH}"},"metadata":${metadata}`;
    const joined = templateOfCanonical(forged.stream, forged, forgedData, forgedMetadata);
    // Joined blindly, the forged row hashes to the stored hash...
    expect(templatedEventHash(joined, 0, GENESIS_HASH)).toBe(hash);
    // ...so the texts holding the opening are not vouched for as stored; the caller parses them, and they fail.
    expect(storedCanonicalHash(forged, forgedData, forgedMetadata)).toBeUndefined();
    expect(storedCanonicalHash(event, canonicalJson(data), metadata)).toBeUndefined();
  });
});
