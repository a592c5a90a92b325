// Debian's Chromium for the Playwright tests: playwright-core downloads no browser, so the tests drive the one
// `apt-get install chromium` put at /usr/bin/chromium (KEYWARDEN_CHROMIUM overrides the path).
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launchChromium() {
  return chromium.launch({ executablePath: process.env.KEYWARDEN_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}
