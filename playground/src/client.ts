/**
 * An Apollo Client for Herald, meant to be copied into your app.
 *
 * - Queries and mutations go over HTTP to `/graphql` with
 *   `Authorization: Bearer <token>`. When the variables hold a `File` or
 *   `Blob`, the request becomes a GraphQL multipart request
 *   (apollo-upload-client), which is how Herald receives uploads.
 * - Subscriptions share one websocket (graphql-transport-ws, via
 *   graphql-ws). A websocket cannot carry headers, so the token goes in the
 *   `connection_init` payload as `{ authorization: "Bearer <token>" }`.
 * - The token lives in sessionStorage: each browser tab signs in on its
 *   own, so two tabs can be two users.
 * - When Herald refuses the token (UNAUTHENTICATED on a request that sent
 *   one, or close code 4403 on the websocket) the token is forgotten and
 *   `onSessionEnded` is called, so the app can show its sign-in form.
 *
 * A dropped websocket is not reopened behind your subscriptions' backs:
 * each subscription ends with an error instead. Herald's subscriptions take
 * an `after` cursor and replay everything since it, so the way to survive a
 * drop is to subscribe again with the newest cursor you have seen; reopening
 * with the original variables would replay from the original cursor.
 */
import { ApolloClient, ApolloLink, CombinedGraphQLErrors, InMemoryCache } from '@apollo/client';
import { SetContextLink } from '@apollo/client/link/context';
import { ErrorLink } from '@apollo/client/link/error';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import UploadHttpLink from 'apollo-upload-client/UploadHttpLink.mjs';
import { OperationTypeNode } from 'graphql';
import { createClient } from 'graphql-ws';

/** Herald's GraphQL endpoint, for HTTP and websockets alike. */
const GRAPHQL_PATH = '/graphql';

/** The sessionStorage key holding the signed-in user's token. */
const TOKEN_KEY = 'herald.token';

/** The close code Herald sends when `connection_init` carries a bad or expired token. */
const CLOSE_FORBIDDEN = 4403;

/**
 * How often the websocket pings Herald. A connection that silently died is
 * noticed (and its subscriptions fail) within about this long.
 */
const KEEP_ALIVE_MS = 10_000;

/** The signed-in user's token, or null when this tab is signed out. */
export function readToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Signs this tab in: later requests and websockets carry `token`. */
export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** Signs this tab out. */
export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export interface HeraldClientOptions {
  /**
   * Called when Herald refused the stored token, after it was forgotten.
   * `reason` is Herald's explanation, ready to show.
   */
  onSessionEnded?: (reason: string) => void;
}

export interface HeraldClient {
  apollo: ApolloClient;
  /** Closes the websocket and stops the client; call it when done with it. */
  close(): void;
}

export function createHeraldClient({ onSessionEnded }: HeraldClientOptions = {}): HeraldClient {
  const endSession = (reason: string) => {
    if (readToken() === null) return;
    forgetToken();
    onSessionEnded?.(reason);
  };

  const socket = createClient({
    url: websocketUrl(),
    lazy: true,
    retryAttempts: 0,
    keepAlive: KEEP_ALIVE_MS,
    // Read at every (re)connection, so a new sign-in needs no new client.
    connectionParams: () => {
      const token = readToken();
      return token === null ? {} : { authorization: `Bearer ${token}` };
    },
    on: {
      closed: (event) => {
        if (isCloseEvent(event) && event.code === CLOSE_FORBIDDEN) {
          endSession(`UNAUTHENTICATED: the server refused the token (${event.reason || 'Forbidden'})`);
        }
      },
    },
  });

  const withToken = new SetContextLink(({ headers }) => {
    const token = readToken();
    return token === null ? {} : { headers: { ...headers, authorization: `Bearer ${token}` } };
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

  return {
    apollo,
    close() {
      apollo.stop();
      void socket.dispose();
    },
  };
}

/** `ws://` or `wss://` on the page's own host, matching how the page was served. */
function websocketUrl(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}${GRAPHQL_PATH}`;
}

function isCloseEvent(event: unknown): event is CloseEvent {
  return typeof event === 'object' && event !== null && 'code' in event && 'reason' in event;
}
