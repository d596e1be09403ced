// This tab's inbox, kept in step with Herald and so with the user's other
// tabs and devices: the list, the unread notifications grouped (groups.ts),
// the unread count, the preferences, and the notifications that arrived
// while the page was open.
//
// The list is a page of the `notifications` query in Apollo's cache; every
// other change comes from the `inbox` subscription (live.ts), applied in
// version order:
// - STATE: the unread count and preferences as they stand. It also loads
//   the list again, because the list may have been read before the
//   version this state is at, and what happened in between is in neither.
// - NOTIFICATION: added to the top of the list, and announced.
// - READ and ALL_READ: those notifications show as read.
// - PREFERENCES: the settings panel and the boards' mute toggles follow.
// - Any other kind (from a newer Herald): the list is loaded again.
// Every update carries the unread count at its version, which the bell
// shows as it is.
//
// While the list is being loaded, updates to it wait, and are applied to
// the page once it is in: a page read after an update already shows it,
// and applying the update again changes nothing.
import { useApolloClient, useQuery } from '@apollo/client/react';
import { useCallback, useEffect, useMemo, useState } from 'react';

import { describeError, type ShownError } from '../errors';
import type { NotificationFieldsFragment, NotificationPreferencesFieldsFragment } from '../gql/graphql';
import { GROUPS, GroupsInCache, type NotificationGroup } from './groups';
import { type InboxUpdate, type LiveStatus, useInboxUpdates } from './live';
import { InboxQuery } from './operations';

export type Notification = NotificationFieldsFragment;
export type Preferences = NotificationPreferencesFieldsFragment;

/** How many notifications the list shows (Herald serves at most 100 per page). */
const PAGE_SIZE = 50;

const LIST = { query: InboxQuery, variables: { first: PAGE_SIZE } };

type Client = ReturnType<typeof useApolloClient>;

/** The inbox as this tab knows it, for the page to show. */
export interface Inbox {
  /** Newest first; null until the list was first loaded. */
  notifications: Notification[] | null;
  /** Why the list could not be loaded, when the last try failed. */
  listError: ShownError | null;
  /** Loads the list again (after a failure); resolves when done, never rejects. */
  reloadList(): Promise<void>;
  /** The unread notifications grouped, newest group first; null until first loaded. */
  groups: NotificationGroup[] | null;
  /** Whether Herald holds more groups than are shown. */
  hasMoreGroups: boolean;
  /** Why the groups could not be loaded, when the last try failed. */
  groupsError: ShownError | null;
  /** Loads the groups again (after a failure); resolves when done, never rejects. */
  reloadGroups(): Promise<void>;
  /** Shows the next page of groups; rejects when that failed. */
  loadMoreGroups(): Promise<void>;
  /** Unread notifications, as of the newest update applied. */
  unread: number;
  /** Null until the live connection brought them. */
  preferences: Preferences | null;
  status: LiveStatus;
  /** Notifications that arrived live, oldest first, until dismissed. */
  arrivals: Notification[];
  dismissArrival(id: string): void;
}

export function useInbox(userId: string): Inbox {
  const client = useApolloClient();
  const [listError, setListError] = useState<ShownError | null>(null);
  const [list] = useState(() => new ListInCache(client, setListError));
  const shown = useQuery(InboxQuery, { ...LIST, fetchPolicy: 'cache-only' });
  const [groupsError, setGroupsError] = useState<ShownError | null>(null);
  const [groupPages] = useState(() => new GroupsInCache(client, setGroupsError));
  const shownGroups = useQuery(GROUPS.query, { ...GROUPS, fetchPolicy: 'cache-only' });
  const [unread, setUnread] = useState<number | null>(null);
  const [preferences, setPreferences] = useState<Preferences | null>(null);
  const [arrivals, setArrivals] = useState<Notification[]>([]);

  // Shown at once, even while the live connection is coming up. Both
  // views are kept in step, so switching between them shows at once.
  useEffect(() => {
    void list.load();
    void groupPages.load();
  }, [list, groupPages]);

  const status = useInboxUpdates(userId, (update: InboxUpdate) => {
    setUnread(update.unreadCount);
    if (update.preferences) setPreferences(update.preferences);
    const arrived = update.notification;
    if (arrived) setArrivals((shownNow) => [...shownNow, arrived]);
    list.apply(update);
    groupPages.apply(update);
  });

  const reloadList = useCallback(() => list.load(), [list]);
  const reloadGroups = useCallback(() => groupPages.load(), [groupPages]);
  const loadMoreGroups = useCallback(() => groupPages.loadMore(), [groupPages]);
  const dismissArrival = useCallback((id: string) => {
    setArrivals((shownNow) => shownNow.filter((notification) => notification.id !== id));
  }, []);

  const edges = shown.data?.notifications.edges;
  const notifications = useMemo(() => edges?.map((edge) => edge.node) ?? null, [edges]);
  const groupEdges = shownGroups.data?.notificationGroups.edges;
  const groups = useMemo(() => groupEdges?.map((edge) => edge.node) ?? null, [groupEdges]);
  return {
    notifications,
    listError,
    reloadList,
    groups,
    hasMoreGroups: shownGroups.data?.notificationGroups.pageInfo.hasNextPage ?? false,
    groupsError,
    reloadGroups,
    loadMoreGroups,
    // Until the first update, the count that came with the list.
    unread: unread ?? shown.data?.unreadNotificationCount ?? 0,
    preferences,
    status,
    arrivals,
    dismissArrival,
  };
}

/**
 * The list's page in Apollo's cache, which the page renders from, and the
 * updates that change it.
 */
class ListInCache {
  /** Updates that came while a load was under way; null when none is. */
  private waiting: InboxUpdate[] | null = null;
  /** Counts loads, so that only the newest one is written. */
  private loads = 0;

  constructor(
    private readonly client: Client,
    /** Told why a load failed, and null once one succeeds. */
    private readonly onError: (error: ShownError | null) => void,
  ) {}

  /**
   * Reads the page from Herald and puts it in the cache, then applies the
   * updates that came meanwhile. A load started later wins over one that
   * answers later, so an older page never replaces a newer one. Never
   * rejects: a failure goes to `onError`.
   */
  async load(): Promise<void> {
    const load = ++this.loads;
    this.waiting ??= [];
    try {
      const { data } = await this.client.query({
        ...LIST,
        fetchPolicy: 'no-cache',
        // Never the answer to a load that was sent before this one.
        context: { queryDeduplication: false },
      });
      if (load !== this.loads) return;
      this.client.cache.writeQuery({ ...LIST, data });
      this.onError(null);
    } catch (error) {
      if (load !== this.loads) return;
      this.onError(describeError(error));
      // What waited is applied to the page shown, if any: it may miss
      // what happened since it was read, but it follows from here on.
    }
    const waited = this.waiting ?? [];
    this.waiting = null;
    for (const update of waited) this.apply(update);
  }

  apply(update: InboxUpdate): void {
    if (update.kind === 'STATE') {
      void this.load();
      return;
    }
    if (this.waiting !== null) {
      this.waiting.push(update);
      return;
    }
    switch (update.kind) {
      case 'NOTIFICATION':
        if (update.notification) this.add(update.notification);
        break;
      case 'READ':
        this.markRead(update.readIds);
        break;
      case 'ALL_READ':
        if (update.allReadUpTo !== null) this.markReadUpTo(update.allReadUpTo);
        break;
      case 'PREFERENCES':
        break;
      default:
        // A kind this page does not know (Herald is newer than it) may
        // have changed the list in a way it cannot apply: read it again.
        void this.load();
    }
  }

  private add(notification: Notification): void {
    this.client.cache.updateQuery(LIST, (data) => {
      // A page loaded after it arrived may hold it already.
      if (!data || data.notifications.edges.some((edge) => edge.node.id === notification.id)) {
        return undefined;
      }
      return {
        ...data,
        notifications: {
          ...data.notifications,
          edges: [
            { __typename: 'NotificationEdge', cursor: notification.cursor, node: notification },
            ...data.notifications.edges,
          ],
        },
      };
    });
  }

  private markRead(ids: readonly string[]): void {
    const readAt = arrivalTime();
    for (const id of ids) {
      this.client.cache.modify<Notification>({
        id: this.client.cache.identify({ __typename: 'Notification', id }),
        fields: { readAt: (current) => current ?? readAt },
      });
    }
  }

  /** The notification at `cursor` and every older one are read. */
  private markReadUpTo(cursor: string): void {
    const data = this.client.cache.readQuery(LIST);
    if (!data) return;
    const edges = data.notifications.edges;
    // Newest first: the one at `cursor`, and all below it.
    const from = edges.findIndex((edge) => edge.cursor === cursor);
    if (from === -1) {
      // Cursors are opaque, so one the page does not hold says nothing
      // about which of the shown ones are older: ask Herald.
      if (edges.length > 0) void this.load();
      return;
    }
    this.markRead(edges.slice(from).map((edge) => edge.node.id));
  }
}

/**
 * The read time a READ or ALL_READ update stands for. The update says
 * which notifications were read, not when; the page only shows whether,
 * and the next load brings Herald's time.
 */
function arrivalTime(): string {
  return new Date().toISOString();
}
