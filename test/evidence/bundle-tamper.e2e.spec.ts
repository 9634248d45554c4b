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

/** Every member a bundle of each format can hold: v2 (the default) proves its leaves with one multiproof and gzips its FHIR view. */
const ALL_FILES = Object.values(BUNDLE_FILES).filter(
  (name) => name !== BUNDLE_FILES.proofs && name !== BUNDLE_FILES.fhir,
);
const V1_FILES = Object.values(BUNDLE_FILES).filter(
  (name) => name !== BUNDLE_FILES.multiproof && name !== BUNDLE_FILES.fhirGzip,
);

/** A copy of the members with some members' lines changed. */
function withLines(source: Members, edits: Record<string, (lines: string[]) => void>): Members {
  return source.map(([name, content]) => {
    const edit = edits[name];
    if (!edit) return [name, Buffer.from(content)];
    const lines = content.toString().split('\n');
    edit(lines);
    return [name, Buffer.from(lines.join('\n'))];
  });
}

function flipped(hash: string): string {
  const bytes = Buffer.from(hash, 'base64');
  bytes[0] ^= 0x01;
  return bytes.toString('base64');
}

/** Line 2's actor's role rewritten and line 4's schemaVersion dropped: still JSON, still canonical, no longer what was hashed. */
function alterEvents(lines: string[]): void {
  expect(lines[1]).toContain('"role":"');
  lines[1] = lines[1].replace('"role":"', '"role":"X');
  lines[3] = lines[3].replace(/"schemaVersion":\d+,/, '');
}

/** What alterEvents is reported as, in either format: each event by its line, then the file's digest. */
const ALTERED_EVENTS = [
  expect.stringMatching(/^events\.jsonl: line 2: event \S+ \(position \d+\) hashes to \w+, not its recorded/),
  expect.stringMatching(/^events\.jsonl: line 4: event \S+ \(position \d+\) hashes to \w+, not its recorded/),
  expect.stringMatching(/^events\.jsonl: its SHA-256/),
];

describe('evidence bundle: tampering is caught and named', () => {
  const dir = scratchDir();
  const bundle = join(dir, 'bundle.tar.gz');
  const bundleV1 = join(dir, 'bundle-v1.tar.gz');
  let original: Members;
  let originalV1: Members;
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
      // The same system as v1, once the checkpoint over the first export is stamped, so it holds every kind of v1 file.
      await settled(api, { stamped: true });
      const v1 = await govledger(
        [
          'export',
          '--system',
          'sepsis-predictor',
          '--out',
          bundleV1,
          '--actor',
          'ops.olga',
          '--since-checkpoint',
          join(dir, 'earlier.checkpoint'),
          '--bundle-format',
          'v1',
        ],
        ledgerEnv(api),
      );
      if (v1.code !== 0) throw new Error(`v1 export failed: ${v1.stderr}`);
    } finally {
      await api.close();
      await tsa.close();
    }
    original = await readMembers(bundle);
    originalV1 = await readMembers(bundleV1);
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Every failure verifyBundle reports for these members, as `<file>: <message>`. */
  const failuresOf = async (members: Members, name: string) => {
    const tampered = join(dir, name);
    await writeMembers(tampered, members);
    const result = await verifyBundle(tampered, [vkey]);
    return result.ok ? [] : result.failures.map((f) => `${f.file}: ${f.message}`);
  };

  it('passes untouched, and holds every kind of file, in v2 and in v1', async () => {
    expect(original.map(([name]) => name).sort()).toEqual([...ALL_FILES].sort());
    await expect(verifyBundle(bundle, [vkey])).resolves.toMatchObject({ ok: true });
    // A checkpoint's token may still be on its way when the second export is made.
    expect(originalV1.map(([name]) => name).sort()).toEqual(
      V1_FILES.filter((name) => name !== 'checkpoint.tst' || originalV1.some(([n]) => n === name)).sort(),
    );
    await expect(verifyBundle(bundleV1, [vkey])).resolves.toMatchObject({ ok: true });
  });

  // Every file, and in each the first byte, one in the middle and the last: each change must fail and name that file.
  it.each(
    [
      ...ALL_FILES.map((name) => ['v2', name] as const),
      ...V1_FILES.filter((name) => name !== 'checkpoint.tst').map((name) => ['v1', name] as const),
    ].flatMap(([format, name]) =>
      ['first', 'middle', 'last'].map((where) => [format, name, where] as [string, BundleFileName, string]),
    ),
  )('%s: changing %s at its %s byte fails verification naming that file', async (format, name, where) => {
    const members = (format === 'v1' ? originalV1 : original).map(
      ([n, content]) => [n, Buffer.from(content)] as [string, Buffer],
    );
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
    // Rewrite an actor's role in place: valid JSON, still canonical, but no longer what was hashed.
    const text = events.toString().replace('"role":"', '"role":"X');
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
  it('v1: names each altered event and each bent proof by its line, and no other', async () => {
    const members = withLines(originalV1, {
      [BUNDLE_FILES.events]: alterEvents,
      [BUNDLE_FILES.proofs]: (lines) => {
        for (const [at, hash] of [
          [2, (p: string[]) => p.length - 1],
          [4, () => 0],
        ] as const) {
          const proof = JSON.parse(lines[at]) as { proof: string[] };
          const which = hash(proof.proof);
          proof.proof[which] = flipped(proof.proof[which]);
          lines[at] = JSON.stringify(proof);
        }
      },
    });
    expect(await failuresOf(members, 'tampered-lines.tar.gz')).toEqual([
      ...ALTERED_EVENTS,
      expect.stringMatching(
        /^proofs\.jsonl: line 3: event \S+ is not proven to be leaf \d+ of the signed log/,
      ),
      expect.stringMatching(
        /^proofs\.jsonl: line 5: event \S+ is not proven to be leaf \d+ of the signed log/,
      ),
      expect.stringMatching(/^proofs\.jsonl: its SHA-256/),
    ]);
  });

  // v2 proves every leaf at once: a bent proof hash fails the multiproof, which names no line; an altered event still names its own.
  it('v2: names each altered event by its line, and a bent proof hash as the multiproof failing', async () => {
    const members = withLines(original, {
      [BUNDLE_FILES.events]: alterEvents,
      [BUNDLE_FILES.multiproof]: (lines) => {
        lines[0] = flipped(lines[0]);
      },
    });
    expect(await failuresOf(members, 'tampered-lines-v2.tar.gz')).toEqual([
      ...ALTERED_EVENTS,
      expect.stringMatching(/^multiproof\.txt: its SHA-256/),
      expect.stringMatching(
        /^multiproof\.txt: the \d+ events' leaves and the \d+ proof hashes do not lead to the root of the signed log/,
      ),
    ]);
  });

  it.each([
    ['v2', () => original],
    ['v1', () => originalV1],
  ])(
    '%s: a value carried beside an event that no longer opens its commitment is named, though the hash holds',
    async (format, members) => {
      const altered = withLines(members(), {
        [BUNDLE_FILES.events]: (lines) => {
          expect(lines[1]).toContain('"value":"');
          lines[1] = lines[1].replace('"value":"', '"value":"X');
        },
      });
      expect(await failuresOf(altered, `tampered-value-${format}.tar.gz`)).toEqual([
        expect.stringMatching(
          /^events\.jsonl: line 2: value-mismatch: event \S+ \(position \d+\): the value kept for \/\S+ does not open its commitment/,
        ),
        expect.stringMatching(/^events\.jsonl: its SHA-256/),
      ]);
    },
  );

  it.each([
    [
      'a line dropped',
      (lines: string[]) => lines.splice(2, 1),
      [/^events\.jsonl: holds \d+ events, the manifest says \d+/, /^multiproof\.txt: the \d+ events' leaves/],
    ],
    [
      'two lines swapped',
      (lines: string[]) => lines.splice(1, 2, lines[2], lines[1]),
      [/^events\.jsonl: line 3: position \d+ does not follow/, /^multiproof\.txt: the \d+ events' leaves/],
    ],
    [
      'a line added twice',
      (lines: string[]) => lines.splice(2, 0, lines[2]),
      [/^events\.jsonl: line 4: position \d+ does not follow/, /^events\.jsonl: holds/, /^multiproof\.txt/],
    ],
    [
      'a leaf index changed',
      (lines: string[]) => {
        lines[2] = lines[2].replace(/"leafIndex":(\d+)/, (_, i: string) => `"leafIndex":${Number(i) + 1}`);
      },
      [/^multiproof\.txt: the \d+ events' leaves/],
    ],
  ] as const)(
    'v2: %s in events.jsonl is refused',
    async (_, change: (lines: string[]) => void, expected: readonly RegExp[]) => {
      const members = withLines(original, { [BUNDLE_FILES.events]: change });
      const failures = await failuresOf(members, `tampered-${_.replace(/ /g, '-')}.tar.gz`);
      for (const pattern of expected) expect(failures).toContainEqual(expect.stringMatching(pattern));
      expect(failures).toContainEqual(expect.stringMatching(/^events\.jsonl: its SHA-256/));
    },
  );

  it('v2: a multiproof longer than its leaves could need is not held in memory, and fails', async () => {
    const events = original
      .find(([n]) => n === BUNDLE_FILES.events)![1]
      .toString()
      .split('\n').length;
    const members = withLines(original, {
      [BUNDLE_FILES.multiproof]: (lines) => lines.unshift(...Array<string>(events * 64 + 64).fill(lines[0])),
    });
    const failures = await failuresOf(members, 'long-multiproof.tar.gz');
    expect(failures).toContainEqual(
      expect.stringMatching(/^multiproof\.txt: holds more hashes than \d+ leaves can need/),
    );
    expect(failures).toContainEqual(expect.stringMatching(/^multiproof\.txt: the \d+ events' leaves/));
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
    const without = join(dir, 'without-proof.tar.gz');
    await writeMembers(
      without,
      original.filter(([n]) => n !== BUNDLE_FILES.multiproof),
    );
    expect(await verifyBundle(without, [vkey])).toMatchObject({ ok: false, file: 'multiproof.txt' });
    const withoutV1 = join(dir, 'without-proofs-v1.tar.gz');
    await writeMembers(
      withoutV1,
      originalV1.filter(([n]) => n !== BUNDLE_FILES.proofs),
    );
    expect(await verifyBundle(withoutV1, [vkey])).toMatchObject({ ok: false, file: 'proofs.jsonl' });

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
