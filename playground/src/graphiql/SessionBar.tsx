// The bar above GraphiQL: who the requests are sent as, and a form to
// sign in as someone (else). Signing up happens in the SignUp tabs; their
// tokens land here too.
import type { ApolloClient } from '@apollo/client';
import { useEffect, useId } from 'react';

import type { Credentials } from '../client';
import { ErrorMessage, useFormRequest } from '../errors';
import { graphql } from '../gql';

export interface SessionUser {
  id: string;
  name: string;
}

const SessionLogIn = graphql(`
  mutation SessionLogIn($email: String!, $password: String!) {
    logIn(email: $email, password: $password) {
      token
      expiresAt
      user {
        id
        name
      }
    }
  }
`);

const SessionMe = graphql(`
  query SessionMe {
    me {
      id
      name
    }
  }
`);

export function SessionBar({
  client,
  token,
  user,
  notice,
  onUser,
  onSignedIn,
  onSignOut,
}: {
  client: ApolloClient;
  token: string | null;
  user: SessionUser | null;
  notice: string | null;
  onUser: (user: SessionUser) => void;
  onSignedIn: (credentials: Credentials, user: SessionUser) => void;
  onSignOut: () => void;
}) {
  const id = useId();
  const logIn = useFormRequest();
  const whoami = useFormRequest();

  // A token left by the inbox in this tab: find out whose it is.
  useEffect(() => {
    if (token === null || user !== null) return;
    void whoami.submit(async () => {
      const { data } = await client.query({ query: SessionMe, fetchPolicy: 'network-only' });
      if (data) onUser(data.me);
    });
    // Asked once per token; the callbacks are stable.
  }, [token]);

  return (
    <header className="session-bar">
      <div className="session-status">
        <h1>Herald GraphiQL</h1>
        <p aria-live="polite">
          {token === null
            ? 'Not signed in: run a SignUp tab, or log in here.'
            : user === null
              ? 'Signed in.'
              : `Signed in as ${user.name} (user id ${user.id}).`}{' '}
          Signing in puts an Authorization header into the open tab and into each tab you open
          without one; a tab that sends an API key (<code>hk_…</code>) keeps its key.
        </p>
        {notice !== null && (
          <p role="alert" className="error">
            Your session has ended: {notice}
          </p>
        )}
        <ErrorMessage error={whoami.error} />
      </div>
      <form
        aria-label="Log in"
        className="session-form"
        onSubmit={(event) => {
          event.preventDefault();
          const fields = new FormData(event.currentTarget);
          void logIn.submit(async () => {
            const { data } = await client.mutate({
              mutation: SessionLogIn,
              variables: {
                email: String(fields.get('email')),
                password: String(fields.get('password')),
              },
            });
            if (data) onSignedIn(data.logIn, data.logIn.user);
          });
        }}
      >
        <label htmlFor={`${id}-email`}>Email</label>
        <input id={`${id}-email`} name="email" type="email" required autoComplete="email" />
        <label htmlFor={`${id}-password`}>Password</label>
        <input
          id={`${id}-password`}
          name="password"
          type="password"
          required
          autoComplete="current-password"
        />
        <button type="submit" disabled={logIn.pending}>
          Log in
        </button>
        {token !== null && (
          <button type="button" onClick={onSignOut}>
            Sign out
          </button>
        )}
        <ErrorMessage error={logIn.error} />
      </form>
      <nav aria-label="Playground">
        <a href="/">About Herald</a> · <a href="/inbox">Inbox demo</a>
      </nav>
    </header>
  );
}
