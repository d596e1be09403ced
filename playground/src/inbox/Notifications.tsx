// The inbox proper: the bell with the unread count, the list (newest
// first), marking read, and a toast for each notification that arrives
// live.
import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { useCallback, useEffect, useId, useRef, useState } from 'react';

import { describeError, ErrorMessage, useFormRequest } from '../errors';
import type { MeQuery, NotificationFieldsFragment } from '../gql/graphql';
import { type LiveStatus, useLiveNotifications } from './live';
import {
  InboxQuery,
  MarkAllNotificationsReadMutation,
  MarkNotificationReadMutation,
} from './operations';

/** How many notifications the list shows (Herald serves at most 100 per page). */
const PAGE_SIZE = 50;

/** How long a toast stays up: long enough to read a sentence twice. */
const TOAST_MS = 8_000;

type Notification = NotificationFieldsFragment;

export function Notifications({
  me,
  onOpenBoard,
}: {
  me: MeQuery['me'];
  onOpenBoard: (boardId: string) => void;
}) {
  const headingId = useId();
  const client = useApolloClient();
  const inbox = useQuery(InboxQuery, { variables: { first: PAGE_SIZE } });
  const [toasts, setToasts] = useState<Notification[]>([]);
  const [markAll] = useMutation(MarkAllNotificationsReadMutation);
  const markAllRequest = useFormRequest();

  // Subscribe once the first page is in: without a stored cursor, the
  // subscription starts after the newest notification that page shows.
  const [liveStart, setLiveStart] = useState<{ after: string | null } | null>(null);
  const firstPage = inbox.data?.notifications;
  useEffect(() => {
    if (firstPage && liveStart === null) {
      setLiveStart({ after: firstPage.edges[0]?.cursor ?? null });
    }
  }, [firstPage, liveStart]);

  const onArrival = useCallback(
    (notification: Notification) => {
      let isNew = false;
      client.cache.updateQuery({ query: InboxQuery, variables: { first: PAGE_SIZE } }, (data) => {
        // Replays after a reload or reconnect may repeat what the list holds.
        if (!data || data.notifications.edges.some((edge) => edge.node.id === notification.id)) {
          return undefined;
        }
        isNew = true;
        return {
          ...data,
          notifications: {
            ...data.notifications,
            edges: [
              { __typename: 'NotificationEdge', cursor: notification.cursor, node: notification },
              ...data.notifications.edges,
            ],
          },
          unreadNotificationCount: data.unreadNotificationCount + (notification.readAt ? 0 : 1),
        };
      });
      if (isNew) setToasts((shown) => [...shown, notification]);
    },
    [client],
  );
  const status = useLiveNotifications(me.id, liveStart, onArrival);

  const dismiss = useCallback((id: string) => {
    setToasts((shown) => shown.filter((toast) => toast.id !== id));
  }, []);

  const unread = inbox.data?.unreadNotificationCount ?? 0;
  const edges = inbox.data?.notifications.edges ?? [];
  return (
    <section className="inbox" aria-labelledby={headingId}>
      <div className="inbox-header">
        <h2 id={headingId}>Notifications</h2>
        <Bell unread={unread} listId={`${headingId}-list`} />
      </div>
      <LiveStatusLine status={status} />
      {inbox.error && <ErrorMessage error={describeError(inbox.error)} />}
      <button
        type="button"
        disabled={markAllRequest.pending || unread === 0}
        onClick={() =>
          void markAllRequest.submit(async () => {
            await markAll();
            await inbox.refetch();
          })
        }
      >
        Mark all read
      </button>
      <ErrorMessage error={markAllRequest.error} />
      {inbox.loading && !inbox.data ? (
        <p aria-busy="true">Loading your notifications…</p>
      ) : edges.length === 0 ? (
        <p>No notifications yet. They appear here the moment someone acts on your cards.</p>
      ) : (
        <ol id={`${headingId}-list`} className="notification-list" aria-label="Your notifications">
          {edges.map(({ node }) => (
            <NotificationItem
              key={node.id}
              notification={node}
              onOpenBoard={onOpenBoard}
              onRead={() => inbox.refetch()}
            />
          ))}
        </ol>
      )}
      <Toasts toasts={toasts} onDismiss={dismiss} />
    </section>
  );
}

function Bell({ unread, listId }: { unread: number; listId: string }) {
  return (
    <a className="bell" href={`#${listId}`} aria-label={`Notifications: ${unread} unread`}>
      <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true">
        <path
          fill="currentColor"
          d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
        />
      </svg>
      <span className={unread > 0 ? 'badge' : 'badge badge-zero'} aria-hidden="true">
        {unread}
      </span>
    </a>
  );
}

function LiveStatusLine({ status }: { status: LiveStatus }) {
  const text = {
    off: 'Live updates: starting…',
    listening: 'Live updates: on',
    reconnecting: 'Live updates: connection lost, reconnecting…',
  }[status];
  return (
    <p className="live-status" aria-live="polite">
      {text}
    </p>
  );
}

function NotificationItem({
  notification,
  onOpenBoard,
  onRead,
}: {
  notification: Notification;
  onOpenBoard: (boardId: string) => void;
  onRead: () => Promise<unknown>;
}) {
  const [markRead] = useMutation(MarkNotificationReadMutation);
  const { error, pending, submit } = useFormRequest();
  const unread = notification.readAt == null;
  const board = notification.card?.board;
  return (
    <li className={unread ? 'notification unread' : 'notification'}>
      <p className="message">
        {unread && <span className="visually-hidden">Unread: </span>}
        {notification.message}
      </p>
      <p className="meta">
        {notification.actor ? `by ${notification.actor.name}, ` : ''}
        <Time iso={notification.createdAt} />
      </p>
      {notification.post && (
        <img
          className="thumbnail"
          src={notification.post.imageUrl}
          alt={notification.post.caption ?? 'A posted photo'}
        />
      )}
      <div className="actions">
        {unread && (
          <button
            type="button"
            disabled={pending}
            onClick={() =>
              void submit(async () => {
                await markRead({ variables: { id: notification.id } });
                await onRead();
              })
            }
          >
            Mark read
          </button>
        )}
        {board && (
          <button type="button" onClick={() => onOpenBoard(board.id)}>
            Open board {board.name}
          </button>
        )}
      </div>
      <ErrorMessage error={error} />
    </li>
  );
}

function Toasts({
  toasts,
  onDismiss,
}: {
  toasts: Notification[];
  onDismiss: (id: string) => void;
}) {
  return (
    <section className="toasts" aria-label="New notifications">
      {toasts.map((toast) => (
        <Toast key={toast.id} notification={toast} onDismiss={onDismiss} />
      ))}
    </section>
  );
}

function Toast({
  notification,
  onDismiss,
}: {
  notification: Notification;
  onDismiss: (id: string) => void;
}) {
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => {
    timer.current = setTimeout(() => onDismiss(notification.id), TOAST_MS);
    return () => clearTimeout(timer.current);
  }, [notification.id, onDismiss]);
  return (
    <div role="status" className="toast">
      <p className="message">{notification.message}</p>
      <p className="meta">
        {notification.actor ? `by ${notification.actor.name}, ` : ''}
        <Time iso={notification.createdAt} />
      </p>
      <button type="button" onClick={() => onDismiss(notification.id)}>
        Dismiss
      </button>
    </div>
  );
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

function Time({ iso }: { iso: string }) {
  return <time dateTime={iso}>{timeFormat.format(new Date(iso))}</time>;
}
