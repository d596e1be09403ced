// What the user wants to be told: each kind of notification on or off in
// the inbox, and the boards they muted. The panel shows the preferences
// that the live `inbox` subscription last pushed, so a change made in
// another tab or device shows here too; a change made here shows once
// Herald pushes it back, as it does everywhere else.
import { useMutation } from '@apollo/client/react';
import { useId } from 'react';

import { ErrorMessage, useFormRequest } from '../errors';
import type { NotificationKind } from '../gql/graphql';
import { SetNotificationPreferenceMutation, UnmuteBoardMutation } from './operations';
import type { Preferences } from './sync';

/** What each kind of notification is about, as the checkbox says it. */
const KIND_LABELS: Record<NotificationKind, string> = {
  CARD_ASSIGNED: 'You are assigned to a card',
  CARD_UPDATED: 'A card you are assigned to is edited',
  COMMENT_ADDED: 'Someone comments on a card you created or are assigned to',
  POST_UPLOADED: 'Someone you follow posts a photo',
  CHAT_MENTION: 'Someone mentions you in a chat room',
};

export function NotificationSettings({ preferences }: { preferences: Preferences | null }) {
  const headingId = useId();
  return (
    <section className="settings" aria-labelledby={headingId}>
      <h2 id={headingId}>Notification settings</h2>
      {preferences === null ? (
        <p aria-busy="true">Waiting for the live connection to bring your settings…</p>
      ) : (
        <>
          <fieldset>
            <legend>Tell me in the inbox when</legend>
            {preferences.kinds
              .filter((preference) => preference.channel === 'IN_APP')
              .map((preference) => (
                <KindToggle key={preference.kind} kind={preference.kind} enabled={preference.enabled} />
              ))}
          </fieldset>
          <MutedBoards boards={preferences.mutedBoards} />
        </>
      )}
    </section>
  );
}

function KindToggle({ kind, enabled }: { kind: NotificationKind; enabled: boolean }) {
  const id = useId();
  const [setPreference] = useMutation(SetNotificationPreferenceMutation);
  const { error, pending, submit } = useFormRequest();
  return (
    <div className="toggle">
      <input
        id={id}
        type="checkbox"
        checked={enabled}
        disabled={pending}
        onChange={() => void submit(() => setPreference({ variables: { kind, enabled: !enabled } }))}
      />
      <label htmlFor={id}>{KIND_LABELS[kind]}</label>
      <ErrorMessage error={error} />
    </div>
  );
}

function MutedBoards({ boards }: { boards: Preferences['mutedBoards'] }) {
  const headingId = useId();
  return (
    <>
      <h3 id={headingId}>Muted boards</h3>
      {boards.length === 0 ? (
        <p className="muted">None. Mute a board from its page: nothing on it will notify you.</p>
      ) : (
        <ul className="muted-boards" aria-labelledby={headingId}>
          {boards.map((board) => (
            <li key={board.id}>
              <UnmuteBoardButton board={board} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function UnmuteBoardButton({ board }: { board: Preferences['mutedBoards'][number] }) {
  const [unmute] = useMutation(UnmuteBoardMutation);
  const { error, pending, submit } = useFormRequest();
  return (
    <>
      {board.name}{' '}
      <button
        type="button"
        disabled={pending}
        onClick={() => void submit(() => unmute({ variables: { boardId: board.id } }))}
      >
        Unmute board {board.name}
      </button>
      <ErrorMessage error={error} />
    </>
  );
}
