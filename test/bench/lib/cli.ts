import type { Children, Measured } from './child';

export interface CliRun {
  stdout: string;
  seconds: number;
}

/**
 * `govledger <args>` on the ledger in `dataDir`, run as a user runs it: its
 * own process, timed from start to exit, with its peak RSS. A non-zero exit
 * fails the measurement with what the command said.
 */
export async function govledger(
  children: Children,
  dataDir: string,
  args: string[],
): Promise<Measured<CliRun>> {
  const { figures, peakRssMb } = await children.command('apps/govledger-cli/src/main', args, {
    PATH: process.env.PATH,
    LEDGER_STORE: 'sqlite',
    LEDGER_DATA_DIR: dataDir,
  });
  if (figures.code !== 0)
    throw new Error(
      `govledger ${args[0]} exited with ${figures.code}: ${figures.stdout}${figures.stderr.trim().slice(-2000)}`,
    );
  return { figures: { stdout: figures.stdout, seconds: figures.seconds }, peakRssMb };
}

/** A bearer token from `govledger token`, the way a deployment on the embedded default gets one. */
export async function bearerToken(
  children: Children,
  dataDir: string,
  role: string,
  sub: string,
  extra: string[] = [],
): Promise<string> {
  const { figures } = await govledger(children, dataDir, [
    'token',
    '--role',
    role,
    '--tenant',
    'default',
    '--sub',
    sub,
    '--ttl',
    '3600',
    ...extra,
  ]);
  return figures.stdout.trim();
}
