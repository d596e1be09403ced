// GraphiQL's fetcher for Herald: HTTP for queries and mutations, and
// graphql-transport-ws for subscriptions, each sent as the user named by
// the Authorization header in the tab's header editor.
import { createGraphiQLFetcher, type Fetcher, type SyncExecutionResult } from '@graphiql/toolkit';
import { createClient } from 'graphql-ws';

import { operationNameFor } from './operationName';

const GRAPHQL_PATH = '/graphql';

/** A user signed in by a `signUp` or `logIn` run in GraphiQL. */
export interface SignedIn {
  token: string;
  /** Null when the operation did not select `expiresAt`. */
  expiresAt: string | null;
  user: { id: string; name: string };
}

/**
 * `onSignedIn` hears of every token that a `signUp` or `logIn` run returns,
 * so the page can put it into the header editor.
 */
export function createHeraldFetcher(onSignedIn: (signedIn: SignedIn) => void): Fetcher {
  // A websocket carries its token once, in connection_init, so each
  // Authorization value gets its own (lazy) websocket client; the header
  // editor thus decides who a subscription runs as, as it does for HTTP.
  const byAuthorization = new Map<string, Fetcher>();
  const fetcherFor = (authorization: string): Fetcher => {
    let fetcher = byAuthorization.get(authorization);
    if (fetcher === undefined) {
      fetcher = createGraphiQLFetcher({
        url: GRAPHQL_PATH,
        // Herald answers with one JSON body (no @defer), and a plain
        // promise lets signUp and logIn results be read below.
        enableIncrementalDelivery: false,
        wsClient: createClient({
          url: websocketUrl(),
          lazy: true,
          connectionParams: authorization === '' ? {} : { authorization },
        }),
      });
      byAuthorization.set(authorization, fetcher);
    }
    return fetcher;
  };

  return (params, options) => {
    const operation = { ...params, operationName: operationNameFor(params.query, params.operationName) };
    const result = fetcherFor(authorizationIn(options?.headers))(operation, options);
    if (result instanceof Promise) {
      return result.then((value) => {
        const signedIn = signedInBy(value);
        if (signedIn) onSignedIn(signedIn);
        return value;
      });
    }
    return result;
  };
}

/** The Authorization header as the user typed it, whatever its case. */
function authorizationIn(headers: Record<string, unknown> | undefined): string {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'authorization' && typeof value === 'string') return value;
  }
  return '';
}

/** The token, expiry and user of a successful `signUp` or `logIn` result. */
function signedInBy(result: SyncExecutionResult): SignedIn | null {
  if (typeof result !== 'object' || result === null || !('data' in result)) return null;
  const data = result.data as Record<string, unknown> | null | undefined;
  for (const field of ['signUp', 'logIn']) {
    const payload = data?.[field] as Partial<SignedIn> | null | undefined;
    if (typeof payload?.token === 'string' && payload.user) {
      const expiresAt = typeof payload.expiresAt === 'string' ? payload.expiresAt : null;
      return { token: payload.token, expiresAt, user: payload.user };
    }
  }
  return null;
}

function websocketUrl(): string {
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}${GRAPHQL_PATH}`;
}
