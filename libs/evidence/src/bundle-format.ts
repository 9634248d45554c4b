import {
  canonicalJson,
  type ErasableValues,
  sha256Hex,
  signNote,
  valueMismatch,
  type NoteSigner,
} from '@ledger/integrity';

/*
 * The evidence bundle: one gzipped POSIX tar archive, readable with `tar xzf`
 * anywhere, whose members come in this order so a verifier can check them in
 * one streaming pass: first what says what everything else must be (the
 * signed manifest, the checkpoint, the keys), then the events and their proofs,
 * then the views derived from them.
 *
 * v2 proves the same things with less to read. v1 carried one inclusion proof
 * per event (about 17 hashes each, more bytes than the events) and the FHIR
 * view inflated (twice the events' bytes), and at 100,000 events its verifier
 * spent most of its time inflating and parsing those. v2 carries one
 * multiproof for all the events' leaves (the subtrees holding none of them;
 * none at all when the bundle holds every leaf), each event as the exact
 * bytes its hash covers beside its position, leaf index and hash (so checking
 * it is one SHA-256 of a slice of its line, with no canonical form to
 * rebuild), and the FHIR view gzipped, its digest over the gzipped bytes.
 * Bundles of v1 are still read.
 */

export const BUNDLE_FORMAT_V1 = 'govledger-evidence-bundle/v1';
export const BUNDLE_FORMAT = 'govledger-evidence-bundle/v2';
export type BundleFormat = typeof BUNDLE_FORMAT | typeof BUNDLE_FORMAT_V1;

export const BUNDLE_FILES = {
  manifest: 'manifest.json',
  signature: 'manifest.sig',
  checkpoint: 'checkpoint.note',
  timestamp: 'checkpoint.tst',
  keys: 'keys.txt',
  consistency: 'consistency.json',
  events: 'events.jsonl',
  proofs: 'proofs.jsonl',
  multiproof: 'multiproof.txt',
  fhir: 'fhir-bundle.json',
  fhirGzip: 'fhir-bundle.json.gz',
  report: 'report.html',
  verify: 'VERIFY.md',
} as const;

export type BundleFileName = (typeof BUNDLE_FILES)[keyof typeof BUNDLE_FILES];

/** What each file is for, so a failure can say what the damage means. */
export const FILE_MEANING: Record<BundleFileName, string> = {
  'manifest.json': 'the signed list of every file and its SHA-256',
  'manifest.sig': "the ledger's signature over the manifest",
  'checkpoint.note': 'the signed Merkle tree head every event is proven against',
  'checkpoint.tst': "a timestamp authority's RFC 3161 token over the checkpoint",
  'keys.txt': "the ledger's published verifier keys",
  'consistency.json': "the proof that the bundled checkpoint extends the recipient's earlier one",
  'events.jsonl': 'the stored events, exactly as hashed',
  'proofs.jsonl': 'the inclusion proof of each event',
  'multiproof.txt': "the proof that the events' leaves are in the signed log",
  'fhir-bundle.json': 'the FHIR R4 view of the events (AuditEvent, Provenance)',
  'fhir-bundle.json.gz': 'the FHIR R4 view of the events (AuditEvent, Provenance), gzipped',
  'report.html': 'the human-readable report',
  'VERIFY.md': 'how to verify the bundle without this software, with a worked example',
};

export interface ManifestFile {
  name: BundleFileName;
  bytes: number;
  /** Lowercase hex. */
  sha256: string;
}

export interface BundleManifest {
  format: BundleFormat;
  generator: { name: string; version: string };
  exportId: string;
  createdAt: string;
  /** The log's origin: the name in the checkpoint and in every signing key. */
  origin: string;
  scope: {
    tenantId: string;
    systemId: string;
    from?: string;
    to?: string;
    /** Training datasets whose own events are included. */
    datasetIds: string[];
    /** The store position of the checkpoint's last leaf: nothing after it is in the bundle. */
    throughPosition: string;
    /**
     * Only in a bundle cut to a period that holds computed signals: the
     * position ranges (inclusive) in which it holds every output, clinician
     * response and outcome of the system, whatever their occurredAt, so each
     * signal can be recomputed; it then also holds every MonitoringPlanned of
     * the system. One range per signal's [inputs.firstPosition,
     * inputs.throughPosition], overlapping ones merged.
     */
    signalInputs?: Array<{ firstPosition: string; lastPosition: string }>;
  };
  exportedBy: { id: string; role: string };
  recipient?: string;
  checkpoint: { treeSize: number; rootHash: string };
  /** Present when the bundle proves it extends an earlier checkpoint the recipient holds. */
  sinceCheckpoint?: { treeSize: number; rootHash: string };
  counts: {
    events: number;
    /** Outputs, clinician responses, outcomes, output findings and computed signals of the system. */
    clinicalUse?: {
      outputs: number;
      responses: number;
      outcomes: number;
      findings: number;
      computedSignals: number;
    };
    dataAccessEvents: number;
    auditEvents: number;
    provenances: number;
  };
  files: ManifestFile[];
}

/**
 * The signed statement over a manifest: a C2SP signed note, so the one
 * verifier key that checks checkpoints checks bundles too. Its first line is
 * not the origin, so it can never pass for a checkpoint of the log.
 */
export function manifestNoteText(format: BundleFormat, origin: string, manifestBytes: Uint8Array): string {
  return `${format} manifest\n${origin}\nsha256 ${sha256Hex(manifestBytes)}\n`;
}

export function signManifest(
  format: BundleFormat,
  origin: string,
  manifestBytes: Uint8Array,
  signers: readonly NoteSigner[],
): string {
  return signNote(manifestNoteText(format, origin, manifestBytes), signers);
}

/** Members a bundle holds only when its manifest lists them; bundles made before VERIFY.md existed still verify. */
const OPTIONAL_FILES: ReadonlySet<BundleFileName> = new Set<BundleFileName>([
  BUNDLE_FILES.timestamp,
  BUNDLE_FILES.consistency,
  BUNDLE_FILES.verify,
]);

/** What each format holds in place of the other's. */
const NOT_IN_FORMAT: Record<BundleFormat, ReadonlySet<BundleFileName>> = {
  [BUNDLE_FORMAT_V1]: new Set<BundleFileName>([BUNDLE_FILES.multiproof, BUNDLE_FILES.fhirGzip]),
  [BUNDLE_FORMAT]: new Set<BundleFileName>([BUNDLE_FILES.proofs, BUNDLE_FILES.fhir]),
};

export function isBundleFormat(format: unknown): format is BundleFormat {
  return format === BUNDLE_FORMAT || format === BUNDLE_FORMAT_V1;
}

/** The members of a bundle in archive order: every required one of its format, and the optional ones among `listed`. */
export function bundleOrder(format: BundleFormat, listed: Iterable<BundleFileName>): BundleFileName[] {
  const present = new Set(listed);
  return (Object.values(BUNDLE_FILES) as BundleFileName[]).filter(
    (name) => !NOT_IN_FORMAT[format].has(name) && (!OPTIONAL_FILES.has(name) || present.has(name)),
  );
}

/**
 * A v2 events.jsonl line starts with this, and after it come the exact bytes
 * the event's hash covers (its RFC 8785 hashed form) and a closing brace:
 * `{"position":"<decimal>","leafIndex":<decimal>,"hash":"<hex>","event":<hashed form>}`.
 * A scheme-2 event whose values are not all erased ends instead with
 * `,"values":<RFC 8785 form of its carried values>}`.
 */
export const EVENT_LINE_V2 =
  /^\{"position":"([1-9][0-9]{0,19})","leafIndex":(0|[1-9][0-9]{0,15}),"hash":"([0-9a-f]{64})","event":/;

export function eventLineV2(
  position: bigint,
  leafIndex: number,
  hash: string,
  hashedForm: string,
  values?: CarriedValues,
): string {
  return `{"position":"${position}","leafIndex":${leafIndex},"hash":"${hash}","event":${hashedForm}${values ? valuesSuffix(values) : '}'}`;
}

/** How a line carrying values ends, after the hashed form. */
export function valuesSuffix(values: CarriedValues): string {
  return `,"values":${carriedValuesText(values) ?? canonicalJson(values)}}`;
}

/**
 * The RFC 8785 form of values shaped as a bundle carries them (pointers to
 * exactly {salt, value}), spelled entry by entry: the generic canonical form
 * copies and sorts every object, which the verifier paid for each line it
 * reads. Undefined for any other shape, which canonicalJson spells (or refuses).
 */
function carriedValuesText(values: CarriedValues): string | undefined {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) return undefined;
  const pointers = Object.keys(values).sort();
  let text = '{';
  for (const pointer of pointers) {
    const entry = values[pointer] as unknown;
    if (!isSaltAndValue(entry) || !pointer.startsWith('/') || !pointer.isWellFormed()) return undefined;
    let spelled: string;
    try {
      spelled = `{"salt":${canonicalJson(entry.salt)},"value":${canonicalJson(entry.value)}}`;
    } catch {
      // No canonical form: canonicalJson of the whole says why, naming where.
      return undefined;
    }
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(pointer)}:${spelled}`;
  }
  return `${text}}`;
}

/** An object of exactly the members salt (a string) and value, in either order, with no toJSON of its own. */
function isSaltAndValue(entry: unknown): entry is { salt: string; value: unknown } {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return false;
  const keys = Object.keys(entry);
  return (
    keys.length === 2 &&
    Object.hasOwn(entry, 'salt') &&
    Object.hasOwn(entry, 'value') &&
    typeof (entry as { salt: unknown }).salt === 'string' &&
    (entry as { value: unknown }).value !== undefined
  );
}

/**
 * The erasable values a bundle carries beside a scheme-2 event, by JSON
 * Pointer: each with the salt that, with it, opens the commitment at that
 * place in the hashed form. An erased value is not carried (its commitment
 * stays in the hashed form, so the hash still holds).
 */
export type CarriedValues = Record<string, { salt: string; value: unknown }>;

/** The values of an event that are still kept, as a bundle carries them; undefined when none are. */
export function carriedValues(values: ErasableValues | undefined): CarriedValues | undefined {
  const carried: CarriedValues = {};
  for (const [pointer, { salt, value }] of Object.entries(values ?? {}))
    if (salt !== undefined) carried[pointer] = { salt, value };
  return Object.keys(carried).length > 0 ? carried : undefined;
}

/** Why values a line carries do not belong to its hashed event, one reason a value; empty when each opens its commitment. */
export function carriedValueMismatches(event: object, values: unknown): string[] {
  if (values === null || typeof values !== 'object' || Array.isArray(values))
    return ['its values are not an object of pointer to {salt, value}'];
  const found: string[] = [];
  for (const [pointer, entry] of Object.entries(values as Record<string, unknown>)) {
    const { salt, value } = (entry ?? {}) as { salt?: unknown; value?: unknown };
    if (typeof salt !== 'string' || !Object.hasOwn(entry as object, 'value')) {
      found.push(`the value at ${pointer} is not {salt, value}`);
      continue;
    }
    let why: string | undefined;
    try {
      why = valueMismatch(event, pointer, { kind: 'text', salt, value });
    } catch (error) {
      why = error instanceof Error ? error.message : String(error);
    }
    if (why) found.push(why);
  }
  return found;
}

/** One line of v1's proofs.jsonl: the audit path of one event, hashes in standard base64 as in the checkpoint. */
export interface ProofLine {
  eventId: string;
  leafIndex: number;
  eventHash: string;
  proof: string[];
}

/** consistency.json. */
export interface ConsistencyFile {
  from: { treeSize: number; rootHash: string; checkpoint: string };
  to: { treeSize: number; rootHash: string };
  proof: string[];
}
