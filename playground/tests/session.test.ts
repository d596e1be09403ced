// A session outlives its tokens. This Herald issues tokens that last 20 s,
// so the inbox must refresh its token before it expires, move its
// websocket to the new one and keep delivering live, all without signing
// the tab out.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';

import { eventually, GuardedContext, screenshotOnFailure, startHeraldAndChromium } from './browser';
import type { Herald } from './herald';
import { bell, notificationList, signUp, toasts } from './inbox-ui';

/** Long enough to load the inbox and sign up, short enough to expire during the test. */
const TOKEN_TTL_SECS = 20;

let herald: Herald;
let browser: Browser;

before(async () => {
  ({ herald, browser } = await startHeraldAndChromium({
    flags: ['--token-ttl-secs', String(TOKEN_TTL_SECS)],
  }));
});

after(async () => {
  await browser?.close();
  await herald?.stop();
});

test('the inbox refreshes its token before it expires and stays live', async () => {
  const user = await GuardedContext.create(browser, herald.url);
  try {
    await screenshotOnFailure('session refresh', [user], async () => {
      const page = await user.newPage();
      // The token each of the page's websockets opened with, in order.
      const socketTokens: string[] = [];
      page.on('websocket', (socket) =>
        socket.on('framesent', ({ payload }) => {
          const message = JSON.parse(String(payload)) as {
            type: string;
            payload?: { authorization?: string };
          };
          if (message.type === 'connection_init') {
            socketTokens.push(message.payload?.authorization ?? '');
          }
        }),
      );
      await page.goto(`${herald.url}/inbox`);
      await signUp(page, 'Grace', 'grace@example.com', 'correct horse');
      await page.getByText('Live updates: on').waitFor();
      const first = await credentialsOf(page);

      // Once Herald refuses the first token, the tab holds a newer one,
      // which Herald takes.
      await eventually(
        'the first token has expired',
        async () => !(await herald.accepts(first.token)),
        3 * TOKEN_TTL_SECS * 1000,
      );
      const current = await credentialsOf(page);
      assert.notEqual(current.token, first.token, 'the tab refreshed its token');
      assert.ok(Date.parse(current.expiresAt) > Date.parse(first.expiresAt), 'with a later expiry');
      assert.ok(
        socketTokens.some((token) => token !== `Bearer ${first.token}`),
        'the websocket reconnected with a refreshed token',
      );

      // Heidi assigns Grace a card: it reaches her inbox live.
      const heidi = await herald.signUp('Heidi', 'heidi@example.com', 'battery staple');
      const { createBoard: board } = await herald.graphql<{ createBoard: { id: string } }>(
        'mutation { createBoard(name: "Security") { id } }',
        {},
        heidi.token,
      );
      const grace = await herald.graphql<{ me: { id: string } }>(
        '{ me { id } }',
        {},
        current.token,
      );
      await herald.graphql(
        'mutation ($b: ID!, $u: ID!) { addBoardMember(boardId: $b, userId: $u) { id } }',
        { b: board.id, u: grace.me.id },
        heidi.token,
      );
      const { createCard: card } = await herald.graphql<{ createCard: { id: string } }>(
        'mutation ($b: ID!) { createCard(boardId: $b, title: "Rotate the keys") { id } }',
        { b: board.id },
        heidi.token,
      );
      await herald.graphql(
        'mutation ($c: ID!, $u: ID!) { assignCard(cardId: $c, userId: $u) { id } }',
        { c: card.id, u: grace.me.id },
        heidi.token,
      );
      const assigned = 'Heidi assigned you to the card “Rotate the keys”';
      await toasts(page).filter({ hasText: assigned }).waitFor();
      await notificationList(page).getByText(assigned).waitFor();
      await bell(page, 1).waitFor();

      // Grace was never signed out.
      const account = page.getByRole('region', { name: 'Your account' });
      await account.getByText('Signed in as Grace').waitFor();
      assert.equal(await page.getByText('Your session has ended').count(), 0);
      assert.ok(await herald.accepts((await credentialsOf(page)).token));
      user.assertClean();
    });
  } finally {
    await user.close();
  }
});

/** The token the page holds, and when it expires. */
async function credentialsOf(page: Page): Promise<{ token: string; expiresAt: string }> {
  const [token, expiresAt] = await page.evaluate(() => [
    sessionStorage.getItem('herald.token'),
    sessionStorage.getItem('herald.tokenExpiresAt'),
  ]);
  assert.ok(token && expiresAt, 'the page is signed in');
  return { token, expiresAt };
}
