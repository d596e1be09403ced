// The README's "Publishing from an existing app" example, run as written:
// its code block is taken from the README, given a real Herald and a key
// made with `herald api-key create`, and driven through a crash between
// Herald taking an event and the outbox marking it sent.
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';

import { Herald } from './herald';

const README = resolve(import.meta.dirname, '../../README.md');
const MARKER = '<!-- readme-example: app-publish -->';

/** The code block right after the marker. */
async function example(): Promise<string> {
  const text = await readFile(README, 'utf8');
  const at = text.indexOf(MARKER);
  assert.ok(at >= 0, `README has no ${MARKER}`);
  const block = /```js\n([\s\S]*?)```/.exec(text.slice(at));
  assert.ok(block, 'no js block after the marker');
  return block[1]!;
}

interface Published {
  notified: number;
  replayed: boolean;
}

interface Event {
  id: string;
  type: string;
  recipients: string[];
  message: string;
  link?: string;
  data?: unknown;
}

let herald: Herald;
let module: string;

before(async () => {
  herald = await Herald.start({ flags: ['--auth-limit-per-minute', '0'] });
  module = join(tmpdir(), `herald-notifier-${process.pid}.mjs`);
  await writeFile(module, await example());
});

after(async () => {
  await herald?.stop();
  await rm(module, { force: true });
});

test('the README example publishes once, even when the relay runs again after a crash', async () => {
  const { HeraldNotifier, relayOutbox } = (await import(pathToFileURL(module).href)) as {
    HeraldNotifier: new (url: string, key: string) => { publish(event: Event): Promise<Published> };
    relayOutbox: (outbox: unknown, notifier: unknown) => Promise<Published[]>;
  };
  const notifier = new HeraldNotifier(herald.url, herald.apiKey('readme'));
  const event: Event = {
    id: 'invoice.paid:INV-1042',
    type: 'invoice.paid',
    recipients: ['user-42', 'user-57'],
    message: 'Invoice INV-1042 was paid',
    link: '/invoices/1042',
    data: { invoice: 'INV-1042', amount: 4200 },
  };
  // The app's outbox: the first relay "crashes" after Herald took the
  // event and before the row is marked sent.
  let sent = false;
  let crash = true;
  const outbox = {
    pending: async () => (sent ? [] : [event]),
    markSent: async () => {
      if (crash) {
        crash = false;
        throw new Error('the relay died here');
      }
      sent = true;
    },
  };
  await assert.rejects(relayOutbox(outbox, notifier), /the relay died here/);
  const retried = await relayOutbox(outbox, notifier);
  assert.deepEqual(retried, [{ notified: 2, replayed: true }]);
  assert.deepEqual(await relayOutbox(outbox, notifier), []);

  // A refusal that retrying cannot fix is thrown at once.
  await assert.rejects(notifier.publish({ ...event, id: 'bad', link: 'javascript:alert(1)' }), /400/);
  const revoked = new HeraldNotifier(herald.url, 'hk_not_a_key');
  await assert.rejects(revoked.publish(event), /401/);
});
