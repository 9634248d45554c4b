/**
 * The domain and integrity libs are pure: they must run anywhere (the offline
 * bundle verifier, a regulator's machine) and be testable without I/O. CI fails
 * when they reach for Nest, a database driver, another lib or an app.
 */
const frameworksAndDrivers =
  '^node_modules/(@nestjs|better-sqlite3|pg|pg-pool|kysely|@eventstore|mercurius|fastify|@fastify|graphql|prom-client|pino)/';
module.exports = {
  forbidden: [
    {
      name: 'pure-libs-no-framework-or-driver',
      severity: 'error',
      comment: 'libs/domain and libs/integrity import no Nest, no database driver and no I/O framework.',
      from: { path: '^libs/(domain|integrity)/' },
      to: { path: frameworksAndDrivers },
    },
    {
      name: 'pure-libs-no-apps',
      severity: 'error',
      from: { path: '^libs/(domain|integrity)/' },
      to: { path: '^apps/' },
    },
    {
      name: 'pure-libs-only-each-other',
      severity: 'error',
      comment: 'domain and integrity may depend on each other and nothing else in libs/.',
      from: { path: '^libs/(domain|integrity)/' },
      to: { path: '^libs/', pathNot: '^libs/(domain|integrity)/' },
    },
    {
      name: 'libs-no-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-not-each-other',
      severity: 'error',
      comment:
        'An app reaches what it shares with another app through a lib (@ledger/runtime), never through its files.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'read-store-knows-no-consumer',
      severity: 'error',
      comment:
        'The read store and its runner serve projections and the transparency log alike, so they know neither.',
      from: { path: '^libs/read-store/' },
      to: { path: '^libs/', pathNot: '^libs/(read-store|event-store)/' },
    },
    {
      name: 'transparency-log-not-projections',
      severity: 'error',
      comment:
        'The transparency log is not a read model: it keeps its tables in the read store, not in the projections.',
      from: { path: '^libs/transparency-log/' },
      to: { path: '^libs/read-models/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.spec\\.ts$)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
