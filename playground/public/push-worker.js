// The inbox's service worker: it shows the Web Push messages Herald sends
// while none of the user's tabs is connected, and opens the inbox when one
// is clicked. Served as is (no bundling) at /push-worker.js, scope `/`.
//
// Each push carries one notification as JSON:
//   { "id", "kind", "message", "groupKey", "createdAt" }
// Its id is the shown notification's tag, so a push delivered twice (a
// retry, a second subscription) replaces the first instead of adding to it.

// A new version takes over at once: there is no page state to keep apart.
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  const payload = readPayload(event.data);
  const options = { body: 'You have a new notification', data: { id: null } };
  if (payload !== null && typeof payload.message === 'string') options.body = payload.message;
  if (payload !== null && typeof payload.id === 'string') {
    options.tag = payload.id;
    options.data = { id: payload.id };
  }
  // A push must end in a shown notification (`userVisibleOnly`).
  event.waitUntil(self.registration.showNotification('Herald', options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openInbox());
});

/** The push's JSON object, or null when it has no data or the data is not one. */
function readPayload(data) {
  if (!data) return null;
  try {
    const payload = data.json();
    return typeof payload === 'object' && payload !== null ? payload : null;
  } catch {
    return null;
  }
}

/** Focuses a tab already on /inbox, or opens one. */
async function openInbox() {
  const tabs = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const inbox = tabs.find((tab) => new URL(tab.url).pathname === '/inbox');
  if (inbox) return inbox.focus();
  return self.clients.openWindow('/inbox');
}
