import {
  generateNoteKey,
  hashToBase64,
  InMemoryMerkleLog,
  noteSigner,
  sha256Hex,
  signCheckpoint,
  eventLeafHash,
} from '@ledger/integrity';
import { fromBase64, fromHex, toBase64 } from '../../apps/auditor-console/src/integrity/bytes';
import {
  checkInclusion,
  leafHash,
  rootFromInclusionProof,
} from '../../apps/auditor-console/src/integrity/merkle';
import {
  cosignatures,
  parseCheckpoint,
  parseVerifierKey,
  verifyCheckpointSignature,
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
    expect(cosignatures(checkpoint, keys).map((s) => s.name)).toEqual(['witness.example/w1']);
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
