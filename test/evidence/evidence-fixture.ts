import { LocalIssuer } from '@ledger/auth';
import type { StoredEvent } from '@ledger/event-store';
import { spawn } from 'node:child_process';
import { BUNDLE_FILES } from '@ledger/evidence';
import { openValues, type ErasableValues } from '@ledger/integrity';
import type { Bundle } from '@medplum/fhirtypes';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { seedDemoOrganisation, type SeedReport } from '../../apps/govledger-cli/src/demo/demo-organisation';
import { LedgerClient } from '../../apps/govledger-cli/src/demo/ledger-client';
import { entryPoint, REPO_ROOT } from '../support/child-process';
import { collect } from '../support/events';
import { startTestApi, type StoreKind, type TestApi } from '../support/ledger-api';

/** The service with a seed-demo organisation in it, sealing every 200 ms so exports need not wait. */
export async function seededLedger(
  kind: StoreKind,
  accessEvents: number,
  env: Record<string, string> = {},
): Promise<{ api: TestApi; seed: SeedReport }> {
  const api = await startTestApi(kind, { LEDGER_CHECKPOINT_EVERY_MS: '200', ...env });
  const issuer = await LocalIssuer.open(join(api.dataDir, 'keys'), 'govledger-local', 'govledger');
  const seed = await seedDemoOrganisation(new LedgerClient(api.url, issuer, 'default'), {
    accessEvents,
    onProgress: () => undefined,
  });
  return { api, seed };
}

/**
 * Waits until the service has checkpointed everything recorded (the latest
 * checkpoint is the same twice, 600 ms apart) and, with `stamped`, until its
 * timestamp authority has stamped it (the stamped count is non-zero and still):
 * an export then holds that checkpoint, and its token.
 */
export async function settled(api: TestApi, { stamped = false } = {}): Promise<string> {
  const metricsToken = await api.token('auditor.amy', 'auditor');
  const state = async () =>
    [
      await (await fetch(`${api.url}/checkpoint`)).text(),
      stamped
        ? (/ledger_timestamp_requests_total\{result="stamped"\} ([1-9]\d*)/.exec(
            await (
              await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })
            ).text(),
          )?.[1] ?? '')
        : 'n/a',
    ].join('|');
  for (let seen = '', now = await state(); ; seen = now, now = await state()) {
    if (now === seen && !now.endsWith('|')) return now.split('|')[0];
    await new Promise((resolve) => setTimeout(resolve, 600));
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `govledger` in a child process, as a user runs it. Asynchronous, because the
 * service under test runs in this process and must keep sealing meanwhile.
 */
export function govledger(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return runChild(process.execPath, [...entryPoint('apps/govledger-cli/src/main.ts'), ...args], {
    cwd: REPO_ROOT,
    env,
  });
}

/** A child process to its end, its output collected. */
export function runChild(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, options);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The environment of a machine that has only the bundle: no ledger settings, no database, no reachable data directory. */
export function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env))
    if (!/^(LEDGER_|DATABASE_URL|EVENTSTORE_|PG|AUTH_)/.test(key)) env[key] = value;
  return { ...env, LEDGER_DATA_DIR: join(tmpdir(), 'no-ledger-here'), PGHOST: '/nonexistent', PGPORT: '1' };
}

/** The environment `govledger export` needs to reach the test service's store. */
export function ledgerEnv(api: TestApi): NodeJS.ProcessEnv {
  return { ...offlineEnv(), LEDGER_DATA_DIR: api.dataDir, PGHOST: '', PGPORT: '' };
}

/** exportEvidenceBundle over GraphQL as an auditor, then the download with the same token. */
export async function exportOverGraphql(api: TestApi, variables: Record<string, unknown>, out: string) {
  const token = await api.token('auditor.amy', 'auditor');
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const response = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      query: `mutation($systemId: ID!, $from: DateTime, $to: DateTime, $sinceCheckpoint: String, $recipient: String) {
        exportEvidenceBundle(systemId: $systemId, from: $from, to: $to, sinceCheckpoint: $sinceCheckpoint, recipient: $recipient) {
          exportId downloadUrl expiresAt createdAt bytes manifestSha256 events checkpoint { treeSize rootHash } } }`,
      variables,
    }),
  });
  const body = (await response.json()) as {
    data?: { exportEvidenceBundle: Record<string, any> } | null;
    errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
  };
  if (!body.data) return { errors: body.errors ?? [] };
  const result = body.data.exportEvidenceBundle;
  const download = await fetch(`${api.url}${result.downloadUrl}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (download.status !== 200)
    throw new Error(`download answered ${download.status}: ${await download.text()}`);
  writeFileSync(out, Buffer.from(await download.arrayBuffer()));
  return { result, contentType: download.headers.get('content-type') };
}

/** The members of a bundle, in archive order, read whole (test bundles are small). */
export async function bundleMembers(file: string): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  const archive = extract();
  Readable.from(readFileSync(file)).pipe(createGunzip()).pipe(archive);
  for await (const entry of archive)
    found.set(entry.header.name, Buffer.concat(await collect(entry as AsyncIterable<Buffer>)));
  return found;
}

/** The FHIR R4 view of a bundle's members, as a recipient reads it after `gunzip -k`. */
export const fhirViewOf = (members: Map<string, Buffer>): Bundle =>
  JSON.parse(gunzipSync(members.get(BUNDLE_FILES.fhirGzip)!).toString()) as Bundle;

export const scratchDir = () => mkdtempSync(join(tmpdir(), 'evidence-'));

/**
 * The events of a bundle's events.jsonl as the ledger reads them (envelope,
 * integrity and position), whichever format wrote them: v1 lines are the
 * stored event, v2 lines carry its hashed form beside its position, leaf
 * index and hash. A scheme-2 event is opened with the values its line
 * carries; an erased value stays its commitment.
 */
export function bundleEvents(text: string): Array<StoredEvent & { position: string }> {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const parsed = JSON.parse(line) as {
        event?: StoredEvent;
        position: string;
        hash?: string;
        values?: Record<string, { salt: string; value: unknown }>;
      };
      const { values, ...rest } = parsed;
      const event = parsed.event
        ? {
            ...parsed.event,
            position: parsed.position,
            integrity: { ...parsed.event.integrity, hash: parsed.hash },
          }
        : rest;
      const opened: ErasableValues = {};
      for (const [pointer, { salt, value }] of Object.entries(values ?? {}))
        opened[pointer] = { kind: 'text', salt, value };
      return openValues(event as unknown as StoredEvent, opened) as StoredEvent & { position: string };
    });
}
