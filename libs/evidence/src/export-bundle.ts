import { streamNames, tenantStream } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import {
  canonicalJson,
  eventLeafHash,
  HASH_SIZE,
  hashedForm,
  hashToBase64,
  noteVerifier,
  openCheckpoint,
  type NoteSigner,
  type OpenedCheckpoint,
} from '@ledger/integrity';
import type { CompliancePolicy, ReadDb } from '@ledger/read-models';
import type { MerkleProofService } from '@ledger/transparency-log';
import type { ReadStore } from '@ledger/read-store';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createGzip } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import {
  BUNDLE_FILES,
  BUNDLE_FORMAT,
  bundleOrder,
  carriedValues,
  eventLineV2,
  signManifest,
  type BundleFileName,
  type BundleFormat,
  type BundleManifest,
  type ConsistencyFile,
  type ManifestFile,
  type ProofLine,
} from './bundle-format';
import { EvidenceExportError } from './evidence-export-error';
import {
  ScopedEvents,
  signalInputRanges,
  systemIsRegistered,
  trainingDatasetIds,
  waitUntilSealed,
  type EvidenceDb,
  type ExportScope,
} from './event-selection';
import { fhirAuditEventOf } from './fhir/served-audit-event';
import { ProvenanceCollector } from './fhir/provenance';
import { HashingFile } from './hashing-file';
import { renderReport } from './report/report-html';
import { renderVerifyMd, type WorkedExample } from './verify-md';
import { reportFindings } from './report/report-findings';
import { ReportModel } from './report/report-model';

/**
 * Events proven and written between turns of the event loop. An export runs
 * inside the service: a slice is the longest it holds the loop, so a query
 * arriving meanwhile waits milliseconds, not the seconds a page would take.
 */
const EXPORT_SLICE = 50;

export interface EvidenceKeys {
  /** The keys that sign the manifest, current first (two during a rotation's overlap). */
  signers: readonly NoteSigner[];
  /** Every verifier key the ledger has published, the current one included. */
  verifierKeys: string[];
}

export interface ExportEvidenceOptions {
  store: EventStore;
  readStore: ReadStore;
  proofs: MerkleProofService;
  keys: EvidenceKeys;
  origin: string;
  scope: ExportScope;
  /** The recipient's earlier signed checkpoint (note text): the bundle then proves the log extends it. */
  sinceCheckpoint?: string;
  exportedBy: { id: string; role: string };
  recipient?: string;
  generator: { name: string; version: string };
  compliancePolicy: CompliancePolicy;
  /** Where the bundle goes; written beside as `.partial` and renamed when complete. */
  out: string;
  /** How long to wait for the sealer to cover the newest events (default 60 s). */
  waitMs?: number;
  onProgress?: (done: number, total: number) => void;
  exportId?: string;
  now?: () => Date;
  /** v2 unless asked: v1 for a recipient whose tools read only v1. */
  format?: BundleFormat;
}

export interface ExportedBundle {
  exportId: string;
  file: string;
  bytes: number;
  manifest: BundleManifest;
  /** SHA-256 of manifest.json: what the EvidenceExported event records. */
  manifestSha256: string;
  /**
   * The verifier keys whose signatures the bundle's checkpoint and manifest
   * carry: what a recipient must trust. After a rotation the checkpoint may
   * still be one the old key signed alone.
   */
  signedBy: string[];
}

/**
 * Writes the evidence bundle for one AI system. Events stream from the store a
 * page at a time into files on disk, each hashed as it is written, so memory
 * holds one page and the governance facts of the report, never the volume of
 * data access. The files are then packed into one gzipped tar whose signed
 * manifest names each file's SHA-256.
 */
export async function exportEvidenceBundle(options: ExportEvidenceOptions): Promise<ExportedBundle> {
  const { store, readStore, proofs, keys, origin } = options;
  const format = options.format ?? BUNDLE_FORMAT;
  const v2 = format === BUNDLE_FORMAT;
  const scope = normalisedScope(options.scope);
  const verifiers = keys.verifierKeys.map((key) => noteVerifier(key));
  const since =
    options.sinceCheckpoint === undefined ? undefined : openSince(options.sinceCheckpoint, verifiers, origin);
  const db = readStore.db as EvidenceDb;
  // Loaded here, not with this library: the offline verifier shares the library and needs no store driver (0.2 s of start-up).
  const { hashedEnvelopeOf } = await import('@ledger/event-store');

  const { checkpoint, throughPosition } = await waitUntilSealed(store, db, proofs, options.waitMs ?? 60_000);
  if (!(await systemIsRegistered(db, scope, throughPosition))) {
    throw new EvidenceExportError(
      'UNKNOWN_SYSTEM',
      `no AI system ${scope.systemId} is registered in tenant ${scope.tenantId}; check the id (aiSystems lists them)`,
      'systemId',
    );
  }
  const consistency = since ? await consistencyFrom(proofs, since, checkpoint.treeSize) : undefined;
  const datasetIds = await trainingDatasetIds(db, store, scope, throughPosition);
  // A whole-history bundle holds every input already; a cut one must bring its signals' inputs along.
  const signalInputs =
    scope.from || scope.to ? await signalInputRanges(db, store, scope, throughPosition) : [];
  const events = new ScopedEvents(
    db,
    store,
    scope,
    datasetIds.map((id) => tenantStream(scope.tenantId, streamNames.dataset(id))),
    throughPosition,
    signalInputs,
  );

  const createdAt = (options.now ?? (() => new Date()))().toISOString();
  const exportId = options.exportId ?? randomUUID();
  const workDir = await mkdtemp(join(dirname(options.out), `.${basename(options.out)}.`));
  const files = new Map<BundleFileName, Omit<ManifestFile, 'name'>>();
  const open: HashingFile[] = [];
  const file = (name: BundleFileName, options?: { gzip: boolean }) => {
    const f = new HashingFile(join(workDir, name), options);
    open.push(f);
    return f;
  };
  try {
    const eventsFile = file(BUNDLE_FILES.events);
    // v1's proofs.jsonl; v2 keeps the leaves for its one multiproof instead.
    const proofsFile = v2 ? undefined : file(BUNDLE_FILES.proofs);
    const leaves = new Leaves();
    // v2 carries the FHIR view gzipped as its own member: gzipped as it is written.
    const fhirFile = v2 ? file(BUNDLE_FILES.fhirGzip, { gzip: true }) : file(BUNDLE_FILES.fhir);
    const report = new ReportModel();
    const provenance = new ProvenanceCollector(scope.tenantId, scope.systemId);
    const fhirCounts = { auditEvents: 0, provenances: 0, entries: 0 };
    // One write per file per slice: a write per event costs more in buffers and hash calls than the events themselves.
    const fhirEntries: string[] = [];
    const fhirEntry = (resource: { id?: string }) => {
      fhirEntries.push(
        `${fhirCounts.entries++ === 0 ? '' : ','}\n${JSON.stringify({ fullUrl: `urn:uuid:${resource.id}`, resource })}`,
      );
    };
    await fhirFile.write(
      `{"resourceType":"Bundle","id":${JSON.stringify(exportId)},"meta":{"lastUpdated":${JSON.stringify(createdAt)}},"type":"collection","timestamp":${JSON.stringify(createdAt)},"entry":[`,
    );

    let example: WorkedExample | undefined;
    const total = await events.count();
    let done = 0;
    options.onProgress?.(0, total);
    for await (const page of events.pages()) {
      for (let start = 0; start < page.length; start += EXPORT_SLICE) {
        const slice = page.slice(start, start + EXPORT_SLICE);
        const ids = slice.map((e) => e.eventId);
        const sliceProofs = v2 ? undefined : await proofs.inclusionProofs(ids, checkpoint.treeSize);
        const leafIndices =
          sliceProofs?.map((p) => p.leafIndex) ?? (await proofs.leafIndices(ids, checkpoint.treeSize));
        const eventLines: string[] = [];
        const proofLines: string[] = [];
        for (const [i, event] of slice.entries()) {
          const leafIndex = leafIndices[i];
          const hashed = hashedEnvelopeOf(event);
          // Erased values are left out: their commitments, in the hashed form, keep every hash as it was.
          const values = carriedValues(event.sealed?.values);
          let eventLine: string;
          if (sliceProofs) {
            const { position, sealed: _sealed, ...envelope } = event;
            eventLine = canonicalJson({
              ...envelope,
              data: hashed.data,
              metadata: hashed.metadata,
              position: position.toString(),
              ...(values ? { values } : {}),
            });
            const proof = sliceProofs[i];
            const line: ProofLine = {
              eventId: event.eventId,
              leafIndex,
              eventHash: proof.eventHash,
              proof: proof.proof.map(hashToBase64),
            };
            proofLines.push(`${canonicalJson(line)}\n`);
            example ??= { line: eventLine, envelope: hashed, values, leafIndex, proof: line.proof };
          } else {
            eventLine = eventLineV2(
              event.position,
              leafIndex,
              event.integrity.hash,
              hashedForm(hashed),
              values,
            );
            leaves.add(leafIndex, event.integrity.hash);
            example ??= { line: eventLine, envelope: hashed, values, leafIndex };
          }
          eventLines.push(`${eventLine}\n`);
          report.add(event);
          if (event.type === 'DataAccessed') {
            fhirCounts.auditEvents++;
            fhirEntry(fhirAuditEventOf(event));
          } else {
            const resource = provenance.add(event);
            if (resource) {
              fhirCounts.provenances++;
              fhirEntry(resource);
            }
          }
        }
        await eventsFile.write(eventLines.join(''));
        await proofsFile?.write(proofLines.join(''));
        await fhirFile.write(fhirEntries.splice(0).join(''));
        done += slice.length;
        options.onProgress?.(done, total);
        // On SQLite every read above resolved in microtasks: let the requests that arrived meanwhile be answered.
        await nextTurn();
      }
    }
    for (const resource of provenance.referenced()) fhirEntry(resource);
    await fhirFile.write(`${fhirEntries.splice(0).join('')}\n]}\n`);
    for (const f of [eventsFile, proofsFile, fhirFile])
      if (f) files.set(basename(f.path) as BundleFileName, await f.close());
    if (v2) {
      const multiproof = file(BUNDLE_FILES.multiproof);
      // A bundle of no events proves nothing about the log, so it has no proof hashes to carry.
      if (leaves.count > 0) {
        const proof = await proofs.multiproof(leaves.indices(), leaves.hashes(), checkpoint.treeSize);
        // One write per 4,096 lines, as the events go a slice at a time.
        for (let at = 0; at < proof.length; at += 4096 * HASH_SIZE) {
          const part = proof.subarray(at, at + 4096 * HASH_SIZE);
          let lines = '';
          for (let h = 0; h < part.length; h += HASH_SIZE)
            lines += `${hashToBase64(part.subarray(h, h + HASH_SIZE))}\n`;
          await multiproof.write(lines);
        }
      }
      files.set(BUNDLE_FILES.multiproof, await multiproof.close());
    }

    const manifestBase: Omit<BundleManifest, 'files' | 'counts'> = {
      format,
      generator: options.generator,
      exportId,
      createdAt,
      origin,
      scope: {
        ...scope,
        datasetIds,
        throughPosition: throughPosition.toString(),
        ...(signalInputs.length > 0
          ? {
              signalInputs: signalInputs.map((r) => ({
                firstPosition: r.first.toString(),
                lastPosition: r.last.toString(),
              })),
            }
          : {}),
      },
      exportedBy: options.exportedBy,
      ...(options.recipient ? { recipient: options.recipient } : {}),
      checkpoint: { treeSize: checkpoint.treeSize, rootHash: hashToBase64(checkpoint.rootHash) },
      ...(since ? { sinceCheckpoint: { treeSize: since.size, rootHash: hashToBase64(since.rootHash) } } : {}),
    };
    const { findings, omittedAccessGroups } = await reportFindings(
      readStore.db as ReadDb,
      scope.tenantId,
      scope.systemId,
      createdAt,
      options.compliancePolicy,
    );
    // Loaded here, as the proofs' errors are below: the offline verifier shares this package's index.
    const { checkpointTimestamp } = await import('@ledger/transparency-log');
    const timestamp = await checkpointTimestamp(readStore, checkpoint.treeSize);
    const small: Array<[BundleFileName, string | Buffer]> = [
      // With the witnesses' cosignatures, so a recipient can require k of them (verify-bundle --witness-threshold).
      [BUNDLE_FILES.checkpoint, await proofs.cosignedNote(checkpoint)],
      // A token comes some time after its checkpoint: a bundle made meanwhile goes without.
      ...(timestamp ? [[BUNDLE_FILES.timestamp, timestamp] as [BundleFileName, Buffer]] : []),
      [BUNDLE_FILES.keys, keys.verifierKeys.map((k) => `${k}\n`).join('')],
      ...(consistency
        ? [
            [BUNDLE_FILES.consistency, `${JSON.stringify(consistency, null, 2)}\n`] as [
              BundleFileName,
              string,
            ],
          ]
        : []),
      [
        BUNDLE_FILES.report,
        renderReport({
          manifest: manifestBase,
          model: report,
          findings,
          omittedAccessGroups,
          verifierKeys: keys.verifierKeys,
        }),
      ],
      [BUNDLE_FILES.verify, renderVerifyMd({ format, origin, checkpoint: manifestBase.checkpoint, example })],
    ];
    for (const [name, content] of small) {
      const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
      await writeFile(join(workDir, name), bytes, { mode: 0o600 });
      files.set(name, { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    }

    const order = bundleOrder(format, files.keys());
    const manifest: BundleManifest = {
      ...manifestBase,
      counts: {
        events: report.events,
        dataAccessEvents: report.dataAccess.total,
        auditEvents: fhirCounts.auditEvents,
        provenances: fhirCounts.provenances,
        clinicalUse: report.clinicalUseCounts(),
      },
      files: order.filter((name) => files.has(name)).map((name) => ({ name, ...files.get(name)! })),
    };
    const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
    await writeFile(join(workDir, BUNDLE_FILES.manifest), manifestBytes, { mode: 0o600 });
    await writeFile(
      join(workDir, BUNDLE_FILES.signature),
      signManifest(format, origin, manifestBytes, keys.signers),
      {
        mode: 0o600,
      },
    );

    const partial = `${options.out}.partial`;
    await packBundle(workDir, order, partial, createdAt);
    await rename(partial, options.out);
    return {
      exportId,
      file: options.out,
      bytes: (await stat(options.out)).size,
      manifest,
      manifestSha256: createHash('sha256').update(manifestBytes).digest('hex'),
      signedBy: bundleSigners(checkpoint.note, keys),
    };
  } finally {
    for (const f of open) f.abort();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** The leaf index and leaf hash of each event written, in order: what v2's one multiproof is made for. */
class Leaves {
  private indexes = new Float64Array(1024);
  private leafHashes = Buffer.alloc(1024 * HASH_SIZE);
  count = 0;

  add(leafIndex: number, eventHash: string): void {
    if (this.count === this.indexes.length) {
      const indexes = new Float64Array(this.count * 2);
      indexes.set(this.indexes);
      this.indexes = indexes;
      const leafHashes = Buffer.alloc(this.count * 2 * HASH_SIZE);
      this.leafHashes.copy(leafHashes);
      this.leafHashes = leafHashes;
    }
    this.indexes[this.count] = leafIndex;
    this.leafHashes.set(eventLeafHash(eventHash), this.count * HASH_SIZE);
    this.count++;
  }

  indices(): Float64Array {
    return this.indexes.subarray(0, this.count);
  }

  hashes(): Uint8Array {
    return this.leafHashes.subarray(0, this.count * HASH_SIZE);
  }
}

/** Streams each member from disk into a gzipped POSIX tar, in the order the verifier reads them. */
async function packBundle(
  workDir: string,
  order: BundleFileName[],
  out: string,
  createdAt: string,
): Promise<void> {
  const archive = tarPack();
  const written = pipeline(archive, createGzip(), createWriteStream(out, { mode: 0o644 }));
  try {
    for (const name of order) {
      const path = join(workDir, name);
      const { size } = await stat(path);
      await new Promise<void>((resolve, reject) => {
        const entry = archive.entry(
          { name, size, mode: 0o644, mtime: new Date(createdAt), type: 'file' },
          (error) => (error ? reject(error) : resolve()),
        );
        pipeline(createReadStream(path), entry).catch(reject);
      });
    }
    archive.finalize();
  } catch (error) {
    archive.destroy(error as Error);
  }
  await written;
}

function normalisedScope(scope: ExportScope): ExportScope {
  const instant = (value: string | undefined, field: 'from' | 'to') => {
    if (value === undefined) return undefined;
    const ms = Date.parse(value);
    if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(value) || Number.isNaN(ms)) {
      throw new EvidenceExportError(
        'INVALID_SCOPE',
        `${field} must be an RFC 3339 instant (2026-01-31T00:00:00Z) or a date (2026-01-31)`,
        field,
      );
    }
    return new Date(ms).toISOString();
  };
  const from = instant(scope.from, 'from');
  const to = instant(scope.to, 'to');
  if (from && to && from >= to)
    throw new EvidenceExportError('INVALID_SCOPE', `from (${from}) must be before to (${to})`, 'to');
  return {
    tenantId: scope.tenantId,
    systemId: scope.systemId,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

function bundleSigners(checkpointNote: string, keys: EvidenceKeys): string[] {
  const published = new Map(keys.verifierKeys.map((key) => [key, noteVerifier(key)]));
  const { signatures } = openCheckpoint(checkpointNote, [...published.values()]);
  const checkpointKeys = [...published].filter(([, v]) =>
    signatures.some((s) => s.name === v.name && s.keyId === v.keyId),
  );
  return [...new Set([...keys.signers.map((s) => s.verifierKey), ...checkpointKeys.map(([key]) => key)])];
}

function openSince(
  note: string,
  verifiers: ReturnType<typeof noteVerifier>[],
  origin: string,
): OpenedCheckpoint {
  try {
    return openCheckpoint(note, verifiers, origin);
  } catch (error) {
    throw new EvidenceExportError(
      'INVALID_SINCE_CHECKPOINT',
      `the earlier checkpoint is not one this ledger signed: ${(error as Error).message}`,
      'sinceCheckpoint',
    );
  }
}

async function consistencyFrom(
  proofs: MerkleProofService,
  since: OpenedCheckpoint,
  treeSize: number,
): Promise<ConsistencyFile> {
  if (since.size > treeSize) {
    throw new EvidenceExportError(
      'INVALID_SINCE_CHECKPOINT',
      `the earlier checkpoint (size ${since.size}) is newer than the latest sealed one (size ${treeSize}); export again once the log has caught up`,
      'sinceCheckpoint',
    );
  }
  let proof;
  try {
    proof = await proofs.consistencyProof(since.size, treeSize);
  } catch (error) {
    // Loaded here, not by the module: the offline verifier shares this lib's index and needs no log store or driver.
    const { ProofRequestError } = await import('@ledger/transparency-log');
    if (error instanceof ProofRequestError)
      throw new EvidenceExportError('INVALID_SINCE_CHECKPOINT', error.message, 'sinceCheckpoint');
    throw error;
  }
  if (hashToBase64(proof.fromRoot) !== hashToBase64(since.rootHash)) {
    // A checkpoint this ledger signed, with a root its own log no longer has at that size: history was rewritten.
    throw new EvidenceExportError(
      'INVALID_SINCE_CHECKPOINT',
      `your checkpoint of size ${since.size} has root ${hashToBase64(since.rootHash)}, but the ledger's log at that size has root ${hashToBase64(proof.fromRoot)}: the log was rewritten; run govledger verify and report it`,
      'sinceCheckpoint',
    );
  }
  return {
    from: { treeSize: since.size, rootHash: hashToBase64(since.rootHash), checkpoint: proof.fromCheckpoint },
    to: { treeSize: proof.toSize, rootHash: hashToBase64(proof.toRoot) },
    proof: proof.proof.map(hashToBase64),
  };
}
