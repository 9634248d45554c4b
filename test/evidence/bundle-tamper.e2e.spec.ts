import { BUNDLE_FILES, verifyBundle, type BundleFileName } from '@ledger/evidence';
import { generateNoteKey } from '@ledger/integrity';
import { createWriteStream, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import { collect } from '../support/events';
import { startOpensslTsa } from '../support/openssl-tsa';
import { govledger, ledgerEnv, offlineEnv, scratchDir, seededLedger, settled } from './evidence-fixture';

type Members = Array<[string, Buffer]>;

async function readMembers(file: string): Promise<Members> {
  const found: Members = [];
  const archive = extract();
  Readable.from(readFileSync(file)).pipe(createGunzip()).pipe(archive);
  for await (const entry of archive)
    found.push([entry.header.name, Buffer.concat(await collect(entry as AsyncIterable<Buffer>))]);
  return found;
}

async function writeMembers(file: string, members: Members): Promise<void> {
  const archive = pack();
  const written = pipeline(archive, createGzip(), createWriteStream(file));
  for (const [name, content] of members) archive.entry({ name }, content);
  archive.finalize();
  await written;
}

const ALL_FILES = Object.values(BUNDLE_FILES);

describe('evidence bundle: tampering is caught and named', () => {
  const dir = scratchDir();
  const bundle = join(dir, 'bundle.tar.gz');
  let original: Members;
  let vkey: string;
  let origin: string;

  beforeAll(async () => {
    // A timestamp authority too, so the bundle holds every kind of file, checkpoint.tst included.
    const tsa = await startOpensslTsa(join(dir, 'tsa'));
    const { api } = await seededLedger('sqlite', 300, { LEDGER_TSA_URL: tsa.url });
    try {
      vkey = (await (await fetch(`${api.url}/v1/keys`)).text()).trim();
      origin = vkey.split('+')[0];
      const earlier = await (await fetch(`${api.url}/checkpoint`)).text();
      writeFileSync(join(dir, 'earlier.checkpoint'), earlier);
      // Something after the earlier checkpoint, so the consistency proof has work to do.
      await api.post('/v1/events', {
        events: [
          {
            eventId: '0f5c9a4e-1b2d-4c3e-8f70-5a6b7c8d9e01',
            type: 'DataAccessed',
            occurredAt: '2026-03-14T09:00:00Z',
            data: {
              actor: 'dr.bob',
              resource: 'Observation',
              action: 'R',
              purposeOfUse: 'TREAT',
              outcome: 'success',
              systemId: 'sepsis-predictor',
            },
          },
        ],
      });
      await settled(api, { stamped: true });
      const run = await govledger(
        [
          'export',
          '--system',
          'sepsis-predictor',
          '--out',
          bundle,
          '--actor',
          'ops.olga',
          '--since-checkpoint',
          join(dir, 'earlier.checkpoint'),
        ],
        ledgerEnv(api),
      );
      if (run.code !== 0) throw new Error(`export failed: ${run.stderr}`);
    } finally {
      await api.close();
      await tsa.close();
    }
    original = await readMembers(bundle);
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes untouched, and holds every kind of file', async () => {
    expect(original.map(([name]) => name).sort()).toEqual([...ALL_FILES].sort());
    await expect(verifyBundle(bundle, [vkey])).resolves.toMatchObject({ ok: true });
  });

  // Every file, and in each the first byte, one in the middle and the last: each change must fail and name that file.
  it.each(
    ALL_FILES.flatMap((name) =>
      ['first', 'middle', 'last'].map((where) => [name, where] as [BundleFileName, string]),
    ),
  )('changing %s at its %s byte fails verification naming that file', async (name, where) => {
    const members = original.map(([n, content]) => [n, Buffer.from(content)] as [string, Buffer]);
    const content = members.find(([n]) => n === name)![1];
    const at = where === 'first' ? 0 : where === 'last' ? content.length - 1 : Math.floor(content.length / 2);
    content[at] ^= 0x01;
    const tampered = join(dir, `tampered-${name}-${where}.tar.gz`);
    await writeMembers(tampered, members);
    const result = await verifyBundle(tampered, [vkey]);
    expect(result).toMatchObject({ ok: false, file: name });
  });

  it('the CLI prints every failure, naming the file and what it means, and exits 1', async () => {
    const members = original.map(([n, content]) => [n, Buffer.from(content)] as [string, Buffer]);
    const events = members.find(([n]) => n === BUNDLE_FILES.events)![1];
    // Rewrite an actor in place: valid JSON, still canonical, but no longer what was hashed.
    const text = events.toString().replace('"actor":{"id":"', '"actor":{"id":"X');
    members.find(([n]) => n === BUNDLE_FILES.events)![1] = Buffer.from(text);
    const tampered = join(dir, 'tampered-actor.tar.gz');
    await writeMembers(tampered, members);
    const run = await govledger(['verify-bundle', tampered, '--trusted-key', vkey], offlineEnv());
    expect(run.code).toBe(1);
    // The altered event, then the file it altered, which no longer has the digest the manifest signed.
    expect(run.stdout).toMatch(
      /^FAIL: events\.jsonl: line 1: event [0-9a-f-]+ \(position \d+\) hashes to [0-9a-f]{64}, not its recorded [0-9a-f]{64}: the event was altered\nFAIL: events\.jsonl: its SHA-256 [0-9a-f]{64} \(\d+ bytes\) is not the [0-9a-f]{64} \(\d+ bytes\) the signed manifest lists: the stored events, exactly as hashed was altered after export\n$/,
    );
  });

  // The verifier checks each line apart from its file's digest: each altered event and each bent proof is named by its line,
  // an event of another shape included, and a bent proof even where the lines around it share its path.
  it('names each altered event and each bent proof by its line, and no other', async () => {
    const members = original.map(([n, content]) => [n, Buffer.from(content)] as [string, Buffer]);
    const edit = (name: string, change: (lines: string[]) => void) => {
      const member = members.find(([n]) => n === name)!;
      const lines = member[1].toString().split('\n');
      change(lines);
      member[1] = Buffer.from(lines.join('\n'));
    };
    const flipped = (hash: string) => {
      const bytes = Buffer.from(hash, 'base64');
      bytes[0] ^= 0x01;
      return bytes.toString('base64');
    };
    edit(BUNDLE_FILES.events, (lines) => {
      lines[1] = lines[1].replace('"actor":{"id":"', '"actor":{"id":"X');
      lines[3] = lines[3].replace(/"schemaVersion":\d+,/, '');
    });
    edit(BUNDLE_FILES.proofs, (lines) => {
      for (const [at, hash] of [
        [2, (p: string[]) => p.length - 1],
        [4, () => 0],
      ] as const) {
        const proof = JSON.parse(lines[at]) as { proof: string[] };
        const which = hash(proof.proof);
        proof.proof[which] = flipped(proof.proof[which]);
        lines[at] = JSON.stringify(proof);
      }
    });
    const tampered = join(dir, 'tampered-lines.tar.gz');
    await writeMembers(tampered, members);
    const result = await verifyBundle(tampered, [vkey]);
    expect(result.ok).toBe(false);
    const failures = result.ok ? [] : result.failures.map((f) => `${f.file}: ${f.message}`);
    expect(failures).toEqual([
      expect.stringMatching(
        /^events\.jsonl: line 2: event \S+ \(position \d+\) hashes to \w+, not its recorded/,
      ),
      expect.stringMatching(
        /^events\.jsonl: line 4: event \S+ \(position \d+\) hashes to \w+, not its recorded/,
      ),
      expect.stringMatching(/^events\.jsonl: its SHA-256/),
      expect.stringMatching(
        /^proofs\.jsonl: line 3: event \S+ is not proven to be leaf \d+ of the signed log/,
      ),
      expect.stringMatching(
        /^proofs\.jsonl: line 5: event \S+ is not proven to be leaf \d+ of the signed log/,
      ),
      expect.stringMatching(/^proofs\.jsonl: its SHA-256/),
    ]);
  });

  it('fails with a key that is not the ledger’s, even one with the ledger’s name', async () => {
    const impostor = generateNoteKey(origin).verifierKey;
    const result = await verifyBundle(bundle, [impostor]);
    expect(result).toMatchObject({
      ok: false,
      file: 'manifest.sig',
      message: expect.stringContaining('no trusted key signed this note'),
    });
    const run = await govledger(['verify-bundle', bundle, '--trusted-key', impostor], offlineEnv());
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('FAIL: manifest.sig:');
  });

  it('fails when a file is missing, added or moved', async () => {
    const without = join(dir, 'without-proofs.tar.gz');
    await writeMembers(
      without,
      original.filter(([n]) => n !== BUNDLE_FILES.proofs),
    );
    expect(await verifyBundle(without, [vkey])).toMatchObject({ ok: false, file: 'proofs.jsonl' });

    const added = join(dir, 'added.tar.gz');
    await writeMembers(added, [...original, ['notes.txt', Buffer.from('trust me\n')]]);
    expect(await verifyBundle(added, [vkey])).toMatchObject({
      ok: false,
      message: expect.stringContaining('not listed in the signed manifest'),
    });

    const moved = join(dir, 'moved.tar.gz');
    const [manifest, signature, ...rest] = original;
    await writeMembers(moved, [manifest, signature, ...rest.reverse()]);
    expect(await verifyBundle(moved, [vkey])).toMatchObject({
      ok: false,
      file: 'checkpoint.note',
      message: expect.stringContaining('missing or out of order'),
    });
  });

  it('fails on a truncated or foreign file as a whole', async () => {
    const truncated = join(dir, 'truncated.tar.gz');
    const bytes = readFileSync(bundle);
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect(await verifyBundle(truncated, [vkey])).toMatchObject({
      ok: false,
      file: 'bundle',
      message: expect.stringContaining('unexpected end of file'),
    });
    const foreign = join(dir, 'foreign.tar.gz');
    writeFileSync(foreign, 'not an archive');
    expect(await verifyBundle(foreign, [vkey])).toMatchObject({
      ok: false,
      file: 'bundle',
      message: expect.stringContaining('not a readable evidence bundle'),
    });
  });
});
