// What the user wants to be told: each kind of notification on or off in
// the inbox and as a push, whether this browser gets pushes, and the
// boards they muted. The panel shows the preferences that the live `inbox`
// subscription last pushed, so a change made in another tab or device
// shows here too; a change made here shows once Herald pushes it back, as
// it does everywhere else.
//
// Pushes reach a browser that turned them on here, while none of the
// user's tabs is connected; push.ts holds the browser's side of it.
import type { ApolloClient } from '@apollo/client';
import { useApolloClient, useMutation } from '@apollo/client/react';
import { useEffect, useId, useState } from 'react';

import { ErrorMessage, useFormRequest } from '../errors';
import type { NotificationChannel, NotificationKind } from '../gql/graphql';
import {
  PushSubscriptionsQuery,
  RegisterPushSubscriptionMutation,
  SetNotificationPreferenceMutation,
  UnmuteBoardMutation,
  UnregisterPushSubscriptionMutation,
  WebPushPublicKeyQuery,
} from './operations';
import { browserSubscription, subscribeBrowser, subscriptionKeys, supportsPush, updateWorker } from './push';
import type { Preferences } from './sync';

/** What each kind of notification is about, as the checkbox says it. */
const KIND_LABELS: Record<NotificationKind, string> = {
  CARD_ASSIGNED: 'You are assigned to a card',
  CARD_UPDATED: 'A card you are assigned to is edited',
  COMMENT_ADDED: 'Someone comments on a card you created or are assigned to',
  POST_UPLOADED: 'Someone you follow posts a photo',
  CHAT_MENTION: 'Someone mentions you in a chat room',
  CUSTOM: 'An app you use tells you something through Herald',
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
          <KindToggles legend="Tell me in the inbox when" channel="IN_APP" preferences={preferences} />
          <fieldset>
            <legend>Push notifications</legend>
            <PushToggle />
          </fieldset>
          <KindToggles legend="Push me when" channel="PUSH" preferences={preferences} />
          <MutedBoards boards={preferences.mutedBoards} />
        </>
      )}
    </section>
  );
}

function KindToggles({
  legend,
  channel,
  preferences,
}: {
  legend: string;
  channel: NotificationChannel;
  preferences: Preferences;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {preferences.kinds
        .filter((preference) => preference.channel === channel)
        .map((preference) => (
          <KindToggle
            key={preference.kind}
            kind={preference.kind}
            channel={channel}
            enabled={preference.enabled}
          />
        ))}
    </fieldset>
  );
}

function KindToggle({
  kind,
  channel,
  enabled,
}: {
  kind: NotificationKind;
  channel: NotificationChannel;
  enabled: boolean;
}) {
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
        onChange={() => void submit(() => setPreference({ variables: { kind, channel, enabled: !enabled } }))}
      />
      <label htmlFor={id}>{KIND_LABELS[kind]}</label>
      <ErrorMessage error={error} />
    </div>
  );
}

/**
 * Whether this browser gets the user's pushes: on when it holds a push
 * subscription that Herald has on the user's list. Another user of the
 * same browser may have registered it; turning it on here moves it to
 * this user.
 */
function PushToggle() {
  const id = useId();
  const client = useApolloClient();
  const [register] = useMutation(RegisterPushSubscriptionMutation);
  const [unregister] = useMutation(UnregisterPushSubscriptionMutation);
  const { error, pending, submit } = useFormRequest();
  const supported = supportsPush();
  /** Null while finding out. */
  const [on, setOn] = useState<boolean | null>(supported ? null : false);

  useEffect(() => {
    if (!supported) return;
    let current = true;
    let pushed = false;
    void submit(async () => {
      pushed = await pushesReachThisBrowser(client);
    }).then(() => {
      // Off when that could not be found out; the error says why.
      if (current) setOn(pushed);
    });
    return () => {
      current = false;
    };
  }, [client, submit, supported]);

  const turnOn = () =>
    submit(async () => {
      const { data } = await client.query({ query: WebPushPublicKeyQuery, errorPolicy: 'none' });
      const subscription = await subscribeBrowser(data.webPushPublicKey);
      await register({ variables: subscriptionKeys(subscription) });
      setOn(true);
    });
  const turnOff = () =>
    submit(async () => {
      const subscription = await browserSubscription();
      if (subscription !== null) {
        // Herald first: once it lets go, nothing is pushed to the endpoint.
        await unregister({ variables: { endpoint: subscription.endpoint } });
        await subscription.unsubscribe();
      }
      setOn(false);
    });

  return (
    <>
      <div className="toggle">
        <input
          id={id}
          type="checkbox"
          checked={on === true}
          disabled={!supported || pending || on === null}
          onChange={() => void (on ? turnOff() : turnOn())}
        />
        <label htmlFor={id}>Send me push notifications when no tab is open</label>
        <ErrorMessage error={error} />
      </div>
      {!supported && (
        <p role="status" className="muted">
          This browser does not support Web Push.
        </p>
      )}
    </>
  );
}

/**
 * Whether Herald pushes this user's notifications to this browser. When it
 * does, the worker is registered again, which keeps it current.
 */
async function pushesReachThisBrowser(client: ApolloClient): Promise<boolean> {
  const subscription = await browserSubscription();
  if (subscription === null) return false;
  const { data } = await client.query({
    query: PushSubscriptionsQuery,
    fetchPolicy: 'network-only',
    errorPolicy: 'none',
  });
  const pushed = data.pushSubscriptions.some((registered) => registered.endpoint === subscription.endpoint);
  if (pushed) await updateWorker();
  return pushed;
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
