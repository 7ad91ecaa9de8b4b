/**
 * A real headless Chromium for the console tests: Debian's /usr/bin/chromium
 * driven by playwright-core (no browser download), with a fresh profile per
 * launch and no background traffic (sync, updates, QUIC). Screenshots go
 * under test-output/console/ at the repository's root (gitignored), where a
 * reviewer can look at every page.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Where the console tests leave their screenshots. */
export const screenshotDir = resolve(import.meta.dirname, '..', '..', 'test-output', 'console');

export class HeadlessBrowser {
  readonly #context: BrowserContext;
  readonly #profileDir: string;

  private constructor(context: BrowserContext, profileDir: string) {
    this.#context = context;
    this.#profileDir = profileDir;
  }

  static async launch(): Promise<HeadlessBrowser> {
    const profileDir = await mkdtemp(join(tmpdir(), 'runnel-chromium-'));
    // A persistent context is how playwright takes --user-data-dir: this one is new and deleted on close.
    const context = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumFlags,
      viewport: { width: 1280, height: 900 },
    });
    return new HeadlessBrowser(context, profileDir);
  }

  /** A new tab; console errors and failed page scripts are collected in `problems`. */
  async newPage(): Promise<{ page: Page; problems: string[] }> {
    const page = await this.#context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    return { page, problems };
  }

  async close(): Promise<void> {
    await this.#context.close();
    await rm(this.#profileDir, { recursive: true, force: true });
  }
}

/** Saves a full-page screenshot as test-output/console/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
