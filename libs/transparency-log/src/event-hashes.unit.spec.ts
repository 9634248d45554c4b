import type { UnparsedEvent } from '@ledger/event-store';
import { canonicalJson, eventHash, GENESIS_HASH, sealValues, type ErasableValues } from '@ledger/integrity';
import { recomputedHash, valuesFindings } from './event-hashes';

/** A scheme-2 event as verify reads it from a SQL store: its sealed text, and its row of values as JSON text (null: no row). */
function scheme2Event(
  edit: (values: ErasableValues) => ErasableValues | null = (v) => v,
  extraData: object = {},
): UnparsedEvent {
  const envelope = {
    eventId: '0b7c8a52-3f1e-4a9d-9c1b-2e6f4d5a7b80',
    type: 'TestRecorded',
    schemaVersion: 1,
    stream: 'system-1',
    revision: 0,
    data: { note: 'approved by dr.ada', score: 3, ...extraData },
    metadata: { tenantId: 'tenant-a', actor: { id: 'dr.ada', role: 'validator' } },
    integrity: { prevHash: GENESIS_HASH, hashScheme: 2 as const },
  };
  const { sealed, values } = sealValues(envelope, [
    { pointer: '/metadata/actor/id', kind: 'person' },
    { pointer: '/data/note', kind: 'text' },
  ]);
  const edited = edit(values);
  return {
    ...sealed,
    position: 1n,
    dataJson: canonicalJson(sealed.data),
    metadataJson: canonicalJson(sealed.metadata),
    integrity: { ...sealed.integrity, hash: eventHash(sealed) },
    valuesJson: edited === null ? null : JSON.stringify(edited),
  };
}

describe('valuesFindings: the values kept beside a scheme-2 event', () => {
  it('finds nothing wrong with intact values, or with values erased to their kind', () => {
    const intact = scheme2Event();
    expect(recomputedHash(intact)).toBe(intact.integrity.hash);
    expect(valuesFindings(intact)).toEqual([]);
    expect(valuesFindings(scheme2Event((v) => ({ ...v, '/data/note': { kind: 'text' } })))).toEqual([]);
  });

  it('leaves scheme-1 events alone: their values are in their hash', () => {
    const { hashScheme: _, ...integrity } = scheme2Event().integrity;
    expect(valuesFindings({ ...scheme2Event(), integrity, valuesJson: undefined })).toEqual([]);
  });

  it.each<[string, (values: ErasableValues) => ErasableValues | null, string, RegExp]>([
    [
      'a forged value',
      (v) => ({ ...v, '/data/note': { ...v['/data/note'], value: 'approved by dr.bob' } }),
      'value-mismatch',
      /the value kept for \/data\/note does not open its commitment/,
    ],
    [
      'a replaced salt',
      (v) => ({ ...v, '/metadata/actor/id': { ...v['/metadata/actor/id'], salt: '00'.repeat(32) } }),
      'value-mismatch',
      /\/metadata\/actor\/id does not open its commitment/,
    ],
    [
      'a value kept for a place that holds no commitment',
      (v) => ({ ...v, '/data/score': { kind: 'text', salt: '00'.repeat(32), value: 3 } }),
      'value-mismatch',
      /\/data\/score holds no commitment/,
    ],
    ['the row deleted', () => null, 'values-missing', /its row of values \(event_values\) is gone/],
    [
      'one entry deleted rather than erased',
      ({ '/data/note': _, ...rest }) => rest,
      'values-missing',
      /no value is kept for \/data\/note/,
    ],
    [
      'a salt spelled in upper case',
      (v) => ({ ...v, '/data/note': { ...v['/data/note'], salt: v['/data/note'].salt!.toUpperCase() } }),
      'value-mismatch',
      /the salt of \/data\/note is not 256 bits of hex/,
    ],
  ])('names %s', (_, edit, kind, message) => {
    // Both ways verify reads an event: text it must parse, and canonical text whose commitments it counts.
    for (const canonicalText of [false, true]) {
      const findings = valuesFindings(scheme2Event(edit), canonicalText);
      expect(findings).toEqual([{ kind, message: expect.stringMatching(message) }]);
    }
  });

  it('is not misled by an object that opens like a commitment in the text but is not one', () => {
    // Counted in the text, it makes the count exceed the entries found: the event is then walked, not passed on the count.
    const decoy = { shape: { $commitment: 'not a digest', more: 1 } };
    expect(valuesFindings(scheme2Event(undefined, decoy), true)).toEqual([]);
    const deleted = scheme2Event(({ '/data/note': _, ...rest }) => rest, decoy);
    expect(valuesFindings(deleted, true)).toEqual([
      { kind: 'values-missing', message: expect.stringMatching(/no value is kept for \/data\/note/) },
    ]);
  });
});
