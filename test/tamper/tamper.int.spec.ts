import { type EventStore, hashedEnvelopeOf, type StoredEvent } from '@ledger/event-store';
import {
  ERASED,
  eventHash,
  generateNoteKey,
  hashToBase64,
  noteSigner,
  parseCheckpoint,
  signCheckpoint,
} from '@ledger/integrity';
import { noteText } from '@ledger/transparency-log';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIRST_SCHEME_2, type Kind, ORIGIN, TamperedLedger } from './tampered-ledger';

/*
 * What a database administrator can do to the ledger with raw SQL, after
 * switching off the append-only guard, and what `govledger verify` says about
 * it: a non-zero exit and the first damaged position with the kind of damage.
 */

const jsonText = (value: unknown) => `'${JSON.stringify(value).replace(/'/g, "''")}'`;

/** Moves rows through negative positions, since a primary key is checked row by row. */
const shiftFrom = (position: number, by: number) => [
  `UPDATE events SET position = -(position + (${by})) WHERE position >= ${position}`,
  'UPDATE events SET position = -position WHERE position < 0',
];
const swap = (a: number, b: number) => [
  `UPDATE events SET position = -1 WHERE position = ${a}`,
  `UPDATE events SET position = ${a} WHERE position = ${b}`,
  `UPDATE events SET position = ${b} WHERE position = -1`,
];

async function eventAt(store: EventStore, position: number): Promise<StoredEvent> {
  for await (const event of store.readAll({ after: BigInt(position - 1), limit: 1 })) return event;
  throw new Error(`no event at position ${position}`);
}

function expectDamage(run: { code: number | null; stdout: string; stderr: string }, headline: RegExp): void {
  if (run.code !== 1 || !headline.test(run.stdout))
    throw new Error(
      `expected exit 1 and ${headline}, got exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`,
    );
}

describe.each<[Kind]>([['sqlite'], ['postgres']])('govledger verify on a tampered %s ledger', (kind) => {
  let sealed: TamperedLedger;
  let ledger: TamperedLedger;
  beforeAll(async () => {
    sealed = await TamperedLedger.create(kind);
  });
  afterAll(() => sealed?.dispose());
  beforeEach(async () => {
    ledger = await sealed.copy();
  });
  afterEach(() => ledger.dispose());

  it('passes an untampered ledger, saying what it checked', async () => {
    const run = await ledger.verify();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'OK: 100 events in 6 streams: every hash, stream chain and position checks out',
    );
    expect(run.stdout).toContain(
      '5 signed checkpoints match the re-derived Merkle log; the latest covers 100 events',
    );
  });

  it('says which ledger it checks on stderr and reports as JSON with --json', async () => {
    const intact = await ledger.verify('--json');
    expect(intact.code).toBe(0);
    expect(intact.stderr).toContain(
      `govledger: using the ledger in ${ledger.dataDir} (store ${kind}, key ${ORIGIN}+`,
    );
    expect(JSON.parse(intact.stdout)).toMatchObject({
      ok: true,
      events: 100,
      streams: 6,
      checkpoints: 5,
      latestCheckpoint: { treeSize: 100 },
      damage: [],
    });
    await ledger.tamperEvents('DELETE FROM events WHERE position = 100');
    const damaged = await ledger.verify('--json');
    expect(damaged.code).toBe(1);
    const report = JSON.parse(damaged.stdout) as {
      ok: boolean;
      damage: Array<{ kind: string; position: string }>;
    };
    expect(report.ok).toBe(false);
    expect(report.damage[0]).toMatchObject({ kind: 'deleted-event', position: '100' });
  });

  it('names an edited event: one byte of its data changed with raw SQL', async () => {
    const cast = kind === 'postgres' ? ['data::text', '::jsonb'] : ['data', ''];
    await ledger.tamperEvents(
      `UPDATE events SET data = replace(${cast[0]}, 'dr.ada', 'dr.adb')${cast[1]} WHERE position = 37`,
    );
    expectDamage(
      await ledger.verify(),
      /^DAMAGED: edited-event at position 37: .*no longer matches its stored hash/m,
    );
  });

  it('names an edited event whose hash was recomputed to match, through its stream chain and the signed roots', async () => {
    const store = await ledger.openStore();
    const event = await eventAt(store, 37);
    await store.close();
    const data = { ...(event.data as object), note: 'approved by dr.bob' };
    const hash = eventHash(hashedEnvelopeOf({ ...event, data }));
    const cast = kind === 'postgres' ? '::jsonb' : '';
    await ledger.tamperEvents(
      `UPDATE events SET data = ${jsonText(data)}${cast}, hash = '${hash}' WHERE position = 37`,
    );
    expectDamage(
      await ledger.verify(),
      /^DAMAGED: edited-event at position 37: .*next event of its stream chains to a different hash/m,
    );
  });

  describe('with values kept beside scheme-2 events', () => {
    /** Position 77: stream system-1, written under scheme 2, its actor and note sealed. */
    const AT = 77;
    const json = kind === 'postgres' ? '::jsonb' : '';
    let event: StoredEvent;
    beforeEach(async () => {
      const store = await ledger.openStore();
      event = await eventAt(store, AT);
      await store.close();
    });
    const sealedData = () => event.sealed!.data as Record<string, unknown>;
    const setValues = (values: unknown) =>
      `UPDATE event_values SET erasable = ${jsonText(values)} WHERE event_id = '${event.eventId}'`;

    it('verifies the older scheme-1 events and the newer scheme-2 events of one ledger alike', async () => {
      const store = await ledger.openStore();
      const [before, after] = [
        await eventAt(store, FIRST_SCHEME_2 - 1),
        await eventAt(store, FIRST_SCHEME_2),
      ];
      await store.close();
      expect(before.integrity.hashScheme).toBeUndefined();
      expect(before.sealed).toBeUndefined();
      expect(after.integrity.hashScheme).toBe(2);
      expect(after.data).toMatchObject({ note: 'approved by dr.ada' });
      expect(after.sealed!.data).toMatchObject({
        note: { $commitment: expect.stringMatching(/^[0-9a-f]{64}$/) },
      });
      expect((await ledger.verify()).code).toBe(0);
    });

    it('names an edited event when a commitment in its data is changed', async () => {
      const note = sealedData().note as { $commitment: string };
      const data = {
        ...sealedData(),
        note: { $commitment: note.$commitment.replace(/^./, (c) => (c === '0' ? '1' : '0')) },
      };
      await ledger.tamperEvents(`UPDATE events SET data = ${jsonText(data)}${json} WHERE position = ${AT}`);
      expectDamage(
        await ledger.verify(),
        new RegExp(`^DAMAGED: edited-event at position ${AT}: .*no longer matches its stored hash`, 'm'),
      );
    });

    it('names an edited event when a field that is not erasable is changed', async () => {
      const data = { ...sealedData(), position: AT + 1 };
      await ledger.tamperEvents(`UPDATE events SET data = ${jsonText(data)}${json} WHERE position = ${AT}`);
      expectDamage(
        await ledger.verify(),
        new RegExp(`^DAMAGED: edited-event at position ${AT}: .*no longer matches its stored hash`, 'm'),
      );
    });

    it('names a value mismatch when a value kept beside the event is forged', async () => {
      const values = event.sealed!.values;
      await ledger.tamperEvents(
        setValues({ ...values, '/data/note': { ...values['/data/note'], value: 'approved by dr.bob' } }),
      );
      expectDamage(
        await ledger.verify(),
        new RegExp(
          `^DAMAGED: value-mismatch at position ${AT}: .*the value kept for /data/note does not open its commitment`,
          'm',
        ),
      );
    });

    it('names a value mismatch when a salt is replaced', async () => {
      const values = event.sealed!.values;
      await ledger.tamperEvents(
        setValues({
          ...values,
          '/metadata/actor/id': { ...values['/metadata/actor/id'], salt: 'ab'.repeat(32) },
        }),
      );
      expectDamage(
        await ledger.verify(),
        new RegExp(`^DAMAGED: value-mismatch at position ${AT}: .*/metadata/actor/id does not open`, 'm'),
      );
    });

    it("names missing values when the event's row of values is deleted", async () => {
      await ledger.tamperEvents(`DELETE FROM event_values WHERE event_id = '${event.eventId}'`);
      expectDamage(
        await ledger.verify(),
        new RegExp(
          `^DAMAGED: values-missing at position ${AT}: .*its row of values \\(event_values\\) is gone`,
          'm',
        ),
      );
    });

    it('names missing values when one entry is deleted rather than erased', async () => {
      const { '/data/note': _note, ...rest } = event.sealed!.values;
      await ledger.tamperEvents(setValues(rest));
      expectDamage(
        await ledger.verify(),
        new RegExp(`^DAMAGED: values-missing at position ${AT}: .*no value is kept for /data/note`, 'm'),
      );
    });

    it('passes once values are erased: the commitments, and so every hash and root, stay', async () => {
      const store = await ledger.openStore();
      try {
        expect(
          await store.eraseValues!([
            { eventId: event.eventId, pointers: ['/data/note', '/metadata/actor/id'] },
          ]),
        ).toBe(2);
        const erased = await eventAt(store, AT);
        expect(erased.data).toMatchObject({ note: ERASED });
        expect(erased.sealed!.values['/data/note']).toEqual({ kind: 'text' });
        expect(erased.integrity.hash).toBe(event.integrity.hash);
      } finally {
        await store.close();
      }
      const run = await ledger.verify();
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('OK: 100 events in 6 streams');
    });
  });

  it('names a deleted event', async () => {
    await ledger.tamperEvents('DELETE FROM events WHERE position = 37');
    expectDamage(
      await ledger.verify(),
      /^DAMAGED: deleted-event at position 37: position 37 is missing from the global order/m,
    );
  });

  it('names a deleted event even when the positions after it were renumbered to close the gap', async () => {
    await ledger.tamperEvents('DELETE FROM events WHERE position = 37', ...shiftFrom(38, -1));
    expectDamage(
      await ledger.verify(),
      /^DAMAGED: deleted-event at position 37: event \S+, sealed at position 37, is no longer in the store/m,
    );
  });

  it('names a deletion from the end of the log, which leaves no gap', async () => {
    await ledger.tamperEvents('DELETE FROM events WHERE position = 100');
    expectDamage(await ledger.verify(), /^DAMAGED: deleted-event at position 100: /m);
  });

  it('names reordered events: two events of one stream swapped', async () => {
    await ledger.tamperEvents(...swap(37, 41));
    expectDamage(
      await ledger.verify(),
      /^DAMAGED: reordered-events at position 37: revision 10 of stream system-1 .* comes before revision 9/m,
    );
  });

  it('names reordered events: two lone events swapped, which no stream chain notices, only the signed roots', async () => {
    await ledger.tamperEvents(...swap(30, 70));
    expectDamage(
      await ledger.verify(),
      /^DAMAGED: reordered-events at position 30: event \S+ now stands at position 30, where event \S+ was sealed/m,
    );
  });

  it("still catches the swap when the sealer's own record was doctored to match, from the signed roots alone", async () => {
    await ledger.tamperEvents(...swap(30, 70));
    await ledger.tamperReadStore('UPDATE merkle_leaves SET leaf_index = -1 WHERE leaf_index = 29');
    await ledger.tamperReadStore('UPDATE merkle_leaves SET leaf_index = 29 WHERE leaf_index = 69');
    await ledger.tamperReadStore('UPDATE merkle_leaves SET leaf_index = 69 WHERE leaf_index = -1');
    const run = await ledger.verify();
    expectDamage(
      run,
      /^DAMAGED: rewritten-history at checkpoint of tree size 40: the events no longer produce the root signed in checkpoint 40: an event after leaf 20/m,
    );
    expect(run.stderr).toContain(
      "the sealer's leaf record (merkle_leaves) does not reproduce the root of checkpoint 40",
    );
  });

  it('names an inserted event: a forged, correctly hashed event slipped in at position 37', async () => {
    await ledger.tamperEvents(...shiftFrom(37, 1), ledger.forgedEventRow(37));
    expectDamage(
      await ledger.verify(),
      /^DAMAGED: inserted-event at position 37: event \S+ at position 37 was inserted/m,
    );
  });

  it('names a bad signature: a checkpoint replaced by one signed with another key', async () => {
    const forger = noteSigner(generateNoteKey(ORIGIN).signerKey);
    const original = parseCheckpoint(noteText(await ledger.checkpointNote(60)));
    await ledger.tamperReadStore('UPDATE merkle_checkpoints SET note = ? WHERE tree_size = 60', [
      signCheckpoint({ ...original, rootHash: randomBytes(32) }, forger),
    ]);
    expectDamage(
      await ledger.verify(),
      /^DAMAGED: bad-signature at checkpoint of tree size 60: .*no trusted key signed this note/m,
    );
  });

  it('names a bad signature: a checkpoint whose root line was edited', async () => {
    const note = await ledger.checkpointNote(60);
    const root = note.split('\n')[2];
    const edited = note.replace(`\n${root}\n`, `\n${hashToBase64(randomBytes(32))}\n`);
    await ledger.tamperReadStore(
      'UPDATE merkle_checkpoints SET note = ?, root_hash = ? WHERE tree_size = 60',
      [edited, 'ff'.repeat(32)],
    );
    expectDamage(
      await ledger.verify(),
      /^DAMAGED: bad-signature at checkpoint of tree size 60: .*does not verify: the note was altered or the signature forged/m,
    );
  });

  it('names a checkpoint inconsistent with the others: validly signed by the ledger key over a root the log never had', async () => {
    const signer = noteSigner(readFileSync(join(ledger.dataDir, 'keys', 'ledger.key'), 'utf8').trim());
    const forked = signCheckpoint({ origin: ORIGIN, size: 60, rootHash: randomBytes(32) }, signer);
    await ledger.tamperReadStore('UPDATE merkle_checkpoints SET note = ? WHERE tree_size = 60', [forked]);
    expectDamage(
      await ledger.verify(),
      /^DAMAGED: inconsistent-checkpoint at position 60 \(checkpoint of tree size 60\): .*the key signed two different histories/m,
    );
  });

  describe('against a witnessed checkpoint', () => {
    it('proves the log extends it', async () => {
      const witnessed = join(ledger.dataDir, 'witnessed-60.checkpoint');
      writeFileSync(witnessed, await ledger.checkpointNote(60));
      const run = await ledger.verify('--against', witnessed);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(
        `the log extends the witnessed checkpoint ${witnessed} (tree size 60); the consistency proof from 60 to 100 verifies`,
      );
    });

    it('catches a cover-up inside the database that verify alone cannot see: the tail deleted with its checkpoints and leaf record', async () => {
      const witnessed = join(ledger.dataDir, 'witnessed-100.checkpoint');
      writeFileSync(witnessed, await ledger.checkpointNote(100));
      await ledger.tamperEvents('DELETE FROM events WHERE position > 80');
      await ledger.tamperReadStore('DELETE FROM merkle_checkpoints WHERE tree_size > 80');
      await ledger.tamperReadStore('DELETE FROM merkle_leaves WHERE leaf_index >= 80');

      expect((await ledger.verify()).code).toBe(0);
      expectDamage(
        await ledger.verify('--against', witnessed),
        new RegExp(
          `^DAMAGED: deleted-event at position 81: the witnessed checkpoint ${witnessed.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} covers 100 events, but the store holds 80`,
          'm',
        ),
      );
    });

    it('refuses a witnessed checkpoint no published key signed', async () => {
      const forged = join(ledger.dataDir, 'forged.checkpoint');
      writeFileSync(
        forged,
        signCheckpoint(
          { origin: ORIGIN, size: 50, rootHash: randomBytes(32) },
          noteSigner(generateNoteKey(ORIGIN).signerKey),
        ),
      );
      expectDamage(
        await ledger.verify('--against', forged),
        /^DAMAGED: bad-signature at checkpoint of tree size 50: the witnessed checkpoint .* does not verify with the published keys/m,
      );
    });
  });
});
