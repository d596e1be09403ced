// The inbox proper: the bell with the unread count, the notifications
// shown grouped (the unread ones, one entry per kind and subject) or all
// of them one by one (newest first), marking read, and a toast for each
// notification that arrives live. What it shows comes from `useInbox`
// (sync.ts), so a read in any tab or device shows here too.
import { useMutation } from '@apollo/client/react';
import { useEffect, useId, useRef, useState } from 'react';

import { ErrorMessage, useFormRequest } from '../errors';
import type { NotificationGroup } from './groups';
import type { LiveStatus } from './live';
import {
  MarkAllNotificationsReadMutation,
  MarkNotificationGroupReadMutation,
  MarkNotificationReadMutation,
} from './operations';
import type { Inbox, Notification } from './sync';

/** How long a toast stays up: long enough to read a sentence twice. */
const TOAST_MS = 8_000;

/** How the notifications are shown: the unread ones grouped, or all one by one. */
type View = 'grouped' | 'all';

const VIEW_LABELS: Record<View, string> = { grouped: 'Grouped', all: 'All' };

/** The localStorage key of the view last chosen, kept across visits and tabs. */
const VIEW_KEY = 'herald.inbox.view';

function storedView(): View {
  // Nothing stored yet (or something this page does not know): all of
  // them, as the inbox showed before it could group.
  return localStorage.getItem(VIEW_KEY) === 'grouped' ? 'grouped' : 'all';
}

export function Notifications({
  inbox,
  onOpenBoard,
}: {
  inbox: Inbox;
  onOpenBoard: (boardId: string) => void;
}) {
  const headingId = useId();
  const listId = `${headingId}-list`;
  const [view, setView] = useState(storedView);
  const showView = (chosen: View) => {
    localStorage.setItem(VIEW_KEY, chosen);
    setView(chosen);
  };
  // Marking all read changes nothing here directly: the list and the bell
  // follow the live update it causes, as they do in every other tab.
  const [markAll] = useMutation(MarkAllNotificationsReadMutation);
  const markAllRequest = useFormRequest();
  const { unread } = inbox;
  return (
    <section className="inbox" aria-labelledby={headingId}>
      <div className="inbox-header">
        <h2 id={headingId}>Notifications</h2>
        <Bell unread={unread} listId={listId} />
      </div>
      <LiveStatusLine status={inbox.status} />
      <div className="inbox-controls">
        <ViewSwitch view={view} onChange={showView} />
        <button
          type="button"
          disabled={markAllRequest.pending || unread === 0}
          onClick={() => void markAllRequest.submit(() => markAll())}
        >
          Mark all read
        </button>
      </div>
      <ErrorMessage error={markAllRequest.error} />
      {view === 'grouped' ? (
        <GroupedNotifications inbox={inbox} listId={listId} onOpenBoard={onOpenBoard} />
      ) : (
        <AllNotifications inbox={inbox} listId={listId} onOpenBoard={onOpenBoard} />
      )}
      <Toasts toasts={inbox.arrivals} onDismiss={inbox.dismissArrival} />
    </section>
  );
}

function ViewSwitch({ view, onChange }: { view: View; onChange: (view: View) => void }) {
  const name = useId();
  return (
    <fieldset className="view-switch">
      <legend>Show</legend>
      {(['grouped', 'all'] as const).map((option) => (
        <label key={option}>
          <input
            type="radio"
            name={name}
            value={option}
            checked={view === option}
            onChange={() => onChange(option)}
          />
          {VIEW_LABELS[option]}
        </label>
      ))}
    </fieldset>
  );
}

interface ViewProps {
  inbox: Inbox;
  /** The list's id, which the bell links to. */
  listId: string;
  onOpenBoard: (boardId: string) => void;
}

function AllNotifications({ inbox, listId, onOpenBoard }: ViewProps) {
  const reload = useFormRequest();
  const { notifications } = inbox;
  return (
    <>
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
      {notifications === null ? (
        !inbox.listError && <p aria-busy="true">Loading your notifications…</p>
      ) : notifications.length === 0 ? (
        <p>No notifications yet. They appear here the moment someone acts on your cards.</p>
      ) : (
        <ol id={listId} className="notification-list" aria-label="Your notifications">
          {notifications.map((notification) => (
            <NotificationItem
              key={notification.id}
              notification={notification}
              onOpenBoard={onOpenBoard}
            />
          ))}
        </ol>
      )}
    </>
  );
}

function GroupedNotifications({ inbox, listId, onOpenBoard }: ViewProps) {
  const reload = useFormRequest();
  const more = useFormRequest();
  const { groups } = inbox;
  return (
    <>
      {inbox.groupsError && (
        <>
          <ErrorMessage error={inbox.groupsError} />
          <button
            type="button"
            disabled={reload.pending}
            onClick={() => void reload.submit(inbox.reloadGroups)}
          >
            Load notifications again
          </button>
        </>
      )}
      {groups === null ? (
        !inbox.groupsError && <p aria-busy="true">Loading your notifications…</p>
      ) : groups.length === 0 ? (
        <p>Nothing unread. What happens to one card shows here as one entry.</p>
      ) : (
        <ol id={listId} className="notification-list" aria-label="Your unread notifications, grouped">
          {groups.map((group) => (
            <GroupItem key={group.key} group={group} onOpenBoard={onOpenBoard} />
          ))}
        </ol>
      )}
      {inbox.hasMoreGroups && (
        <button
          type="button"
          disabled={more.pending}
          onClick={() => void more.submit(inbox.loadMoreGroups)}
        >
          Load more groups
        </button>
      )}
      <ErrorMessage error={more.error} />
    </>
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

function GroupItem({
  group,
  onOpenBoard,
}: {
  group: NotificationGroup;
  onOpenBoard: (boardId: string) => void;
}) {
  // Read up to the newest notification shown, so that one arriving
  // meanwhile stays unread. The entry goes with the live update this
  // causes, here as in every other tab.
  const [markRead] = useMutation(MarkNotificationGroupReadMutation);
  const { error, pending, submit } = useFormRequest();
  const board = group.latest.card?.board;
  return (
    <li className="notification unread">
      <p className="message">
        {group.message}
        {group.count > 1 && (
          <>
            {' '}
            <span className="count">
              {group.count}
              <span className="visually-hidden"> notifications</span>
            </span>
          </>
        )}
      </p>
      <p className="meta">
        <Actors actors={group.actors} actorCount={group.actorCount} />
        <Time iso={group.latestAt} />
      </p>
      <div className="actions">
        <button
          type="button"
          disabled={pending}
          onClick={() => void submit(() => markRead({ variables: { key: group.key, upTo: group.cursor } }))}
        >
          Mark<span className="visually-hidden"> “{group.message}”</span> read
        </button>
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

/**
 * The people behind a group as initials, newest first, with "+n" for
 * those Herald did not list; their names are read out instead.
 */
function Actors({ actors, actorCount }: { actors: NotificationGroup['actors']; actorCount: number }) {
  // Notifications without an actor (none today) group without names.
  if (actors.length === 0) return null;
  const others = actorCount - actors.length;
  const names = actors.map((actor) => actor.name).join(', ');
  return (
    <span className="actors">
      {actors.map((actor) => (
        <span key={actor.id} className="avatar" title={actor.name} aria-hidden="true">
          {initials(actor.name)}
        </span>
      ))}
      {others > 0 && (
        <span className="avatar" aria-hidden="true">
          +{others}
        </span>
      )}
      <span className="visually-hidden">
        From {names}
        {others > 0 && ` and ${others} more`},{' '}
      </span>
    </span>
  );
}

/** "Ann Lee" → "AL", "bob" → "B": the first letter of the first two words. */
function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter((word) => word !== '')
    .slice(0, 2)
    .map((word) => (Array.from(word)[0] ?? '').toUpperCase())
    .join('');
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
