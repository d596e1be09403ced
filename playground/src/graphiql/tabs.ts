// The operations GraphiQL opens with, one tab each, in the order of the
// walkthrough on a fresh server: Alice and Bob sign up (user ids 1 and 2),
// Bob makes board 1, adds Alice, makes card 1, assigns it to her and
// comments on it; Alice reads her inbox, then the same grouped by what it
// is about (and can mark a group read), subscribes to what comes next and
// to her inbox's changes, and turns one kind of notification off. The last
// tab is the app's own server publishing: it sends an API key, not a
// user's token (authorization.ts keeps the session bar's token out of it).
// The ids in the variables are those a fresh server hands out; edit them
// when yours differ. tests/tabs.test.ts checks every tab against the schema.
import type { GraphiQLProps } from 'graphiql';

type TabDefinition = NonNullable<GraphiQLProps['defaultTabs']>[number];

export const WALKTHROUGH_TABS: TabDefinition[] = [
  {
    query: `mutation SignUpAlice {
  signUp(input: {name: "Alice", email: "alice@example.com", password: "correct horse"}) {
    token
    expiresAt
    user { id name }
  }
}`,
  },
  {
    query: `mutation SignUpBob {
  signUp(input: {name: "Bob", email: "bob@example.com", password: "battery staple"}) {
    token
    expiresAt
    user { id name }
  }
}`,
  },
  {
    query: `mutation CreateBoard($name: String!) {
  createBoard(name: $name) {
    id
    name
    members { id name }
  }
}`,
    variables: '{ "name": "Launch" }',
  },
  {
    query: `mutation AddBoardMember($boardId: ID!, $userId: ID!) {
  addBoardMember(boardId: $boardId, userId: $userId) {
    id
    members { id name }
  }
}`,
    variables: '{ "boardId": "1", "userId": "1" }',
  },
  {
    query: `mutation CreateCard($boardId: ID!, $title: String!, $description: String) {
  createCard(boardId: $boardId, title: $title, description: $description) {
    id
    title
    creator { name }
  }
}`,
    variables: '{ "boardId": "1", "title": "Write the launch post", "description": "Two paragraphs and a picture" }',
  },
  {
    query: `mutation AssignCard($cardId: ID!, $userId: ID!) {
  assignCard(cardId: $cardId, userId: $userId) {
    id
    assignees { id name }
  }
}`,
    variables: '{ "cardId": "1", "userId": "1" }',
  },
  {
    query: `mutation AddComment($cardId: ID!, $body: String!) {
  addComment(cardId: $cardId, body: $body) {
    id
    body
    author { name }
  }
}`,
    variables: '{ "cardId": "1", "body": "The draft is ready for review." }',
  },
  {
    query: `query Inbox {
  notifications(first: 20) {
    edges {
      cursor
      node { id kind message actor { name } createdAt readAt }
    }
    pageInfo { hasNextPage endCursor }
  }
  unreadNotificationCount
}`,
  },
  {
    // Two operations: GraphiQL's run button asks which one to run. The
    // key is the group of Bob's comments on card 1, as it shows in the
    // query's answer; `upTo` (the group's `cursor`) leaves any comment
    // newer than the one shown unread.
    query: `query GroupedInbox {
  notificationGroups(first: 20) {
    edges {
      node {
        key
        cursor
        kind
        count
        actorCount
        actors { name }
        latestAt
        message
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}

mutation MarkGroupRead($key: String!, $upTo: String) {
  markNotificationGroupRead(key: $key, upTo: $upTo)
}`,
    variables: '{ "key": "COMMENT_ADDED:card:1" }',
  },
  {
    query: `subscription Notifications($userId: ID!, $after: String) {
  notifications(userId: $userId, after: $after) {
    id
    cursor
    kind
    message
    actor { name }
    createdAt
  }
}`,
    variables: '{ "userId": "1" }',
  },
  {
    query: `subscription InboxUpdates($userId: ID!, $after: String) {
  inbox(userId: $userId, after: $after) {
    version
    kind
    unreadCount
    notification { id message }
    readIds
    allReadUpTo
    preferences { kinds { kind enabled } mutedBoards { name } }
    groupKeys
    groups { key count message }
  }
}`,
    variables: '{ "userId": "1" }',
  },
  {
    query: `mutation TurnOffPhotoPosts {
  setNotificationPreference(kind: POST_UPLOADED, enabled: false) {
    kinds { kind channel enabled }
    mutedBoards { id name }
  }
}`,
  },
  {
    // The placeholder key is plain ASCII so that, run unchanged, the
    // request reaches Herald and is answered UNAUTHENTICATED (a browser
    // refuses to send a header holding `…`).
    query: `# Publish as your app, not as a user. Replace the key in
# Headers with the one this command prints (once):
#   herald api-key create --name playground
# A key can publish and manage topics but never act as a
# user. A retry with the same idempotencyKey returns the
# first result (replayed: true) and tells nobody twice.
mutation PublishInvoicePaid($input: PublishNotificationInput!) {
  publishNotification(input: $input) {
    notified
    replayed
  }
}

# Adds users (your app's ids) to a topic a publish can name.
mutation SubscribeToBilling($topic: String!, $users: [String!]!) {
  subscribeToTopic(topic: $topic, users: $users) {
    name
    memberCount
  }
}`,
    variables: `{
  "input": {
    "recipients": ["customer-42", "customer-57"],
    "type": "invoice.paid",
    "message": "Invoice INV-1042 was paid.",
    "link": "https://billing.example.com/invoices/INV-1042",
    "data": { "invoice": "INV-1042", "amount": 120, "currency": "EUR" },
    "idempotencyKey": "invoice.paid:INV-1042"
  },
  "topic": "billing",
  "users": ["customer-42"]
}`,
    headers: '{ "Authorization": "Bearer hk_replace_with_your_key" }',
  },
];
