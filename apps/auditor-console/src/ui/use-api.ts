import { useCallback, useEffect, useState } from 'react';
import { refusalNotice, UnauthenticatedError } from '../api';
import { useSession } from './session';

export interface ApiState<T> {
  data?: T;
  error?: Error;
  loading: boolean;
}

/**
 * Loads on mount and whenever `key` changes; a stale answer never overwrites a
 * newer one. A refused token ends the session at once, so no view goes on
 * showing what the holder may no longer read.
 */
export function useApi<T>(
  load: (token: string, signal: AbortSignal) => Promise<T>,
  key: string,
): ApiState<T> & { reload(): void } {
  const session = useSession();
  const [state, setState] = useState<ApiState<T>>({ loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState({ loading: true });
    load(session.token, controller.signal).then(
      (data) => controller.signal.aborted || setState({ data, loading: false }),
      (error: Error) => {
        if (controller.signal.aborted) return;
        if (error instanceof UnauthenticatedError) session.signOut(refusalNotice(error));
        else setState({ error, loading: false });
      },
    );
    return () => controller.abort();
    // `load` is a new closure on every render; `key` names what it loads.
  }, [key, generation, session.token]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}

/** For actions (search, export, verify): the same refusal handling as useApi, run on demand. */
export function useAction(): <T>(run: (token: string) => Promise<T>) => Promise<T> {
  const session = useSession();
  return useCallback(
    async <T>(run: (token: string) => Promise<T>) => {
      try {
        return await run(session.token);
      } catch (error) {
        if (error instanceof UnauthenticatedError) session.signOut(refusalNotice(error));
        throw error;
      }
    },
    [session],
  );
}
