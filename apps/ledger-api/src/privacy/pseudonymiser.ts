import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { subjectDigestInput, type SubjectKind } from '@ledger/domain';

/**
 * Patient identifiers never enter the ledger raw: they become keyed
 * HMAC-SHA-256 pseudonyms at the edge. The tenant is part of the input, so the
 * same patient has unrelated pseudonyms in two organisations. Lookups hash the
 * query the same way, so an auditor can still ask about one patient.
 */
export class Pseudonymiser {
  /** Its own key, derived from the pseudonym key, so a digest can never equal a patient's pseudonym. */
  private readonly digestKey: KeyObject;
  /** Another, for subject digests: a held or erased person's digest can be neither a pseudonym nor a resource digest. */
  private readonly subjectKey: Buffer;

  /** The key imported once: createHmac given raw bytes imports them anew for each of a batch's thousand items. */
  private readonly key: KeyObject;

  constructor(key: Buffer) {
    this.key = createSecretKey(key);
    this.digestKey = createSecretKey(
      createHmac('sha256', key).update('govledger fhir original digest').digest(),
    );
    this.subjectKey = createHmac('sha256', key).update('govledger subject digest').digest();
  }

  pseudonymise(tenantId: string, patientId: string): string {
    // One update of the joined text: the same bytes, so the same pseudonyms, for less work per item.
    return createHmac('sha256', this.key).update(`${tenantId}\0${patientId}`).digest('hex');
  }

  /**
   * The keyed digest (HMAC-SHA-256) of a resource as received, in its tenant. Keyed, not plain SHA-256:
   * the stored copy differs from the original only by the patient's identifier, so a plain hash could be
   * reversed by hashing the copy with every possible medical record number until one matches.
   */
  digest(tenantId: string, canonicalText: string): string {
    return createHmac('sha256', this.digestKey).update(`${tenantId}\0${canonicalText}`).digest('hex');
  }

  /**
   * Who a legal hold or an erasure is about, as a keyed digest: a person by
   * their id in its one spelling (`Dr.Ada` and `dr.ada` are one person), a
   * patient by raw identifier, pseudonymised first so the digest is of the
   * pseudonym the ledger already holds for them.
   */
  subjectDigest(tenantId: string, kind: SubjectKind, id: string): string {
    return this.subjectDigestOf(tenantId, kind, kind === 'PATIENT' ? this.pseudonymise(tenantId, id) : id);
  }

  /** The same digest of a patient known only by pseudonym, as records name them. */
  patientPseudonymDigest(tenantId: string, pseudonym: string): string {
    return this.subjectDigestOf(tenantId, 'PATIENT', pseudonym);
  }

  private subjectDigestOf(tenantId: string, kind: SubjectKind, id: string): string {
    return createHmac('sha256', this.subjectKey)
      .update(subjectDigestInput(tenantId, kind, id))
      .digest('hex');
  }

  /** The key from LEDGER_PSEUDONYM_KEY, else `<dataDir>/keys/pseudonym.key`, created (mode 0600) on first start. */
  static load(dataDir: string, hexKey?: string): Pseudonymiser {
    if (hexKey) return new Pseudonymiser(Buffer.from(hexKey, 'hex'));
    const dir = join(dataDir, 'keys');
    const file = join(dir, 'pseudonym.key');
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      // 'wx' fails if another process created it meanwhile; then we read theirs.
      try {
        writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    const key = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(key))
      throw new Error(`${file} must hold 64 hex digits; restore it from backup (pseudonyms depend on it)`);
    return new Pseudonymiser(Buffer.from(key, 'hex'));
  }
}
