// One user, two tabs: Alice signs up in one and logs in in the other, and
// Bob (through the API) gives her notifications. Whatever Alice does in
// one tab (read one, read all, turn a kind off and on, mute and unmute a
// board) shows in the other through the `inbox` subscription, and what she
// turned off or muted stops reaching her.
//
// "Stops reaching her" is checked without waiting out a quiet period:
// after the action that must not notify, Bob does one that must, on the
// same inbox. Herald delivers a user's updates in the order they happened,
// so once the second notification shows, the first would have shown too.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';

import { GuardedContext, screenshotOnFailure, startHeraldAndChromium } from './browser';
import type { Herald } from './herald';
import {
  bell,
  kindToggle,
  kindToggles,
  logIn,
  notificationItem,
  notificationList,
  ownUserId,
  settings,
  signUp,
} from './inbox-ui';

const COMMENTS = 'Someone comments on a card you created or are assigned to';
const MUTE_BOARD = 'Mute notifications from this board';

let herald: Herald;
let browser: Browser;

before(async () => {
  ({ herald, browser } = await startHeraldAndChromium());
});

after(async () => {
  await browser?.close();
  await herald?.stop();
});

test('two tabs of one user show the same inbox and settings, and a kind turned off stops arriving', async () => {
  const alice = await GuardedContext.create(browser, herald.url);
  try {
    await screenshotOnFailure('inbox sync', [alice], async () => {
      // Each tab signs in on its own (the token is per tab), as the same user.
      const tabA = await alice.newPage();
      await tabA.goto(`${herald.url}/inbox`);
      await signUp(tabA, 'Alice', 'alice@example.com', 'correct horse');
      const tabB = await alice.newPage();
      await tabB.goto(`${herald.url}/inbox`);
      await logIn(tabB, 'alice@example.com', 'correct horse');
      await tabB.getByText('Signed in as Alice').waitFor();
      const tabs = [tabA, tabB];
      const aliceId = await ownUserId(tabA);
      for (const tab of tabs) await tab.getByText('Live updates: on').waitFor();

      const bob = await herald.signUp('Bob', 'bob@example.com', 'battery staple');
      const launch = await herald.createBoard(bob, 'Launch', [aliceId]);
      const launchCard = await herald.createCard(bob, launch, 'Write the launch post');
      await herald.assignCard(bob, launchCard, aliceId);
      await herald.addComment(bob, launchCard, 'The draft is ready.');

      const assigned = 'Bob assigned you to the card “Write the launch post”';
      const commented = 'Bob commented on the card “Write the launch post”: The draft is ready.';
      for (const tab of tabs) {
        await bell(tab, 2).waitFor();
        await notificationItem(tab, commented).waitFor();
        assert.equal(await notificationList(tab).getByText('Unread:').count(), 2);
      }

      // Read one in tab A: tab B's bell and that item follow.
      await notificationItem(tabA, assigned).getByRole('button', { name: 'Mark read' }).click();
      for (const tab of [tabB, tabA]) {
        await bell(tab, 1).waitFor();
        await notificationItem(tab, assigned).getByText('Unread:').waitFor({ state: 'detached' });
        assert.equal(await notificationItem(tab, commented).getByText('Unread:').count(), 1);
      }

      // Read all in tab B: both show none unread.
      await tabB.getByRole('button', { name: 'Mark all read' }).click();
      for (const tab of [tabA, tabB]) {
        await bell(tab, 0).waitFor();
        await notificationList(tab).getByText('Unread:').first().waitFor({ state: 'detached' });
      }

      // Comments off in tab A: tab B's checkbox follows.
      await kindToggle(tabA, COMMENTS, true).click();
      for (const tab of [tabA, tabB]) await kindToggle(tab, COMMENTS, false).waitFor();
      assert.equal(
        await kindToggles(tabB).getByRole('checkbox', { checked: false }).count(),
        1,
        'only comments are off',
      );

      // A comment no longer notifies Alice; an edit still does.
      await herald.addComment(bob, launchCard, 'Nobody hears this.');
      await herald.editCard(bob, launchCard, 'Two paragraphs');
      const edited = 'Bob updated the card “Write the launch post”';
      for (const tab of tabs) {
        await notificationItem(tab, edited).waitFor();
        await bell(tab, 1).waitFor();
        assert.equal(
          await notificationItem(tab, 'Nobody hears this.').count(),
          0,
          'the comment did not notify',
        );
        assert.equal(await notificationList(tab).getByRole('listitem').count(), 3);
      }

      // Comments back on in tab B: tab A's checkbox follows.
      await kindToggle(tabB, COMMENTS, false).click();
      for (const tab of [tabB, tabA]) await kindToggle(tab, COMMENTS, true).waitFor();

      // Tab A mutes the board from its page: tab B's settings list it.
      await notificationItem(tabA, edited).getByRole('button', { name: 'Open board Launch' }).click();
      const boardInA = tabA.getByRole('article', { name: /^Launch / });
      await boardInA.getByRole('checkbox', { name: MUTE_BOARD, checked: false }).click();
      await boardInA.getByRole('checkbox', { name: MUTE_BOARD, checked: true }).waitFor();
      await settings(tabB).getByRole('button', { name: 'Unmute board Launch' }).waitFor();

      // Tab B unmutes it from the settings: tab A's board follows.
      await settings(tabB).getByRole('button', { name: 'Unmute board Launch' }).click();
      await boardInA.getByRole('checkbox', { name: MUTE_BOARD, checked: false }).waitFor();
      await settings(tabB)
        .getByText(/^None\./)
        .waitFor();
      alice.assertClean();
    });
  } finally {
    await alice.close();
  }
});

test(
  'nothing on a muted board reaches her, while other boards still do',
  async () => {
    const judy = await GuardedContext.create(browser, herald.url);
    try {
      await screenshotOnFailure('inbox muted board', [judy], async () => {
        const page = await judy.newPage();
        await page.goto(`${herald.url}/inbox`);
        await signUp(page, 'Judy', 'judy@example.com', 'correct horse');
        await page.getByText('Live updates: on').waitFor();
        const judyId = await ownUserId(page);
        const ivan = await herald.signUp('Ivan', 'ivan@example.com', 'battery staple');
        const quiet = await herald.createBoard(ivan, 'Quiet', [judyId]);
        const quietCard = await herald.createCard(ivan, quiet, 'Archive the logs');
        const busy = await herald.createBoard(ivan, 'Busy', [judyId]);
        const busyCard = await herald.createCard(ivan, busy, 'Answer the pager');
        await herald.assignCard(ivan, quietCard, judyId);
        await bell(page, 1).waitFor();

        const openBoard = page.getByRole('form', { name: 'Open a board' });
        await openBoard.getByLabel('Board id').fill(quiet);
        await openBoard.getByRole('button', { name: 'Open board' }).click();
        const board = page.getByRole('article', { name: /^Quiet / });
        await board.getByRole('checkbox', { name: MUTE_BOARD, checked: false }).click();
        await board.getByRole('checkbox', { name: MUTE_BOARD, checked: true }).waitFor();

        await herald.editCard(ivan, quietCard, 'Older than a year');
        await herald.addComment(ivan, quietCard, 'Done, quietly.');
        await herald.assignCard(ivan, busyCard, judyId);
        await notificationItem(page, 'Ivan assigned you to the card “Answer the pager”').waitFor();
        assert.equal(
          await notificationItem(page, 'Archive the logs').count(),
          1,
          'only the assignment before the mute',
        );
        await bell(page, 2).waitFor();
        judy.assertClean();
      });
    } finally {
      await judy.close();
    }
  },
);
