import {
  generateNoteKey,
  isValidKeyName,
  type NoteSigner,
  noteSigner,
  type NoteVerifier,
  noteVerifier,
} from '@ledger/integrity';
import {
  appendFileSync,
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

export interface LedgerKeysOptions {
  /** `<LEDGER_DATA_DIR>/keys`: the generated signing key and the published verifier keys. */
  keysDir: string;
  /** The log's origin; the signing key carries it as its name. */
  origin: string;
  /** A signing key managed outside the ledger (a mounted secret); never generated or rotated here. */
  signingKeyFile?: string;
}

export const SIGNING_KEY_FILE = 'ledger.key';
export const VERIFIER_KEYS_FILE = 'verifiers.txt';
/** The key a rotation retired, kept (mode 0600) to cosign until its overlap ends, then deleted. */
export const RETIRING_KEY_FILE = 'ledger.key.retiring';
/** How long a retired key keeps cosigning when `keys rotate` is not told otherwise. */
export const DEFAULT_ROTATION_OVERLAP_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Key set-up the operator must fix: the message says what and how. */
export class LedgerKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LedgerKeyError';
  }
}

/** The ledger's keys are not where the settings say: nothing was created in their place. */
export class MissingLedgerKeyError extends LedgerKeyError {
  constructor(readonly missing: string) {
    super(`there is no ${missing}: this is not a ledger's data directory, or its service has never started`);
    this.name = 'MissingLedgerKeyError';
  }
}

/**
 * The ledger's Ed25519 note key and every verifier key it has published.
 *
 * The signing key is generated on first use (mode 0600) unless one is
 * supplied. `verifiers.txt` lists every key that has ever signed, oldest
 * first, so checkpoints signed before a rotation keep verifying. The key file
 * is re-read when it changes, so a rotation takes effect at the next
 * checkpoint without a restart.
 */
export class LedgerKeys {
  private current: NoteSigner;
  private loadedFrom: string;

  private constructor(private readonly options: LedgerKeysOptions) {
    this.loadedFrom = '';
    this.current = this.load();
  }

  /** Loads the key, generating it if this ledger has none yet, and makes sure its verifier key is published. */
  static open(options: LedgerKeysOptions): LedgerKeys {
    if (!isValidKeyName(options.origin))
      throw new LedgerKeyError(
        `the origin ${JSON.stringify(options.origin)} cannot name a key: it must be non-empty, without spaces or '+'`,
      );
    mkdirSync(options.keysDir, { recursive: true, mode: 0o700 });
    if (!options.signingKeyFile)
      createKeyUnlessPresent(join(options.keysDir, SIGNING_KEY_FILE), options.origin);
    return new LedgerKeys(options);
  }

  /**
   * Loads the keys of a ledger that already has them, creating nothing: what
   * the CLI uses, so a mistyped data directory never gets a key that has
   * signed nothing. Throws {@link MissingLedgerKeyError} naming what is missing.
   */
  static openExisting(options: LedgerKeysOptions): LedgerKeys {
    const keyFile = options.signingKeyFile ?? join(options.keysDir, SIGNING_KEY_FILE);
    for (const required of [options.keysDir, keyFile])
      if (!existsSync(required)) throw new MissingLedgerKeyError(required);
    return new LedgerKeys(options);
  }

  /**
   * Replaces the generated signing key with a new one. Its verifier key is
   * published before the switch, so no checkpoint is ever signed by a key
   * verifiers cannot find. For `overlapDays` the retired key keeps signing
   * beside the new one, so a verifier that knows only the old key still
   * accepts new checkpoints while it learns the new one; after that (or at
   * once with 0, for a leaked key) its secret is deleted. Its verifier key stays published.
   */
  static rotate(
    options: LedgerKeysOptions,
    overlapDays = DEFAULT_ROTATION_OVERLAP_DAYS,
    now = new Date(),
  ): { retired: string; current: string; overlapUntil?: string } {
    if (options.signingKeyFile) {
      throw new LedgerKeyError(
        'LEDGER_SIGNING_KEY_FILE is set, so the signing key is managed outside the ledger: put the new key in that file; ' +
          `its verifier key and the old one are published in ${join(options.keysDir, VERIFIER_KEYS_FILE)} when the ledger next loads it`,
      );
    }
    if (!Number.isFinite(overlapDays) || overlapDays < 0)
      throw new LedgerKeyError(`the overlap must be a number of days, 0 or more, got ${overlapDays}`);
    const keys = LedgerKeys.openExisting(options);
    const retiring = keys.signer();
    const next = generateNoteKey(options.origin);
    keys.publish(next.verifierKey);
    const retiringFile = join(options.keysDir, RETIRING_KEY_FILE);
    const overlapUntil =
      overlapDays > 0 ? new Date(now.getTime() + overlapDays * DAY_MS).toISOString() : undefined;
    // The retired secret is in place before the switch, so no checkpoint after it lacks the old signature.
    if (overlapUntil)
      replaceSecret(retiringFile, `${readFileSync(keys.keyFile(), 'utf8').trim()}\n${overlapUntil}`);
    else deleteIfPresent(retiringFile);
    replaceSecret(join(options.keysDir, SIGNING_KEY_FILE), next.signerKey);
    return { retired: retiring.verifierKey, current: next.verifierKey, overlapUntil };
  }

  /**
   * The verifier keys a ledger has published, read without creating
   * anything: what `govledger verify` trusts by default. Empty when this data
   * directory never held a key.
   */
  static publishedVerifierKeys(options: LedgerKeysOptions): string[] {
    const file = join(options.keysDir, VERIFIER_KEYS_FILE);
    const published = existsSync(file) ? parseVerifierKeys(readFileSync(file, 'utf8'), file) : [];
    const keyFile = options.signingKeyFile ?? join(options.keysDir, SIGNING_KEY_FILE);
    if (!existsSync(keyFile)) return published;
    const current = readSigner(keyFile, options.origin).verifierKey;
    return published.includes(current) ? published : [...published, current];
  }

  /**
   * Every key that signs a new checkpoint or manifest: the current one first,
   * then, during a rotation's overlap, the retired one. Once the overlap is
   * over the retired secret is deleted here.
   */
  signers(now = new Date()): NoteSigner[] {
    const current = this.signer();
    if (this.options.signingKeyFile) return [current];
    const file = join(this.options.keysDir, RETIRING_KEY_FILE);
    if (!existsSync(file)) return [current];
    const [key, until] = readFileSync(file, 'utf8').trim().split('\n');
    if (!(Date.parse(until) > now.getTime())) {
      deleteIfPresent(file);
      return [current];
    }
    return [current, readSigner(file, this.options.origin, key)];
  }

  /** The key that signs new checkpoints. */
  signer(): NoteSigner {
    const file = this.keyFile();
    if (fileVersion(file) !== this.loadedFrom) this.current = this.load();
    return this.current;
  }

  /** Every verifier key this ledger has published, oldest first, the current one included. */
  verifierKeys(): string[] {
    const file = join(this.options.keysDir, VERIFIER_KEYS_FILE);
    const published = existsSync(file) ? parseVerifierKeys(readFileSync(file, 'utf8'), file) : [];
    const current = this.signer().verifierKey;
    return published.includes(current) ? published : [...published, current];
  }

  verifiers(): NoteVerifier[] {
    return this.verifierKeys().map((key) => noteVerifier(key));
  }

  private keyFile(): string {
    return this.options.signingKeyFile ?? join(this.options.keysDir, SIGNING_KEY_FILE);
  }

  private load(): NoteSigner {
    const file = this.keyFile();
    const version = fileVersion(file);
    const signer = readSigner(file, this.options.origin);
    this.publish(signer.verifierKey);
    this.loadedFrom = version;
    return signer;
  }

  private publish(verifierKey: string): void {
    const file = join(this.options.keysDir, VERIFIER_KEYS_FILE);
    const published = existsSync(file) ? parseVerifierKeys(readFileSync(file, 'utf8'), file) : [];
    if (!published.includes(verifierKey)) appendFileSync(file, `${verifierKey}\n`, { mode: 0o644 });
  }
}

/** A verifier key list: one vkey per line; blank lines and `#` comments are ignored. */
export function parseVerifierKeys(text: string, source: string): string[] {
  const keys: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    try {
      noteVerifier(line);
    } catch (error) {
      throw new LedgerKeyError(
        `line ${i + 1} of ${source} is not a verifier key: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    keys.push(line);
  });
  return keys;
}

function readSigner(file: string, origin: string, text?: string): NoteSigner {
  let signer: NoteSigner;
  try {
    signer = noteSigner(text ?? readFileSync(file, 'utf8').trim());
  } catch (error) {
    // Parse errors never quote the key text; file errors are named by their code.
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'the file does not exist'
        : code
          ? `${code} reading the file`
          : error instanceof Error
            ? error.message
            : String(error);
    throw new LedgerKeyError(`the signing key in ${file} cannot be used: ${reason}`);
  }
  if (signer.name !== origin) {
    throw new LedgerKeyError(
      `the signing key in ${file} is named ${JSON.stringify(signer.name)}, but LEDGER_ORIGIN is ${JSON.stringify(origin)}; ` +
        'a checkpoint is signed by a key named after its log: set LEDGER_ORIGIN back, or rotate to a key with the new name',
    );
  }
  return signer;
}

function createKeyUnlessPresent(file: string, origin: string): void {
  if (existsSync(file)) return;
  try {
    // Exclusive create: when the service and the CLI start together, one key wins and both use it.
    writeSecret(file, generateNoteKey(origin).signerKey, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** Writes beside and renames, so a reader never sees half a key. */
function replaceSecret(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeSecret(temporary, content, 'w');
  renameSync(temporary, file);
}

function deleteIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function writeSecret(file: string, content: string, flag: 'w' | 'wx'): void {
  const fd = openSync(file, flag, 0o600);
  try {
    writeSync(fd, `${content}\n`);
  } finally {
    closeSync(fd);
  }
  // The umask may have narrowed the mode further, which is fine; a file opened with 'w' that already existed keeps its old, possibly wider, mode.
  chmodSync(file, 0o600);
}

/** Changes whenever the file is replaced or rewritten; cheap enough to check before every checkpoint. */
function fileVersion(file: string): string {
  try {
    const stat = statSync(file);
    return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
  } catch {
    return 'missing';
  }
}
