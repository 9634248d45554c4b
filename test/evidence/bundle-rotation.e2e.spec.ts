import { openCheckpoint, noteVerifier } from '@ledger/integrity';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/child-process';
import type { TestApi } from '../support/ledger-api';
import {
  bundleMembers,
  govledger,
  ledgerEnv,
  offlineEnv,
  runChild,
  scratchDir,
  seededLedger,
  settled,
  type CliRun,
} from './evidence-fixture';

/*
 * Issue 18, part 6: a key rotation never breaks a verifier. The command
 * `govledger export` prints is run exactly as printed, through a shell, with
 * a `govledger` on the PATH, on a bundle whose checkpoint the retired key
 * signed and on one signed during the overlap.
 */

const SYSTEM = 'sepsis-predictor';

describe('evidence bundle across a key rotation', () => {
  const dir = scratchDir();
  const bin = join(dir, 'bin');
  let api: TestApi;
  let oldKey: string;
  let newKey: string;

  /** Runs the printed line as a shell command, with `govledger` resolving to this checkout's CLI. */
  const runPrinted = (command: string): Promise<CliRun> =>
    runChild('sh', ['-c', command], {
      cwd: dir,
      env: { ...offlineEnv(), PATH: `${bin}:${process.env.PATH}` },
    });

  /** The verifier keys whose signatures a checkpoint carries, in signature order. */
  const signersOf = (checkpoint: string): string[] => {
    const keys = [oldKey, newKey].filter(Boolean);
    return openCheckpoint(checkpoint, keys.map(noteVerifier)).signatures.map((s) =>
      keys.find((k) => noteVerifier(k).keyId === s.keyId)!,
    );
  };

  const bundleCheckpoint = async (name: string) =>
    (await bundleMembers(join(dir, name))).get('checkpoint.note')!.toString('utf8');

  const exportBundle = async (name: string) => {
    const run = await govledger(
      ['export', '--system', SYSTEM, '--out', join(dir, name), '--actor', 'ops.olga'],
      ledgerEnv(api),
    );
    expect(run.stderr).not.toContain('Error');
    expect(run.code).toBe(0);
    const printed = /^verify it offline: (govledger verify-bundle .*)$/m.exec(run.stdout)?.[1];
    expect(printed).toBeDefined();
    return printed!;
  };

  beforeAll(async () => {
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'govledger'),
      // From any directory: the TypeScript loader and the project's settings are named by absolute path.
      `#!/bin/sh\nSWC_NODE_PROJECT='${join(REPO_ROOT, 'tsconfig.json')}' exec '${process.execPath}' -r '${require.resolve('@swc-node/register')}' '${join(REPO_ROOT, 'apps/govledger-cli/src/main.ts')}' "$@"\n`,
    );
    chmodSync(join(bin, 'govledger'), 0o755);
    api = (await seededLedger('sqlite', 20)).api;
    oldKey = (await (await fetch(`${api.url}/v1/keys`)).text()).trim();
  }, 240_000);
  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the printed command passes on a bundle whose checkpoint only the retired key signed', async () => {
    // Once the service has checkpointed everything seeded, the rotation comes before any new checkpoint.
    await settled(api);
    const rotated = await govledger(['keys', 'rotate'], ledgerEnv(api));
    expect(rotated.code).toBe(0);
    newKey = rotated.stdout.trim();
    const printed = await exportBundle('stale.tar.gz');
    // The bundle's checkpoint, not the service's latest: the export's own record may already have a newer one.
    expect(signersOf(await bundleCheckpoint('stale.tar.gz'))).toEqual([oldKey]);
    expect(printed).toContain(`--trusted-key '${oldKey}'`);
    expect(printed).toContain(`--trusted-key '${newKey}'`);
    const run = await runPrinted(printed);
    expect(run.stdout + run.stderr).toMatch(/^PASS: /);
    expect(run.code).toBe(0);
  }, 120_000);

  it('during the overlap new checkpoints carry both signatures, so a verifier knowing either key passes', async () => {
    // The previous export recorded an EvidenceExported event: this one waits for a checkpoint signed after the rotation.
    const printed = await exportBundle('overlap.tar.gz');
    expect(signersOf(await bundleCheckpoint('overlap.tar.gz'))).toEqual([newKey, oldKey]);
    const run = await runPrinted(printed);
    expect(run.stdout + run.stderr).toMatch(/^PASS: /);
    expect(run.code).toBe(0);
    for (const key of [oldKey, newKey]) {
      const alone = await runPrinted(`govledger verify-bundle overlap.tar.gz --trusted-key '${key}'`);
      expect(alone.stdout + alone.stderr).toMatch(/^PASS: /);
    }
  }, 120_000);
});
