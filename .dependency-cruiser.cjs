/**
 * The layout in docs, enforced: each rule names the boundary it guards and says
 * why it exists. Every rule has a fixture that must break it
 * (test/architecture/fixtures/<rule name>/), checked by
 * test/architecture/dependency-rules.int.spec.ts.
 *
 * The domain and integrity libs are pure: they must run anywhere (the offline
 * bundle verifier, a regulator's machine) and be testable without I/O. CI fails
 * when they reach for Nest, a database driver, node's I/O, another lib or an app.
 */
const pureLibs = '^libs/(domain|integrity)/';
// Anchored on a path segment, not the start: a tree cruised from a subfolder
// (the rule fixtures) resolves packages to ../node_modules/.
const frameworksAndDrivers =
  '(^|/)node_modules/(@nestjs|better-sqlite3|pg|pg-pool|kysely|@eventstore|mercurius|fastify|@fastify|graphql|prom-client|pino)/';
const nodeIo =
  '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|worker_threads|dgram|dns|dns/promises|tls|cluster)$';

module.exports = {
  forbidden: [
    {
      name: 'pure-libs-no-framework-or-driver',
      severity: 'error',
      comment: 'libs/domain and libs/integrity import no Nest, no database driver and no I/O framework.',
      from: { path: pureLibs },
      to: { path: frameworksAndDrivers },
    },
    {
      name: 'pure-libs-no-node-io',
      severity: 'error',
      comment:
        'libs/domain and libs/integrity touch no file, socket or process: what they compute must not depend ' +
        'on where it runs. Hashing (node:crypto) and byte handling (node:buffer) are computation and allowed.',
      from: { path: pureLibs },
      to: { dependencyTypes: ['core'], path: nodeIo },
    },
    {
      name: 'pure-libs-no-apps',
      severity: 'error',
      from: { path: pureLibs },
      to: { path: '^apps/' },
    },
    {
      name: 'pure-libs-only-each-other',
      severity: 'error',
      comment: 'domain and integrity may depend on each other and nothing else in libs/.',
      from: { path: pureLibs },
      to: { path: '^libs/', pathNot: pureLibs },
    },
    {
      name: 'libs-no-apps',
      severity: 'error',
      comment:
        'A library serves the apps; it cannot know them. (The pure libs have their own rule above, so a ' +
        'violation is reported once, under the most specific name.)',
      from: { path: '^libs/', pathNot: pureLibs },
      to: { path: '^apps/' },
    },
    {
      name: 'no-app-to-app',
      severity: 'error',
      comment:
        'Each app is deployed on its own; what two apps share (configuration, opening the stores) belongs in ' +
        'a library, never in one app reached into by another.',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-no-test',
      severity: 'error',
      comment:
        'test/ is not built or shipped; a library that imports it breaks in dist. A lib folder that is itself ' +
        'test code (its conformance suite, its testing/ helpers) may share test/support.',
      from: { path: '^libs/', pathNot: '^libs/[^/]+/src/(conformance|testing)/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-deep-lib-imports',
      severity: 'error',
      comment:
        "A lib's surface is its index, reached as @ledger/<lib>: a relative path into another lib's src/ " +
        'depends on a file it may move or rename. (ESLint forbids @ledger/<lib>/<file>.)',
      from: { path: '^(apps|libs|test)/([^/]+)/' },
      to: { path: '^libs/[^/]+/src/', pathNot: '^$1/$2/', dependencyTypesNot: ['aliased-tsconfig-paths'] },
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
