import { createHash, randomBytes, verify as verifySignature, X509Certificate } from 'node:crypto';
import { IntegrityError } from './integrity-error';

/*
 * RFC 3161 trusted time for checkpoints: the TimeStampReq the sealer sends,
 * the TimeStampResp it gets back, and the check of a TimeStampToken (a CMS
 * SignedData over a TSTInfo, RFC 5652) that verify-bundle runs. What is
 * stamped is the SHA-256 of a checkpoint's signed text (the note without its
 * signature lines), so signatures added later (a witness's cosignature, the
 * second key of a rotation) never unbind the token.
 *
 * Only the small part of DER these structures use is read here: definite
 * lengths, the tags named below. Anything else is refused, never skipped over.
 */

const OID = {
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  ed25519: '1.3.101.112',
  timeStamping: '1.3.6.1.5.5.7.3.8',
} as const;

const DIGESTS: Record<string, string> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/** Signature algorithms a TSA signs with, and the digest each implies (undefined: the signer info's, or none for Ed25519). */
const SIGNATURES: Record<string, string | undefined> = {
  [OID.rsaEncryption]: undefined,
  [OID.sha256WithRsa]: 'sha256',
  [OID.sha384WithRsa]: 'sha384',
  [OID.sha512WithRsa]: 'sha512',
  [OID.ecdsaWithSha256]: 'sha256',
  [OID.ecdsaWithSha384]: 'sha384',
  [OID.ecdsaWithSha512]: 'sha512',
  [OID.ed25519]: undefined,
};

const TAG = {
  boolean: 0x01,
  integer: 0x02,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
  context0: 0xa0,
} as const;

/** One DER element: its tag, its whole encoding and its content. */
interface Der {
  tag: number;
  der: Buffer;
  content: Buffer;
}

function malformed(what: string): IntegrityError {
  return new IntegrityError('MALFORMED_TIMESTAMP', `the timestamp token is malformed: ${what}`);
}

/** Reads the DER elements laid end to end in `bytes`. */
function elements(bytes: Buffer): Der[] {
  const out: Der[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + 2 > bytes.length) throw malformed('truncated element');
    const tag = bytes[at];
    if ((tag & 0x1f) === 0x1f) throw malformed('multi-byte tags are not used here');
    let length = bytes[at + 1];
    let header = 2;
    if (length & 0x80) {
      const octets = length & 0x7f;
      if (octets === 0 || octets > 4) throw malformed('indefinite or oversized length');
      if (at + 2 + octets > bytes.length) throw malformed('truncated length');
      length = 0;
      for (let i = 0; i < octets; i++) length = length * 256 + bytes[at + 2 + i];
      header += octets;
    }
    const end = at + header + length;
    if (end > bytes.length) throw malformed('an element runs past its container');
    out.push({ tag, der: bytes.subarray(at, end), content: bytes.subarray(at + header, end) });
    at = end;
  }
  return out;
}

function one(bytes: Buffer, tag: number, what: string): Der {
  const [element, ...rest] = elements(bytes);
  if (!element || rest.length > 0 || element.tag !== tag) throw malformed(what);
  return element;
}

function children(element: Der, what: string, tags: readonly number[]): Der[] {
  const found = elements(element.content);
  if (found.length < tags.length || tags.some((tag, i) => found[i].tag !== tag)) throw malformed(what);
  return found;
}

function oid(element: Der): string {
  if (element.tag !== TAG.oid || element.content.length === 0)
    throw malformed('expected an object identifier');
  const bytes = element.content;
  const parts: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(value);
      value = 0;
    }
  }
  const first = Math.min(2, Math.floor(parts[0] / 40));
  return [first, parts[0] - first * 40, ...parts.slice(1)].join('.');
}

function encode(tag: number, content: Buffer): Buffer {
  const length = content.length;
  const header =
    length < 0x80
      ? Buffer.from([tag, length])
      : Buffer.from([tag, 0x80 | Math.ceil(length.toString(16).length / 2), ...hexBytes(length)]);
  return Buffer.concat([header, content]);
}

function hexBytes(n: number): number[] {
  const hex = n.toString(16);
  return [...Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex')];
}

function encodeOid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes: number[] = [a * 40 + b];
  for (const part of rest) {
    const groups: number[] = [];
    let value = part;
    do {
      groups.unshift(value & 0x7f);
      value = Math.floor(value / 128);
    } while (value > 0);
    bytes.push(...groups.map((g, i) => (i < groups.length - 1 ? g | 0x80 : g)));
  }
  return encode(TAG.oid, Buffer.from(bytes));
}

/** A positive INTEGER from unsigned big-endian bytes. */
function encodeUnsigned(bytes: Buffer): Buffer {
  const trimmed = bytes.subarray(
    Math.max(
      0,
      bytes.findIndex((b) => b !== 0),
    ),
  );
  const content =
    trimmed.length === 0 || trimmed[0] & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
  return encode(TAG.integer, content);
}

/** What is stamped: the checkpoint's signed text, the note without its signature lines. */
export function timestampedText(note: string | Uint8Array): Buffer {
  const text = Buffer.from(note);
  const split = text.indexOf('\n\n');
  return split < 0 ? text : text.subarray(0, split + 1);
}

export interface TimestampRequest {
  /** DER TimeStampReq, to POST as application/timestamp-query. */
  der: Buffer;
  /** The nonce the reply must carry back. */
  nonce: Buffer;
  digest: Buffer;
}

/** A TimeStampReq (RFC 3161 section 2.4.1) for SHA-256 of `data`, with a random nonce, asking for the TSA's certificate. */
export function timestampRequest(data: Uint8Array): TimestampRequest {
  const digest = createHash('sha256').update(data).digest();
  const nonce = randomBytes(8);
  const messageImprint = encode(
    TAG.sequence,
    Buffer.concat([
      encode(TAG.sequence, Buffer.concat([encodeOid(OID.sha256), encode(TAG.null, Buffer.alloc(0))])),
      encode(TAG.octetString, digest),
    ]),
  );
  const der = encode(
    TAG.sequence,
    Buffer.concat([
      encode(TAG.integer, Buffer.from([1])),
      messageImprint,
      encodeUnsigned(nonce),
      encode(TAG.boolean, Buffer.from([0xff])),
    ]),
  );
  return { der, nonce, digest };
}

/**
 * The token out of a TimeStampResp (RFC 3161 section 2.4.2), checked against
 * the request: granted, over our digest, with our nonce, and signed by the
 * certificate it carries.
 */
export function timestampFromResponse(response: Uint8Array, request: TimestampRequest): StampedTime {
  const [statusInfo, token] = children(one(Buffer.from(response), TAG.sequence, 'reply'), 'reply', [
    TAG.sequence,
  ]);
  const [status] = children(statusInfo, 'status', [TAG.integer]);
  const code = status.content.length === 1 ? status.content[0] : -1;
  // 0 granted, 1 granted with modifications; anything else is a refusal.
  if ((code !== 0 && code !== 1) || !token)
    throw new IntegrityError(
      'TIMESTAMP_REFUSED',
      `the timestamp authority refused the request (status ${code})`,
    );
  const stamped = verifyTimestampToken(token.der, { digest: request.digest });
  if (!stamped.nonce || !Buffer.from(stamped.nonce, 'hex').equals(stripZeros(request.nonce)))
    throw new IntegrityError(
      'TIMESTAMP_MISMATCH',
      'the timestamp reply does not carry the nonce of the request',
    );
  return stamped;
}

export interface StampedTime {
  /** The DER TimeStampToken, as stored and bundled. */
  token: Buffer;
  /** genTime, ISO 8601. */
  time: string;
  /** The signing certificate's subject, for people. */
  tsa: string;
  /** The TSA's certificate, from the token. */
  certificate: X509Certificate;
  /** The nonce (hex, no leading zero bytes), when the token has one. */
  nonce?: string;
}

export interface TimestampCheck {
  /** The SHA-256 the token must be over. */
  digest: Buffer;
  /** Trust anchors: the TSA's certificate or a CA above it. Without them the token is checked only against itself. */
  anchors?: readonly X509Certificate[];
}

/**
 * Checks a TimeStampToken: its messageImprint is `digest`, its signed
 * attributes bind the TSTInfo (content type and message digest) and the
 * signing certificate (ESS), the signature verifies with that certificate,
 * which is for time stamping and valid at genTime; and, given anchors, the
 * certificate is one of them or issued by one (through certificates in the
 * token). Throws IntegrityError saying what failed.
 */
export function verifyTimestampToken(token: Uint8Array, check: TimestampCheck): StampedTime {
  const bytes = Buffer.from(token);
  const [contentType, explicit] = children(one(bytes, TAG.sequence, 'ContentInfo'), 'ContentInfo', [
    TAG.oid,
    TAG.context0,
  ]);
  if (oid(contentType) !== OID.signedData) throw malformed('not a CMS SignedData');
  const signedData = children(one(explicit.content, TAG.sequence, 'SignedData'), 'SignedData', [
    TAG.integer,
    TAG.set,
    TAG.sequence,
  ]);
  const [eContentType, eContentWrap] = children(signedData[2], 'encapsulated content', [
    TAG.oid,
    TAG.context0,
  ]);
  if (oid(eContentType) !== OID.tstInfo) throw malformed('the signed content is not a TSTInfo');
  const tstInfoDer = one(eContentWrap.content, TAG.octetString, 'TSTInfo octets').content;
  const certificates = signedData
    .filter((e) => e.tag === TAG.context0)
    .flatMap((e) => elements(e.content))
    .filter((e) => e.tag === TAG.sequence)
    .map((e) => new X509Certificate(e.der));
  const signerInfos = signedData[signedData.length - 1];
  if (signerInfos.tag !== TAG.set) throw malformed('no signer infos');
  const [signerInfo, ...others] = elements(signerInfos.content);
  if (!signerInfo || others.length > 0) throw malformed('a timestamp token has exactly one signer');

  const tst = readTstInfo(tstInfoDer);
  if (tst.digestAlgorithm !== 'sha256' || !tst.digest.equals(check.digest))
    throw new IntegrityError(
      'TIMESTAMP_MISMATCH',
      `the token is over ${tst.digestAlgorithm} ${tst.digest.toString('hex')}, not SHA-256 ${check.digest.toString('hex')} of the checkpoint`,
    );

  const signer = readSignerInfo(signerInfo);
  const attributes = signer.attributes;
  const signedType = attributes.get(OID.contentType);
  if (!signedType || oid(one(signedType, TAG.oid, 'content type attribute')) !== OID.tstInfo)
    throw malformed('the signed attributes do not name TSTInfo as the content type');
  const messageDigest = attributes.get(OID.messageDigest);
  const expected = createHash(signer.digest).update(tstInfoDer).digest();
  if (!messageDigest || !one(messageDigest, TAG.octetString, 'message digest').content.equals(expected))
    throw new IntegrityError(
      'TIMESTAMP_MISMATCH',
      'the signed message digest is not the digest of the TSTInfo',
    );

  const certificate = signingCertificate(attributes, certificates);
  const algorithm = SIGNATURES[signer.signatureAlgorithm];
  if (!(signer.signatureAlgorithm in SIGNATURES))
    throw malformed(`signature algorithm ${signer.signatureAlgorithm} is not supported`);
  const hash = signer.signatureAlgorithm === OID.ed25519 ? null : (algorithm ?? signer.digest);
  if (!verifySignature(hash, signer.signedAttributesDer, certificate.publicKey, signer.signature))
    throw new IntegrityError(
      'INVALID_SIGNATURE',
      `the timestamp token's signature does not verify with the certificate it carries (${certificate.subject.replace(/\n/g, ', ')})`,
    );
  if (!(certificate.keyUsage ?? []).includes(OID.timeStamping))
    throw new IntegrityError('TIMESTAMP_UNTRUSTED', 'the signing certificate is not for time stamping');
  const genTime = Date.parse(tst.time);
  if (genTime < Date.parse(certificate.validFrom) || genTime > Date.parse(certificate.validTo))
    throw new IntegrityError('TIMESTAMP_UNTRUSTED', `the signing certificate was not valid at ${tst.time}`);
  if (check.anchors && !chainsTo(certificate, certificates, check.anchors))
    throw new IntegrityError(
      'TIMESTAMP_UNTRUSTED',
      `the timestamp authority's certificate (${certificate.subject.replace(/\n/g, ', ')}) is not the trusted one nor issued by it`,
    );
  return {
    token: bytes,
    time: tst.time,
    tsa: certificate.subject.replace(/\n/g, ', '),
    certificate,
    ...(tst.nonce ? { nonce: tst.nonce } : {}),
  };
}

function readTstInfo(der: Buffer): {
  digestAlgorithm?: string;
  digest: Buffer;
  time: string;
  nonce?: string;
} {
  const fields = children(one(der, TAG.sequence, 'TSTInfo'), 'TSTInfo', [
    TAG.integer,
    TAG.oid,
    TAG.sequence,
    TAG.integer,
    TAG.generalizedTime,
  ]);
  const [algorithm, hashed] = children(fields[2], 'messageImprint', [TAG.sequence, TAG.octetString]);
  const [algorithmOid] = children(algorithm, 'hash algorithm', [TAG.oid]);
  const nonce = fields.slice(5).find((e) => e.tag === TAG.integer);
  return {
    digestAlgorithm: DIGESTS[oid(algorithmOid)],
    digest: hashed.content,
    time: generalizedTime(fields[4].content.toString('latin1')),
    ...(nonce ? { nonce: stripZeros(nonce.content).toString('hex') } : {}),
  };
}

/** YYYYMMDDHHMMSS[.fff]Z, as RFC 3161 requires, to ISO 8601. */
function generalizedTime(text: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/.exec(text);
  if (!match) throw malformed(`genTime ${JSON.stringify(text)} is not a UTC GeneralizedTime`);
  const [, y, mo, d, h, mi, s, fraction] = match;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${fraction ?? ''}Z`).toISOString();
}

function readSignerInfo(element: Der) {
  const fields = elements(element.content);
  const at = fields.findIndex((e) => e.tag === TAG.context0);
  if (at < 0 || fields.length < at + 3) throw malformed('the signer info has no signed attributes');
  const digestAlgorithm = DIGESTS[oid(children(fields[at - 1], 'digest algorithm', [TAG.oid])[0])];
  if (!digestAlgorithm) throw malformed('the signer digest algorithm is not supported');
  const attributes = new Map<string, Buffer>();
  for (const attribute of elements(fields[at].content)) {
    const [type, values] = children(attribute, 'attribute', [TAG.oid, TAG.set]);
    attributes.set(oid(type), values.content);
  }
  // The signature is over the attributes encoded as a SET (RFC 5652 section 5.4), not the [0] they are tagged with here.
  const signedAttributesDer = Buffer.concat([Buffer.from([TAG.set]), fields[at].der.subarray(1)]);
  const [signatureAlgorithm] = children(fields[at + 1], 'signature algorithm', [TAG.oid]);
  if (fields[at + 2].tag !== TAG.octetString) throw malformed('the signer info has no signature');
  return {
    digest: digestAlgorithm,
    attributes,
    signedAttributesDer,
    signatureAlgorithm: oid(signatureAlgorithm),
    signature: fields[at + 2].content,
  };
}

/** The certificate the ESS signing-certificate attribute names by hash (RFC 2634, RFC 5035): the token binds its signer. */
function signingCertificate(
  attributes: Map<string, Buffer>,
  certificates: X509Certificate[],
): X509Certificate {
  const v2 = attributes.get(OID.signingCertificateV2);
  const v1 = attributes.get(OID.signingCertificate);
  if (!v2 && !v1) throw malformed('no signing-certificate attribute names the TSA certificate');
  const [signingCert] = children(
    one((v2 ?? v1)!, TAG.sequence, 'signing certificate'),
    'signing certificate',
    [TAG.sequence],
  );
  const [essCertId] = children(signingCert, 'certificate ids', [TAG.sequence]);
  const idFields = elements(essCertId.content);
  let algorithm = v2 ? 'sha256' : 'sha1';
  let hashField = idFields[0];
  if (v2 && idFields[0]?.tag === TAG.sequence) {
    algorithm = DIGESTS[oid(children(idFields[0], 'certificate hash algorithm', [TAG.oid])[0])] ?? '';
    hashField = idFields[1];
  }
  if (!algorithm || hashField?.tag !== TAG.octetString) throw malformed('the certificate id is not a hash');
  const certificate = certificates.find((c) =>
    createHash(algorithm).update(c.raw).digest().equals(hashField.content),
  );
  if (!certificate)
    throw new IntegrityError(
      'TIMESTAMP_UNTRUSTED',
      'the token does not carry the certificate it was signed with',
    );
  return certificate;
}

function chainsTo(
  certificate: X509Certificate,
  carried: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
): boolean {
  let current = certificate;
  for (let depth = 0; depth < 8; depth++) {
    for (const anchor of anchors) {
      if (current.fingerprint256 === anchor.fingerprint256) return true;
      if (current.checkIssued(anchor) && current.verify(anchor.publicKey)) return true;
    }
    const issuer = carried.find(
      (c) =>
        c.fingerprint256 !== current.fingerprint256 && current.checkIssued(c) && current.verify(c.publicKey),
    );
    if (!issuer) return false;
    current = issuer;
  }
  return false;
}

function stripZeros(bytes: Buffer): Buffer {
  const first = bytes.findIndex((b) => b !== 0);
  return first < 0 ? Buffer.alloc(0) : bytes.subarray(first);
}
