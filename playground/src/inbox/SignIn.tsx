// Signing up and logging in. Herald's refusals (a taken email is CONFLICT,
// a wrong password UNAUTHENTICATED, a short password BAD_USER_INPUT) are
// shown under the form that was sent.
import { useMutation } from '@apollo/client/react';
import { useId } from 'react';

import type { Credentials } from '../client';
import { ErrorMessage, useFormRequest } from '../errors';
import { LogInMutation, SignUpMutation } from './operations';

export function SignIn({
  notice,
  onSignedIn,
}: {
  notice: string | null;
  onSignedIn: (credentials: Credentials) => void;
}) {
  return (
    <main className="sign-in">
      {notice !== null && (
        <p role="alert" className="error">
          Your session has ended: {notice}. Please sign in again.
        </p>
      )}
      <p>
        Each browser tab signs in on its own, so two tabs can be two users: sign up as Alice here
        and as Bob in another tab, then watch Bob&apos;s actions reach Alice live.
      </p>
      <div className="forms">
        <SignUpForm onSignedIn={onSignedIn} />
        <LogInForm onSignedIn={onSignedIn} />
      </div>
    </main>
  );
}

function SignUpForm({ onSignedIn }: { onSignedIn: (credentials: Credentials) => void }) {
  const id = useId();
  const [signUp] = useMutation(SignUpMutation);
  const { error, pending, submit } = useFormRequest();
  return (
    <form
      aria-labelledby={`${id}-title`}
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        void submit(async () => {
          const { data } = await signUp({
            variables: {
              input: {
                name: String(form.get('name')),
                email: String(form.get('email')),
                password: String(form.get('password')),
              },
            },
          });
          if (data) onSignedIn(data.signUp);
        });
      }}
    >
      <h2 id={`${id}-title`}>Sign up</h2>
      <label htmlFor={`${id}-name`}>Name</label>
      <input id={`${id}-name`} name="name" required autoComplete="name" />
      <label htmlFor={`${id}-email`}>Email</label>
      <input id={`${id}-email`} name="email" type="email" required autoComplete="email" />
      <label htmlFor={`${id}-password`}>Password</label>
      <input
        id={`${id}-password`}
        name="password"
        type="password"
        required
        autoComplete="new-password"
      />
      <button type="submit" disabled={pending}>
        Sign up
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}

function LogInForm({ onSignedIn }: { onSignedIn: (credentials: Credentials) => void }) {
  const id = useId();
  const [logIn] = useMutation(LogInMutation);
  const { error, pending, submit } = useFormRequest();
  return (
    <form
      aria-labelledby={`${id}-title`}
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        void submit(async () => {
          const { data } = await logIn({
            variables: { email: String(form.get('email')), password: String(form.get('password')) },
          });
          if (data) onSignedIn(data.logIn);
        });
      }}
    >
      <h2 id={`${id}-title`}>Log in</h2>
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
      <button type="submit" disabled={pending}>
        Log in
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}
