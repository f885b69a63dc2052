import { accessSync, constants, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContextOptions,
  type Frame,
  type Page,
  type Response,
} from 'playwright-core';
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

/**
 * Launches headless Chromium (USHER_TEST_CHROMIUM, else /usr/bin/chromium) with CHROMIUM_ARGS. Close it in afterAll.
 */
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
  const where = chromiumAt.explicit
    ? `USHER_TEST_CHROMIUM=${chromiumAt.path} is not an executable`
    : `no Chromium at ${chromiumAt.path}`;
  if (process.env.CI === 'true' || chromiumAt.explicit) {
    describe(title, () => {
      it(`finds Chromium, which ${chromiumAt.explicit ? 'USHER_TEST_CHROMIUM names' : 'CI=true requires'}`, () => {
        throw new Error(
          `${where}: the browser suites must run${chromiumAt.explicit ? '' : " in CI (.ci/run installs Debian's chromium)"}`,
        );
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

/** The rule sets every page is held to: WCAG 2.0 and 2.1, levels A and AA, and axe's best practices. */
export const AXE_TAGS: readonly string[] = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

// axe-core's own script, read once per worker.
let axeSource: string | undefined;
const axeScript = () => (axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core'), 'utf8'));

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly { readonly target: readonly string[]; readonly failureSummary: string }[];
}

/** Runs axe-core over one frame's document, not its child frames (each is checked on its own). */
async function axeViolationsIn(frame: Frame, skippedRules: readonly string[] = []): Promise<AxeViolation[]> {
  // Not page.addScriptTag: a <script> element, even with inline content, is subject to the page's
  // Content-Security-Policy (the accept page has script-src 'none'; the console allows one hash),
  // and no test may weaken it. evaluate() runs over the DevTools protocol (Runtime.evaluate), as
  // the devtools console does, which CSP does not govern; the page's own policy stays as served.
  await frame.evaluate(axeScript());
  return frame.evaluate(
    async ([tags, skipped]) => {
      type Axe = { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> };
      const axe = (window as unknown as { axe: Axe }).axe;
      const rules = Object.fromEntries(skipped.map((id) => [id, { enabled: false }]));
      const options = { runOnly: { type: 'tag', values: tags }, rules, iframes: false, resultTypes: ['violations'] };
      const result = await axe.run(document, options);
      return result.violations.map(({ id, impact, help, nodes }) => ({
        id,
        impact: impact ?? null,
        help,
        nodes: nodes.map((node) => ({ target: node.target.map(String), failureSummary: node.failureSummary ?? '' })),
      }));
    },
    [AXE_TAGS, skippedRules] as const,
  );
}

/**
 * Rules about a whole page's landmarks, which axe-core judges for a framed document together with
 * the page around it (the mailbox's frame sits inside the console's <main>). Checked alone, the
 * copy of the frame's document is not that page, so for it, and only for it, these are off. An
 * email, likewise, is shown inside a mail client's page, whose landmarks it must not duplicate.
 */
const FRAMED_DOCUMENT_RULES: readonly string[] = ['landmark-one-main', 'region'];

/**
 * axe-core's violations in one child frame's document. A frame sandboxed without allow-scripts
 * (the console's mailbox shows each email so) runs no timers, and axe-core waits on timers, so
 * the frame's document is copied into a scratch page of the same context and checked there.
 */
async function axeViolationsInChild(page: Page, frame: Frame): Promise<AxeViolation[]> {
  const scratch = await page.context().newPage();
  try {
    await scratch.setContent(await frame.content(), { waitUntil: 'domcontentloaded' });
    return await axeViolationsIn(scratch.mainFrame(), FRAMED_DOCUMENT_RULES);
  } finally {
    await scratch.close();
  }
}

/**
 * Fails, naming the rule, its impact, the elements and the help text of each, unless axe-core
 * finds no violation of AXE_TAGS in the page and in every frame it holds. `name` says which page
 * state failed (use the screenshot's name).
 */
export async function expectNoAxeViolations(page: Page, name: string): Promise<void> {
  const found: string[] = [];
  for (const frame of page.frames()) {
    const main = frame === page.mainFrame();
    const where = main ? '' : ` (frame "${await (await frame.frameElement()).getAttribute('title')}")`;
    for (const violation of main ? await axeViolationsIn(frame) : await axeViolationsInChild(page, frame)) {
      const targets = violation.nodes.map(
        (node) => `    ${node.target.join(' ')}: ${node.failureSummary.replace(/\s+/g, ' ')}`,
      );
      found.push(`- ${violation.id} [${violation.impact}]${where}: ${violation.help}\n${targets.join('\n')}`);
    }
  }
  if (found.length > 0) throw new Error(`axe-core found ${found.length} violation(s) on ${name}:\n${found.join('\n')}`);
}

/** Clicks a submit button and waits until the page the POST answers with has loaded. */
export async function submitForm(page: Page, button: string): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
    page.getByRole('button', { name: button, exact: true }).click(),
  ]);
  // The answer is a page at the form's action URL; wait for it, not the page it replaces.
  await page.waitForURL(response.url());
  return response;
}
