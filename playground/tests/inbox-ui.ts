// What a person does on /inbox, step by step, found by role and label as
// they would find it. Shared by the inbox tests and `npm run screenshot`.
import type { Locator, Page } from 'playwright-core';

export async function signUp(page: Page, name: string, email: string, password: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Sign up' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign up' }).click();
  await page.getByText(`Signed in as ${name}`).waitFor();
}

export async function logIn(page: Page, email: string, password: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Log in' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Log in' }).click();
}

/** The user id the page says its user has. */
export async function ownUserId(page: Page): Promise<string> {
  const text = await page.getByRole('region', { name: 'Your account' }).innerText();
  const id = /Your user id is (\S+?):/.exec(text)?.[1];
  if (id === undefined) throw new Error(`no user id in: ${text}`);
  return id;
}

export async function createBoard(page: Page, name: string): Promise<Locator> {
  const form = page.getByRole('form', { name: 'Create a board' });
  await form.getByLabel('Board name').fill(name);
  await form.getByRole('button', { name: 'Create board' }).click();
  const board = page.getByRole('article', { name: new RegExp(`^${name} `) });
  await board.waitFor();
  return board;
}

export async function addMember(board: Locator, userId: string, name: string): Promise<void> {
  const form = board.getByRole('form', { name: 'Add a member' });
  await form.getByLabel("Member's user id").fill(userId);
  await form.getByRole('button', { name: 'Add member' }).click();
  await board.getByText(new RegExp(`Members: .*${name}`)).waitFor();
}

export async function addCard(board: Locator, title: string, description = ''): Promise<Locator> {
  const form = board.getByRole('form', { name: 'Add a card' });
  await form.getByLabel('Card title').fill(title);
  await form.getByLabel('Card description').fill(description);
  await form.getByRole('button', { name: 'Add card' }).click();
  const card = board.getByRole('article', { name: title, exact: true });
  await card.waitFor();
  return card;
}

export async function assign(card: Locator, memberName: string): Promise<void> {
  const form = card.getByRole('form', { name: 'Assign the card' });
  await form.getByLabel('Assignee').selectOption({ label: memberName });
  await form.getByRole('button', { name: 'Assign' }).click();
  await card.getByText(new RegExp(`Assigned to: .*${memberName}`)).waitFor();
}

export async function comment(card: Locator, body: string): Promise<void> {
  const form = card.getByRole('form', { name: 'Comment on the card' });
  await form.getByLabel('Comment').fill(body);
  await form.getByRole('button', { name: 'Add comment' }).click();
  await card.getByRole('listitem').filter({ hasText: body }).waitFor();
}

export async function editCard(card: Locator, description: string): Promise<void> {
  const form = card.getByRole('form', { name: 'Edit the card' });
  await form.getByLabel('Description').fill(description);
  await form.getByRole('button', { name: 'Save card' }).click();
  await card.getByText(description, { exact: true }).waitFor();
}

export async function follow(page: Page, userId: string): Promise<void> {
  const form = page.getByRole('form', { name: 'Follow a user' });
  await form.getByLabel('User id to follow').fill(userId);
  await form.getByRole('button', { name: 'Follow' }).click();
  await form.getByText(/^You follow /).waitFor();
}

export async function postPhoto(
  page: Page,
  file: { name: string; mimeType: string; buffer: Buffer },
  caption: string,
): Promise<Locator> {
  const form = page.getByRole('form', { name: 'Post a photo' });
  await form.getByLabel('Photo').setInputFiles(file);
  await form.getByLabel('Caption').fill(caption);
  await form.getByRole('button', { name: 'Post photo' }).click();
  return form;
}

/** The bell, whose accessible name carries the unread count. */
export function bell(page: Page, unread: number): Locator {
  return page.getByRole('link', { name: `Notifications: ${unread} unread` });
}

/** The toasts currently shown. */
export function toasts(page: Page): Locator {
  return page.getByRole('region', { name: 'New notifications' }).getByRole('status');
}

export function notificationList(page: Page): Locator {
  return page.getByRole('list', { name: 'Your notifications' });
}

/** The list item whose text holds `text`. */
export function notificationItem(page: Page, text: string): Locator {
  return notificationList(page).getByRole('listitem').filter({ hasText: text });
}

/** Chooses how the inbox shows notifications: 'Grouped' or 'All'. */
export async function showView(page: Page, view: 'Grouped' | 'All'): Promise<void> {
  await viewChoice(page, view).check();
}

/** The radio button of one way to show notifications. */
export function viewChoice(page: Page, view: 'Grouped' | 'All'): Locator {
  return page.getByRole('group', { name: 'Show' }).getByRole('radio', { name: view, exact: true });
}

export function groupList(page: Page): Locator {
  return page.getByRole('list', { name: 'Your unread notifications, grouped' });
}

/** The grouped view's entry whose text holds `sentence`. */
export function groupEntry(page: Page, sentence: string): Locator {
  return groupList(page).getByRole('listitem').filter({ hasText: sentence });
}

/** The notification settings panel. */
export function settings(page: Page): Locator {
  return page.getByRole('region', { name: 'Notification settings' });
}

/** The legends of the settings' groups of checkboxes, one group per channel. */
const CHANNEL_LEGENDS = { IN_APP: 'Tell me in the inbox when', PUSH: 'Push me when' };

type Channel = keyof typeof CHANNEL_LEGENDS;

/** The settings' checkboxes for each kind of notification on one channel. */
export function kindToggles(page: Page, channel: Channel = 'IN_APP'): Locator {
  return settings(page).getByRole('group', { name: CHANNEL_LEGENDS[channel] });
}

/**
 * The settings' checkbox for one kind of notification on a channel (the
 * inbox unless told), found by its label; with `checked`, only while it is
 * in that state (to wait for it).
 */
export function kindToggle(
  page: Page,
  label: string,
  checked?: boolean,
  channel: Channel = 'IN_APP',
): Locator {
  return kindToggles(page, channel).getByRole('checkbox', {
    name: label,
    ...(checked === undefined ? {} : { checked }),
  });
}

/** The switch that turns pushes to this browser on and off. */
export function pushToggle(page: Page): Locator {
  return settings(page)
    .getByRole('group', { name: 'Push notifications' })
    .getByRole('checkbox', { name: 'Send me push notifications when no tab is open' });
}

/** A 1×1 PNG: the smallest picture Herald accepts. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
