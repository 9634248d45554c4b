/*
 * The console reads only the ledger's own API: POST /graphql, plus the
 * integrity and export routes. Refusals become two kinds of error the views
 * show as such: the token is no longer accepted (401), or the role may not
 * read this (403 / GraphQL FORBIDDEN).
 */
import type { TypedDocumentString } from './gql/graphql';

export class UnauthenticatedError extends Error {}
export class ForbiddenError extends Error {}

/**
 * What the sign-in page says when the ledger refuses a token: the ledger's
 * own reason, which ends with what to do. A fixed "sign in again" would be
 * wrong advice for a token from another ledger, which no fresh token from
 * the same place would cure.
 */
export function refusalNotice(error: UnauthenticatedError): string {
  return `The ledger refused your token: ${error.message}.`;
}

interface GraphqlError {
  message: string;
  extensions?: { code?: string };
}

async function refusal(response: Response): Promise<Error | undefined> {
  if (response.ok) return undefined;
  const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  const message = body?.error?.message ?? `${response.status} ${response.statusText}`;
  if (response.status === 401) return new UnauthenticatedError(message);
  if (response.status === 403) return new ForbiddenError(message);
  return new Error(message);
}

/** Sends a generated document (./queries): its variables and its result are typed by the schema. */
export async function graphql<TResult, TVariables extends Record<string, unknown>>(
  token: string,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  signal?: AbortSignal,
): Promise<TResult> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    // Unset arguments are left out rather than sent as null: the ledger's cursor decoding refuses an explicit `after: null`.
    body: JSON.stringify({
      query: document.toString(),
      variables: Object.fromEntries(
        Object.entries(variables).filter(([, value]) => value !== null && value !== undefined),
      ),
    }),
    ...(signal ? { signal } : {}),
  });
  if (response.status === 401 || response.status === 403) throw (await refusal(response)) as Error;
  const body = (await response.json().catch(() => ({}))) as {
    data?: TResult | null;
    errors?: GraphqlError[];
  };
  const errors = body.errors ?? [];
  const forbidden = errors.find((e) => e.extensions?.code === 'FORBIDDEN');
  if (forbidden) throw new ForbiddenError(forbidden.message);
  const unauthenticated = errors.find((e) => e.extensions?.code === 'UNAUTHENTICATED');
  if (unauthenticated) throw new UnauthenticatedError(unauthenticated.message);
  if (errors.length > 0 || !body.data)
    throw new Error(
      errors.map((e) => e.message).join('; ') || `the API answered ${response.status} without data`,
    );
  return body.data;
}

/** GET a non-GraphQL route; the token is sent when there is one (public routes ignore it). */
export async function get(path: string, token?: string, signal?: AbortSignal): Promise<Response> {
  const response = await fetch(path, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    ...(signal ? { signal } : {}),
  });
  const error = await refusal(response);
  if (error) throw error;
  return response;
}
