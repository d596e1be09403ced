// Every operation the inbox sends. graphql-codegen types them from
// ../schema.graphql into src/gql/ (`npm run codegen`).
//
// Herald's list fields take a page size (`first`, at most and by default
// 100), and its complexity limit (100,000 by default) charges each list its
// page size times its selection. The board asks for the pages it shows
// (about 8,700 in all): every member (the assignee picker needs them all),
// the first 50 cards, and their first 20 assignees and comments.
import { graphql } from '../gql';

export const NotificationFields = graphql(`
  fragment NotificationFields on Notification {
    id
    cursor
    kind
    message
    createdAt
    readAt
    actor {
      id
      name
    }
    card {
      id
      title
      board {
        id
        name
      }
    }
    post {
      id
      imageUrl
      caption
    }
  }
`);

export const NotificationGroupFields = graphql(`
  fragment NotificationGroupFields on NotificationGroup {
    key
    cursor
    kind
    count
    actorCount
    actors {
      id
      name
    }
    latest {
      id
      card {
        id
        board {
          id
          name
        }
      }
    }
    latestAt
    message
  }
`);

export const CardFields = graphql(`
  fragment CardFields on Card {
    id
    title
    description
    updatedAt
    creator {
      id
      name
    }
    assignees(first: 20) {
      id
      name
    }
    comments(first: 20) {
      id
      body
      createdAt
      author {
        id
        name
      }
    }
  }
`);

export const MeQuery = graphql(`
  query Me {
    me {
      id
      name
      email
    }
  }
`);

export const SignUpMutation = graphql(`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) {
      token
      expiresAt
      user {
        id
        name
        email
      }
    }
  }
`);

export const LogInMutation = graphql(`
  mutation LogIn($email: String!, $password: String!) {
    logIn(email: $email, password: $password) {
      token
      expiresAt
      user {
        id
        name
        email
      }
    }
  }
`);

export const InboxQuery = graphql(`
  query Inbox($first: Int!) {
    notifications(first: $first) {
      edges {
        cursor
        node {
          ...NotificationFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
    unreadNotificationCount
  }
`);

export const NotificationGroupsQuery = graphql(`
  query NotificationGroups($first: Int!, $after: String) {
    notificationGroups(first: $first, after: $after) {
      edges {
        cursor
        node {
          ...NotificationGroupFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const NotificationPreferencesFields = graphql(`
  fragment NotificationPreferencesFields on NotificationPreferences {
    kinds {
      kind
      channel
      enabled
    }
    mutedBoards {
      id
      name
    }
  }
`);

export const InboxUpdatesSubscription = graphql(`
  subscription InboxUpdates($userId: ID!, $after: String) {
    inbox(userId: $userId, after: $after) {
      version
      kind
      unreadCount
      notification {
        ...NotificationFields
      }
      readIds
      allReadUpTo
      preferences {
        ...NotificationPreferencesFields
      }
      groupKeys
      groups {
        ...NotificationGroupFields
      }
    }
  }
`);

export const MarkNotificationReadMutation = graphql(`
  mutation MarkNotificationRead($id: ID!) {
    markNotificationRead(id: $id) {
      id
      readAt
    }
  }
`);

export const MarkNotificationGroupReadMutation = graphql(`
  mutation MarkNotificationGroupRead($key: String!, $upTo: String) {
    markNotificationGroupRead(key: $key, upTo: $upTo)
  }
`);

export const MarkAllNotificationsReadMutation = graphql(`
  mutation MarkAllNotificationsRead {
    markAllNotificationsRead
  }
`);

export const SetNotificationPreferenceMutation = graphql(`
  mutation SetNotificationPreference(
    $kind: NotificationKind!
    $channel: NotificationChannel!
    $enabled: Boolean!
  ) {
    setNotificationPreference(kind: $kind, channel: $channel, enabled: $enabled) {
      ...NotificationPreferencesFields
    }
  }
`);

export const WebPushPublicKeyQuery = graphql(`
  query WebPushPublicKey {
    webPushPublicKey
  }
`);

export const PushSubscriptionsQuery = graphql(`
  query PushSubscriptions {
    pushSubscriptions {
      id
      endpoint
    }
  }
`);

export const RegisterPushSubscriptionMutation = graphql(`
  mutation RegisterPushSubscription($endpoint: String!, $p256dh: String!, $auth: String!) {
    registerPushSubscription(endpoint: $endpoint, p256dh: $p256dh, auth: $auth) {
      id
      endpoint
    }
  }
`);

export const UnregisterPushSubscriptionMutation = graphql(`
  mutation UnregisterPushSubscription($endpoint: String!) {
    unregisterPushSubscription(endpoint: $endpoint)
  }
`);

export const MuteBoardMutation = graphql(`
  mutation MuteBoard($boardId: ID!) {
    muteBoard(boardId: $boardId) {
      id
      muted
    }
  }
`);

export const UnmuteBoardMutation = graphql(`
  mutation UnmuteBoard($boardId: ID!) {
    unmuteBoard(boardId: $boardId) {
      id
      muted
    }
  }
`);

export const BoardQuery = graphql(`
  query Board($id: ID!) {
    board(id: $id) {
      id
      name
      owner {
        id
        name
      }
      members(first: 100) {
        id
        name
      }
      cards(first: 50) {
        ...CardFields
      }
    }
  }
`);

export const CreateBoardMutation = graphql(`
  mutation CreateBoard($name: String!) {
    createBoard(name: $name) {
      id
      name
    }
  }
`);

export const AddBoardMemberMutation = graphql(`
  mutation AddBoardMember($boardId: ID!, $userId: ID!) {
    addBoardMember(boardId: $boardId, userId: $userId) {
      id
      members(first: 100) {
        id
        name
      }
    }
  }
`);

export const CreateCardMutation = graphql(`
  mutation CreateCard($boardId: ID!, $title: String!, $description: String) {
    createCard(boardId: $boardId, title: $title, description: $description) {
      ...CardFields
    }
  }
`);

export const UpdateCardMutation = graphql(`
  mutation UpdateCard($id: ID!, $input: UpdateCardInput!) {
    updateCard(id: $id, input: $input) {
      ...CardFields
    }
  }
`);

export const AssignCardMutation = graphql(`
  mutation AssignCard($cardId: ID!, $userId: ID!) {
    assignCard(cardId: $cardId, userId: $userId) {
      ...CardFields
    }
  }
`);

export const AddCommentMutation = graphql(`
  mutation AddComment($cardId: ID!, $body: String!) {
    addComment(cardId: $cardId, body: $body) {
      id
      body
      createdAt
      author {
        id
        name
      }
    }
  }
`);

export const FollowMutation = graphql(`
  mutation Follow($userId: ID!) {
    follow(userId: $userId) {
      id
      name
    }
  }
`);

export const UploadPostMutation = graphql(`
  mutation UploadPost($file: Upload!, $caption: String) {
    uploadPost(file: $file, caption: $caption) {
      id
      imageUrl
      caption
      createdAt
    }
  }
`);
