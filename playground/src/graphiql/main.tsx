// GraphiQL wired to Herald: HTTP for queries and mutations, websockets
// for subscriptions, the walkthrough's operations preloaded as tabs, and a
// sign-in bar that fills the Authorization header.
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import '../styles.css';
import './graphiql.css';

import { GraphiQL } from 'graphiql';
import { StrictMode, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';

import { createHeraldClient, type Credentials, readToken } from '../client';
import { AuthorizationHeader } from './AuthorizationHeader';
import { createHeraldFetcher } from './fetcher';
import { type SessionUser, SessionBar } from './SessionBar';
import { WALKTHROUGH_TABS } from './tabs';

function Playground() {
  const [token, setToken] = useState(readToken);
  const [user, setUser] = useState<SessionUser | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // Tokens of this sign-in that refreshes replaced: a tab whose header
  // still sends one of them is moved to the current token.
  const [staleTokens, setStaleTokens] = useState<readonly string[]>([]);
  const [herald] = useState(() =>
    createHeraldClient({
      onSessionEnded: (reason) => {
        setToken(null);
        setUser(null);
        setNotice(reason);
        setStaleTokens([]);
      },
      onTokenRefreshed: (refreshed, replaced) => {
        setToken(refreshed);
        setStaleTokens((stale) => [...stale, replaced]);
      },
    }),
  );

  const signIn = (credentials: Credentials, newUser: SessionUser) => {
    herald.signIn(credentials);
    setToken(credentials.token);
    setUser(newUser);
    setNotice(null);
    setStaleTokens([]);
  };
  const signOut = () => {
    void herald.signOut();
    setToken(null);
    setUser(null);
    setStaleTokens([]);
  };

  // Tokens returned by signUp and logIn runs sign this page in too.
  const fetcher = useMemo(
    () => createHeraldFetcher(({ user: newUser, ...credentials }) => signIn(credentials, newUser)),
    // signIn only uses the client and state setters, which never change.
    [],
  );

  return (
    <div className="graphiql-page">
      <SessionBar
        client={herald.apollo}
        token={token}
        user={user}
        notice={notice}
        onUser={setUser}
        onSignedIn={signIn}
        onSignOut={signOut}
      />
      <div className="graphiql-frame">
        <GraphiQL
          fetcher={fetcher}
          defaultTabs={WALKTHROUGH_TABS}
          defaultEditorToolsVisibility="headers"
          shouldPersistHeaders={false}
        >
          <AuthorizationHeader token={token} staleTokens={staleTokens} />
        </GraphiQL>
      </div>
    </div>
  );
}

const root = document.getElementById('root');
if (root === null) throw new Error('the page has no #root element');
createRoot(root).render(
  <StrictMode>
    <Playground />
  </StrictMode>,
);
