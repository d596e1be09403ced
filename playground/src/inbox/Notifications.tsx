// The inbox proper: the bell with the unread count, the list (newest
// first), marking read, and a toast for each notification that arrives
// live. What it shows comes from `useInbox` (sync.ts), so a read in any
// tab or device shows here too.
import { useMutation } from '@apollo/client/react';
import { useEffect, useId, useRef } from 'react';

import { ErrorMessage, useFormRequest } from '../errors';
import type { LiveStatus } from './live';
import { MarkAllNotificationsReadMutation, MarkNotificationReadMutation } from './operations';
import type { Inbox, Notification } from './sync';

/** How long a toast stays up: long enough to read a sentence twice. */
const TOAST_MS = 8_000;

export function Notifications({
  inbox,
  onOpenBoard,
}: {
  inbox: Inbox;
  onOpenBoard: (boardId: string) => void;
}) {
  const headingId = useId();
  // Marking all read changes nothing here directly: the list and the bell
  // follow the live update it causes, as they do in every other tab.
  const [markAll] = useMutation(MarkAllNotificationsReadMutation);
  const markAllRequest = useFormRequest();
  const reload = useFormRequest();
  const { notifications, unread } = inbox;
  return (
    <section className="inbox" aria-labelledby={headingId}>
      <div className="inbox-header">
        <h2 id={headingId}>Notifications</h2>
        <Bell unread={unread} listId={`${headingId}-list`} />
      </div>
      <LiveStatusLine status={inbox.status} />
      {inbox.listError && (
        <>
          <ErrorMessage error={inbox.listError} />
          <button
            type="button"
            disabled={reload.pending}
            onClick={() => void reload.submit(inbox.reloadList)}
          >
            Load notifications again
          </button>
        </>
      )}
      <button
        type="button"
        disabled={markAllRequest.pending || unread === 0}
        onClick={() => void markAllRequest.submit(() => markAll())}
      >
        Mark all read
      </button>
      <ErrorMessage error={markAllRequest.error} />
      {notifications === null ? (
        !inbox.listError && <p aria-busy="true">Loading your notifications…</p>
      ) : notifications.length === 0 ? (
        <p>No notifications yet. They appear here the moment someone acts on your cards.</p>
      ) : (
        <ol id={`${headingId}-list`} className="notification-list" aria-label="Your notifications">
          {notifications.map((notification) => (
            <NotificationItem
              key={notification.id}
              notification={notification}
              onOpenBoard={onOpenBoard}
            />
          ))}
        </ol>
      )}
      <Toasts toasts={inbox.arrivals} onDismiss={inbox.dismissArrival} />
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
}: {
  notification: Notification;
  onOpenBoard: (boardId: string) => void;
}) {
  // The answer carries the read time, which updates this item at once;
  // the bell follows through the live update.
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
            onClick={() => void submit(() => markRead({ variables: { id: notification.id } }))}
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
