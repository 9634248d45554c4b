import type { GraphqlContext } from '../graphql/graphql-context';
import { callerFrom, type Caller } from '../request-context/caller';
import { ProblemError } from '../errors/problem';

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

export function queryCaller(ctx: GraphqlContext): Caller {
  return callerFrom(ctx.request);
}

/** Page sizes are capped so one query cannot ask the read store for everything. */
export function pageOf(first: number | null | undefined, after: string | null | undefined) {
  const size = first ?? DEFAULT_PAGE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE)
    throw new ProblemError({
      status: 400,
      code: 'VALIDATION_FAILED',
      field: 'first',
      message: `first must be a whole number from 1 to ${MAX_PAGE}`,
    });
  return { first: size, after };
}

/** Instants are compared as text in the read store, so they are normalised to one UTC form first. */
export function instant(value: string | null | undefined, now: Date = new Date()): string {
  return value === undefined || value === null ? now.toISOString() : new Date(value).toISOString();
}
