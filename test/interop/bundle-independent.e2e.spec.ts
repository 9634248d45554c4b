import { SqliteEventStore } from '@ledger/event-store';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { govledger, ledgerEnv, scratchDir, seededLedger } from '../evidence/evidence-fixture';
import { buildGoVerifier } from './go-verifier';

/*
 * Issue 18, part 8: a fresh evidence bundle verified without any of the
 * ledger's code, only with what its VERIFY.md names: Go's sumdb/note and
 * sumdb/tlog (go-verify/main.go), sha256sum, and verify_bundle.py, a short
 * standard-library Python script written from VERIFY.md. A flipped byte in any
 * file that carries evidence is caught. The events are hashed under scheme 2,
 * one of their values erased before the export: the values still kept are
 * carried and opened against their commitments, the erased one is left out.
 */

const SCRIPT = join(__dirname, 'verify_bundle.py');

interface Verdicts {
  /** Every file's digest, by `sha256sum -c` against the list manifest.json gives. */
  digests: boolean;
  /** Go's note.Open of manifest.sig, and its signed digest equal to sha256sum of manifest.json. */
  manifest: boolean;
  /** Go's note.Open of checkpoint.note, and every leaf (tlog.RecordHash) with the multiproof to its root (tlog.NodeHash), or in v1 tlog.CheckRecord of every proof. */
  proofs: boolean;
  /** The Python script: every event hash, leaf, the proof's root and stream link. */
  script: boolean;
}

const sh = (command: string, cwd: string) => spawnSync('sh', ['-c', command], { cwd, encoding: 'utf8' });

describe('an evidence bundle verified with Go, sha256sum and a Python script that follow VERIFY.md', () => {
  const dir = scratchDir();
  const intact = join(dir, 'intact');
  const intactV1 = join(dir, 'intact-v1');
  let goVerify: string;
  /** The event whose actor was erased before the export. */
  let erasedEventId: string;
  const ERASED_POINTER = '/metadata/actor/id';

  /** What each independent tool says of the unpacked bundle in `bundle`. */
  const verdicts = (bundle: string): Verdicts => {
    const format = (JSON.parse(readFileSync(join(bundle, 'manifest.json'), 'utf8')) as { format: string })
      .format;
    const signed = spawnSync(goVerify, ['note', '-vkeys', join(dir, 'vkey.txt'), '-note', 'manifest.sig'], {
      cwd: bundle,
      encoding: 'utf8',
    });
    const manifestDigest = sh('sha256sum manifest.json', bundle).stdout.split(' ')[0];
    const proofs = spawnSync(
      goVerify,
      format === 'govledger-evidence-bundle/v1'
        ? [
            'bundle-proofs',
            '-vkeys',
            join(dir, 'vkey.txt'),
            '-note',
            'checkpoint.note',
            '-proofs',
            'proofs.jsonl',
          ]
        : [
            'bundle-multiproof',
            '-vkeys',
            join(dir, 'vkey.txt'),
            '-note',
            'checkpoint.note',
            '-events',
            'events.jsonl',
            '-proof',
            'multiproof.txt',
          ],
      { cwd: bundle, encoding: 'utf8' },
    );
    return {
      digests: sh(`python3 '${SCRIPT}' . --sha256sums | sha256sum -c --strict`, bundle).status === 0,
      manifest:
        signed.status === 0 &&
        signed.stdout === `${format} manifest\n${origin()}\nsha256 ${manifestDigest}\n`,
      proofs: proofs.status === 0,
      script: spawnSync('python3', [SCRIPT, bundle], { encoding: 'utf8' }).status === 0,
    };
  };
  const origin = () =>
    (JSON.parse(readFileSync(join(intact, 'manifest.json'), 'utf8')) as { origin: string }).origin;

  beforeAll(async () => {
    goVerify = buildGoVerifier(dir);
    const { api } = await seededLedger('sqlite', 40);
    try {
      const store = await SqliteEventStore.open(join(api.dataDir, 'events.sqlite'));
      try {
        for await (const event of store.readAll())
          if (
            (event.data as { systemId?: string }).systemId === 'sepsis-predictor' &&
            Object.keys(event.sealed?.values ?? {}).length > 1
          ) {
            erasedEventId = event.eventId;
            break;
          }
        expect(await store.eraseValues!([{ eventId: erasedEventId, pointers: [ERASED_POINTER] }])).toBe(1);
      } finally {
        await store.close();
      }
      writeFileSync(join(dir, 'vkey.txt'), await (await fetch(`${api.url}/v1/keys`)).text());
      const run = await govledger(
        [
          'export',
          '--system',
          'sepsis-predictor',
          '--out',
          join(dir, 'bundle.tar.gz'),
          '--actor',
          'ops.olga',
        ],
        ledgerEnv(api),
      );
      if (run.code !== 0) throw new Error(`govledger export failed: ${run.stderr}`);
      const v1 = await govledger(
        [
          'export',
          '--system',
          'sepsis-predictor',
          '--out',
          join(dir, 'bundle-v1.tar.gz'),
          '--actor',
          'ops.olga',
          '--bundle-format',
          'v1',
        ],
        ledgerEnv(api),
      );
      if (v1.code !== 0) throw new Error(`govledger export --bundle-format v1 failed: ${v1.stderr}`);
    } finally {
      await api.close();
    }
    for (const [file, into] of [
      ['bundle.tar.gz', intact],
      ['bundle-v1.tar.gz', intactV1],
    ]) {
      mkdirSync(into);
      const untar = spawnSync('tar', ['xzf', join(dir, file), '-C', into], { encoding: 'utf8' });
      if (untar.status !== 0) throw new Error(`tar xzf failed: ${untar.stderr}`);
    }
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['v2', () => intact],
    ['v1', () => intactV1],
  ])('passes every independent check on the fresh %s bundle', (_, bundle) => {
    const script = spawnSync('python3', [SCRIPT, bundle()], { encoding: 'utf8' });
    expect(script.stdout).toMatch(/^OK: [1-9]\d* event hashes recomputed/);
    expect(verdicts(bundle())).toEqual({ digests: true, manifest: true, proofs: true, script: true });
  });

  it("VERIFY.md's worked example is the first event, and sha256sum of its hashed form gives its hash", () => {
    const verifyMd = readFileSync(join(intact, 'VERIFY.md'), 'utf8');
    const firstLine = readFileSync(join(intact, 'events.jsonl'), 'utf8').split('\n')[0];
    const integrity = { hash: (JSON.parse(firstLine) as { hash: string }).hash };
    const example = verifyMd.slice(verifyMd.indexOf('## 6. Worked example'));
    const blocks = [...example.matchAll(/\n\n {4}(.+)\n/g)].map((m) => m[1]);
    // The event's line, the hashed form, its hash, its leaf hash.
    expect(blocks[0]).toBe(firstLine);
    expect(blocks[2]).toBe(integrity.hash);
    writeFileSync(join(dir, 'hashed-form'), blocks[1]);
    expect(sh("sha256sum hashed-form | cut -d' ' -f1", dir).stdout.trim()).toBe(integrity.hash);
    writeFileSync(
      join(dir, 'leaf-data'),
      Buffer.concat([Buffer.from([0]), Buffer.from(integrity.hash, 'hex')]),
    );
    expect(sh("sha256sum leaf-data | cut -d' ' -f1", dir).stdout.trim()).toBe(blocks[3]);
  });

  it.each([
    ['v2', () => intact],
    ['v1', () => intactV1],
  ])(
    'the %s bundle carries the values still kept beside each scheme-2 event and leaves the erased one out',
    (format, bundle) => {
      const lines = readFileSync(join(bundle(), 'events.jsonl'), 'utf8').split('\n').filter(Boolean);
      const parsed = lines.map(
        (line) =>
          JSON.parse(line) as {
            event?: { eventId: string; integrity: { hashScheme?: number } };
            eventId?: string;
            integrity?: { hashScheme?: number };
            values?: Record<string, { salt: string; value: unknown }>;
          },
      );
      const eventOf = (p: (typeof parsed)[number]) =>
        (format === 'v2' ? p.event! : p) as { eventId: string; integrity: { hashScheme?: number } } & {
          metadata?: unknown;
        };
      expect(parsed.every((p) => eventOf(p).integrity.hashScheme === 2)).toBe(true);
      expect(parsed.every((p) => p.values && Object.keys(p.values).length > 0)).toBe(true);
      const erased = parsed.find((p) => eventOf(p).eventId === erasedEventId)!;
      expect(erased).toBeDefined();
      expect(Object.keys(erased.values!)).not.toContain(ERASED_POINTER);
      expect(eventOf(erased).metadata).toMatchObject({
        actor: { id: { $commitment: expect.stringMatching(/^[0-9a-f]{64}$/) } },
      });
    },
  );

  it("VERIFY.md's worked example opens one carried value: sha256sum of its salt and value gives its commitment", () => {
    const verifyMd = readFileSync(join(intact, 'VERIFY.md'), 'utf8');
    const example = verifyMd.slice(verifyMd.indexOf('## 6. Worked example'));
    const [, commitment] = /holds the commitment `([0-9a-f]{64})` there/.exec(example)!;
    const blocks = [...example.matchAll(/\n\n {4}(.+)\n/g)].map((m) => m[1]);
    const [salt, value, opened] = blocks.slice(-3);
    expect(opened).toBe(commitment);
    writeFileSync(
      join(dir, 'salted-value'),
      Buffer.concat([Buffer.from(salt, 'hex'), Buffer.from(value, 'utf8')]),
    );
    expect(sh("sha256sum salted-value | cut -d' ' -f1", dir).stdout.trim()).toBe(commitment);
  });

  /** After `marker`: a byte inside what each verifier reads, not the layout around it. */
  const after = (marker: string) => (text: string) => text.indexOf(marker) + marker.length;
  const middle = (text: string) => Math.floor(text.length / 2);
  it.each<[string, (text: string) => number, Partial<Verdicts>]>([
    // Go checks each event's hashed form as it reads the leaves.
    ['events.jsonl', after('"eventId":"'), { digests: false, proofs: false, script: false }],
    ['events.jsonl', after('"hash":"'), { digests: false, proofs: false, script: false }],
    ['events.jsonl', after('"leafIndex":'), { digests: false, proofs: false, script: false }],
    // A value carried beside its event: it no longer opens its commitment.
    [
      'events.jsonl',
      (text) => text.indexOf('"value":"', text.indexOf(',"values":')) + '"value":"'.length,
      { digests: false, proofs: false, script: false },
    ],
    // The root hash, the third line of the signed text.
    [
      'checkpoint.note',
      (text) => text.split('\n', 2).join('\n').length + 3,
      { digests: false, proofs: false, script: false },
    ],
    ['manifest.json', after('"sha256": "'), { digests: false, manifest: false }],
    // The signature, at the end of the last line.
    ['manifest.sig', (text) => text.length - 10, { manifest: false }],
    ['report.html', middle, { digests: false }],
    ['VERIFY.md', middle, { digests: false }],
    ['fhir-bundle.json.gz', middle, { digests: false }],
  ])('a flipped byte in %s is caught', (name, at, caught) => {
    const copy = join(dir, `flipped-${name}`);
    cpSync(intact, copy, { recursive: true });
    const bytes = readFileSync(join(copy, name));
    const offset = at(bytes.toString('latin1'));
    expect(offset).toBeGreaterThan(0);
    bytes[offset] ^= 0x01;
    writeFileSync(join(copy, name), bytes);
    expect(verdicts(copy)).toEqual({ digests: true, manifest: true, proofs: true, script: true, ...caught });
  });

  it('a flipped byte in a proof hash is caught, in v2 by the multiproof and in v1 by that inclusion proof', () => {
    for (const [bundle, name, marker] of [
      [intact, 'multiproof.txt', ''],
      [intactV1, 'proofs.jsonl', '"proof":["'],
    ]) {
      const copy = `${bundle}-flipped-${name}`;
      cpSync(bundle, copy, { recursive: true });
      const bytes = readFileSync(join(copy, name));
      expect(bytes.length).toBeGreaterThan(0);
      bytes[after(marker)(bytes.toString('latin1'))] ^= 0x01;
      writeFileSync(join(copy, name), bytes);
      expect(verdicts(copy)).toEqual({ digests: false, manifest: true, proofs: false, script: false });
    }
  });
});
