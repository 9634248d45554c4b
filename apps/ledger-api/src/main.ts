import { nodeRuntimeProblem } from '@ledger/platform';
import { ConfigError, loadConfig } from '@ledger/runtime';

async function main(): Promise<void> {
  const runtimeProblem = nodeRuntimeProblem();
  if (runtimeProblem) {
    process.stderr.write(`${runtimeProblem}\n`);
    process.exit(78); // EX_CONFIG, as for a bad environment: another Node is needed, a restart will not help
  }
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG: the operator must fix the environment; a restart will not help
  }
  // Tracing starts before Nest and the store are loaded (hence the deferred imports), so it is in place for the first span.
  const tracing = config.OTEL_EXPORTER_OTLP_ENDPOINT
    ? (await import('./tracing/start-tracing')).startTracing(config.OTEL_EXPORTER_OTLP_ENDPOINT)
    : undefined;
  const { startLedgerApi } = await import('./bootstrap');
  const { app, logger, startup } = await startLedgerApi(config);

  const grace = config.LEDGER_SHUTDOWN_GRACE_MS;
  const shutdown = async (signal: NodeJS.Signals) => {
    logger.info({ signal, graceMs: grace }, 'shutting down: no new requests, finishing those in flight');
    setTimeout(() => {
      logger.error(
        { graceMs: grace },
        'requests still in flight after the grace period; exiting without them',
      );
      process.exit(1);
    }, grace).unref();
    // Closes the HTTP server (waiting for in-flight requests), then the store.
    await app.close();
    await tracing?.shutdown(); // the spans of the last requests are still batched
    logger.info('stopped cleanly');
    process.exit(0);
  };
  process.once('SIGTERM', (s) => void shutdown(s));
  process.once('SIGINT', (s) => void shutdown(s));
  logger.info(startup, 'ledger-api listening');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `ledger-api failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
