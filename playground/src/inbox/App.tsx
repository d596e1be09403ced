// The inbox demo: sign in (per browser tab), then a board to act on, a
// photo feed, the live notification inbox with its bell and toasts, and
// the settings that say which notifications reach the inbox and which
// come as pushes to the browser.
import { ApolloProvider, useQuery } from '@apollo/client/react';
import { useMemo, useState } from 'react';

import { createHeraldClient, type Credentials, readToken } from '../client';
import { describeError, ErrorMessage } from '../errors';
import type { MeQuery as Me } from '../gql/graphql';
import { Boards } from './Boards';
import { Notifications } from './Notifications';
import { MeQuery } from './operations';
import { Photos } from './Photos';
import { NotificationSettings } from './Settings';
import { SignIn } from './SignIn';
import { useInbox } from './sync';

type User = Me['me'];

/** Where this tab stands: signed out (maybe with why), or holding a token. */
type Session = { signedIn: false; notice: string | null } | { signedIn: true };

export function App() {
  const [session, setSession] = useState<Session>(() =>
    readToken() === null ? { signedIn: false, notice: null } : { signedIn: true },
  );
  // One client for the page's lifetime; it reads the token per request
  // and refreshes it before it expires.
  const [herald] = useState(() =>
    createHeraldClient({
      onSessionEnded: (reason) => setSession({ signedIn: false, notice: reason }),
    }),
  );

  const signIn = (credentials: Credentials) => {
    // Nothing cached for a previous user may show for this one.
    void herald.apollo.clearStore();
    herald.signIn(credentials);
    setSession({ signedIn: true });
  };
  const signOut = () => {
    void herald.signOut();
    void herald.apollo.clearStore();
    setSession({ signedIn: false, notice: null });
  };

  return (
    <ApolloProvider client={herald.apollo}>
      <header className="page-header">
        <h1>Herald inbox</h1>
        <nav aria-label="Playground">
          <a href="/">About Herald</a> · <a href="/graphiql">GraphiQL</a>
        </nav>
      </header>
      {session.signedIn ? (
        <SignedIn onSignOut={signOut} />
      ) : (
        <SignIn notice={session.notice} onSignedIn={signIn} />
      )}
    </ApolloProvider>
  );
}

function SignedIn({ onSignOut }: { onSignOut: () => void }) {
  const { data, error } = useQuery(MeQuery);
  if (error) {
    return (
      <main>
        <ErrorMessage error={describeError(error)} />
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </main>
    );
  }
  if (!data) return <p aria-busy="true">Checking your session…</p>;
  return <Workspace me={data.me} onSignOut={onSignOut} />;
}

function Workspace({ me, onSignOut }: { me: User; onSignOut: () => void }) {
  const [boardId, setBoardId] = useState(() => sessionStorage.getItem(BOARD_KEY));
  const openBoard = (id: string) => {
    sessionStorage.setItem(BOARD_KEY, id);
    setBoardId(id);
  };
  const inbox = useInbox(me.id);
  const mutedBoards = inbox.preferences?.mutedBoards;
  const mutedBoardIds = useMemo(
    () => (mutedBoards === undefined ? null : new Set(mutedBoards.map((board) => board.id))),
    [mutedBoards],
  );
  return (
    <>
      <section className="whoami" aria-label="Your account">
        <p>
          Signed in as <strong>{me.name}</strong>
          {me.email !== null && ` (${me.email})`}. Your user id is{' '}
          <strong>{me.id}</strong>: others need it to add you to a board or follow you.
        </p>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </section>
      <main className="workspace">
        <Notifications inbox={inbox} onOpenBoard={openBoard} />
        <div className="activity">
          <NotificationSettings preferences={inbox.preferences} />
          <Boards me={me} boardId={boardId} mutedBoardIds={mutedBoardIds} onOpenBoard={openBoard} />
          <Photos />
        </div>
      </main>
    </>
  );
}

/** The sessionStorage key of the board this tab has open. */
const BOARD_KEY = 'herald.inbox.board';
