import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { readClaims } from './auth/claims';
import { completeSignIn } from './auth/oidc';
import { href, useRoute } from './ui/route';
import { type Session, SessionContext } from './ui/session';
import { Time } from './ui/components';
import { SignIn } from './views/SignIn';
import { Systems } from './views/Systems';
import { SystemPage } from './views/SystemPage';
import { DataAccess } from './views/DataAccess';
import { Findings } from './views/Findings';
import { ProvingEvents } from './views/ProvingEvents';
import { Integrity } from './views/Integrity';
import { Export } from './views/Export';

// sessionStorage: a token survives a reload but not the closing of the tab, and is never shared between tabs.
const TOKEN_KEY = 'govledger.token';

const SECTIONS = [
  { path: 'systems', label: 'AI systems' },
  { path: 'data-access', label: 'Data access' },
  { path: 'findings', label: 'Compliance findings' },
  { path: 'integrity', label: 'Integrity' },
  { path: 'export', label: 'Export evidence' },
] as const;

export function App() {
  const [token, setToken] = useState(() => sessionStorage.getItem(TOKEN_KEY) ?? undefined);
  const [notice, setNotice] = useState<string>();
  const [completing, setCompleting] = useState(
    () =>
      new URLSearchParams(location.search).has('code') || new URLSearchParams(location.search).has('error'),
  );

  const signIn = useCallback((next: string) => {
    sessionStorage.setItem(TOKEN_KEY, next);
    setNotice(undefined);
    setToken(next);
  }, []);
  const signOut = useCallback((why?: string) => {
    sessionStorage.removeItem(TOKEN_KEY);
    setNotice(why);
    setToken(undefined);
  }, []);

  useEffect(() => {
    if (!completing) return;
    completeSignIn()
      .then((accessToken) => accessToken && signIn(accessToken))
      .catch((error: Error) => setNotice(error.message))
      .finally(() => setCompleting(false));
  }, [completing, signIn]);

  const claims = useMemo(() => (token ? readClaims(token) : undefined), [token]);
  // Sign out the moment the token expires, rather than after the next refused request.
  useEffect(() => {
    if (!claims?.expiresAt) return;
    const remaining = claims.expiresAt - Date.now();
    const expire = () =>
      signOut(
        `Your token expired at ${new Date(claims.expiresAt ?? 0).toISOString()}. Sign in again with a fresh token.`,
      );
    if (remaining <= 0) return expire();
    // setTimeout holds at most about 24.8 days; a longer-lived token is checked again on the next sign-in.
    const timer = setTimeout(expire, Math.min(remaining, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [claims, signOut]);

  const session: Session | null = useMemo(
    () => (token ? { token, ...(claims ? { claims } : {}), signOut } : null),
    [token, claims, signOut],
  );

  return (
    <>
      <a
        className="skip"
        href="#main"
        onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}
      >
        Skip to content
      </a>
      <header className="top">
        <p className="brand">GovLedger · auditor console</p>
        {session && (
          <div className="who">
            <span>
              {claims?.sub || 'unknown holder'} · role {claims?.role || 'unknown'} · tenant{' '}
              {claims?.tenant || 'unknown'}
              {claims?.expiresAt && (
                <>
                  {' '}
                  · expires <Time iso={new Date(claims.expiresAt).toISOString()} />
                </>
              )}
            </span>
            <button type="button" onClick={() => signOut('You signed out.')}>
              Sign out
            </button>
          </div>
        )}
      </header>
      {session ? (
        <SessionContext.Provider value={session}>
          <SignedIn />
        </SessionContext.Provider>
      ) : (
        <main id="main" tabIndex={-1}>
          {completing ? (
            <p role="status">Completing sign-in…</p>
          ) : (
            <SignIn notice={notice} onToken={signIn} />
          )}
        </main>
      )}
    </>
  );
}

function SignedIn() {
  const route = useRoute();
  const [section = 'systems', ...rest] = route.path;
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // Keyboard and screen-reader users land on the new view, not at the top of the page they left.
  useEffect(() => {
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [section, rest[0], rest[1]]);
  return (
    <>
      <nav aria-label="Console sections" className="sections">
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.path}>
              <a href={href([s.path])} aria-current={section === s.path ? 'page' : undefined}>
                {s.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1} ref={main}>
        <View section={section} rest={rest} params={route.params} />
      </main>
    </>
  );
}

function View({ section, rest, params }: { section: string; rest: string[]; params: URLSearchParams }) {
  switch (section) {
    case 'systems':
      return rest[0] ? (
        <SystemPage systemId={rest[0]} tab={rest[1] ?? 'overview'} params={params} />
      ) : (
        <Systems />
      );
    case 'data-access':
      return <DataAccess params={params} />;
    case 'findings':
      return <Findings params={params} />;
    case 'evidence':
      return <ProvingEvents params={params} />;
    case 'integrity':
      return <Integrity params={params} />;
    case 'export':
      return <Export params={params} />;
    default:
      return (
        <div role="alert" className="alert">
          <h1>No such page</h1>
          <p>
            <a href={href(['systems'])}>Go to the AI systems</a>
          </p>
        </div>
      );
  }
}
