import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { GovernancePolicy } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { LedgerKeys, MerkleProofService } from '@ledger/transparency-log';
import type { ReadStore } from '@ledger/read-store';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@ledger/platform';
import { LedgerConfig } from '@ledger/runtime';
import {
  EvidenceExportError,
  type ExportedBundle,
  exportEvidenceBundle,
  recordExport,
} from '@ledger/evidence';
import { GOVERNANCE_POLICY } from '../commands/governance-policy';
import { SelfAuditService } from '../auth/self-audit.service';
import { ProblemError } from '../errors/problem';
import { READ_STORE } from '../read-models/read-store.module';
import type { Caller } from '../request-context/caller';
import { EVENT_STORE } from '../store/event-store.module';
import { type Admission, ExportQuota } from './export-quota';

export interface ExportRequest {
  systemId: string;
  from?: string;
  to?: string;
  sinceCheckpoint?: string;
  recipient?: string;
}

interface HeldExport {
  tenantId: string;
  exportedBy: string;
  systemId: string;
  file: string;
  expiresAt: string;
  timer: NodeJS.Timeout;
}

/** How long a bundle waits for its download: a bundle of a busy system is gigabytes. */
export const EXPORT_TTL_MS = 60 * 60 * 1000;
const DOWNLOAD = 'GET /v1/exports/:exportId';

const STATUS: Record<EvidenceExportError['code'], number> = {
  UNKNOWN_SYSTEM: 404,
  INVALID_SCOPE: 400,
  INVALID_SINCE_CHECKPOINT: 422,
  NOT_SEALED: 503,
  READ_MODEL_STOPPED: 503,
};

/**
 * Makes evidence bundles for GraphQL callers into the data directory's
 * `exports/`, records each export in the ledger, and keeps the file for an
 * hour for its maker to download. Files are never kept across restarts.
 */
@Injectable()
export class EvidenceExportService implements OnModuleInit, OnApplicationShutdown {
  private readonly held = new Map<string, HeldExport>();
  private readonly quota: ExportQuota;
  private readonly dir: string;
  private readonly generator = {
    name: 'govledger',
    version: (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string })
      .version,
  };

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    private readonly proofs: MerkleProofService,
    private readonly keys: LedgerKeys,
    private readonly config: LedgerConfig,
    @Inject(GOVERNANCE_POLICY) private readonly policy: GovernancePolicy,
    private readonly selfAudit: SelfAuditService,
  ) {
    this.dir = join(config.LEDGER_DATA_DIR, 'exports');
    this.quota = new ExportQuota({
      concurrentPerCaller: config.LEDGER_EXPORTS_CONCURRENT_PER_CALLER,
      perHourPerCaller: config.LEDGER_EXPORTS_PER_HOUR_PER_CALLER,
      concurrent: config.LEDGER_EXPORTS_CONCURRENT,
    });
  }

  onModuleInit(): void {
    // Bundles left by an earlier run have no owner any more: nobody can fetch them.
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  onApplicationShutdown(): void {
    for (const held of this.held.values()) clearTimeout(held.timer);
    rmSync(this.dir, { recursive: true, force: true });
  }

  async export(
    caller: Caller,
    request: ExportRequest,
    correlationId: string,
  ): Promise<{ bundle: ExportedBundle; expiresAt: string }> {
    if (caller.systems && !caller.systems.includes(request.systemId)) {
      await this.selfAudit.accessDenied({
        caller,
        operation: 'graphql exportEvidenceBundle',
        reason: 'the system is not granted to this regulator',
        status: 403,
      });
      throw new ProblemError({
        status: 403,
        code: 'FORBIDDEN',
        field: 'systemId',
        message: `a regulator exports only the systems granted to it (${caller.systems.join(', ') || 'none'})`,
      });
    }
    const admission = this.quota.admit(`${caller.tenantId}/${caller.id}`, Date.now());
    if (!admission.admitted) throw quotaProblem(admission);
    const exportId = randomUUID();
    try {
      const bundle = await exportEvidenceBundle({
        store: this.store,
        readStore: this.readStore,
        proofs: this.proofs,
        keys: { signers: this.keys.signers(), verifierKeys: this.keys.verifierKeys() },
        origin: this.config.LEDGER_ORIGIN,
        scope: { tenantId: caller.tenantId, systemId: request.systemId, from: request.from, to: request.to },
        sinceCheckpoint: request.sinceCheckpoint,
        exportedBy: { id: caller.id, role: caller.role },
        recipient: request.recipient,
        generator: this.generator,
        compliancePolicy: {
          requiredRoles: this.policy.requiredRoles,
          validationValidityDays: this.policy.validationValidityDays,
          auditIntervalDays: this.config.LEDGER_AUDIT_INTERVAL_DAYS,
          incidentReportGraceHours: this.config.LEDGER_INCIDENT_REPORT_GRACE_HOURS,
        },
        out: join(this.dir, `${exportId}.tar.gz`),
        exportId,
      });
      await recordExport(this.store, bundle, {
        tenantId: caller.tenantId,
        actor: caller,
        source: 'ledger-api/graphql',
        correlationId,
        recipient: request.recipient,
      });
      const expiresAt = new Date(Date.now() + EXPORT_TTL_MS).toISOString();
      const timer = setTimeout(() => this.forget(exportId), EXPORT_TTL_MS);
      timer.unref();
      this.held.set(exportId, {
        tenantId: caller.tenantId,
        exportedBy: caller.id,
        systemId: request.systemId,
        file: bundle.file,
        expiresAt,
        timer,
      });
      return { bundle, expiresAt };
    } catch (error) {
      rmSync(join(this.dir, `${exportId}.tar.gz`), { force: true });
      if (error instanceof EvidenceExportError)
        throw new ProblemError({
          status: STATUS[error.code],
          code: error.code,
          message: error.message,
          ...(error.field ? { field: error.field } : {}),
        });
      throw error;
    } finally {
      admission.release();
    }
  }

  /**
   * The bundle file, for the caller who made it and who may still read its
   * system: a regulator only while the system is granted to it, as in every
   * query. Anyone else is told it does not exist, so an export id discloses
   * nothing; the refusal itself is recorded like every other.
   */
  async bundleFile(caller: Caller, exportId: string): Promise<string> {
    const held = this.held.get(exportId);
    if (!held) throw missingExport(exportId);
    const refusal =
      held.tenantId !== caller.tenantId || held.exportedBy !== caller.id
        ? 'the bundle was made by another caller'
        : caller.systems && !caller.systems.includes(held.systemId)
          ? "the bundle's system is not granted to this regulator"
          : undefined;
    if (refusal) {
      await this.selfAudit.accessDenied({ caller, operation: DOWNLOAD, reason: refusal, status: 404 });
      throw missingExport(exportId);
    }
    return held.file;
  }

  private forget(exportId: string): void {
    const held = this.held.get(exportId);
    if (!held) return;
    this.held.delete(exportId);
    rmSync(held.file, { force: true });
  }
}

function missingExport(exportId: string): ProblemError {
  return new ProblemError({
    status: 404,
    code: 'NOT_FOUND',
    field: 'exportId',
    message: `no export ${exportId} of yours is waiting; bundles are kept for an hour after exportEvidenceBundle`,
  });
}

const LIMIT_SETTING = {
  'concurrent-per-caller': 'LEDGER_EXPORTS_CONCURRENT_PER_CALLER',
  'per-hour-per-caller': 'LEDGER_EXPORTS_PER_HOUR_PER_CALLER',
  concurrent: 'LEDGER_EXPORTS_CONCURRENT',
} as const;

/** A caller over its own allowance is told 429 and when to come back; a service at its cap, 503 (EXPORT_BUSY), as before. */
function quotaProblem(refused: Extract<Admission, { admitted: false }>): ProblemError {
  const setting = LIMIT_SETTING[refused.limit];
  const retryAfterSeconds =
    refused.retryAfterMs === undefined ? undefined : Math.ceil(refused.retryAfterMs / 1000);
  const details = { limit: setting, max: refused.max, ...(retryAfterSeconds ? { retryAfterSeconds } : {}) };
  switch (refused.limit) {
    case 'concurrent-per-caller':
      return new ProblemError({
        status: 429,
        code: 'EXPORT_QUOTA_EXCEEDED',
        message: `you already have ${refused.max} export(s) being made (${setting}); retry when one of yours finishes`,
        details,
      });
    case 'per-hour-per-caller':
      return new ProblemError({
        status: 429,
        code: 'EXPORT_QUOTA_EXCEEDED',
        message: `you have started ${refused.max} exports in the last hour (${setting}); retry after ${retryAfterSeconds} s`,
        details,
      });
    case 'concurrent':
      return new ProblemError({
        status: 503,
        code: 'EXPORT_BUSY',
        message: `${refused.max} exports are already being made (${setting}); retry when one finishes`,
        details,
      });
  }
}
