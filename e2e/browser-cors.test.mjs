// A page on another origin calls the gateway directly with keywarden-web and a short-lived token minted by that
// page's own backend (bound to its origin), through CORS; a page on an origin the gateway does not list is refused
// by the browser. Run by dev.keywarden.e2e.BrowserCorsIT, which serves the two pages on two loopback ports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './chromium.mjs';

const LISTED = process.env.KEYWARDEN_LISTED_PAGE;
const UNLISTED = process.env.KEYWARDEN_UNLISTED_PAGE;
const SHOTS = process.env.KEYWARDEN_SCREENSHOTS ?? 'target/screenshots';
if (!LISTED || !UNLISTED) {
  throw new Error('KEYWARDEN_LISTED_PAGE and KEYWARDEN_UNLISTED_PAGE must be set (run through BrowserCorsIT)');
}

let browser;
before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

async function result(t, url, shot) {
  const context = await browser.newContext();
  t.after(() => context.close());
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('result').textContent !== '…', null, { timeout: 15000 });
  await page.screenshot({ path: join(SHOTS, `${shot}.png`) });
  return page.locator('#result').textContent();
}

test('a page on a listed origin streams an answer from the gateway with a short-lived token', async (t) => {
  assert.match(await result(t, LISTED, 'cors-listed-origin'), /^answer: .*You said: from another origin$/);
});

test('a page on an origin the gateway does not list is refused by the browser', async (t) => {
  assert.match(await result(t, UNLISTED, 'cors-unlisted-origin'), /^refused: TypeError /);
});
