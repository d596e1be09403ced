// Debian's Chromium driven by playwright-core (no browser download), with
// two guards every test gets: a request to any origin but the Herald under
// test is blocked and recorded, and so is every uncaught page error
// (including unhandled promise rejections). On failure, each open page is
// saved as test-results/<test name>-<n>.png.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

import { Herald, type HeraldOptions } from './herald';

const RESULTS = resolve(import.meta.dirname, '../test-results');

/** Generous: a first GraphiQL load parses several MB of editor code. */
export const UI_TIMEOUT_MS = 30_000;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}

/**
 * A Herald and a Chromium, started side by side. When one of them fails
 * to start, the other is stopped before the failure is passed on: a
 * browser left running would keep the test process from ever exiting.
 */
export async function startHeraldAndChromium(
  options?: HeraldOptions,
): Promise<{ herald: Herald; browser: Browser }> {
  const [herald, browser] = await Promise.allSettled([Herald.start(options), launchChromium()]);
  if (herald.status === 'fulfilled' && browser.status === 'fulfilled') {
    return { herald: herald.value, browser: browser.value };
  }
  if (herald.status === 'fulfilled') await herald.value.stop();
  if (browser.status === 'fulfilled') await browser.value.close();
  throw herald.status === 'rejected' ? herald.reason : (browser as PromiseRejectedResult).reason;
}

/**
 * Waits until `condition` holds, checking it every quarter second; fails
 * after `timeoutMs` with what was awaited. For what a page cannot show,
 * such as Herald refusing a token.
 */
export async function eventually(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs: number = UI_TIMEOUT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A browser context (one user's tabs) that only Herald may be reached from. */
export class GuardedContext {
  /** URLs the pages tried to reach outside Herald. */
  readonly offHost: string[] = [];
  /** Uncaught errors and unhandled rejections in the pages. */
  readonly pageErrors: string[] = [];
  readonly pages: Page[] = [];

  private constructor(
    readonly context: BrowserContext,
    private readonly origin: string,
  ) {}

  static async create(browser: Browser, origin: string): Promise<GuardedContext> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    context.setDefaultTimeout(UI_TIMEOUT_MS);
    const guarded = new GuardedContext(context, origin);
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (guarded.allows(url)) return route.continue();
      guarded.offHost.push(url);
      return route.abort('blockedbyclient');
    });
    return guarded;
  }

  async newPage(): Promise<Page> {
    const page = await this.context.newPage();
    page.on('pageerror', (error) => this.pageErrors.push(`${page.url()}: ${error.message}`));
    page.on('websocket', (socket) => {
      if (!this.allows(socket.url())) this.offHost.push(socket.url());
    });
    this.pages.push(page);
    return page;
  }

  /** Throws if a page reached outside Herald or failed with an uncaught error. */
  assertClean(): void {
    if (this.offHost.length > 0) {
      throw new Error(`pages requested other hosts: ${this.offHost.join(', ')}`);
    }
    if (this.pageErrors.length > 0) {
      throw new Error(`pages had uncaught errors: ${this.pageErrors.join('; ')}`);
    }
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  private allows(url: string): boolean {
    const { protocol, origin } = new URL(url);
    // data: and blob: URLs are made by the page itself and reach no host.
    if (protocol === 'data:' || protocol === 'blob:') return true;
    const sameHost = origin === this.origin || origin === this.origin.replace(/^http/, 'ws');
    return sameHost;
  }
}

/**
 * Runs `body` and, when it throws, saves a screenshot of every page of
 * `contexts` before passing the failure on.
 */
export async function screenshotOnFailure(
  name: string,
  contexts: GuardedContext[],
  body: () => Promise<void>,
): Promise<void> {
  try {
    await body();
  } catch (error) {
    await mkdir(RESULTS, { recursive: true });
    const slug = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    let n = 0;
    for (const context of contexts) {
      for (const page of context.pages) {
        n += 1;
        if (page.isClosed()) continue;
        const path = resolve(RESULTS, `${slug}-${n}.png`);
        await page.screenshot({ path, fullPage: true }).catch(() => undefined);
        console.error(`screenshot saved: ${path}`);
      }
    }
    throw error;
  }
}
