/**
 * Why this Node cannot run the ledger, or undefined when it can.
 *
 * Node 24.19.0 backported per-object cleanup hooks into `node::ObjectWrap`
 * without the registry those hooks rely on (nodejs/node#65446): when the
 * garbage collector frees a wrapped native object, the runtime can find no
 * environment for it, asserts `(env) != nullptr` in
 * RemoveEnvironmentCleanupHook and aborts the process.
 * better-sqlite3 wraps every prepared statement that way, so on 24.19.0 to
 * 24.21.x `govledger verify` and `export` died mid-run with SIGABRT before
 * printing anything, and the service risked the same. 24.22.0 added the
 * missing registry of addon cleanup hooks (nodejs/node#63985) and runs them
 * (the Node 24 smoke job, .ci/node-smoke). Refusing with this message beats a
 * silent abort halfway through a verification.
 */
export function nodeRuntimeProblem(version: string = process.versions.node): string | undefined {
  const [major, minor] = version.split('.').map(Number);
  const broken = major === 24 && minor >= 19 && minor < 22;
  if (!broken) return undefined;
  return (
    `Node ${version} aborts when it frees a better-sqlite3 statement (nodejs/node#65446, Node 24.19.0 to 24.21.x); ` +
    'run Node 24.22 or later, 22.15 or later, or 20.19 or later'
  );
}
