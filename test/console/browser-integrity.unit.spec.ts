import {
  checkWitnessPolicy as ledgerCheckWitnessPolicy,
  cosign,
  cosignatureSigner,
  formatCheckpoint,
  generateCosignatureKey,
  generateNoteKey,
  hashToBase64,
  InMemoryMerkleLog,
  noteSigner,
  sha256Hex,
  signCheckpoint,
  eventLeafHash,
  witnessPolicy,
} from '@ledger/integrity';
import { fromBase64, fromHex, toBase64 } from '../../apps/auditor-console/src/integrity/bytes';
import {
  checkInclusion,
  leafHash,
  rootFromInclusionProof,
} from '../../apps/auditor-console/src/integrity/merkle';
import {
  checkWitnessPolicy,
  parseCheckpoint,
  parseVerifierKey,
  parseWitnessKey,
  parseWitnessPolicy,
  untrustedSignatures,
  verifyCheckpointSignature,
  WitnessInputError,
} from '../../apps/auditor-console/src/integrity/note';
import { authorizationUrl, challengeFor, tokenRequestBody } from '../../apps/auditor-console/src/auth/pkce';

/*
 * The checks the console runs in the browser, held to the ledger's own
 * implementation: the same proofs and signed checkpoints must verify, and
 * altered ones must not. Node's WebCrypto stands in for the browser's.
 */

const eventHashes = Array.from({ length: 40 }, (_, i) => sha256Hex(`event ${i}`));

function logOf(size: number): InMemoryMerkleLog {
  const log = new InMemoryMerkleLog();
  for (const hash of eventHashes.slice(0, size)) log.append(eventLeafHash(hash));
  return log;
}

describe('inclusion proofs checked the browser’s way', () => {
  it('computes the ledger’s leaf hash from an event hash', async () => {
    expect(toBase64(await leafHash(fromHex(eventHashes[7])))).toBe(
      hashToBase64(eventLeafHash(eventHashes[7])),
    );
  });

  it('folds every proof of every leaf in trees of 1 to 40 leaves to the ledger’s root', async () => {
    for (let size = 1; size <= 40; size++) {
      const log = logOf(size);
      for (let index = 0; index < size; index++) {
        const root = await rootFromInclusionProof(
          index,
          size,
          await leafHash(fromHex(eventHashes[index])),
          log.proveInclusion(index, size).map((h) => new Uint8Array(h)),
        );
        expect({ size, index, root: toBase64(root) }).toEqual({
          size,
          index,
          root: hashToBase64(log.root(size)),
        });
      }
    }
  });

  it('refuses a proof with a hash altered, one too many or too few, or for another leaf', async () => {
    const log = logOf(21);
    const proof = {
      eventId: 'e',
      position: '14',
      eventHash: eventHashes[13],
      leafIndex: 13,
      leafHash: '',
      treeSize: 21,
      rootHash: '',
      checkpoint: '',
    };
    const hashes = log.proveInclusion(13, 21).map(hashToBase64);
    const root = hashToBase64(log.root(21));
    expect(await checkInclusion({ ...proof, proof: hashes }, root)).toMatchObject({
      matchesCheckpointRoot: true,
    });
    const altered = fromBase64(hashes[2]);
    altered[0] ^= 1;
    expect(
      await checkInclusion(
        { ...proof, proof: hashes.map((h, i) => (i === 2 ? toBase64(altered) : h)) },
        root,
      ),
    ).toMatchObject({ matchesCheckpointRoot: false });
    expect(await checkInclusion({ ...proof, proof: [...hashes, hashes[0]] }, root)).toMatchObject({
      matchesCheckpointRoot: false,
      error: expect.stringContaining('more hashes'),
    });
    expect(await checkInclusion({ ...proof, proof: hashes.slice(1) }, root)).toMatchObject({
      matchesCheckpointRoot: false,
      error: expect.stringContaining('fewer hashes'),
    });
    expect(await checkInclusion({ ...proof, leafIndex: 12, proof: hashes }, root)).toMatchObject({
      matchesCheckpointRoot: false,
    });
    expect(await checkInclusion({ ...proof, eventHash: eventHashes[12], proof: hashes }, root)).toMatchObject(
      { matchesCheckpointRoot: false },
    );
  });
});

describe('checkpoint signatures checked with WebCrypto Ed25519', () => {
  const ledger = generateNoteKey('hospital.example/ledger');
  const witness = generateNoteKey('witness.example/w1');
  const log = logOf(9);
  const note = signCheckpoint({ origin: 'hospital.example/ledger', size: 9, rootHash: log.root() }, [
    noteSigner(ledger.signerKey),
    noteSigner(witness.signerKey),
  ]);

  it('verifies the ledger’s signature, and lists a witness’s cosignature without trusting it', async () => {
    const keys = [await parseVerifierKey(ledger.verifierKey)];
    const checkpoint = parseCheckpoint(note);
    expect(checkpoint).toMatchObject({
      origin: 'hospital.example/ledger',
      treeSize: 9,
      rootHash: hashToBase64(log.root()),
    });
    expect(await verifyCheckpointSignature(checkpoint, keys)).toEqual({
      status: 'verified',
      key: ledger.verifierKey,
    });
    expect(untrustedSignatures(checkpoint, keys).map((s) => s.name)).toEqual(['witness.example/w1']);
  });

  it('finds an altered checkpoint invalid, and one signed only by others unsigned', async () => {
    const keys = [await parseVerifierKey(ledger.verifierKey)];
    const altered = parseCheckpoint(note.replace('\n9\n', '\n10\n'));
    expect(await verifyCheckpointSignature(altered, keys)).toMatchObject({ status: 'invalid' });
    expect(
      await verifyCheckpointSignature(parseCheckpoint(note), [
        await parseVerifierKey(generateNoteKey('hospital.example/ledger').verifierKey),
      ]),
    ).toEqual({ status: 'no-trusted-signature' });
  });

  it('reads verifier keys whose base64 holds a +, and refuses one whose id does not match its public key', async () => {
    const withPlus = Array.from(
      { length: 200 },
      () => generateNoteKey('hospital.example/ledger').verifierKey,
    ).find((key) => key.split('+').length > 3)!;
    await expect(parseVerifierKey(withPlus)).resolves.toMatchObject({ text: withPlus });
    const [name, , ...key] = withPlus.split('+');
    await expect(parseVerifierKey(`${name}+00000000+${key.join('+')}`)).rejects.toThrow(
      'does not match its own public key',
    );
  });
});

describe('witness cosignatures (cosignature/v1) checked with WebCrypto Ed25519', () => {
  const ledger = generateNoteKey('hospital.example/ledger');
  const w1 = generateCosignatureKey('witness.example/w1');
  const w2 = generateCosignatureKey('witness.example/w2');
  const checkpoint = { origin: 'hospital.example/ledger', size: 9, rootHash: logOf(9).root() };
  const text = formatCheckpoint(checkpoint);
  const signed = signCheckpoint(checkpoint, noteSigner(ledger.signerKey));
  // Real cosignatures, made by the ledger's own implementation as a witness makes them.
  const byW1 = cosign(text, cosignatureSigner(w1.signerKey), 1_700_000_000);
  const byW2 = cosign(text, cosignatureSigner(w2.signerKey), 1_700_000_060);

  const policyOf = (keys: string[], threshold = '') => parseWitnessPolicy(keys.join('\n'), threshold);
  const check = async (note: string, keys: string[], threshold = '') =>
    checkWitnessPolicy(parseCheckpoint(note), (await policyOf(keys, threshold))!);
  /** The line with one byte of its decoded bytes flipped: at 4 to 11 the time, from 12 the signature. */
  const flipped = (line: string, at: number) => {
    const [dash, name, encoded] = line.trimEnd().split(' ');
    const bytes = Buffer.from(encoded, 'base64');
    bytes[at] ^= 0x01;
    return `${dash} ${name} ${bytes.toString('base64')}\n`;
  };

  it('passes threshold 1 with the cosigning witness’s key, with the time it gave, as libs/integrity does', async () => {
    const note = signed + byW1;
    const result = await check(note, [w1.verifierKey]);
    const witness = `witness.example/w1+${(await parseWitnessKey(w1.verifierKey)).keyId}`;
    expect(result).toEqual({
      witnesses: [{ witness, status: 'cosigned', time: '2023-11-14T22:13:20.000Z' }],
      threshold: 1,
      cosigned: 1,
      met: true,
    });
    expect(ledgerCheckWitnessPolicy(note, witnessPolicy([w1.verifierKey], 1)).cosignedBy).toEqual([
      { witness, time: '2023-11-14T22:13:20.000Z' },
    ]);
    expect(await check(signed + byW1 + byW2, [w1.verifierKey, w2.verifierKey], '2')).toMatchObject({
      cosigned: 2,
      met: true,
    });
  });

  it('fails for a key that did not cosign, a same-named impostor key, or threshold 2 with one cosigner', async () => {
    const note = signed + byW1;
    expect(await check(note, [w2.verifierKey])).toMatchObject({
      witnesses: [{ witness: expect.stringMatching(/^witness\.example\/w2\+/), status: 'absent' }],
      cosigned: 0,
      met: false,
    });
    // Same name, another key: its id differs, so w1's line is not its cosignature.
    const impostor = generateCosignatureKey('witness.example/w1').verifierKey;
    expect(await check(note, [impostor])).toMatchObject({
      witnesses: [{ status: 'absent' }],
      met: false,
    });
    expect(await check(note, [w1.verifierKey, w2.verifierKey], '2')).toMatchObject({
      witnesses: [{ status: 'cosigned' }, { status: 'absent' }],
      threshold: 2,
      cosigned: 1,
      met: false,
    });
    // A cosignature by a witness not given is listed, never counted.
    const parsed = parseCheckpoint(note);
    const keys = [await parseVerifierKey(ledger.verifierKey), await parseWitnessKey(w2.verifierKey)];
    expect(untrustedSignatures(parsed, keys).map((s) => s.name)).toEqual(['witness.example/w1']);
  });

  it('reports a flipped byte in a cosignature’s signature or time, or an altered checkpoint, as not verifying', async () => {
    for (const [what, note] of [
      ['signature byte', signed + byW1 + flipped(byW2, 40)],
      ['time byte', signed + byW1 + flipped(byW2, 11)],
    ]) {
      const result = await check(note, [w1.verifierKey, w2.verifierKey]);
      expect({ what, result }).toMatchObject({
        what,
        result: {
          witnesses: [
            { status: 'cosigned' },
            { status: 'invalid', reason: expect.stringContaining('does not verify') },
          ],
          cosigned: 1,
          // One is enough, but a forged cosignature by a trusted witness fails the policy, as in govledger verify.
          met: false,
        },
      });
      expect(() =>
        ledgerCheckWitnessPolicy(note, witnessPolicy([w1.verifierKey, w2.verifierKey], 1)),
      ).toThrow('does not verify');
    }
    expect(await check((signed + byW1).replace('\n9\n', '\n10\n'), [w1.verifierKey])).toMatchObject({
      witnesses: [{ status: 'invalid' }],
      met: false,
    });
  });

  it('refuses bad witness input with an error naming the field and the line', async () => {
    const refusal = async (keys: string[], threshold: string) =>
      policyOf(keys, threshold).then(
        () => undefined,
        (error: WitnessInputError) => ({ field: error.field, message: error.message }),
      );
    expect(await refusal([w1.verifierKey, 'witness.example/w2+0000+not base64!'], '')).toEqual({
      field: 'witnessKeys',
      message: expect.stringMatching(/^Witness keys, line 2: not a cosignature\/v1 witness key/),
    });
    expect(await refusal([ledger.verifierKey], '')).toEqual({
      field: 'witnessKeys',
      message: expect.stringMatching(/^Witness keys, line 1: .*that is a log key, not a witness key$/),
    });
    const [name, , ...key] = w1.verifierKey.split('+');
    expect(await refusal([`${name}+00000000+${key.join('+')}`], '')).toEqual({
      field: 'witnessKeys',
      message: expect.stringContaining('does not match its own public key'),
    });
    expect(await refusal([w1.verifierKey, '', w1.verifierKey], '')).toEqual({
      field: 'witnessKeys',
      message: expect.stringMatching(/^Witness keys, line 3: .* is given twice/),
    });
    for (const threshold of ['0', 'two', '1.5', '3'])
      expect(await refusal([w1.verifierKey, w2.verifierKey], threshold)).toEqual({
        field: 'witnessThreshold',
        message: expect.stringMatching(/^Witness threshold: /),
      });
    expect(await refusal([], '1')).toEqual({
      field: 'witnessThreshold',
      message: expect.stringContaining('needs the witnesses it counts'),
    });
    expect(await policyOf([], '')).toBeUndefined();
  });
});

describe('PKCE for the console’s OIDC sign-in', () => {
  it('derives the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await challengeFor('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('asks for a code with the challenge, and redeems it with the verifier', () => {
    const client = {
      authorizationEndpoint: 'https://idp.example/authorize?tenant=h1',
      tokenEndpoint: 'https://idp.example/token',
      clientId: 'govledger-console',
      scope: 'openid',
      audience: 'govledger',
    };
    const url = new URL(
      authorizationUrl(client, {
        redirectUri: 'https://ledger.example/console/',
        state: 's1',
        challenge: 'c1',
      }),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenant: 'h1',
      response_type: 'code',
      client_id: 'govledger-console',
      redirect_uri: 'https://ledger.example/console/',
      scope: 'openid',
      state: 's1',
      code_challenge: 'c1',
      code_challenge_method: 'S256',
      audience: 'govledger',
    });
    expect(
      Object.fromEntries(
        tokenRequestBody(client, {
          code: 'k',
          redirectUri: 'https://ledger.example/console/',
          verifier: 'v',
        }),
      ),
    ).toEqual({
      grant_type: 'authorization_code',
      code: 'k',
      redirect_uri: 'https://ledger.example/console/',
      client_id: 'govledger-console',
      code_verifier: 'v',
    });
  });
});
