import {
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
import { type Kind, ORIGIN, TamperedLedger } from './tampered-ledger';

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
    const event = await (async () => {
      for await (const e of store.readAll({ after: 36n, limit: 1 })) return e;
    })();
    await store.close();
    const data = { ...(event!.data as object), note: 'approved by dr.bob' };
    const hash = eventHash({ ...event!, data });
    const cast = kind === 'postgres' ? '::jsonb' : '';
    await ledger.tamperEvents(
      `UPDATE events SET data = ${jsonText(data)}${cast}, hash = '${hash}' WHERE position = 37`,
    );
    expectDamage(
      await ledger.verify(),
      /^DAMAGED: edited-event at position 37: .*next event of its stream chains to a different hash/m,
    );
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
