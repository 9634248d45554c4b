import { timestampedText, verifyTimestampToken } from '@ledger/integrity';
import { createHash, X509Certificate } from 'node:crypto';

/** What a bundle's checkpoint.tst attests: when the checkpoint existed, by whom, and whether a trusted anchor vouched for it. */
export interface BundleTimestamp {
  time: string;
  tsa: string;
  /** True when checked against the certificates given with --tsa-cert; false when the token was only checked against itself. */
  anchored: boolean;
}

/**
 * Checks checkpoint.tst against the bundle's checkpoint: the token is over
 * SHA-256 of the checkpoint's signed text and verifies with the TSA
 * certificate it carries; with anchors, that certificate is one of them or
 * issued by one. Throws IntegrityError saying what does not hold.
 */
export function checkBundleTimestamp(
  token: Uint8Array,
  checkpointNote: Uint8Array,
  anchors: readonly X509Certificate[] | undefined,
): BundleTimestamp {
  const digest = createHash('sha256').update(timestampedText(checkpointNote)).digest();
  const stamped = verifyTimestampToken(token, { digest, ...(anchors?.length ? { anchors } : {}) });
  return { time: stamped.time, tsa: stamped.tsa, anchored: (anchors?.length ?? 0) > 0 };
}

/** The certificates of a PEM file (--tsa-cert): the TSA's own, or the CA that issued it. */
export function readPemCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}
