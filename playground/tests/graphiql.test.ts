// GraphiQL at /graphiql, as a person uses it: sign in from the bar above
// it, run the preloaded Inbox query, then run the subscription tab and
// watch an event arrive when someone else acts. Signing in never puts the
// user's token into the tab that publishes with an API key.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';

import { GuardedContext, screenshotOnFailure, startHeraldAndChromium } from './browser';
import type { Herald } from './herald';

let herald: Herald;
let browser: Browser;

before(async () => {
  ({ herald, browser } = await startHeraldAndChromium());
});

after(async () => {
  await browser?.close();
  await herald?.stop();
});

test('GraphiQL runs a query and shows a live subscription event', async () => {
  // Bob has made a board with Alice on it and assigned her a card, so her
  // inbox holds one notification, whose cursor the subscription resumes
  // after: what Bob does next must arrive however late the socket opens.
  const alice = await herald.signUp('Alice', 'alice@example.com', 'correct horse');
  const bob = await herald.signUp('Bob', 'bob@example.com', 'battery staple');
  const { createBoard: board } = await herald.graphql<{ createBoard: { id: string } }>(
    `mutation { createBoard(name: "Launch") { id } }`,
    {},
    bob.token,
  );
  await herald.graphql(
    `mutation ($b: ID!, $u: ID!) { addBoardMember(boardId: $b, userId: $u) { id } }`,
    { b: board.id, u: alice.user.id },
    bob.token,
  );
  const { createCard: card } = await herald.graphql<{ createCard: { id: string } }>(
    `mutation ($b: ID!) { createCard(boardId: $b, title: "Write the launch post") { id } }`,
    { b: board.id },
    bob.token,
  );
  await herald.graphql(
    `mutation ($c: ID!, $u: ID!) { assignCard(cardId: $c, userId: $u) { id } }`,
    { c: card.id, u: alice.user.id },
    bob.token,
  );
  const inbox = await herald.graphql<{ notifications: { edges: { cursor: string }[] } }>(
    `{ notifications(first: 1) { edges { cursor } } }`,
    {},
    alice.token,
  );
  const newestCursor = inbox.notifications.edges[0]?.cursor;
  assert.ok(newestCursor, 'Alice has a notification to resume after');

  const guarded = await GuardedContext.create(browser, herald.url);
  try {
    await screenshotOnFailure('graphiql', [guarded], async () => {
      const page = await guarded.newPage();
      const sentOverWebsocket: string[] = [];
      page.on('websocket', (socket) =>
        socket.on('framesent', ({ payload }) => sentOverWebsocket.push(String(payload))),
      );
      await page.goto(`${herald.url}/graphiql`);
      // GraphiQL is ready once its editor shows the first tab; a tab
      // clicked before that would open with the first tab's text.
      const operationEditor = page.getByRole('region', { name: 'Operation Editor' });
      await operationEditor.getByText('SignUpAlice').waitFor();

      const logIn = page.getByRole('form', { name: 'Log in' });
      await logIn.getByLabel('Email').fill('alice@example.com');
      await logIn.getByLabel('Password').fill('correct horse');
      await logIn.getByRole('button', { name: 'Log in' }).click();
      await page.getByText(`Signed in as Alice (user id ${alice.user.id})`).waitFor();

      // The Inbox query, as Alice: the header editor now carries her token.
      await page.getByRole('button', { name: 'Inbox', exact: true }).click();
      const headers = page.getByRole('region', { name: 'Headers' });
      await headers.getByText('Bearer').waitFor();
      await operationEditor.getByText('unreadNotificationCount').waitFor();
      await page.getByRole('button', { name: /^Execute query/ }).click();
      const result = page.getByRole('region', { name: 'Result Window' });
      await result.getByText('"unreadNotificationCount"').waitFor();
      await result.getByText('CARD_ASSIGNED').waitFor();
      await result.getByText('Bob assigned you').first().waitFor();

      // The subscription tab, resuming after Alice's newest notification.
      await page.getByRole('button', { name: 'Notifications', exact: true }).click();
      await operationEditor.getByText('subscription').waitFor();
      await page.getByRole('button', { name: 'Variables', exact: true }).click();
      const variables = page.getByRole('region', { name: 'Variables' });
      await variables.getByRole('code').filter({ visible: true }).click();
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.insertText(
        JSON.stringify({ userId: alice.user.id, after: newestCursor }),
      );
      // The editor closes brackets and quotes as they are typed; drop what
      // it added after the cursor.
      await page.keyboard.press('Shift+End');
      await page.keyboard.press('Delete');
      await page.getByRole('button', { name: /^Execute query/ }).click();
      await page.getByRole('button', { name: /^Stop query/ }).waitFor();

      await herald.graphql(
        `mutation ($c: ID!) { addComment(cardId: $c, body: "Draft is up") { id } }`,
        { c: card.id },
        bob.token,
      );
      await result.getByText('COMMENT_ADDED').waitFor();
      await result.getByText('"Bob"').waitFor();

      const init = sentOverWebsocket
        .map((frame) => JSON.parse(frame) as { type: string; payload?: Record<string, unknown> })
        .find((message) => message.type === 'connection_init');
      assert.match(String(init?.payload?.['authorization']), /^Bearer \S+$/);
      guarded.assertClean();
    });
  } finally {
    await guarded.close();
  }
});

test('signing in leaves the publish tab’s API key in place', async () => {
  await herald.signUp('Carol', 'carol@example.com', 'tr0ubador');
  const guarded = await GuardedContext.create(browser, herald.url);
  try {
    await screenshotOnFailure('graphiql api key', [guarded], async () => {
      const page = await guarded.newPage();
      await page.goto(`${herald.url}/graphiql`);
      const operationEditor = page.getByRole('region', { name: 'Operation Editor' });
      await operationEditor.getByText('SignUpAlice').waitFor();
      const headers = page.getByRole('region', { name: 'Headers' });

      // Carol signs in with the publish tab open: it keeps its key.
      await page.getByRole('button', { name: 'PublishInvoicePaid', exact: true }).click();
      await operationEditor.getByText('memberCount').waitFor();
      await headers.getByText('Bearer hk_replace_with_your_key').waitFor();
      const logIn = page.getByRole('form', { name: 'Log in' });
      await logIn.getByLabel('Email').fill('carol@example.com');
      await logIn.getByLabel('Password').fill('tr0ubador');
      await logIn.getByRole('button', { name: 'Log in' }).click();
      await page.getByText('Signed in as Carol').waitFor();

      // A tab without an Authorization header gets her token; once it
      // shows, the sign-in has been applied, and the publish tab still
      // sends the key.
      await page.getByRole('button', { name: 'Inbox', exact: true }).click();
      await operationEditor.getByText('unreadNotificationCount').waitFor();
      await headers.getByText('hk_replace_with_your_key').waitFor({ state: 'detached' });
      await headers.getByText('Bearer').waitFor();
      await page.getByRole('button', { name: 'PublishInvoicePaid', exact: true }).click();
      await operationEditor.getByText('memberCount').waitFor();
      await headers.getByText('Bearer hk_replace_with_your_key').waitFor();
      guarded.assertClean();
    });
  } finally {
    await guarded.close();
  }
});
