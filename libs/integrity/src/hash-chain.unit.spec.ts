import { eventHash, GENESIS_HASH } from './event-hash';
import { chainEvents } from './hash-chain';

const event = (n: number) => ({
  eventId: `00000000-0000-4000-8000-00000000000${n}`,
  type: 'ModelVersionDeployed',
  schemaVersion: 1,
  data: { version: `1.${n}` },
  metadata: { tenantId: 't1', recordedAt: '2025-01-01T00:00:00.000Z' },
});

describe('chainEvents', () => {
  it('starts a new stream at revision 0 after the genesis hash and links each event to the one before', () => {
    const chained = chainEvents('ai-system-1', [event(1), event(2), event(3)], undefined);
    expect(chained.map((e) => e.revision)).toEqual([0, 1, 2]);
    expect(chained[0].integrity.prevHash).toBe(GENESIS_HASH);
    for (const [i, e] of chained.entries()) {
      expect(e.integrity.hash).toBe(eventHash(e));
      if (i > 0) expect(e.integrity.prevHash).toBe(chained[i - 1].integrity.hash);
    }
  });

  it('gives a stream appended in two parts the same chain as one append of all its events', () => {
    const whole = chainEvents('ai-system-1', [event(1), event(2), event(3)], undefined);
    const first = chainEvents('ai-system-1', [event(1)], undefined);
    const rest = chainEvents('ai-system-1', [event(2), event(3)], {
      revision: first[0].revision,
      hash: first[0].integrity.hash,
    });
    expect([...first, ...rest]).toEqual(whole);
  });

  it('binds each hash to its stream: the same events in another stream hash differently', () => {
    const [a] = chainEvents('ai-system-1', [event(1)], undefined);
    const [b] = chainEvents('ai-system-2', [event(1)], undefined);
    expect(a.integrity.hash).not.toBe(b.integrity.hash);
  });
});
