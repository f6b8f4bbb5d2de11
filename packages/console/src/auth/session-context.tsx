// Who is signed in. On load it asks GET /auth/me (the session cookie is HTTP-only); signing in
// keeps the CSRF token in memory only, and /auth/me hands it back after a reload.
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { type ApiClient, createApiClient, unwrap } from '../api/api-client.ts';
import type { Me, Role } from '../api/types.ts';

type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; expired: boolean }
  | { status: 'signed-in'; me: Me };

interface Session {
  state: SessionState;
  api: ApiClient;
  csrfToken(): string | null;
  /** Ends the session after a 401 that did not come through the API client (the upload's XHR). */
  expire(): void;
  signIn(username: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const token = useRef<string | null>(null);
  const expire = useCallback(() => {
    token.current = null;
    setState((previous) => ({ status: 'signed-out', expired: previous.status === 'signed-in' }));
  }, []);
  const api = useMemo(
    () => createApiClient({ csrfToken: () => token.current, onUnauthenticated: expire }),
    [expire],
  );

  useEffect(() => {
    unwrap(api.GET('/api/v1/auth/me')).then(
      (me) => {
        token.current = me.csrfToken;
        setState({ status: 'signed-in', me });
      },
      () => setState({ status: 'signed-out', expired: false }),
    );
  }, [api]);

  const signIn = useCallback(
    async (username: string, password: string) => {
      const answer = await unwrap(api.POST('/api/v1/auth/login', { body: { username, password } }));
      token.current = answer.csrfToken;
      const { user } = answer;
      setState({
        status: 'signed-in',
        me: { kind: 'user', id: user.id, name: user.username, role: user.role, csrfToken: answer.csrfToken },
      });
    },
    [api],
  );

  const signOut = useCallback(async () => {
    try {
      await unwrap(api.POST('/api/v1/auth/logout'));
    } finally {
      token.current = null;
      setState({ status: 'signed-out', expired: false });
    }
  }, [api]);

  const value = useMemo<Session>(
    () => ({ state, api, csrfToken: () => token.current, expire, signIn, signOut }),
    [state, api, expire, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

export function useApi(): ApiClient {
  return useSession().api;
}

const rank: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether the signed-in caller has at least `role`; what they may not do is not offered. */
export function useCan(role: Role): boolean {
  const { state } = useSession();
  return state.status === 'signed-in' && rank[state.me.role] >= rank[role];
}
