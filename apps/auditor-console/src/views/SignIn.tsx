import { type FormEvent, useEffect, useState } from 'react';
import { readClaims } from '../auth/claims';
import { beginSignIn, type OidcSettings } from '../auth/oidc';
import { Field } from '../ui/components';

/**
 * Two ways in: the organisation's identity provider (OIDC code flow with
 * PKCE) when the ledger is configured for one, and always a field for a
 * bearer token, which is how the embedded default (`govledger token`) works.
 */
export function SignIn({ notice, onToken }: { notice: string | undefined; onToken(token: string): void }) {
  const [oidc, setOidc] = useState<OidcSettings | null>(null);
  const [pasted, setPasted] = useState('');
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    fetch('/console/config.json')
      .then((r) => (r.ok ? (r.json() as Promise<{ oidc: OidcSettings | null }>) : { oidc: null }))
      .then((config) => setOidc(config.oidc))
      .catch(() => setOidc(null));
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const token = pasted.trim().replace(/^Bearer\s+/i, '');
    const claims = readClaims(token);
    if (!claims)
      return setProblem(
        'That is not a token: paste the whole JWT, three dot-separated parts, as `govledger token` prints it.',
      );
    if (claims.expiresAt !== undefined && claims.expiresAt <= Date.now())
      return setProblem(
        `That token expired at ${new Date(claims.expiresAt).toISOString()}. Issue a fresh one.`,
      );
    onToken(token);
  };

  const provider = async () => {
    if (!oidc) return;
    try {
      await beginSignIn(oidc);
    } catch (error) {
      setProblem((error as Error).message);
    }
  };

  return (
    <section aria-labelledby="sign-in" className="narrow">
      <h1 id="sign-in">Sign in</h1>
      {notice && (
        <div role="alert" className="alert">
          {notice}
        </div>
      )}
      {oidc && (
        <p>
          <button type="button" className="primary" onClick={() => void provider()}>
            Sign in with {new URL(oidc.issuer).host}
          </button>
        </p>
      )}
      <form onSubmit={submit}>
        <Field
          label="Bearer token"
          hint="On the embedded set-up: npx govledger token --role auditor --tenant default --sub <your name>"
        >
          {(id, describedBy) => (
            <textarea
              id={id}
              aria-describedby={describedBy}
              rows={4}
              value={pasted}
              onChange={(e) => setPasted(e.target.value)}
              spellCheck={false}
              autoComplete="off"
              required
            />
          )}
        </Field>
        {problem && (
          <p role="alert" className="error-text">
            {problem}
          </p>
        )}
        <button type="submit" className="primary">
          Sign in with this token
        </button>
      </form>
      <p className="muted">The token stays in this browser tab only, and is sent to this ledger alone.</p>
    </section>
  );
}
