// The inbox grouped: the user's unread notifications of one kind about one
// subject shown as one entry, with a sentence Herald writes ("Alice and 3
// others commented on the card “Ship v1”"). The groups are the first pages
// of the `notificationGroups` query in Apollo's cache, kept in step by the
// same `inbox` updates as the list (sync.ts), in version order:
// - STATE: loaded again, as the list is.
// - NOTIFICATION: its group, as it stands now, moves to the top.
// - READ: the groups read from are replaced where they are shown.
//   For both, a key in `groupKeys` that is absent from `groups` names a
//   group with nothing unread left, which goes.
// - ALL_READ: every group goes.
// - PREFERENCES: nothing changes.
// - EXPIRED, and any kind from a newer Herald: loaded again, since the
//   update does not say which groups lost notifications.
//
// While a page is being loaded, updates wait and are applied once it is
// in, as for the list: each update carries its groups whole, so applying
// one to a page that already shows it changes nothing.
import type { ApolloClient } from '@apollo/client';

import { describeError, type ShownError } from '../errors';
import type { NotificationGroupFieldsFragment, NotificationGroupsQuery as GroupPage } from '../gql/graphql';
import type { InboxUpdate } from './live';
import { NotificationGroupsQuery } from './operations';

export type NotificationGroup = NotificationGroupFieldsFragment;

/** How many groups a page holds: Herald's default, about a screenful. */
const GROUP_PAGE_SIZE = 20;

/** The groups shown: the first page, with any further pages appended to it. */
export const GROUPS = { query: NotificationGroupsQuery, variables: { first: GROUP_PAGE_SIZE } };

type GroupEdge = GroupPage['notificationGroups']['edges'][number];

/** The groups' pages in Apollo's cache, and the updates that change them. */
export class GroupsInCache {
  /** Updates that came while a page was being loaded; null when none is. */
  private waiting: InboxUpdate[] | null = null;
  /** Counts loads, so that only the newest one is written. */
  private loads = 0;

  constructor(
    private readonly client: ApolloClient,
    /** Told why loading the first page failed, and null once it succeeds. */
    private readonly onError: (error: ShownError | null) => void,
  ) {}

  /**
   * Reads the first page from Herald and puts it in the cache in place of
   * whatever was shown, then applies the updates that came meanwhile. A
   * load started later wins over one that answers later. Never rejects: a
   * failure goes to `onError`.
   */
  async load(): Promise<void> {
    const load = ++this.loads;
    this.waiting ??= [];
    try {
      const { data } = await this.client.query({
        ...GROUPS,
        fetchPolicy: 'no-cache',
        // Never the answer to a load that was sent before this one.
        context: { queryDeduplication: false },
      });
      if (load !== this.loads) return;
      this.client.cache.writeQuery({ ...GROUPS, data });
      this.onError(null);
    } catch (error) {
      if (load !== this.loads) return;
      this.onError(describeError(error));
    }
    this.applyWaiting();
  }

  /**
   * Appends the page after the last group shown. Does nothing while a page
   * is being loaded (the shown groups are about to change) or when there
   * is no next page; rejects when Herald refused or could not be reached.
   * A first page loaded meanwhile wins over it.
   */
  async loadMore(): Promise<void> {
    const last = this.client.cache.readQuery(GROUPS)?.notificationGroups.pageInfo;
    if (this.waiting !== null || !last?.hasNextPage || last.endCursor === null) return;
    const load = ++this.loads;
    this.waiting = [];
    try {
      const { data } = await this.client.query({
        query: NotificationGroupsQuery,
        variables: { first: GROUP_PAGE_SIZE, after: last.endCursor },
        fetchPolicy: 'no-cache',
      });
      if (load !== this.loads || !data) return;
      this.client.cache.updateQuery(GROUPS, (shown) => {
        if (!shown) return undefined;
        // Each group shows once, however the page and the live updates
        // applied since the last one overlap.
        const keys = new Set(shown.notificationGroups.edges.map((edge) => edge.node.key));
        const more = data.notificationGroups.edges.filter((edge) => !keys.has(edge.node.key));
        return {
          ...shown,
          notificationGroups: {
            ...shown.notificationGroups,
            edges: [...shown.notificationGroups.edges, ...more],
            pageInfo: data.notificationGroups.pageInfo,
          },
        };
      });
    } finally {
      if (load === this.loads) this.applyWaiting();
    }
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
        this.follow(update, { toTop: true });
        break;
      case 'READ':
        this.follow(update, { toTop: false });
        break;
      case 'ALL_READ':
        this.clear();
        break;
      case 'PREFERENCES':
        break;
      default:
        void this.load();
    }
  }

  private applyWaiting(): void {
    const waited = this.waiting ?? [];
    this.waiting = null;
    for (const update of waited) this.apply(update);
  }

  /**
   * Shows the groups `update` changed as they stand now: in place, or at
   * the top when `toTop`, and without those that are now empty. A group
   * that is not shown is only added at the top: lower down, it belongs to
   * a page not loaded yet.
   */
  private follow(update: InboxUpdate, { toTop }: { toTop: boolean }): void {
    if (update.groupKeys.length === 0) return;
    const changed = new Set(update.groupKeys);
    const current = new Map(update.groups.map((group) => [group.key, group]));
    this.client.cache.updateQuery(GROUPS, (shown) => {
      if (!shown) return undefined;
      const kept = shown.notificationGroups.edges.flatMap((edge): GroupEdge[] => {
        if (!changed.has(edge.node.key)) return [edge];
        const group = current.get(edge.node.key);
        if (group === undefined || toTop) return [];
        return [{ ...edge, cursor: group.cursor, node: group }];
      });
      const top = toTop
        ? update.groups.map((group) => ({
            __typename: 'NotificationGroupEdge',
            cursor: group.cursor,
            node: group,
          }))
        : [];
      return {
        ...shown,
        notificationGroups: { ...shown.notificationGroups, edges: [...top, ...kept] },
      };
    });
  }

  /** Every unread notification was read: no group is left, on any page. */
  private clear(): void {
    this.client.cache.updateQuery(GROUPS, (shown) => {
      if (!shown) return undefined;
      return {
        ...shown,
        notificationGroups: {
          ...shown.notificationGroups,
          edges: [],
          pageInfo: { ...shown.notificationGroups.pageInfo, hasNextPage: false, endCursor: null },
        },
      };
    });
  }
}
