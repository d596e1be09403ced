/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  mutation RefreshToken {\n    refreshToken {\n      token\n      expiresAt\n    }\n  }\n": typeof types.RefreshTokenDocument,
    "\n  mutation LogOut {\n    logOut\n  }\n": typeof types.LogOutDocument,
    "\n  mutation SessionLogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      token\n      expiresAt\n      user {\n        id\n        name\n      }\n    }\n  }\n": typeof types.SessionLogInDocument,
    "\n  query SessionMe {\n    me {\n      id\n      name\n    }\n  }\n": typeof types.SessionMeDocument,
    "\n  fragment NotificationFields on Notification {\n    id\n    cursor\n    kind\n    message\n    createdAt\n    readAt\n    actor {\n      id\n      name\n    }\n    card {\n      id\n      title\n      board {\n        id\n        name\n      }\n    }\n    post {\n      id\n      imageUrl\n      caption\n    }\n  }\n": typeof types.NotificationFieldsFragmentDoc,
    "\n  fragment NotificationGroupFields on NotificationGroup {\n    key\n    cursor\n    kind\n    count\n    actorCount\n    actors {\n      id\n      name\n    }\n    latest {\n      id\n      card {\n        id\n        board {\n          id\n          name\n        }\n      }\n    }\n    latestAt\n    message\n  }\n": typeof types.NotificationGroupFieldsFragmentDoc,
    "\n  fragment CardFields on Card {\n    id\n    title\n    description\n    updatedAt\n    creator {\n      id\n      name\n    }\n    assignees(first: 20) {\n      id\n      name\n    }\n    comments(first: 20) {\n      id\n      body\n      createdAt\n      author {\n        id\n        name\n      }\n    }\n  }\n": typeof types.CardFieldsFragmentDoc,
    "\n  query Me {\n    me {\n      id\n      name\n      email\n    }\n  }\n": typeof types.MeDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      token\n      expiresAt\n      user {\n        id\n        name\n        email\n      }\n    }\n  }\n": typeof types.SignUpDocument,
    "\n  mutation LogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      token\n      expiresAt\n      user {\n        id\n        name\n        email\n      }\n    }\n  }\n": typeof types.LogInDocument,
    "\n  query Inbox($first: Int!) {\n    notifications(first: $first) {\n      edges {\n        cursor\n        node {\n          ...NotificationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n    unreadNotificationCount\n  }\n": typeof types.InboxDocument,
    "\n  query NotificationGroups($first: Int!, $after: String) {\n    notificationGroups(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...NotificationGroupFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.NotificationGroupsDocument,
    "\n  fragment NotificationPreferencesFields on NotificationPreferences {\n    kinds {\n      kind\n      channel\n      enabled\n    }\n    mutedBoards {\n      id\n      name\n    }\n  }\n": typeof types.NotificationPreferencesFieldsFragmentDoc,
    "\n  subscription InboxUpdates($userId: ID!, $after: String) {\n    inbox(userId: $userId, after: $after) {\n      version\n      kind\n      unreadCount\n      notification {\n        ...NotificationFields\n      }\n      readIds\n      allReadUpTo\n      preferences {\n        ...NotificationPreferencesFields\n      }\n      groupKeys\n      groups {\n        ...NotificationGroupFields\n      }\n    }\n  }\n": typeof types.InboxUpdatesDocument,
    "\n  mutation MarkNotificationRead($id: ID!) {\n    markNotificationRead(id: $id) {\n      id\n      readAt\n    }\n  }\n": typeof types.MarkNotificationReadDocument,
    "\n  mutation MarkNotificationGroupRead($key: String!, $upTo: String) {\n    markNotificationGroupRead(key: $key, upTo: $upTo)\n  }\n": typeof types.MarkNotificationGroupReadDocument,
    "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n": typeof types.MarkAllNotificationsReadDocument,
    "\n  mutation SetNotificationPreference(\n    $kind: NotificationKind!\n    $channel: NotificationChannel!\n    $enabled: Boolean!\n  ) {\n    setNotificationPreference(kind: $kind, channel: $channel, enabled: $enabled) {\n      ...NotificationPreferencesFields\n    }\n  }\n": typeof types.SetNotificationPreferenceDocument,
    "\n  query WebPushPublicKey {\n    webPushPublicKey\n  }\n": typeof types.WebPushPublicKeyDocument,
    "\n  query PushSubscriptions {\n    pushSubscriptions {\n      id\n      endpoint\n    }\n  }\n": typeof types.PushSubscriptionsDocument,
    "\n  mutation RegisterPushSubscription($endpoint: String!, $p256dh: String!, $auth: String!) {\n    registerPushSubscription(endpoint: $endpoint, p256dh: $p256dh, auth: $auth) {\n      id\n      endpoint\n    }\n  }\n": typeof types.RegisterPushSubscriptionDocument,
    "\n  mutation UnregisterPushSubscription($endpoint: String!) {\n    unregisterPushSubscription(endpoint: $endpoint)\n  }\n": typeof types.UnregisterPushSubscriptionDocument,
    "\n  mutation MuteBoard($boardId: ID!) {\n    muteBoard(boardId: $boardId) {\n      id\n      muted\n    }\n  }\n": typeof types.MuteBoardDocument,
    "\n  mutation UnmuteBoard($boardId: ID!) {\n    unmuteBoard(boardId: $boardId) {\n      id\n      muted\n    }\n  }\n": typeof types.UnmuteBoardDocument,
    "\n  query Board($id: ID!) {\n    board(id: $id) {\n      id\n      name\n      owner {\n        id\n        name\n      }\n      members(first: 100) {\n        id\n        name\n      }\n      cards(first: 50) {\n        ...CardFields\n      }\n    }\n  }\n": typeof types.BoardDocument,
    "\n  mutation CreateBoard($name: String!) {\n    createBoard(name: $name) {\n      id\n      name\n    }\n  }\n": typeof types.CreateBoardDocument,
    "\n  mutation AddBoardMember($boardId: ID!, $userId: ID!) {\n    addBoardMember(boardId: $boardId, userId: $userId) {\n      id\n      members(first: 100) {\n        id\n        name\n      }\n    }\n  }\n": typeof types.AddBoardMemberDocument,
    "\n  mutation CreateCard($boardId: ID!, $title: String!, $description: String) {\n    createCard(boardId: $boardId, title: $title, description: $description) {\n      ...CardFields\n    }\n  }\n": typeof types.CreateCardDocument,
    "\n  mutation UpdateCard($id: ID!, $input: UpdateCardInput!) {\n    updateCard(id: $id, input: $input) {\n      ...CardFields\n    }\n  }\n": typeof types.UpdateCardDocument,
    "\n  mutation AssignCard($cardId: ID!, $userId: ID!) {\n    assignCard(cardId: $cardId, userId: $userId) {\n      ...CardFields\n    }\n  }\n": typeof types.AssignCardDocument,
    "\n  mutation AddComment($cardId: ID!, $body: String!) {\n    addComment(cardId: $cardId, body: $body) {\n      id\n      body\n      createdAt\n      author {\n        id\n        name\n      }\n    }\n  }\n": typeof types.AddCommentDocument,
    "\n  mutation Follow($userId: ID!) {\n    follow(userId: $userId) {\n      id\n      name\n    }\n  }\n": typeof types.FollowDocument,
    "\n  mutation UploadPost($file: Upload!, $caption: String) {\n    uploadPost(file: $file, caption: $caption) {\n      id\n      imageUrl\n      caption\n      createdAt\n    }\n  }\n": typeof types.UploadPostDocument,
};
const documents: Documents = {
    "\n  mutation RefreshToken {\n    refreshToken {\n      token\n      expiresAt\n    }\n  }\n": types.RefreshTokenDocument,
    "\n  mutation LogOut {\n    logOut\n  }\n": types.LogOutDocument,
    "\n  mutation SessionLogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      token\n      expiresAt\n      user {\n        id\n        name\n      }\n    }\n  }\n": types.SessionLogInDocument,
    "\n  query SessionMe {\n    me {\n      id\n      name\n    }\n  }\n": types.SessionMeDocument,
    "\n  fragment NotificationFields on Notification {\n    id\n    cursor\n    kind\n    message\n    createdAt\n    readAt\n    actor {\n      id\n      name\n    }\n    card {\n      id\n      title\n      board {\n        id\n        name\n      }\n    }\n    post {\n      id\n      imageUrl\n      caption\n    }\n  }\n": types.NotificationFieldsFragmentDoc,
    "\n  fragment NotificationGroupFields on NotificationGroup {\n    key\n    cursor\n    kind\n    count\n    actorCount\n    actors {\n      id\n      name\n    }\n    latest {\n      id\n      card {\n        id\n        board {\n          id\n          name\n        }\n      }\n    }\n    latestAt\n    message\n  }\n": types.NotificationGroupFieldsFragmentDoc,
    "\n  fragment CardFields on Card {\n    id\n    title\n    description\n    updatedAt\n    creator {\n      id\n      name\n    }\n    assignees(first: 20) {\n      id\n      name\n    }\n    comments(first: 20) {\n      id\n      body\n      createdAt\n      author {\n        id\n        name\n      }\n    }\n  }\n": types.CardFieldsFragmentDoc,
    "\n  query Me {\n    me {\n      id\n      name\n      email\n    }\n  }\n": types.MeDocument,
    "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      token\n      expiresAt\n      user {\n        id\n        name\n        email\n      }\n    }\n  }\n": types.SignUpDocument,
    "\n  mutation LogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      token\n      expiresAt\n      user {\n        id\n        name\n        email\n      }\n    }\n  }\n": types.LogInDocument,
    "\n  query Inbox($first: Int!) {\n    notifications(first: $first) {\n      edges {\n        cursor\n        node {\n          ...NotificationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n    unreadNotificationCount\n  }\n": types.InboxDocument,
    "\n  query NotificationGroups($first: Int!, $after: String) {\n    notificationGroups(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...NotificationGroupFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.NotificationGroupsDocument,
    "\n  fragment NotificationPreferencesFields on NotificationPreferences {\n    kinds {\n      kind\n      channel\n      enabled\n    }\n    mutedBoards {\n      id\n      name\n    }\n  }\n": types.NotificationPreferencesFieldsFragmentDoc,
    "\n  subscription InboxUpdates($userId: ID!, $after: String) {\n    inbox(userId: $userId, after: $after) {\n      version\n      kind\n      unreadCount\n      notification {\n        ...NotificationFields\n      }\n      readIds\n      allReadUpTo\n      preferences {\n        ...NotificationPreferencesFields\n      }\n      groupKeys\n      groups {\n        ...NotificationGroupFields\n      }\n    }\n  }\n": types.InboxUpdatesDocument,
    "\n  mutation MarkNotificationRead($id: ID!) {\n    markNotificationRead(id: $id) {\n      id\n      readAt\n    }\n  }\n": types.MarkNotificationReadDocument,
    "\n  mutation MarkNotificationGroupRead($key: String!, $upTo: String) {\n    markNotificationGroupRead(key: $key, upTo: $upTo)\n  }\n": types.MarkNotificationGroupReadDocument,
    "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n": types.MarkAllNotificationsReadDocument,
    "\n  mutation SetNotificationPreference(\n    $kind: NotificationKind!\n    $channel: NotificationChannel!\n    $enabled: Boolean!\n  ) {\n    setNotificationPreference(kind: $kind, channel: $channel, enabled: $enabled) {\n      ...NotificationPreferencesFields\n    }\n  }\n": types.SetNotificationPreferenceDocument,
    "\n  query WebPushPublicKey {\n    webPushPublicKey\n  }\n": types.WebPushPublicKeyDocument,
    "\n  query PushSubscriptions {\n    pushSubscriptions {\n      id\n      endpoint\n    }\n  }\n": types.PushSubscriptionsDocument,
    "\n  mutation RegisterPushSubscription($endpoint: String!, $p256dh: String!, $auth: String!) {\n    registerPushSubscription(endpoint: $endpoint, p256dh: $p256dh, auth: $auth) {\n      id\n      endpoint\n    }\n  }\n": types.RegisterPushSubscriptionDocument,
    "\n  mutation UnregisterPushSubscription($endpoint: String!) {\n    unregisterPushSubscription(endpoint: $endpoint)\n  }\n": types.UnregisterPushSubscriptionDocument,
    "\n  mutation MuteBoard($boardId: ID!) {\n    muteBoard(boardId: $boardId) {\n      id\n      muted\n    }\n  }\n": types.MuteBoardDocument,
    "\n  mutation UnmuteBoard($boardId: ID!) {\n    unmuteBoard(boardId: $boardId) {\n      id\n      muted\n    }\n  }\n": types.UnmuteBoardDocument,
    "\n  query Board($id: ID!) {\n    board(id: $id) {\n      id\n      name\n      owner {\n        id\n        name\n      }\n      members(first: 100) {\n        id\n        name\n      }\n      cards(first: 50) {\n        ...CardFields\n      }\n    }\n  }\n": types.BoardDocument,
    "\n  mutation CreateBoard($name: String!) {\n    createBoard(name: $name) {\n      id\n      name\n    }\n  }\n": types.CreateBoardDocument,
    "\n  mutation AddBoardMember($boardId: ID!, $userId: ID!) {\n    addBoardMember(boardId: $boardId, userId: $userId) {\n      id\n      members(first: 100) {\n        id\n        name\n      }\n    }\n  }\n": types.AddBoardMemberDocument,
    "\n  mutation CreateCard($boardId: ID!, $title: String!, $description: String) {\n    createCard(boardId: $boardId, title: $title, description: $description) {\n      ...CardFields\n    }\n  }\n": types.CreateCardDocument,
    "\n  mutation UpdateCard($id: ID!, $input: UpdateCardInput!) {\n    updateCard(id: $id, input: $input) {\n      ...CardFields\n    }\n  }\n": types.UpdateCardDocument,
    "\n  mutation AssignCard($cardId: ID!, $userId: ID!) {\n    assignCard(cardId: $cardId, userId: $userId) {\n      ...CardFields\n    }\n  }\n": types.AssignCardDocument,
    "\n  mutation AddComment($cardId: ID!, $body: String!) {\n    addComment(cardId: $cardId, body: $body) {\n      id\n      body\n      createdAt\n      author {\n        id\n        name\n      }\n    }\n  }\n": types.AddCommentDocument,
    "\n  mutation Follow($userId: ID!) {\n    follow(userId: $userId) {\n      id\n      name\n    }\n  }\n": types.FollowDocument,
    "\n  mutation UploadPost($file: Upload!, $caption: String) {\n    uploadPost(file: $file, caption: $caption) {\n      id\n      imageUrl\n      caption\n      createdAt\n    }\n  }\n": types.UploadPostDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshToken {\n    refreshToken {\n      token\n      expiresAt\n    }\n  }\n"): (typeof documents)["\n  mutation RefreshToken {\n    refreshToken {\n      token\n      expiresAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogOut {\n    logOut\n  }\n"): (typeof documents)["\n  mutation LogOut {\n    logOut\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SessionLogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      token\n      expiresAt\n      user {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SessionLogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      token\n      expiresAt\n      user {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SessionMe {\n    me {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  query SessionMe {\n    me {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment NotificationFields on Notification {\n    id\n    cursor\n    kind\n    message\n    createdAt\n    readAt\n    actor {\n      id\n      name\n    }\n    card {\n      id\n      title\n      board {\n        id\n        name\n      }\n    }\n    post {\n      id\n      imageUrl\n      caption\n    }\n  }\n"): (typeof documents)["\n  fragment NotificationFields on Notification {\n    id\n    cursor\n    kind\n    message\n    createdAt\n    readAt\n    actor {\n      id\n      name\n    }\n    card {\n      id\n      title\n      board {\n        id\n        name\n      }\n    }\n    post {\n      id\n      imageUrl\n      caption\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment NotificationGroupFields on NotificationGroup {\n    key\n    cursor\n    kind\n    count\n    actorCount\n    actors {\n      id\n      name\n    }\n    latest {\n      id\n      card {\n        id\n        board {\n          id\n          name\n        }\n      }\n    }\n    latestAt\n    message\n  }\n"): (typeof documents)["\n  fragment NotificationGroupFields on NotificationGroup {\n    key\n    cursor\n    kind\n    count\n    actorCount\n    actors {\n      id\n      name\n    }\n    latest {\n      id\n      card {\n        id\n        board {\n          id\n          name\n        }\n      }\n    }\n    latestAt\n    message\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment CardFields on Card {\n    id\n    title\n    description\n    updatedAt\n    creator {\n      id\n      name\n    }\n    assignees(first: 20) {\n      id\n      name\n    }\n    comments(first: 20) {\n      id\n      body\n      createdAt\n      author {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment CardFields on Card {\n    id\n    title\n    description\n    updatedAt\n    creator {\n      id\n      name\n    }\n    assignees(first: 20) {\n      id\n      name\n    }\n    comments(first: 20) {\n      id\n      body\n      createdAt\n      author {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      name\n      email\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n      name\n      email\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      token\n      expiresAt\n      user {\n        id\n        name\n        email\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation SignUp($input: SignUpInput!) {\n    signUp(input: $input) {\n      token\n      expiresAt\n      user {\n        id\n        name\n        email\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      token\n      expiresAt\n      user {\n        id\n        name\n        email\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation LogIn($email: String!, $password: String!) {\n    logIn(email: $email, password: $password) {\n      token\n      expiresAt\n      user {\n        id\n        name\n        email\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Inbox($first: Int!) {\n    notifications(first: $first) {\n      edges {\n        cursor\n        node {\n          ...NotificationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n    unreadNotificationCount\n  }\n"): (typeof documents)["\n  query Inbox($first: Int!) {\n    notifications(first: $first) {\n      edges {\n        cursor\n        node {\n          ...NotificationFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n    unreadNotificationCount\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NotificationGroups($first: Int!, $after: String) {\n    notificationGroups(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...NotificationGroupFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): (typeof documents)["\n  query NotificationGroups($first: Int!, $after: String) {\n    notificationGroups(first: $first, after: $after) {\n      edges {\n        cursor\n        node {\n          ...NotificationGroupFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment NotificationPreferencesFields on NotificationPreferences {\n    kinds {\n      kind\n      channel\n      enabled\n    }\n    mutedBoards {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment NotificationPreferencesFields on NotificationPreferences {\n    kinds {\n      kind\n      channel\n      enabled\n    }\n    mutedBoards {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription InboxUpdates($userId: ID!, $after: String) {\n    inbox(userId: $userId, after: $after) {\n      version\n      kind\n      unreadCount\n      notification {\n        ...NotificationFields\n      }\n      readIds\n      allReadUpTo\n      preferences {\n        ...NotificationPreferencesFields\n      }\n      groupKeys\n      groups {\n        ...NotificationGroupFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription InboxUpdates($userId: ID!, $after: String) {\n    inbox(userId: $userId, after: $after) {\n      version\n      kind\n      unreadCount\n      notification {\n        ...NotificationFields\n      }\n      readIds\n      allReadUpTo\n      preferences {\n        ...NotificationPreferencesFields\n      }\n      groupKeys\n      groups {\n        ...NotificationGroupFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkNotificationRead($id: ID!) {\n    markNotificationRead(id: $id) {\n      id\n      readAt\n    }\n  }\n"): (typeof documents)["\n  mutation MarkNotificationRead($id: ID!) {\n    markNotificationRead(id: $id) {\n      id\n      readAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkNotificationGroupRead($key: String!, $upTo: String) {\n    markNotificationGroupRead(key: $key, upTo: $upTo)\n  }\n"): (typeof documents)["\n  mutation MarkNotificationGroupRead($key: String!, $upTo: String) {\n    markNotificationGroupRead(key: $key, upTo: $upTo)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n"): (typeof documents)["\n  mutation MarkAllNotificationsRead {\n    markAllNotificationsRead\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetNotificationPreference(\n    $kind: NotificationKind!\n    $channel: NotificationChannel!\n    $enabled: Boolean!\n  ) {\n    setNotificationPreference(kind: $kind, channel: $channel, enabled: $enabled) {\n      ...NotificationPreferencesFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetNotificationPreference(\n    $kind: NotificationKind!\n    $channel: NotificationChannel!\n    $enabled: Boolean!\n  ) {\n    setNotificationPreference(kind: $kind, channel: $channel, enabled: $enabled) {\n      ...NotificationPreferencesFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebPushPublicKey {\n    webPushPublicKey\n  }\n"): (typeof documents)["\n  query WebPushPublicKey {\n    webPushPublicKey\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PushSubscriptions {\n    pushSubscriptions {\n      id\n      endpoint\n    }\n  }\n"): (typeof documents)["\n  query PushSubscriptions {\n    pushSubscriptions {\n      id\n      endpoint\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RegisterPushSubscription($endpoint: String!, $p256dh: String!, $auth: String!) {\n    registerPushSubscription(endpoint: $endpoint, p256dh: $p256dh, auth: $auth) {\n      id\n      endpoint\n    }\n  }\n"): (typeof documents)["\n  mutation RegisterPushSubscription($endpoint: String!, $p256dh: String!, $auth: String!) {\n    registerPushSubscription(endpoint: $endpoint, p256dh: $p256dh, auth: $auth) {\n      id\n      endpoint\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnregisterPushSubscription($endpoint: String!) {\n    unregisterPushSubscription(endpoint: $endpoint)\n  }\n"): (typeof documents)["\n  mutation UnregisterPushSubscription($endpoint: String!) {\n    unregisterPushSubscription(endpoint: $endpoint)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MuteBoard($boardId: ID!) {\n    muteBoard(boardId: $boardId) {\n      id\n      muted\n    }\n  }\n"): (typeof documents)["\n  mutation MuteBoard($boardId: ID!) {\n    muteBoard(boardId: $boardId) {\n      id\n      muted\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnmuteBoard($boardId: ID!) {\n    unmuteBoard(boardId: $boardId) {\n      id\n      muted\n    }\n  }\n"): (typeof documents)["\n  mutation UnmuteBoard($boardId: ID!) {\n    unmuteBoard(boardId: $boardId) {\n      id\n      muted\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Board($id: ID!) {\n    board(id: $id) {\n      id\n      name\n      owner {\n        id\n        name\n      }\n      members(first: 100) {\n        id\n        name\n      }\n      cards(first: 50) {\n        ...CardFields\n      }\n    }\n  }\n"): (typeof documents)["\n  query Board($id: ID!) {\n    board(id: $id) {\n      id\n      name\n      owner {\n        id\n        name\n      }\n      members(first: 100) {\n        id\n        name\n      }\n      cards(first: 50) {\n        ...CardFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateBoard($name: String!) {\n    createBoard(name: $name) {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  mutation CreateBoard($name: String!) {\n    createBoard(name: $name) {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddBoardMember($boardId: ID!, $userId: ID!) {\n    addBoardMember(boardId: $boardId, userId: $userId) {\n      id\n      members(first: 100) {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AddBoardMember($boardId: ID!, $userId: ID!) {\n    addBoardMember(boardId: $boardId, userId: $userId) {\n      id\n      members(first: 100) {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateCard($boardId: ID!, $title: String!, $description: String) {\n    createCard(boardId: $boardId, title: $title, description: $description) {\n      ...CardFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateCard($boardId: ID!, $title: String!, $description: String) {\n    createCard(boardId: $boardId, title: $title, description: $description) {\n      ...CardFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateCard($id: ID!, $input: UpdateCardInput!) {\n    updateCard(id: $id, input: $input) {\n      ...CardFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateCard($id: ID!, $input: UpdateCardInput!) {\n    updateCard(id: $id, input: $input) {\n      ...CardFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AssignCard($cardId: ID!, $userId: ID!) {\n    assignCard(cardId: $cardId, userId: $userId) {\n      ...CardFields\n    }\n  }\n"): (typeof documents)["\n  mutation AssignCard($cardId: ID!, $userId: ID!) {\n    assignCard(cardId: $cardId, userId: $userId) {\n      ...CardFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddComment($cardId: ID!, $body: String!) {\n    addComment(cardId: $cardId, body: $body) {\n      id\n      body\n      createdAt\n      author {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AddComment($cardId: ID!, $body: String!) {\n    addComment(cardId: $cardId, body: $body) {\n      id\n      body\n      createdAt\n      author {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Follow($userId: ID!) {\n    follow(userId: $userId) {\n      id\n      name\n    }\n  }\n"): (typeof documents)["\n  mutation Follow($userId: ID!) {\n    follow(userId: $userId) {\n      id\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UploadPost($file: Upload!, $caption: String) {\n    uploadPost(file: $file, caption: $caption) {\n      id\n      imageUrl\n      caption\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  mutation UploadPost($file: Upload!, $caption: String) {\n    uploadPost(file: $file, caption: $caption) {\n      id\n      imageUrl\n      caption\n      createdAt\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;