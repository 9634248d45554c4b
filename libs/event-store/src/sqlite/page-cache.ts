import type Database from 'better-sqlite3';

/**
 * How many KiB of pages a connection keeps. better-sqlite3 builds SQLite with
 * 16 MiB a connection; the pages come back from the operating system's file
 * cache in microseconds, so a larger cache bought no speed in any benchmark
 * (32 and 64 MiB were tried on catch-up), only resident memory.
 *
 * - `single-pass`: a reader that passes over each page once (verify's walk
 *   and its threads) keeps next to none.
 * - `long-lived`: the service's event store and read store (and the read
 *   store's snapshot reader, for computed monitoring). Under load their
 *   16 MiB caches filled and made about 30 MB of the service's peak (the
 *   flood scenario: 264-265 MB, 234-237 MB at 4 MiB), with the
 *   interior pages of every index still held.
 */
const PAGE_CACHE_KIB = { 'single-pass': 2048, 'long-lived': 4096 } as const;

export function limitPageCache(database: Database.Database, use: keyof typeof PAGE_CACHE_KIB): void {
  // A negative size is in KiB rather than pages, whatever the page size.
  database.pragma(`cache_size = -${PAGE_CACHE_KIB[use]}`);
}
