import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, describe, it } from 'vitest';
import { PROJECT_ROOT } from './process';

/** Debian's Chromium, which `.ci/run` installs with apt-get. */
const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for a headless Chromium on a machine without internet: background networking, component
 * updates and sync off, or Chromium reaches for Google's servers and fails in bursts.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Screen sizes the pages must read well on: a phone held upright, and a laptop. */
export const viewports = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  desktop: { viewport: { width: 1280, height: 800 } },
} as const satisfies Record<string, BrowserContextOptions>;

export type ViewportName = keyof typeof viewports;

/** Where screenshots go; `test-results/` is git-ignored. */
export const SCREENSHOT_DIR = join(PROJECT_ROOT, 'test-results', 'screenshots');

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Which Chromium the suite would use, and whether it is there. */
function locateChromium(): { readonly path: string; readonly found: boolean; readonly explicit: boolean } {
  const configured = process.env.USHER_TEST_CHROMIUM;
  if (configured) return { path: configured, found: isExecutable(configured), explicit: true };
  return { path: DEBIAN_CHROMIUM, found: isExecutable(DEBIAN_CHROMIUM), explicit: false };
}

// Every browser this worker launched and has not closed, so a failing hook cannot leak one.
const live = new Set<Browser>();

/** Launches headless Chromium (USHER_TEST_CHROMIUM, else /usr/bin/chromium) with CHROMIUM_ARGS. Close it in afterAll. */
export async function launchBrowser(): Promise<Browser> {
  const chromiumAt = locateChromium();
  if (!chromiumAt.found) throw new Error(`no Chromium at ${chromiumAt.path}`);
  const browser = await chromium.launch({ executablePath: chromiumAt.path, args: [...CHROMIUM_ARGS], timeout: 30_000 });
  live.add(browser);
  browser.on('disconnected', () => live.delete(browser));
  return browser;
}

/** Closes every browser this worker launched that is still open (describeWithBrowser does it after its suite). */
export async function closeAllBrowsers(): Promise<void> {
  await Promise.all([...live].map((browser) => browser.close().catch(() => undefined)));
}

/**
 * Declares a suite that drives a real Chromium. Without one it is a visible skip, named so the
 * report says why; under CI=true a missing Chromium is a failure, as a missing PostgreSQL is:
 * CI must prove the pages work in a browser.
 */
export function describeWithBrowser(title: string, body: () => void): void {
  const chromiumAt = locateChromium();
  if (chromiumAt.found) {
    describe(title, () => {
      afterAll(closeAllBrowsers);
      body();
    });
    return;
  }
  const where = chromiumAt.explicit ? `USHER_TEST_CHROMIUM=${chromiumAt.path} is not an executable` : `no Chromium at ${chromiumAt.path}`;
  if (process.env.CI === 'true' || chromiumAt.explicit) {
    describe(title, () => {
      it(`finds Chromium, which ${chromiumAt.explicit ? 'USHER_TEST_CHROMIUM names' : 'CI=true requires'}`, () => {
        throw new Error(`${where}: the browser suites must run${chromiumAt.explicit ? '' : ' in CI (.ci/run installs Debian\'s chromium)'}`);
      });
    });
    return;
  }
  describe.skip(`${title} [skipped: ${where}; apt-get install chromium, or set USHER_TEST_CHROMIUM]`, body);
}

/** Saves a full-page PNG as test-results/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
