// The live half of the inbox: one subscription to the signed-in user's
// notifications that survives reloads and dropped connections.
//
// Herald's `notifications(userId, after)` subscription first replays every
// notification after the `after` cursor, then streams new ones, with no gap
// and no duplicate. So the inbox keeps the newest cursor it has seen in
// sessionStorage and, whenever it (re)subscribes (after a reload, or after
// the websocket dropped), passes it as `after`: whatever happened meanwhile
// arrives first. The caller still dedupes by id, because the list it shows
// comes from a query that may already hold some of the replayed ones.
//
// The same resubscription carries the inbox across token refreshes: the
// client moves the websocket to each new token by restarting it, and the
// subscription, ended by that restart, comes back at once after its cursor.
import { useApolloClient } from '@apollo/client/react';
import { CombinedGraphQLErrors } from '@apollo/client';
import { useEffect, useRef, useState } from 'react';

import { isSocketRestart } from '../client';
import type { NotificationFieldsFragment } from '../gql/graphql';
import { LiveNotificationsSubscription } from './operations';

/**
 * Waits before each attempt to subscribe again after a failure: quick at
 * first (a restarting server is back within a second or two), then backing
 * off so that a server that is down is not hammered.
 */
const RESUBSCRIBE_DELAYS_MS = [500, 1_000, 2_000, 5_000, 10_000];

/** Where the newest cursor seen by this tab is kept, per user. */
function cursorKey(userId: string): string {
  return `herald.inbox.cursor.${userId}`;
}

export function readCursor(userId: string): string | null {
  return sessionStorage.getItem(cursorKey(userId));
}

export function storeCursor(userId: string, cursor: string): void {
  sessionStorage.setItem(cursorKey(userId), cursor);
}

function forgetCursor(userId: string): void {
  sessionStorage.removeItem(cursorKey(userId));
}

/** What the live connection is doing, for the status line. */
export type LiveStatus = 'off' | 'listening' | 'reconnecting';

/**
 * Subscribes once `start` is given (the inbox waits for its first page, so
 * that without a stored cursor it can start after the newest one it shows)
 * and calls `onNotification` for each arrival, in order. Each arrival's
 * cursor is stored before `onNotification` runs.
 */
export function useLiveNotifications(
  userId: string,
  start: { after: string | null } | null,
  onNotification: (notification: NotificationFieldsFragment) => void,
): LiveStatus {
  const client = useApolloClient();
  const [status, setStatus] = useState<LiveStatus>('off');
  // The latest callback, without resubscribing when it changes.
  const deliver = useRef(onNotification);
  deliver.current = onNotification;
  const startAfter = start?.after;
  const started = start !== null;

  useEffect(() => {
    if (!started) return;
    if (readCursor(userId) === null && startAfter) storeCursor(userId, startAfter);

    let stopped = false;
    let failures = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let subscription: { unsubscribe(): void } | undefined;

    const subscribe = () => {
      setStatus('listening');
      subscription = client
        .subscribe({
          query: LiveNotificationsSubscription,
          variables: { userId, after: readCursor(userId) },
        })
        .subscribe({
          next: ({ data, error }) => {
            if (error) return retryAfter(error);
            const notification = data?.notifications;
            if (!notification) return;
            failures = 0;
            storeCursor(userId, notification.cursor);
            deliver.current(notification);
          },
          error: retryAfter,
          complete: () => retryAfter(null),
        });
    };

    function retryAfter(error: unknown) {
      subscription?.unsubscribe();
      if (stopped) return;
      // The client moved the websocket to a refreshed token: nothing went
      // wrong, and the cursor covers the moment without a socket.
      if (isSocketRestart(error)) return subscribe();
      if (CombinedGraphQLErrors.is(error)) {
        const code = error.errors[0]?.extensions?.['code'];
        // The client has already ended the session; the inbox unmounts.
        if (code === 'UNAUTHENTICATED') return;
        // A stored cursor Herald cannot read: start over from now on, and
        // let the list query fill in the past.
        if (code === 'BAD_USER_INPUT') forgetCursor(userId);
      }
      setStatus('reconnecting');
      const delay = RESUBSCRIBE_DELAYS_MS[Math.min(failures, RESUBSCRIBE_DELAYS_MS.length - 1)];
      failures += 1;
      retryTimer = setTimeout(subscribe, delay);
    }

    subscribe();
    return () => {
      stopped = true;
      clearTimeout(retryTimer);
      subscription?.unsubscribe();
      setStatus('off');
    };
  }, [client, userId, started, startAfter]);

  return status;
}
