/** What the token says about its holder, read for display only: the API checks the signature and decides. */
export interface TokenClaims {
  sub: string;
  role: string;
  tenant: string;
  /** Milliseconds since the epoch; undefined when the token carries no exp (the API refuses such tokens). */
  expiresAt?: number;
}

export function readClaims(token: string): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const json = atob(parts[1].replaceAll('-', '+').replaceAll('_', '/'));
    const claims = JSON.parse(json) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : '');
    return {
      sub: text(claims.sub),
      role: text(claims.role),
      tenant: text(claims.tenant),
      ...(typeof claims.exp === 'number' ? { expiresAt: claims.exp * 1000 } : {}),
    };
  } catch {
    return undefined;
  }
}
