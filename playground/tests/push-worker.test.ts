// Web Push in the inbox, as far as a headless Chromium without a push
// service goes. Alice turns pushes on from the settings: with
// notifications blocked she is told so; once they are allowed the page
// registers /push-worker.js, which becomes active, and the subscribe step
// fails (Chromium's push service cannot be reached from here, and
// Playwright's contexts are incognito, where Chromium has no Push API):
// the page shows Chromium's refusal and tells Herald nothing. Pushes are
// then delivered to the worker through the DevTools protocol, as a push
// service would: each shows one notification, and the same push twice
// still shows one. The "Push me when" switches set the PUSH channel only.
//
// Chromium's log of background services (DevTools' "Push messaging" and
// "Notifications" panels) says when the worker finished with a push. The
// notifications are read only then: Chromium may drop a notification that
// `getNotifications()` races with while it is being shown.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, CDPSession, Page } from 'playwright-core';

import { eventually, GuardedContext, screenshotOnFailure, startHeraldAndChromium } from './browser';
import type { Herald } from './herald';
import { kindToggle, logIn, pushToggle, settings } from './inbox-ui';

let herald: Herald;
let browser: Browser;

before(async () => {
  ({ herald, browser } = await startHeraldAndChromium());
});

after(async () => {
  await browser?.close();
  await herald?.stop();
});

/** A push as Herald encrypts it for a browser. */
const PAYLOAD = {
  id: 'notification-7',
  kind: 'CARD_UPDATED',
  message: 'Alice updated the card “Ship v1”',
  groupKey: 'CARD_UPDATED:card:7',
  createdAt: '2026-01-02T03:04:05Z',
};

const COMMENTS = 'Someone comments on a card you created or are assigned to';

/** The notifications the worker shows now, as the page's registration lists them. */
function shownNotifications(page: Page) {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.ready;
    const notifications = await registration.getNotifications();
    return notifications.map(({ title, body, tag, data }) => ({ title, body, tag, data: data as unknown }));
  });
}

/** An entry of Chromium's background-services log. */
interface LoggedEvent {
  eventName: string;
  /** For notifications, the tag. */
  instanceId: string;
  eventMetadata: { key: string; value: string }[];
}

/**
 * A push service stand-in for the worker at `origin`'s root: it delivers
 * pushes through the DevTools protocol and waits until the worker is done
 * with each, as Chromium's background-services log reports it.
 */
class PushService {
  /** The registration ids of the origin's workers, by scope. */
  private readonly registrations = new Map<string, string>();
  private readonly log: LoggedEvent[] = [];

  private constructor(
    private readonly cdp: CDPSession,
    private readonly origin: string,
  ) {}

  /** Starts watching; create it before the page registers its worker. */
  static async start(cdp: CDPSession, origin: string): Promise<PushService> {
    const service = new PushService(cdp, origin);
    cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
      for (const { scopeURL, registrationId, isDeleted } of registrations) {
        if (isDeleted) service.registrations.delete(scopeURL);
        else service.registrations.set(scopeURL, registrationId);
      }
    });
    cdp.on('BackgroundService.backgroundServiceEventReceived', ({ backgroundServiceEvent }) => {
      service.log.push(backgroundServiceEvent);
    });
    await cdp.send('ServiceWorker.enable');
    for (const name of ['pushMessaging', 'notifications'] as const) {
      await cdp.send('BackgroundService.startObserving', { service: name });
      await cdp.send('BackgroundService.setRecording', { shouldRecord: true, service: name });
    }
    return service;
  }

  /** Delivers `data` to the worker at the root and waits until its push event settled. */
  async deliver(data: string): Promise<void> {
    const scope = `${this.origin}/`;
    await eventually('the worker registration is reported', async () => this.registrations.has(scope));
    const completed = this.events('Push event completed');
    await this.cdp.send('ServiceWorker.deliverPushMessage', {
      origin: this.origin,
      registrationId: this.registrations.get(scope) ?? '',
      data,
    });
    await eventually('the worker finished with the push', async () => {
      return this.events('Push event completed') > completed;
    });
    const status = this.log.findLast((event) => event.eventName === 'Push event completed')?.eventMetadata;
    assert.deepEqual(status, [{ key: 'Status', value: 'Success' }]);
  }

  /** How many times the log says `eventName`, for `instanceId` (a notification's tag) if given. */
  events(eventName: string, instanceId?: string): number {
    return this.log.filter(
      (event) => event.eventName === eventName && (instanceId === undefined || event.instanceId === instanceId),
    ).length;
  }
}

test('Herald serves the worker as JavaScript', async () => {
  const response = await fetch(`${herald.url}/push-worker.js`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/javascript\b|^application\/javascript\b/);
  assert.match(await response.text(), /addEventListener\('push'/);
});

test('turning pushes on registers the worker, which shows each push once', async () => {
  const aliceTabs = await GuardedContext.create(browser, herald.url);
  try {
    await screenshotOnFailure('push worker', [aliceTabs], async () => {
      const page = await aliceTabs.newPage();
      const pushService = await PushService.start(await aliceTabs.context.newCDPSession(page), herald.url);

      const alice = await herald.signUp('Alice', 'alice@example.com', 'correct horse');
      await page.goto(`${herald.url}/inbox`);
      await logIn(page, 'alice@example.com', 'correct horse');
      const toggle = pushToggle(page);

      // Headless Chromium blocks notifications unless they were granted.
      await toggle.click();
      const alert = settings(page).getByRole('alert');
      await alert.filter({ hasText: 'NotAllowedError Notifications are blocked for this site' }).waitFor();
      assert.equal(await toggle.isChecked(), false);
      const workers = await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length);
      assert.equal(workers, 0, 'no worker is registered without the permission');

      // Allowed: the switch registers the worker; subscribing fails, and
      // the page shows what Chromium said, the same as a direct call says.
      await aliceTabs.context.grantPermissions(['notifications'], { origin: herald.url });
      await toggle.click();
      await alert.filter({ hasNotText: 'Notifications are blocked' }).waitFor();
      const worker = await page.evaluate(async () => {
        const registration = await navigator.serviceWorker.ready;
        const { scope, active } = registration;
        return { scope, script: active?.scriptURL, state: active?.state };
      });
      assert.deepEqual(worker, {
        scope: `${herald.url}/`,
        script: `${herald.url}/push-worker.js`,
        state: 'activated',
      });
      const { webPushPublicKey } = await herald.graphql<{ webPushPublicKey: string }>('{ webPushPublicKey }');
      const refusal = await page.evaluate(async (key) => {
        const registration = await navigator.serviceWorker.ready;
        try {
          await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
          return 'subscribed';
        } catch (error) {
          return error instanceof DOMException ? `${error.name} ${error.message}` : String(error);
        }
      }, webPushPublicKey);
      assert.notEqual(refusal, 'subscribed', 'this Chromium reached a push service');
      assert.equal(await alert.innerText(), refusal);
      assert.equal(await toggle.isChecked(), false);
      const { pushSubscriptions } = await herald.graphql<{ pushSubscriptions: unknown[] }>(
        '{ pushSubscriptions { id } }',
        {},
        alice.token,
      );
      assert.deepEqual(pushSubscriptions, [], 'Herald was told of no subscription');

      // A push, as the push service would deliver it.
      await pushService.deliver(JSON.stringify(PAYLOAD));
      assert.deepEqual(await shownNotifications(page), [
        { title: 'Herald', body: PAYLOAD.message, tag: PAYLOAD.id, data: { id: PAYLOAD.id } },
      ]);

      // The same push again is shown again, in place of the first: still one.
      await pushService.deliver(JSON.stringify(PAYLOAD));
      assert.equal(pushService.events('Notification displayed', PAYLOAD.id), 2);
      assert.deepEqual(await shownNotifications(page), [
        { title: 'Herald', body: PAYLOAD.message, tag: PAYLOAD.id, data: { id: PAYLOAD.id } },
      ]);

      // A push the worker cannot read still shows something.
      await pushService.deliver('not JSON');
      const shown = await shownNotifications(page);
      assert.equal(shown.length, 2);
      assert.deepEqual(
        shown.find((notification) => notification.tag === ''),
        { title: 'Herald', body: 'You have a new notification', tag: '', data: { id: null } },
      );
      aliceTabs.assertClean();
    });
  } finally {
    await aliceTabs.close();
  }
});

test('the "Push me when" switches turn pushes of a kind off, and only pushes', async () => {
  const bobTabs = await GuardedContext.create(browser, herald.url);
  try {
    await screenshotOnFailure('push kinds', [bobTabs], async () => {
      const bob = await herald.signUp('Bob', 'bob@example.com', 'battery staple');
      const page = await bobTabs.newPage();
      await page.goto(`${herald.url}/inbox`);
      await logIn(page, 'bob@example.com', 'battery staple');
      await kindToggle(page, COMMENTS, true, 'PUSH').click();
      await kindToggle(page, COMMENTS, false, 'PUSH').waitFor();
      assert.equal(await kindToggle(page, COMMENTS, true, 'IN_APP').count(), 1);

      const { notificationPreferences } = await herald.graphql<{
        notificationPreferences: { kinds: { kind: string; channel: string; enabled: boolean }[] };
      }>('{ notificationPreferences { kinds { kind channel enabled } } }', {}, bob.token);
      const comments = notificationPreferences.kinds
        .filter((preference) => preference.kind === 'COMMENT_ADDED')
        .map(({ channel, enabled }) => ({ channel, enabled }))
        .sort((a, b) => a.channel.localeCompare(b.channel));
      assert.deepEqual(comments, [
        { channel: 'IN_APP', enabled: true },
        { channel: 'PUSH', enabled: false },
      ]);
      bobTabs.assertClean();
    });
  } finally {
    await bobTabs.close();
  }
});
