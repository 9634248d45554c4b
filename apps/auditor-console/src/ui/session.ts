import { createContext, useContext } from 'react';
import type { TokenClaims } from '../auth/claims';

export interface Session {
  token: string;
  claims?: TokenClaims;
  /** Drops the token; `notice` tells the user why they are back at the sign-in page. */
  signOut(notice?: string): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}
