// This browser's side of Web Push: the service worker that shows pushes
// (public/push-worker.js, served at /push-worker.js) and the push
// subscription that Herald is told about. The settings panel calls these;
// they throw the browser's DOMException when it refuses, which the panel
// shows as it is.
//
// Turning pushes on, in order:
// 1. ask for the notifications permission (first, while the click that
//    asked for pushes still counts as the user's own doing);
// 2. register the worker at scope `/` and wait until it is active;
// 3. subscribe with Herald's VAPID public key (`webPushPublicKey`), or
//    keep the subscription this browser already has for that key;
// 4. hand its endpoint and keys to `registerPushSubscription`.

/** Where Herald serves the worker; its scope is the whole site. */
const WORKER_URL = '/push-worker.js';
const WORKER_SCOPE = '/';

/** Whether this browser can receive Web Push at all (and the page is a secure context). */
export function supportsPush(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** This browser's push subscription for the site, or null; registers nothing. */
export async function browserSubscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.getRegistration(WORKER_SCOPE);
  return (await registration?.pushManager.getSubscription()) ?? null;
}

/**
 * Registers the worker again: the browser fetches /push-worker.js and
 * installs it if it changed, so a page load keeps it current.
 */
export async function updateWorker(): Promise<void> {
  await navigator.serviceWorker.register(WORKER_URL, { scope: WORKER_SCOPE });
}

/** Steps 1 to 3 above: a subscription to hand to Herald. */
export async function subscribeBrowser(publicKey: string): Promise<PushSubscription> {
  const permission = await Notification.requestPermission();
  if (permission === 'denied') {
    throw new DOMException(
      "Notifications are blocked for this site: allow them in the browser's site settings, then try again.",
      'NotAllowedError',
    );
  }
  if (permission !== 'granted') {
    throw new DOMException(
      'Notifications were not allowed: allow them when the browser asks.',
      'NotAllowedError',
    );
  }
  await navigator.serviceWorker.register(WORKER_URL, { scope: WORKER_SCOPE });
  // `subscribe` needs an active worker, which `register` does not wait for.
  const registration = await navigator.serviceWorker.ready;
  const key = decodeBase64Url(publicKey);
  const existing = await registration.pushManager.getSubscription();
  if (existing !== null) {
    if (sameBytes(existing.options.applicationServerKey, key)) return existing;
    // Made for another key (Herald's changed): the browser will not
    // subscribe again until it is gone.
    await existing.unsubscribe();
  }
  return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
}

/** What `registerPushSubscription` takes, from `PushSubscription.toJSON()`. */
export function subscriptionKeys(subscription: PushSubscription): {
  endpoint: string;
  p256dh: string;
  auth: string;
} {
  const { endpoint, keys } = subscription.toJSON();
  const p256dh = keys?.['p256dh'];
  const auth = keys?.['auth'];
  if (endpoint === undefined || p256dh === undefined || auth === undefined) {
    throw new DOMException('The browser gave a push subscription without its keys.', 'InvalidStateError');
  }
  return { endpoint, p256dh, auth };
}

/** Base64url (unpadded, as Herald gives the key) to bytes. */
export function decodeBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const padded = base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=');
  return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
}

function sameBytes(buffer: ArrayBuffer | null, bytes: Uint8Array): boolean {
  if (buffer === null || buffer.byteLength !== bytes.length) return false;
  const other = new Uint8Array(buffer);
  return bytes.every((byte, index) => byte === other[index]);
}
