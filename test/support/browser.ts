import { existsSync } from 'node:fs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { Teardowns } from './isolation.js';

/** CHROMIUM_PATH, or Debian's chromium (infra/local/chromium.sh installs it); undefined if none. */
export const chromiumPath: string | undefined = [
  process.env['CHROMIUM_PATH'],
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
].find((path): path is string => path !== undefined && path !== '' && existsSync(path));

export const NO_CHROMIUM =
  'no Chromium found: run `bash infra/local/chromium.sh up` (Debian) or set CHROMIUM_PATH';

/** Headless Chromium, closed at teardown. `--no-sandbox`: tests run as root here and in CI. */
export async function launchChromium(t: Teardowns, executablePath: string): Promise<Browser> {
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--disable-gpu',
      '--font-render-hinting=none',
    ],
  });
  t.teardown(() => browser.close());
  return browser;
}

/**
 * The page reaches only `origin`: anything else (the demo catalog's CDN image URLs) fails at
 * once, as offline, instead of waiting on DNS.
 */
export async function offlineExcept(page: Page, origin: string): Promise<void> {
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    if (request.url().startsWith(`${origin}/`)) void request.continue();
    else void request.abort('internetdisconnected');
  });
}
