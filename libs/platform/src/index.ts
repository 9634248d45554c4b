/*
 * Where a ledger process runs: whether this Node can run it, and the checkout
 * root it reads `schema/` and `package.json` from. Kept apart from
 * `@ledger/runtime` because it loads nothing: the govledger CLI needs it before
 * every command, and `@ledger/runtime` loads the configuration's validators,
 * the domain and the store drivers (about 1,100 modules, 0.3 s of CPU).
 */
export { nodeRuntimeProblem } from './node-runtime';
export { repoRoot } from './repo-root';
export { startThread, stopThreads, type ThreadOptions } from './threads';
