import {
  canonicalJson,
  commitmentAt,
  eventLeafHash,
  hashedForm,
  hashToHex,
  type HashedEnvelope,
  sha256Hex,
} from '@ledger/integrity';
import { BUNDLE_FORMAT, type BundleFormat, type CarriedValues } from './bundle-format';

/** The first event of a bundle as written, with its proof: the worked example. */
export interface WorkedExample {
  /** Its line of events.jsonl, without the newline. */
  line: string;
  envelope: HashedEnvelope;
  /** Scheme 2: the values its line carries, one of which the example opens. */
  values?: CarriedValues;
  leafIndex: number;
  /** v1: its own inclusion proof; a v2 bundle proves all its leaves at once. */
  proof?: string[];
}

export interface VerifyMdFacts {
  format: BundleFormat;
  origin: string;
  checkpoint: { treeSize: number; rootHash: string };
  example?: WorkedExample;
}

/*
 * VERIFY.md: how to check a bundle without this software, exactly enough to
 * write a verifier in any language (test/interop/verify_bundle.py is one),
 * with a worked example computed from the bundle itself at export time.
 */
export function renderVerifyMd({ format, origin, checkpoint, example }: VerifyMdFacts): string {
  const v2 = format === BUNDLE_FORMAT;
  return `# How to verify this evidence bundle without our software

This bundle (${format}) is from the transparency log \`${origin}\`.
Everything below can be checked with standard tools: ${v2 ? 'SHA-256 (and, to open carried values, any RFC 8785\nJSON Canonicalization Scheme implementation)' : 'any RFC 8785 (JSON\nCanonicalization Scheme) implementation, SHA-256'}, and Go's
\`golang.org/x/mod/sumdb/note\` and \`sumdb/tlog\` packages (or any C2SP
signed-note verifier for Ed25519). Get the ledger's verifier key
(\`<name>+<key id>+<base64 key>\`) from its operator by a channel you trust,
never only from \`keys.txt\` in this bundle.

## 1. The manifest and its signature

\`manifest.json\` lists every other file with its size in bytes and its
SHA-256 in lowercase hex (\`files[].name\`, \`.bytes\`, \`.sha256\`). Check
them, for example with

    python3 -c 'import json; [print(f["sha256"] + "  " + f["name"]) for f in json.load(open("manifest.json"))["files"]]' | sha256sum -c --strict

\`manifest.sig\` is a C2SP signed note (https://c2sp.org/signed-note) whose
text is exactly these three lines:

    ${format} manifest
    <origin>
    sha256 <lowercase hex SHA-256 of the bytes of manifest.json>

followed by a blank line and one signature line (\`— <key name> <base64 of
4-byte key id || 64-byte Ed25519 signature>\`) per signing key. Open it with
\`note.Open\` and your trusted verifier key(s); it must carry at least one
valid signature by a key you trust. Signatures by keys you do not know are
ignored (a key rotation's overlap signs with both keys).

## 2. The checkpoint

\`checkpoint.note\` is a C2SP checkpoint (https://c2sp.org/tlog-checkpoint),
signed the same way: its text is the origin, the tree size in decimal, and
the root hash in standard base64, one per line. Here:

    ${origin}
    ${checkpoint.treeSize}
    ${checkpoint.rootHash}

It must equal \`manifest.json\`'s \`checkpoint\` (\`treeSize\`, \`rootHash\`).

${(v2 ? EVENTS_AND_PROOF_V2 : EVENTS_AND_PROOFS_V1).replace('## 4. ', `${HASH_SCHEMES}\n\n${VALUES(v2)}\n\n## 4. `)}## 5. The other files

- \`keys.txt\`: every verifier key the ledger has published, one per line.
- \`consistency.json\` (only when the export was asked for one):
  \`{"from": {"treeSize", "rootHash", "checkpoint"}, "to": {"treeSize", "rootHash"}, "proof"}\`,
  an RFC 9162 consistency proof (\`tlog.CheckTree\`) from the recipient's
  earlier checkpoint (the signed note in \`from.checkpoint\`) to this one.
- \`checkpoint.tst\` (only when the ledger has a timestamp authority): the
  RFC 3161 TimeStampToken (DER) over SHA-256 of \`checkpoint.note\`'s text
  (the note up to and including the line before the blank line):
  \`openssl ts -verify -data <that text> -in checkpoint.tst -token_in -CAfile <the TSA's CA>\`.
- \`${v2 ? 'fhir-bundle.json.gz' : 'fhir-bundle.json'}\` and \`report.html\`: views derived from the events,
  covered by the manifest's digests${v2 ? " (the FHIR view's over its gzipped bytes: `gunzip -k` it to read it)" : ''}.

${example ? workedExample(example) : '## 6. Worked example\n\nThis bundle holds no events.\n'}`;
}

const EVENTS_AND_PROOFS_V1 = `## 3. Event hashes

\`events.jsonl\` holds one stored event per line, each line the RFC 8785
canonical JSON of the event as hashed with its \`position\` (the store's
global order, decimal text), \`integrity\` (\`hash\`, \`prevHash\`, and
\`hashScheme\` under scheme 2) and, for a scheme-2 event with values still
kept, \`values\` (see "Erasable values" below). An event's hash is the
lowercase hex SHA-256 of the UTF-8 bytes of the RFC 8785 canonical JSON of
exactly this object, built from the event's fields:

    {"eventId", "type", "schemaVersion", "stream", "revision", "data", "metadata",
     "integrity": {"prevHash"}}

(under scheme 2, \`"integrity": {"hashScheme": 2, "prevHash"}\`). That is: the
whole event without \`position\`, \`values\` and \`integrity.hash\`.
RFC 8785 in short: no whitespace; object keys sorted by their UTF-16 code
units; strings with only \`"\`, \`\\\\\`, and control characters escaped
(\`\\\\b \\\\t \\\\n \\\\f \\\\r\`, others as \`\\\\u00xx\`, lowercase hex); numbers
as ECMAScript's Number.prototype.toString prints them (\`1\`, not \`1.0\`;
\`1e-7\`, \`1e+21\`). The result must equal the line's \`integrity.hash\`.
Within one \`stream\`, an event's \`integrity.prevHash\` is the hash of the
event of the previous \`revision\` (64 zeros for revision 0), when both are in
the bundle.

## 4. Leaves, nodes and inclusion proofs (RFC 9162)

Each event is one leaf of the log's Merkle tree, in global order. The leaf
data is the event hash's 32 raw bytes, so

    leaf hash = SHA-256(0x00 || event hash bytes)
    node hash = SHA-256(0x01 || left child || right child)

(\`tlog.RecordHash\` is the leaf rule.) \`proofs.jsonl\` has, line for line
with \`events.jsonl\`, \`{"eventHash", "eventId", "leafIndex", "proof"}\`: the
event's leaf index and its RFC 9162 section 2.1.3.2 inclusion proof, base64
hashes from the leaf upwards. Each proof must lead from the event's leaf hash
to the checkpoint's root at the checkpoint's tree size
(\`tlog.CheckRecord(proof, size, root, leafIndex, tlog.RecordHash(eventHash))\`).

`;

const EVENTS_AND_PROOF_V2 = `## 3. Event hashes

\`events.jsonl\` holds one stored event per line, in the store's global order:

    {"position":"<decimal>","leafIndex":<decimal>,"hash":"<64 hex>","event":<hashed form>}

exactly that prefix, then the event's hashed form, then \`}\`; or, for a
scheme-2 event with values still kept, the hashed form followed by
\`,"values":<the RFC 8785 JSON of its values>}\` (see "Erasable values"
below). The hashed form is the UTF-8 bytes the event's hash was taken over
when it was stored: the RFC 8785 canonical JSON of the event without
\`position\` and without \`integrity.hash\`,

    {"data", "eventId", "integrity": {"prevHash"}, "metadata", "revision", "schemaVersion", "stream", "type"}

(under scheme 2, \`"integrity": {"hashScheme": 2, "prevHash"}\`). Check each
line by taking the bytes after the prefix up to the closing brace, or, when
the line parses to an object with \`values\`, up to that ending rebuilt from
them (a JSON parser that says where a value ends, such as Python's
\`json.JSONDecoder.raw_decode\`, finds the same bytes): their lowercase hex
SHA-256 must be the line's \`hash\`. Nothing needs
re-serialising: equal hashes mean these are the very bytes the ledger hashed.
Positions must rise line by line, and so must leaf indices. Within one
\`stream\`, an event's \`integrity.prevHash\` is the hash of the event of the
previous \`revision\` (64 zeros for revision 0), when both are in the bundle.

## 4. Leaves, nodes and the multiproof (RFC 9162)

Each event is one leaf of the log's Merkle tree, in global order, at its
line's \`leafIndex\`. The leaf data is the event hash's 32 raw bytes, so

    leaf hash = SHA-256(0x00 || event hash bytes)
    node hash = SHA-256(0x01 || left child || right child)

(\`tlog.RecordHash\` and \`tlog.NodeHash\`). \`multiproof.txt\` proves every
leaf at once: one standard-base64 hash per line, the hashes of the RFC 9162
subtrees that hold none of the bundle's leaves, left to right. Rebuild the
root of the checkpoint's tree size n over leaves [0, n) with

    root(lo, hi):
        if no bundled leaf index is in [lo, hi): take the next hash of multiproof.txt
        elif hi - lo == 1: the leaf hash of the event at leaf index lo
        else: k = the largest power of two below hi - lo
              node hash(root(lo, lo + k), root(lo + k, hi))

It must equal the checkpoint's root, with every hash of \`multiproof.txt\`
used. A bundle that holds every leaf of the tree needs no proof hashes.

`;

const HASH_SCHEMES = `### What the hash covers: hash schemes 1 and 2

Every event is hashed under one of two schemes, named in its hashed form.

- Scheme 1 (\`integrity\` has no \`hashScheme\`; every event stored before
  scheme 2 existed): every field listed above, each value as stated.
- Scheme 2 (\`"integrity":{"hashScheme":2,"prevHash":…}\`): the same fields,
  but each erasable value is replaced by a commitment to it,
  \`{"$commitment":"<64 hex>"}\`. Erasable are who acted
  (\`metadata.actor.id\`, \`metadata.actor.onBehalfOf\`) and every field the
  event's JSON Schema marks \`x-erasable\` (\`person\`: names of people;
  \`patient\`: patient pseudonyms; \`text\`: free-text narratives). Every other
  field is hashed as stated, as in scheme 1.

Either way the check above is the same: the commitments are part of the
hashed form, so its SHA-256 is the event hash.`;

const VALUES = (v2: boolean) => `### Erasable values and their commitments (scheme 2)

A scheme-2 event's line carries the values still kept for it as
\`"values": {"<JSON Pointer>": {"salt": "<64 hex>", "value": <JSON value>}}\`${v2 ? ', after its hashed form' : ''}.
Each pointer (RFC 6901, from the root of the hashed object, e.g.
\`/metadata/actor/id\`) names a place in the hashed form that holds
\`{"$commitment":"<c>"}\`, and the value opens it when

    c = lowercase hex SHA-256(the 32 bytes of the salt || UTF-8 bytes of the RFC 8785 JSON of the value)

(for a string, its RFC 8785 JSON is the string in double quotes, escaped as
above). Check every carried value this way; one that does not open its
commitment was altered. A value erased since the event was written (on a
data subject's request, or at the end of its retention) is not carried: its
commitment stays in the hashed form, so the event hash, the leaf and the
proof still hold, and the value can still be proven by whoever presents it
with its salt. A commitment reveals nothing of its value: the salt is random
and used once.`;

function workedExample(example: WorkedExample): string {
  const hashed = hashedForm(example.envelope);
  const hash = sha256Hex(hashed);
  return `## 6. Worked example: the first event of this bundle

Its line in \`events.jsonl\`:

    ${example.line}

The object that is hashed, in RFC 8785 form (${Buffer.byteLength(hashed)} bytes of UTF-8${example.proof ? '' : `; the line after its prefix, without ${example.values ? 'the values after it' : 'the last brace'}`}):

    ${hashed}

Its SHA-256, the event hash (equal to ${example.proof ? '`integrity.hash`' : "the line's `hash`"}):

    ${hash}

Its leaf hash, SHA-256(0x00 || those 32 bytes):

    ${hashToHex(eventLeafHash(hash))}

${
  example.proof
    ? `Its leaf index is ${example.leafIndex}; its inclusion proof, ${example.proof.length} hashes from the leaf up,
leads to the checkpoint's root:

${example.proof.map((h) => `    ${h}`).join('\n')}
`
    : `Its leaf index is ${example.leafIndex}.
`
}${example.values ? valueExample(example.envelope, example.values) : ''}`;
}

/** The first value the example's line carries, opened against its commitment. */
function valueExample(envelope: HashedEnvelope, values: CarriedValues): string {
  const [pointer, { salt, value }] = Object.entries(values)[0];
  const canonical = canonicalJson(value);
  return `
Its value at \`${pointer}\`, carried beside it with its salt; the hashed form
holds the commitment \`${commitmentAt(envelope, pointer)}\` there. The salt:

    ${salt}

The value in RFC 8785 form (${Buffer.byteLength(canonical)} bytes of UTF-8):

    ${canonical}

SHA-256 of the salt's 32 bytes followed by those bytes, which is the commitment:

    ${sha256Hex(Buffer.concat([Buffer.from(salt, 'hex'), Buffer.from(canonical, 'utf8')]))}
`;
}
