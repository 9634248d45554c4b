/**
 * Lets a jest suite load `@eventstore/db-client`. The repository's jest config
 * compiles every module, node_modules included, and the compiled
 * google-protobuf bundle no longer sees its top-level `this`, so it falls back
 * to `self` for the global object; Node has none. Import this before anything
 * that loads the client. Outside jest the bundle runs as shipped and needs nothing.
 */
(globalThis as { self?: unknown }).self ??= globalThis;
