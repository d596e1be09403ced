// The live half of the inbox: one `inbox` subscription for the signed-in
// user that survives dropped connections and token refreshes.
//
// Herald numbers every change to a user's inbox (a new notification, a
// read, a preference change) with a version, strictly increasing per user,
// and pushes each one to every device. A subscription starts with a STATE
// update: the inbox as it stands, at its current version. With `after` (a
// version), it starts with the STATE at that version instead, then sends
// every change since, with no gap and no duplicate.
//
// So this hook remembers the last version it applied and, whenever it
// subscribes again (the websocket dropped, or the client moved it to a
// refreshed token), passes it as `after`: whatever happened meanwhile
// arrives first. An update whose version is not above the last applied
// one is skipped; the STATE a resumed subscription opens with is such an
// update, restating what this tab already has.
//
// The version lives only as long as the page. A reloaded page loads its
// list again and subscribes afresh: its first STATE is the inbox now.
import { CombinedGraphQLErrors } from '@apollo/client';
import { useApolloClient } from '@apollo/client/react';
import { useEffect, useRef, useState } from 'react';

import { isSocketRestart } from '../client';
import type { InboxUpdatesSubscription as InboxUpdates } from '../gql/graphql';
import { InboxUpdatesSubscription } from './operations';

/** One change to the inbox, or its state, as Herald pushes it. */
export type InboxUpdate = InboxUpdates['inbox'];

/**
 * Waits before each attempt to subscribe again after a failure: quick at
 * first (a restarting server is back within a second or two), then backing
 * off so that a server that is down is not hammered.
 */
const RESUBSCRIBE_DELAYS_MS = [500, 1_000, 2_000, 5_000, 10_000];

/**
 * Refusals of `after` that no retry will change: a version Herald cannot
 * read (BAD_USER_INPUT), or one whose changes retention has deleted
 * (CURSOR_EXPIRED). Both mean: start again from the inbox as it is now.
 */
const UNRESUMABLE = new Set(['BAD_USER_INPUT', 'CURSOR_EXPIRED']);

/** What the live connection is doing, for the status line. */
export type LiveStatus = 'off' | 'listening' | 'reconnecting';

/**
 * Subscribes to `userId`'s inbox for as long as the component is mounted
 * and calls `onUpdate` with each update to apply, in version order: first
 * a STATE (whenever this tab starts afresh), then each change once.
 */
export function useInboxUpdates(userId: string, onUpdate: (update: InboxUpdate) => void): LiveStatus {
  const client = useApolloClient();
  const [status, setStatus] = useState<LiveStatus>('off');
  // The latest callback, without resubscribing when it changes.
  const deliver = useRef(onUpdate);
  deliver.current = onUpdate;

  useEffect(() => {
    /** The version of the last update applied; null until the first STATE. */
    let applied: string | null = null;
    let stopped = false;
    let failures = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let subscription: { unsubscribe(): void } | undefined;

    const subscribe = () => {
      subscription = client
        .subscribe({
          query: InboxUpdatesSubscription,
          variables: { userId, after: applied },
        })
        .subscribe({
          next: ({ data, error }) => {
            if (error) return retryAfter(error);
            const update = data?.inbox;
            if (!update) return;
            failures = 0;
            setStatus('listening');
            // Versions are fixed-width hexadecimal: as strings they sort
            // as the numbers they are.
            if (applied !== null && update.version <= applied) return;
            applied = update.version;
            deliver.current(update);
          },
          error: retryAfter,
          complete: () => retryAfter(null),
        });
    };

    function retryAfter(error: unknown) {
      subscription?.unsubscribe();
      if (stopped) return;
      // The client moved the websocket to a refreshed token: nothing went
      // wrong, and `after` covers the moment without a socket.
      if (isSocketRestart(error)) return subscribe();
      if (CombinedGraphQLErrors.is(error)) {
        const code = error.errors[0]?.extensions?.['code'];
        // The client has already ended the session; the inbox unmounts.
        if (code === 'UNAUTHENTICATED') return;
        if (typeof code === 'string' && UNRESUMABLE.has(code)) applied = null;
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
  }, [client, userId]);

  return status;
}
