// The grouped inbox: Alice's unread notifications of one kind about one
// card show as one entry with Herald's sentence and a count. Bob, Carol
// and Dave act through the API; Alice watches in two tabs. A new comment
// updates its entry live and moves it to the top, reading the entry in
// one tab empties it in both, and "All" still lists every notification.
// Groups past the first page show when asked for.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';

import { GuardedContext, screenshotOnFailure, startHeraldAndChromium } from './browser';
import type { Herald } from './herald';
import {
  bell,
  groupEntry,
  groupList,
  logIn,
  notificationItem,
  notificationList,
  showView,
  viewChoice,
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

/** How many groups the inbox shows before "Load more groups". */
const GROUP_PAGE_SIZE = 20;

const CARD = 'Write the launch post';
const ASSIGNED = `Bob assigned you to the card “${CARD}”`;
const UPDATED = `Bob updated the card “${CARD}”`;
// Actors are named newest first.
const TWO_COMMENTS = `Dave and Carol commented on the card “${CARD}”`;
const THREE_COMMENTS = `Bob and 2 others commented on the card “${CARD}”`;

test('comments on one card show as one entry that follows live and is read in every tab', async () => {
  const aliceTabs = await GuardedContext.create(browser, herald.url);
  try {
    await screenshotOnFailure('inbox groups', [aliceTabs], async () => {
      const alice = await herald.signUp('Alice', 'alice@example.com', 'correct horse');
      const [bob, carol, dave] = await Promise.all([
        herald.signUp('Bob', 'bob@example.com', 'battery staple'),
        herald.signUp('Carol', 'carol@example.com', 'battery staple'),
        herald.signUp('Dave', 'dave@example.com', 'battery staple'),
      ]);
      const board = await herald.createBoard(bob, 'Launch', [alice.user.id, carol.user.id, dave.user.id]);
      const card = await herald.createCard(bob, board, CARD);
      await herald.assignCard(bob, card, alice.user.id);
      await herald.addComment(carol, card, 'The draft is ready.');
      await herald.addComment(dave, card, 'Pictures are in.');
      await herald.editCard(bob, card, 'Two paragraphs and a picture');

      const tabA = await aliceTabs.newPage();
      let loadsOfA = 0;
      tabA.on('load', () => (loadsOfA += 1));
      await tabA.goto(`${herald.url}/inbox`);
      await logIn(tabA, 'alice@example.com', 'correct horse');
      await tabA.getByText('Live updates: on').waitFor();
      await bell(tabA, 4).waitFor();

      // The two comments are one entry, below the newer edit.
      await showView(tabA, 'Grouped');
      const comments = groupEntry(tabA, TWO_COMMENTS);
      await comments.waitFor();
      await comments.getByText('2 notifications').waitFor();
      const entries = groupList(tabA).getByRole('listitem');
      assert.equal(await entries.count(), 3, 'the edit, the comments, the assignment');
      assert.match(await entries.nth(0).innerText(), new RegExp(`^${UPDATED}`));
      assert.match(await entries.nth(1).innerText(), new RegExp(`^${TWO_COMMENTS}`));
      assert.match(await entries.nth(2).innerText(), new RegExp(`^${ASSIGNED}`));
      assert.equal(await groupEntry(tabA, ASSIGNED).getByText(/notifications$/).count(), 0, 'no count for one');

      // A second tab remembers the view.
      const tabB = await aliceTabs.newPage();
      await tabB.goto(`${herald.url}/inbox`);
      await logIn(tabB, 'alice@example.com', 'correct horse');
      await tabB.getByText('Live updates: on').waitFor();
      assert.equal(await viewChoice(tabB, 'Grouped').isChecked(), true);
      await groupEntry(tabB, TWO_COMMENTS).waitFor();

      // Bob comments too: the entry says so and moves to the top, live.
      await herald.addComment(bob, card, 'Looks good to me.');
      const tabs = [tabA, tabB];
      for (const tab of tabs) {
        await bell(tab, 5).waitFor();
        await groupList(tab).getByRole('listitem').first().filter({ hasText: THREE_COMMENTS }).waitFor();
        await groupEntry(tab, THREE_COMMENTS).getByText('3 notifications').waitFor();
        await groupEntry(tab, TWO_COMMENTS).waitFor({ state: 'detached' });
        assert.equal(await groupList(tab).getByRole('listitem').count(), 3);
      }
      assert.equal(loadsOfA, 1, 'tab A was never reloaded');

      // Reading the entry in tab A empties it in both tabs.
      await groupEntry(tabA, THREE_COMMENTS)
        .getByRole('button', { name: `Mark “${THREE_COMMENTS}” read`, exact: true })
        .click();
      for (const tab of tabs) {
        await bell(tab, 2).waitFor();
        await groupEntry(tab, THREE_COMMENTS).waitFor({ state: 'detached' });
        await groupEntry(tab, UPDATED).waitFor();
        assert.equal(await groupList(tab).getByRole('listitem').count(), 2);
      }

      // "All" lists every notification, the comments read.
      await showView(tabB, 'All');
      await notificationItem(tabB, 'Looks good to me.').waitFor();
      assert.equal(await notificationList(tabB).getByRole('listitem').count(), 5);
      for (const body of ['The draft is ready.', 'Pictures are in.', 'Looks good to me.']) {
        assert.equal(await notificationItem(tabB, body).getByText('Unread:').count(), 0, body);
      }
      assert.equal(await notificationList(tabB).getByText('Unread:').count(), 2);

      // Reading all empties the grouped view.
      await tabA.getByRole('button', { name: 'Mark all read' }).click();
      await bell(tabA, 0).waitFor();
      await tabA.getByText('Nothing unread').waitFor();
      await bell(tabB, 0).waitFor();
      await showView(tabB, 'Grouped');
      await tabB.getByText('Nothing unread').waitFor();
      aliceTabs.assertClean();
    });
  } finally {
    await aliceTabs.close();
  }
});

test('groups beyond the first page show on asking for more', async () => {
  const erinTabs = await GuardedContext.create(browser, herald.url);
  try {
    await screenshotOnFailure('inbox group pages', [erinTabs], async () => {
      const erin = await herald.signUp('Erin', 'erin@example.com', 'correct horse');
      const frank = await herald.signUp('Frank', 'frank@example.com', 'battery staple');
      const board = await herald.createBoard(frank, 'Chores', [erin.user.id]);
      // One group per card: one more than a page holds.
      const titles = Array.from({ length: GROUP_PAGE_SIZE + 1 }, (_, n) => `Chore ${n + 1}`);
      for (const title of titles) {
        await herald.assignCard(frank, await herald.createCard(frank, board, title), erin.user.id);
      }

      const page = await erinTabs.newPage();
      await page.goto(`${herald.url}/inbox`);
      await logIn(page, 'erin@example.com', 'correct horse');
      await showView(page, 'Grouped');
      const entries = groupList(page).getByRole('listitem');
      await groupEntry(page, `Frank assigned you to the card “Chore ${titles.length}”`).waitFor();
      assert.equal(await entries.count(), GROUP_PAGE_SIZE);
      assert.equal(await groupEntry(page, 'Frank assigned you to the card “Chore 1”').count(), 0);

      await page.getByRole('button', { name: 'Load more groups' }).click();
      await groupEntry(page, 'Frank assigned you to the card “Chore 1”').waitFor();
      assert.equal(await entries.count(), titles.length);
      await page.getByRole('button', { name: 'Load more groups' }).waitFor({ state: 'detached' });
      erinTabs.assertClean();
    });
  } finally {
    await erinTabs.close();
  }
});
