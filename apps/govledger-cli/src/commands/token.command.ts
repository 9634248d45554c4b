import { isRole, jose, ROLES } from '@ledger/auth';
import type { Command } from 'commander';
import { announceLedger, CliError, printJson } from '../cli-context';
import { cliConfig, existingIssuer } from '../ledger-access';

export function registerTokenCommand(program: Command): void {
  program
    .command('token')
    .description(
      "print a short-lived bearer token from the ledger's local issuer (the key in LEDGER_DATA_DIR/keys the service verifies against), alone on stdout",
    )
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .requiredOption('--tenant <tenant>', 'the tenant the token acts in')
    .requiredOption('--sub <id>', 'who the token is for: a person or a service id')
    .option(
      '--ttl <seconds>',
      'how long it lives (at most AUTH_MAX_TOKEN_LIFETIME_SECONDS, 24 h by default)',
      '900',
    )
    .option('--systems <ids>', 'regulator: comma-separated AI system ids it may read')
    .option('--event-types <types>', 'emitter: comma-separated event types it may send')
    .option('--json', 'print the token with its key id, expiry and claims as JSON')
    .action(
      async (options: {
        role: string;
        tenant: string;
        sub: string;
        ttl: string;
        systems?: string;
        eventTypes?: string;
        json?: boolean;
      }) => {
        const config = cliConfig();
        if (config.AUTH_JWKS_URL)
          throw new CliError(
            'the local issuer is off because AUTH_JWKS_URL is set; get tokens from your identity provider',
          );
        if (!isRole(options.role)) throw new CliError(`--role must be one of ${ROLES.join(', ')}`);
        if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(options.tenant))
          throw new CliError('--tenant must be 1-63 lower-case letters, digits or hyphens');
        const ttl = Number(options.ttl);
        // The service refuses a token living longer than this; issuing one would only hand out a dud.
        const max = config.AUTH_MAX_TOKEN_LIFETIME_SECONDS;
        if (!Number.isInteger(ttl) || ttl < 1 || ttl > max)
          throw new CliError(
            `--ttl must be a whole number of seconds from 1 to ${max} (AUTH_MAX_TOKEN_LIFETIME_SECONDS)`,
          );
        const list = (value?: string) =>
          value
            ?.split(',')
            .map((v) => v.trim())
            .filter(Boolean);
        const issuer = existingIssuer(config);
        announceLedger(config, issuer.keyId);
        const principal = {
          id: options.sub,
          role: options.role,
          tenantId: options.tenant,
          systems: list(options.systems),
          eventTypes: list(options.eventTypes),
        };
        const token = await issuer.issue(principal, ttl);
        if (options.json)
          printJson({
            token,
            keyId: issuer.keyId,
            issuer: issuer.issuer,
            audience: issuer.audience,
            expiresAt: new Date(Number(jose().decodeJwt(token).exp) * 1000).toISOString(),
            ...principal,
          });
        else process.stdout.write(`${token}\n`);
      },
    );
}
