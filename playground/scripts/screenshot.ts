// Takes docs/inbox.png: Alice's inbox after Bob assigned her a card,
// commented on it and posted a photo, with the toast for the photo still
// up. Uses the same Herald and Chromium as the browser tests.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';

import { GuardedContext, launchChromium } from '../tests/browser';
import { Herald } from '../tests/herald';
import {
  addCard,
  addMember,
  assign,
  bell,
  comment,
  createBoard,
  follow,
  notificationList,
  ownUserId,
  postPhoto,
  signUp,
  toasts,
} from '../tests/inbox-ui';

const OUTPUT = resolve(import.meta.dirname, '../../docs/inbox.png');

const herald = await Herald.start();
const browser = await launchChromium();
try {
  const [aliceUser, bobUser] = await Promise.all([
    GuardedContext.create(browser, herald.url),
    GuardedContext.create(browser, herald.url),
  ]);
  const alice = await aliceUser.newPage();
  await alice.goto(`${herald.url}/inbox`);
  await signUp(alice, 'Alice', 'alice@example.com', 'correct horse');
  const bob = await bobUser.newPage();
  await bob.goto(`${herald.url}/inbox`);
  await signUp(bob, 'Bob', 'bob@example.com', 'battery staple');
  await follow(alice, await ownUserId(bob));

  const board = await createBoard(bob, 'Launch');
  await addMember(board, await ownUserId(alice), 'Alice');
  const card = await addCard(board, 'Write the launch post', 'Two paragraphs and a picture');
  await assign(card, 'Alice');
  await comment(card, 'The draft is ready for review.');
  await bell(alice, 2).waitFor();

  // Alice opens the board from a notification and reads the first one.
  const list = notificationList(alice);
  await list.getByRole('button', { name: 'Open board Launch' }).first().click();
  await alice.getByRole('article', { name: /^Launch / }).waitFor();
  await list.getByRole('listitem').last().getByRole('button', { name: 'Mark read' }).click();
  await bell(alice, 1).waitFor();
  await toasts(alice).first().waitFor({ state: 'detached' });

  // Bob posts a photo; the toast is on screen when the picture is taken.
  const picture = await bob.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 240;
    canvas.height = 160;
    const context = canvas.getContext('2d');
    if (context === null) throw new Error('no 2d canvas');
    const gradient = context.createLinearGradient(0, 0, 240, 160);
    gradient.addColorStop(0, '#3451b2');
    gradient.addColorStop(1, '#f2a541');
    context.fillStyle = gradient;
    context.fillRect(0, 0, 240, 160);
    return canvas.toDataURL('image/png').split(',')[1] ?? '';
  });
  await postPhoto(
    bob,
    { name: 'launch.png', mimeType: 'image/png', buffer: Buffer.from(picture, 'base64') },
    'Launch day sky',
  );
  await toasts(alice).filter({ hasText: 'Bob posted a new photo: Launch day sky' }).waitFor();
  await bell(alice, 2).waitFor();
  await list.getByRole('img', { name: 'Launch day sky' }).evaluate(
    (image: HTMLImageElement) => image.decode(),
  );

  await mkdir(resolve(OUTPUT, '..'), { recursive: true });
  await alice.screenshot({ path: OUTPUT });
  aliceUser.assertClean();
  bobUser.assertClean();
  console.log(`saved ${OUTPUT}`);
} finally {
  await browser.close();
  await herald.stop();
}
