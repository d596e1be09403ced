// The inbox demo at /inbox with two users in two browser contexts (two
// sessions): what Bob does reaches Alice live, survives a reload and a
// server restart without loss or repetition, and refusals are shown where
// they happened.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';

import { eventually, GuardedContext, screenshotOnFailure, startHeraldAndChromium } from './browser';
import type { Herald } from './herald';
import {
  addCard,
  addMember,
  assign,
  bell,
  comment,
  createBoard,
  logIn,
  notificationList,
  ownUserId,
  postPhoto,
  signUp,
  TINY_PNG,
  toasts,
} from './inbox-ui';

let herald: Herald;
let browser: Browser;

before(async () => {
  ({ herald, browser } = await startHeraldAndChromium());
});

after(async () => {
  await browser?.close();
  await herald?.stop();
});

/** Runs `body` with one guarded context per user, checked and closed after. */
async function withUsers(
  name: string,
  count: number,
  body: (...users: GuardedContext[]) => Promise<void>,
): Promise<void> {
  const users = await Promise.all(
    Array.from({ length: count }, () => GuardedContext.create(browser, herald.url)),
  );
  try {
    await screenshotOnFailure(name, users, async () => {
      await body(...users);
      for (const user of users) user.assertClean();
    });
  } finally {
    await Promise.all(users.map((user) => user.close()));
  }
}

async function openInbox(user: GuardedContext, beforeLoad?: (page: Page) => void): Promise<Page> {
  const page = await user.newPage();
  beforeLoad?.(page);
  await page.goto(`${herald.url}/inbox`);
  return page;
}

test('what Bob does reaches Alice live, and her inbox survives a reload', async () => {
  await withUsers('inbox live', 2, async (aliceUser, bobUser) => {
    const alice = await openInbox(aliceUser);
    await signUp(alice, 'Alice', 'alice@example.com', 'correct horse');
    const bob = await openInbox(bobUser);
    await signUp(bob, 'Bob', 'bob@example.com', 'battery staple');
    await bell(alice, 0).waitFor();
    await alice.getByText('Live updates: on').waitFor();

    const board = await createBoard(bob, 'Launch');
    await addMember(board, await ownUserId(alice), 'Alice');
    const card = await addCard(board, 'Write the launch post');

    await assign(card, 'Alice');
    const assigned = toasts(alice).filter({ hasText: 'Bob assigned you to the card “Write the launch post”' });
    await assigned.waitFor();
    assert.match(await assigned.innerText(), /by Bob, .*\d/, 'the toast names the actor and the time');

    await comment(card, 'The draft is ready for review.');
    await toasts(alice)
      .filter({ hasText: 'Bob commented on the card “Write the launch post”: The draft is ready for review.' })
      .waitFor();
    await bell(alice, 2).waitFor();

    const list = notificationList(alice);
    assert.equal(await list.getByRole('listitem').count(), 2);
    assert.equal(await list.getByText('Unread:').count(), 2);

    await alice.getByRole('button', { name: 'Mark all read' }).click();
    await bell(alice, 0).waitFor();
    await list.getByText('Unread:').first().waitFor({ state: 'detached' });
    const shownBefore = await list.innerText();

    await alice.reload();
    await bell(alice, 0).waitFor();
    await alice.getByText('Live updates: on').waitFor();
    assert.equal(await notificationList(alice).innerText(), shownBefore);
    assert.equal(await toasts(alice).count(), 0, 'nothing already seen is announced again');
  });
});

test('after a dropped connection the inbox resumes from its last version', async () => {
  await withUsers('inbox resume', 2, async (carolUser, daveUser) => {
    // Every version Carol's inbox subscribes after, in order, and the
    // newest version Herald sent it.
    const resumedAfter: (string | null)[] = [];
    let newestReceived: string | null = null;
    const carol = await openInbox(carolUser, (page) =>
      page.on('websocket', (socket) => {
        socket.on('framesent', ({ payload }) => {
          const message = JSON.parse(String(payload)) as {
            type: string;
            payload?: { variables?: { after?: string | null } };
          };
          if (message.type === 'subscribe') resumedAfter.push(message.payload?.variables?.after ?? null);
        });
        socket.on('framereceived', ({ payload }) => {
          const message = JSON.parse(String(payload)) as {
            type: string;
            payload?: { data?: { inbox?: { version: string } } };
          };
          const version = message.payload?.data?.inbox?.version;
          if (message.type === 'next' && version !== undefined) newestReceived = version;
        });
      }),
    );
    await signUp(carol, 'Carol', 'carol@example.com', 'correct horse');
    const dave = await openInbox(daveUser);
    await signUp(dave, 'Dave', 'dave@example.com', 'battery staple');
    await carol.getByText('Live updates: on').waitFor();

    const board = await createBoard(dave, 'Roadmap');
    await addMember(board, await ownUserId(carol), 'Carol');
    const card = await addCard(board, 'Plan Q3');
    await assign(card, 'Carol');
    await bell(carol, 1).waitFor();
    await notificationList(carol).getByText('Dave assigned you to the card “Plan Q3”').waitFor();
    const lastSeen = newestReceived;
    assert.ok(lastSeen, 'the inbox received versions');
    const carolToken = await tokenOf(carol);

    // The server goes away and comes back. Dave acts at once (from here,
    // faster than the inbox resubscribes), so Carol can only learn of it
    // from the replay after her last version.
    await herald.restart();
    const daveToken = await tokenOf(dave);
    const cardId = await herald.graphql<{ notifications: { edges: { node: { card: { id: string } } }[] } }>(
      '{ notifications(first: 1) { edges { node { card { id } } } } }',
      {},
      carolToken,
    );
    const id = cardId.notifications.edges[0]?.node.card.id;
    await herald.graphql(
      'mutation ($id: ID!) { updateCard(id: $id, input: { description: "Three milestones" }) { id } }',
      { id },
      daveToken,
    );
    await herald.graphql(
      'mutation ($id: ID!) { addComment(cardId: $id, body: "Milestones are in.") { id } }',
      { id },
      daveToken,
    );

    await bell(carol, 3).waitFor();
    const list = notificationList(carol);
    await list.getByText('Dave updated the card “Plan Q3”').waitFor();
    await list.getByText('Dave commented on the card “Plan Q3”: Milestones are in.').waitFor();
    assert.equal(await list.getByRole('listitem').count(), 3, 'each notification shows once');
    assert.equal(resumedAfter.at(-1), lastSeen, 'the inbox resubscribed after the last version it applied');
  });
});

async function tokenOf(page: Page): Promise<string> {
  const token = await page.evaluate(() => sessionStorage.getItem('herald.token'));
  assert.ok(token, 'the page is signed in');
  return token;
}

test('refusals are shown next to the form that caused them', async () => {
  await withUsers('inbox errors', 1, async (user) => {
    const page = await openInbox(user);
    await signUp(page, 'Erin', 'erin@example.com', 'correct horse');
    const signedOut = await tokenOf(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    // Signing out logs the session out on Herald too, and is no "session ended".
    await eventually(
      'Herald refuses the signed-out token',
      async () => !(await herald.accepts(signedOut)),
    );
    assert.equal(await page.getByText('Your session has ended').count(), 0);

    // A taken email.
    const signUpForm = page.getByRole('form', { name: 'Sign up' });
    await signUpForm.getByLabel('Name').fill('Erin again');
    await signUpForm.getByLabel('Email').fill('erin@example.com');
    await signUpForm.getByLabel('Password').fill('correct horse');
    await signUpForm.getByRole('button', { name: 'Sign up' }).click();
    await signUpForm.getByRole('alert').filter({ hasText: 'CONFLICT' }).waitFor();

    // A wrong password.
    await logIn(page, 'erin@example.com', 'wrong password');
    const logInForm = page.getByRole('form', { name: 'Log in' });
    await logInForm.getByRole('alert').filter({ hasText: 'UNAUTHENTICATED wrong email or password' }).waitFor();

    // The right one, then an upload that is not a picture.
    await logIn(page, 'erin@example.com', 'correct horse');
    await page.getByText('Signed in as Erin').waitFor();
    const photoForm = await postPhoto(
      page,
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a picture') },
      'My notes',
    );
    await photoForm.getByRole('alert').filter({ hasText: 'BAD_USER_INPUT' }).waitFor();
    // A real picture goes through.
    await postPhoto(page, { name: 'dot.png', mimeType: 'image/png', buffer: TINY_PNG }, 'A dot');
    await photoForm.getByText('Posted: A dot').waitFor();

    // A token Herald no longer accepts sends the tab back to sign-in.
    await page.evaluate(() => sessionStorage.setItem('herald.token', 'not-a-valid-token'));
    await page.reload();
    await page.getByRole('alert').filter({ hasText: 'Your session has ended: UNAUTHENTICATED' }).waitFor();
    await page.getByRole('form', { name: 'Log in' }).waitFor();
  });
});
