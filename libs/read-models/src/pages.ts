import type { Kysely } from 'kysely';
import type { CheckpointTables } from '@ledger/read-store';

/** What every query shares: pages, cursors, how far a read model has got, and the error for an argument it cannot answer. */

export interface Page {
  /** How many rows at most; the API caps it. */
  first: number;
  /** The cursor of the last row of the previous page. */
  after?: string | null;
}

export interface PageResult<T> {
  rows: T[];
  hasNextPage: boolean;
}

/** Cursors are opaque to clients; inside they are the row's ordering key, so appends never shift a page. */
export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** GraphQL hands an explicit `after: null` over as null: the same as no cursor. */
export function decodeCursor(cursor: string | null | undefined, field = 'after'): string | undefined {
  if (cursor === undefined || cursor === null) return undefined;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  if (key.length === 0 || encodeCursor(key) !== cursor)
    throw new QueryInputError(
      field,
      `${field} is not a cursor this API issued; pass an endCursor from a previous page`,
    );
  return key;
}

export function positionCursor(cursor: string | null | undefined): bigint | undefined {
  const key = decodeCursor(cursor);
  if (key === undefined) return undefined;
  if (!/^\d{1,20}$/.test(key))
    throw new QueryInputError(
      'after',
      'after is not a cursor this API issued; pass an endCursor from a previous page',
    );
  return BigInt(key);
}

/** A query argument that cannot be answered, naming the argument and what would be right. */
export class QueryInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'QueryInputError';
  }
}

export const parseJson = <T>(text: string | null): T =>
  text === null ? (null as T) : (JSON.parse(text) as T);

/** The store position a projection has applied through (0 before its first event): its tables change only when this moves. */
export async function appliedThrough(db: Kysely<CheckpointTables>, projection: string): Promise<bigint> {
  const row = await db
    .selectFrom('projection_checkpoints')
    .select('position')
    .where('name', '=', projection)
    .executeTakeFirst();
  return BigInt(row?.position ?? 0);
}
