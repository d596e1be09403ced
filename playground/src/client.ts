/**
 * An Apollo Client for Herald, meant to be copied into your app.
 *
 * Transport
 * - Queries and mutations go over HTTP to `/graphql` with
 *   `Authorization: Bearer <token>`. When the variables hold a `File` or
 *   `Blob`, the request becomes a GraphQL multipart request
 *   (apollo-upload-client), which is how Herald receives uploads.
 * - Subscriptions share one websocket (graphql-transport-ws, via
 *   graphql-ws). A websocket cannot carry headers, so the token goes in the
 *   `connection_init` payload as `{ authorization: "Bearer <token>" }`.
 *   `connectionParams` is a function, which graphql-ws calls at every
 *   (re)connection: a socket always opens with the token stored now, and
 *   no new client is needed when the token changes.
 *
 * Session
 * - `signIn` stores the token and its `expiresAt`, as `signUp` or `logIn`
 *   returned them, in sessionStorage: each browser tab signs in on its
 *   own, so two tabs can be two users. `signOut` calls `logOut` (best
 *   effort), which makes Herald refuse the token everywhere, then forgets
 *   the token.
 * - Tokens expire (after an hour by default), and Herald closes a
 *   websocket when its token expires. So, before that, the client calls
 *   `refreshToken` over HTTP: once 80% of the token's life has passed, or
 *   60 s before it expires if that is sooner (see `refreshDelay`). It
 *   stores the new token and expiry, and schedules the next refresh.
 * - Then it restarts the websocket (`terminate()`), so that it reconnects
 *   with the new token. The subscriptions on the old socket end with an
 *   error that `isSocketRestart` recognises: subscribe again at once, with
 *   the newest cursor you have seen. Herald's subscriptions take an
 *   `after` cursor and replay everything since it, so nothing is lost in
 *   the switch (src/inbox/live.ts shows how).
 * - When Herald refuses the token we hold (UNAUTHENTICATED on a request
 *   that sent it, a refresh included, or close code 4403 on the websocket:
 *   the token expired, or its session was logged out, perhaps on another
 *   device with `logOutEverywhere`), the session is over: the token is
 *   forgotten and `onSessionEnded` is called, so that the app can ask the
 *   user to sign in again. Our own restarts never look like this: they
 *   report close code 4499, and the old socket's own close goes unheard.
 *
 * A dropped websocket is not reopened behind your subscriptions' backs:
 * each subscription ends with an error instead, and should subscribe again
 * after a pause, with the newest cursor it has seen; reopening with the
 * original variables would replay from the original cursor.
 */
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import UploadHttpLink from 'apollo-upload-client/UploadHttpLink.mjs';
import { OperationTypeNode } from 'graphql';
import { createClient, TerminatedCloseEvent } from 'graphql-ws';

import { graphql } from './gql';

/** Herald's GraphQL endpoint, for HTTP and websockets alike. */
const GRAPHQL_PATH = '/graphql';

/** The sessionStorage key holding the signed-in user's token. */
const TOKEN_KEY = 'herald.token';

/** The sessionStorage key holding when that token expires (RFC 3339). */
const EXPIRES_AT_KEY = 'herald.tokenExpiresAt';

/**
 * The close code Herald sends when it refuses a websocket's token: at
 * `connection_init`, when the token expires, or when its session is logged out.
 */
const CLOSE_FORBIDDEN = 4403;

/**
 * How often the websocket pings Herald. A connection that silently died is
 * noticed (and its subscriptions fail) within about this long.
 */
const KEEP_ALIVE_MS = 10_000;

/** A token is refreshed once this share of the time it has left has passed… */
const REFRESH_AFTER_SHARE = 0.8;

/**
 * …or this long before it expires, if that is sooner: time enough for the
 * refresh, a retry or two, and the reconnection.
 */
const REFRESH_LEAD_MS = 60_000;

/**
 * When a refresh got no answer (offline, Herald restarting), the next try
 * comes this much later; the current token stays valid meanwhile.
 */
const REFRESH_RETRY_MS = 10_000;

/** The longest delay `setTimeout` honours (about 24.8 days): longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const RefreshTokenMutation = graphql(`
  mutation RefreshToken {
    refreshToken {
      token
      expiresAt
    }
  }
`);

const LogOutMutation = graphql(`
  mutation LogOut {
    logOut
  }
`);

/** A token and when it expires, as `signUp`, `logIn` and `refreshToken` return them. */
export interface Credentials {
  token: string;
  /** RFC 3339. When unknown (null), the client refreshes at once to learn it. */
  expiresAt: string | null;
}

/** The signed-in user's token, or null when this tab is signed out. */
export function readToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

function readCredentials(): Credentials | null {
  const token = readToken();
  return token === null ? null : { token, expiresAt: sessionStorage.getItem(EXPIRES_AT_KEY) };
}

function storeCredentials({ token, expiresAt }: Credentials): void {
  sessionStorage.setItem(TOKEN_KEY, token);
  if (expiresAt === null) sessionStorage.removeItem(EXPIRES_AT_KEY);
  else sessionStorage.setItem(EXPIRES_AT_KEY, expiresAt);
}

function forgetCredentials(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(EXPIRES_AT_KEY);
}

/**
 * How long to wait before refreshing a token that expires at `expiresAt`:
 * until 80% of the time it has left has passed, or until 60 s before it
 * expires if that is sooner, but never less than half the time it has
 * left, so that a token that lives only seconds is not refreshed in a
 * tight loop. 0 (refresh now) for an unknown or past expiry. The schedule
 * trusts the browser's clock to be roughly right.
 */
export function refreshDelay(expiresAt: string | null, now: number = Date.now()): number {
  const left = expiresAt === null ? NaN : Date.parse(expiresAt) - now;
  if (!(left > 0)) return 0;
  const lead = Math.min(Math.max(left * (1 - REFRESH_AFTER_SHARE), REFRESH_LEAD_MS), left / 2);
  return left - lead;
}

/**
 * True for the error a subscription ends with when the client restarted
 * the websocket to move it to a new token: subscribe again at once, after
 * the newest cursor seen. It is no sign of trouble.
 */
export function isSocketRestart(error: unknown): boolean {
  return error instanceof TerminatedCloseEvent;
}

export interface HeraldClientOptions {
  /**
   * Called when Herald refused the stored token, after it was forgotten.
   * `reason` is Herald's explanation, ready to show.
   */
  onSessionEnded?: (reason: string) => void;
  /**
   * Called with each token a refresh brings and the one it replaces, for
   * a page that shows the token or hands it on. Requests and the websocket
   * switch to it by themselves.
   */
  onTokenRefreshed?: (token: string, replaced: string) => void;
}

export interface HeraldClient {
  apollo: ApolloClient;
  /** Signs this tab in with what `signUp` or `logIn` returned, and keeps the session alive. */
  signIn(credentials: Credentials): void;
  /**
   * Signs this tab out: asks Herald to log the session out, then forgets
   * the token without waiting. Resolves once Herald answered, or failed to.
   */
  signOut(): Promise<void>;
  /** Stops refreshing, closes the websocket and stops the client; call it when done with it. */
  close(): void;
}

export function createHeraldClient({
  onSessionEnded,
  onTokenRefreshed,
}: HeraldClientOptions = {}): HeraldClient {
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;

  const endSession = (reason: string) => {
    if (readToken() === null) return;
    clearTimeout(refreshTimer);
    forgetCredentials();
    onSessionEnded?.(reason);
  };

  const socket = createClient({
    url: websocketUrl(),
    lazy: true,
    retryAttempts: 0,
    keepAlive: KEEP_ALIVE_MS,
    connectionParams: () => {
      const token = readToken();
      return token === null ? {} : { authorization: bearer(token) };
    },
    on: {
      closed: (event) => {
        // Never one of our own restarts: those report 4499, and the old
        // socket's close goes unheard.
        if (isCloseEvent(event) && event.code === CLOSE_FORBIDDEN) {
          endSession(`UNAUTHENTICATED: the server refused the token (${event.reason || 'Forbidden'})`);
        }
      },
    },
  });

  const withToken = new SetContextLink(({ headers }) => {
    // A request that names its token keeps it: signOut's `logOut` is sent
    // as the token it logs out is being forgotten.
    if (headers?.['authorization']) return {};
    const token = readToken();
    return token === null ? {} : { headers: { ...headers, authorization: bearer(token) } };
  });

  const onRefusedToken = new ErrorLink(({ error }) => {
    if (!CombinedGraphQLErrors.is(error)) return;
    // `logIn` answers UNAUTHENTICATED for a wrong password, which says
    // nothing about the token this tab holds.
    const refused = error.errors.find(
      (e) => e.extensions?.['code'] === 'UNAUTHENTICATED' && e.path?.[0] !== 'logIn',
    );
    if (refused) endSession(`UNAUTHENTICATED: ${refused.message}`);
  });

  const overWebsocket = new GraphQLWsLink(socket);
  const overHttp = ApolloLink.from([withToken, new UploadHttpLink({ uri: GRAPHQL_PATH })]);

  const apollo = new ApolloClient({
    cache: new InMemoryCache(),
    link: ApolloLink.from([
      onRefusedToken,
      ApolloLink.split(
        (operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION,
        overWebsocket,
        overHttp,
      ),
    ]),
  });

  const scheduleRefresh = (delayMs: number) => {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => void refresh(), Math.min(delayMs, MAX_TIMER_MS));
  };

  const refresh = async () => {
    const token = readToken();
    if (token === null) return;
    let refreshed: Credentials;
    try {
      const { data } = await apollo.mutate({
        mutation: RefreshTokenMutation,
        fetchPolicy: 'no-cache',
        errorPolicy: 'none',
      });
      refreshed = { token: data.refreshToken.token, expiresAt: data.refreshToken.expiresAt };
    } catch (error) {
      // UNAUTHENTICATED: the token is no longer valid, and the error link
      // has ended the session. FORBIDDEN: an identity provider's token,
      // which that provider refreshes; sign in with its new one. Anything
      // else (no answer, a server in trouble) is worth another try.
      const code = refusalCode(error);
      if (readToken() === token && code !== 'UNAUTHENTICATED' && code !== 'FORBIDDEN') {
        scheduleRefresh(REFRESH_RETRY_MS);
      }
      return;
    }
    // Signed out, or in as someone else, while the refresh was under way.
    if (readToken() !== token) return;
    storeCredentials(refreshed);
    socket.terminate();
    scheduleRefresh(refreshDelay(refreshed.expiresAt));
    onTokenRefreshed?.(refreshed.token, token);
  };

  // A tab that was signed in before this page loaded keeps its session alive too.
  const stored = readCredentials();
  if (stored !== null) scheduleRefresh(refreshDelay(stored.expiresAt));

  return {
    apollo,
    signIn(credentials) {
      storeCredentials(credentials);
      // A socket opened before now belongs to whoever was signed in then.
      socket.terminate();
      scheduleRefresh(refreshDelay(credentials.expiresAt));
    },
    signOut() {
      const token = readToken();
      if (token === null) return Promise.resolve();
      const loggedOut = apollo
        .mutate({
          mutation: LogOutMutation,
          context: { headers: { authorization: bearer(token) } },
        })
        .then(
          () => undefined,
          () => undefined,
        );
      // The tab is signed out whatever Herald answers; with the token
      // forgotten, the 4403 that logOut causes on our websocket is no news.
      clearTimeout(refreshTimer);
      forgetCredentials();
      return loggedOut;
    },
    close() {
      clearTimeout(refreshTimer);
      apollo.stop();
      void socket.dispose();
    },
  };
}

function bearer(token: string): string {
  return `Bearer ${token}`;
}

/** Herald's `extensions.code` for a refused request, or null when no GraphQL answer came. */
function refusalCode(error: unknown): string | null {
  if (!CombinedGraphQLErrors.is(error)) return null;
  const code = error.errors[0]?.extensions?.['code'];
  return typeof code === 'string' ? code : null;
}

/** `ws://` or `wss://` on the page's own host, matching how the page was served. */
function websocketUrl(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}${GRAPHQL_PATH}`;
}

function isCloseEvent(event: unknown): event is CloseEvent {
  return typeof event === 'object' && event !== null && 'code' in event && 'reason' in event;
}
