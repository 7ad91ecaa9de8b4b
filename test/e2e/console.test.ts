/**
 * The web console in a real headless Chromium against one `runnel dev`
 * (broker, controller and gateway in one process, the gateway reading the
 * broker's /metrics): the overview shows the broker, the quorum and live
 * produce rates from the broker's metrics; a topic created through the
 * page is listed with its partitions; a group's lag rises while a kafkajs
 * producer runs and falls to zero when a kafkajs consumer catches up (the
 * numbers and the chart); offsets reset through the page. Every page is
 * screenshotted into test-output/console/.
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadlessBrowser, screenshot, screenshotDir } from '../harness/browser.ts';
import { DevProcess } from '../harness/dev-process.ts';
import { GatewayProcess } from '../harness/gateway-process.ts';
import { restCall } from '../harness/rest-http.ts';
import { waitFor } from '../harness/wait.ts';

const repoRoot = resolve(import.meta.dirname, '..', '..');

let dev: DevProcess;
let browser: HeadlessBrowser;
let kafka: Kafka;
let admin: Admin;
let consoleUrl: string;
let restUrl: string;

beforeAll(async () => {
  await ensureConsoleBuilt();
  dev = await DevProcess.start({ args: ['--group-initial-rebalance-delay-ms', '0'] });
  consoleUrl = `http://127.0.0.1:${dev.restPort}/ui/`;
  restUrl = `http://127.0.0.1:${dev.restPort}`;
  kafka = new Kafka({ brokers: [dev.bootstrap], clientId: 'console-e2e', logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  browser = await HeadlessBrowser.launch();
  console.log(`console screenshots: ${screenshotDir}`);
});

afterAll(async () => {
  await admin?.disconnect();
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
  if (!built) {
    await promisify(execFile)(process.execPath, [join(repoRoot, 'packages', 'gateway', 'scripts', 'build-console.ts')]);
  }
}

async function openPage(route: string, base = consoleUrl): Promise<{ page: Page; problems: string[] }> {
  const opened = await browser.newPage();
  await opened.page.goto(`${base}#/${route}`);
  return opened;
}

async function numberIn(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).textContent()) ?? '';
  return Number(text.replaceAll(',', ''));
}

/**
 * A kafkajs producer sending 10 records every 50 ms until stopped; resolves with how many it sent. The
 * pace is the load's shape, not a wait: it keeps the data small while the page samples lag every 2 s.
 */
function produceUntil(topic: string, stop: { done: boolean }): Promise<number> {
  const producer = kafka.producer();
  return (async () => {
    await producer.connect();
    let sent = 0;
    try {
      while (!stop.done) {
        const messages = Array.from({ length: 10 }, (_, i) => ({ key: `k${sent + i}`, value: `v${sent + i}` }));
        await Promise.all([producer.send({ topic, messages }), new Promise((r) => setTimeout(r, 50))]);
        sent += messages.length;
      }
    } finally {
      await producer.disconnect();
    }
    return sent;
  })();
}

describe('web console', () => {
  it('overview shows the broker, the active controller and no partition needing attention', async () => {
    const { page, problems } = await openPage('overview');
    await page.getByTestId('broker-1').waitFor();
    expect(await page.getByTestId('broker-count').textContent()).toBe('1');
    expect(await page.getByTestId('quorum-leader').textContent()).toBe('1');
    await page.getByTestId('no-problem-partitions').waitFor();
    expect(await page.getByTestId('rates-source').textContent()).toBe('broker metrics');
    await screenshot(page, 'overview');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('is usable with the keyboard: the first Tab reaches the skip link, which moves focus to the page; links navigate', async () => {
    const { page, problems } = await openPage('overview');
    await page.getByTestId('broker-1').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.locator(':focus').getAttribute('id')).toBe('main');
    await page.getByRole('link', { name: 'Topics' }).focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('topics-table').waitFor();
    // The new page's main region has the focus, so the next Tab starts inside it.
    expect(await page.locator(':focus').getAttribute('id')).toBe('main');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('creates a topic through the topics page, lists it, shows its partitions with leader and ISR, and sets a config', async () => {
    const { page, problems } = await openPage('topics');
    await page.getByText('Create a topic').click();
    await page.getByLabel('Name', { exact: true }).fill('console-orders');
    await page.getByLabel('Partitions', { exact: true }).fill('3');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByText('Topic console-orders created.').waitFor();
    await page.getByTestId('topic-row-console-orders').waitFor();
    expect(await page.getByTestId('topic-row-console-orders').locator('td').nth(1).textContent()).toBe('3');
    expect((await admin.fetchTopicMetadata({ topics: ['console-orders'] })).topics[0]?.partitions).toHaveLength(3);
    await screenshot(page, 'topics');

    await page.getByRole('link', { name: 'console-orders' }).click();
    await page.getByTestId('partition-2').waitFor();
    const cells = await page.getByTestId('partition-0').locator('td').allTextContents();
    expect(cells.slice(1, 4)).toEqual(['1 (epoch 0)', '1', '1']);
    await page.getByLabel('Config name').fill('retention.ms');
    await page.getByLabel('Value', { exact: true }).fill('3600000');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    await page.getByTestId('config-retention.ms').filter({ hasText: 'DYNAMIC_TOPIC_CONFIG' }).waitFor();
    expect(await page.getByTestId('config-retention.ms').locator('td').nth(1).textContent()).toBe('3600000');
    await screenshot(page, 'topic');
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows a group's lag rising while a producer runs and falling to 0 when a consumer catches up, in numbers and chart", async () => {
    const topic = 'console-lag';
    const groupId = 'console-lag-group';
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    // The group starts with committed offsets at the start of the log and no members.
    await admin.setOffsets({ groupId, topic, partitions: [0, 1].map((partition) => ({ partition, offset: '0' })) });
    const { page, problems } = await openPage(`groups/${groupId}`);
    const overview = await openPage('overview');
    await page.getByTestId('total-lag').waitFor();
    expect(await numberIn(page, 'total-lag')).toBe(0);

    const stop = { done: false };
    const producing = produceUntil(topic, stop);
    const firstLag = await waitFor(async () => (await numberIn(page, 'total-lag')) || undefined, {
      what: 'lag above 0 on the group page',
    });
    await waitFor(async () => (await numberIn(page, 'total-lag')) > firstLag, { what: 'lag rising on the group page' });
    // The overview's produce rate comes from the broker's messages-in counter while the producer runs.
    await waitFor(async () => !(await overview.page.getByTestId('produce-rate').textContent())?.startsWith('0 '), {
      what: 'a produce rate above 0 on the overview',
    });
    stop.done = true;
    const sent = await producing;
    await waitFor(async () => (await numberIn(page, 'total-lag')) === sent, { what: `lag reaching ${sent}` });
    await screenshot(overview.page, 'overview-rates');
    await overview.page.close();

    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic });
    let consumed = 0;
    await consumer.run({
      eachMessage: async () => {
        consumed += 1;
      },
    });
    try {
      await waitFor(async () => (await numberIn(page, 'total-lag')) === 0, {
        what: 'lag falling to 0 on the group page',
        timeoutMs: 30_000,
      });
      expect(consumed).toBe(sent);
      // The chart holds the whole story: a peak of every record sent, and 0 now.
      const chart = (await page.getByTestId('lag-chart').getAttribute('aria-label')) ?? '';
      expect(chart).toContain(`latest 0, peak ${sent} records`);
      await page.getByTestId('member-count').filter({ hasText: '1' }).waitFor();
      await screenshot(page, 'group');
      // With a member in the group, a reset is refused: its next commit would undo it.
      const refused = await restCall(
        restUrl,
        'POST',
        `/ui/api/groups/${groupId}/reset-offsets`,
        { to: 'earliest' },
        {
          contentType: 'application/json',
        },
      );
      expect(refused.status).toBe(409);
    } finally {
      await consumer.disconnect();
    }

    await page.getByTestId('group-state').filter({ hasText: 'Empty' }).waitFor();
    await page.getByLabel('Reset to').selectOption('earliest');
    await page.getByRole('button', { name: 'Reset offsets' }).click();
    await page.getByTestId('reset-status').filter({ hasText: 'Offsets reset.' }).waitFor();
    await waitFor(async () => (await numberIn(page, 'total-lag')) === sent, { what: 'lag back to every record' });
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(committed[0]?.partitions.map((p) => p.offset)).toEqual(['0', '0']);
    await screenshot(page, 'group-reset');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('lists the group on the consumer groups page', async () => {
    const { page, problems } = await openPage('groups');
    await page.getByTestId('group-row-console-lag-group').waitFor();
    const cells = await page.getByTestId('group-row-console-lag-group').locator('td').allTextContents();
    expect(cells[1]).toBe('Empty');
    expect(Number(cells[4]?.replaceAll(',', ''))).toBeGreaterThan(0);
    await screenshot(page, 'groups');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('without a metrics URL, a separate gateway derives produce rates from log-end offsets and says so', async () => {
    const gateway = await GatewayProcess.start(dev.bootstrap);
    try {
      const { page, problems } = await openPage('overview', `${gateway.restUrl}/ui/`);
      await page.getByTestId('rates-source').filter({ hasText: 'derived from log-end offsets' }).waitFor();
      const stop = { done: false };
      const producing = produceUntil('console-orders', stop);
      try {
        await waitFor(async () => !(await page.getByTestId('produce-rate').textContent())?.startsWith('0 '), {
          what: 'a produce rate above 0 from log-end offsets',
        });
      } finally {
        stop.done = true;
        await producing;
      }
      // Log-end offsets say nothing of consumers: the consume rate is unknown, not 0.
      expect(await page.getByTestId('consume-rate').textContent()).toBe('—');
      await screenshot(page, 'overview-log-end-offsets');
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await gateway.kill();
    }
  });

  it("answers bad input to the console's API with the right status and a JSON message, and describes it in /openapi.json", async () => {
    const json = { contentType: 'application/json' };
    const cases: [string, string, unknown, number][] = [
      ['POST', '/ui/api/topics', {}, 422],
      ['POST', '/ui/api/topics', { name: 'console-orders' }, 409],
      ['POST', '/ui/api/topics', { name: 'x', partitions: 0 }, 422],
      ['GET', '/ui/api/topics/no-such-topic', undefined, 404],
      ['GET', '/ui/api/groups/no-such-group', undefined, 404],
      ['POST', '/ui/api/groups/console-lag-group/reset-offsets', { to: 'offset' }, 422],
      ['POST', '/ui/api/groups/console-lag-group/reset-offsets', { to: 'somewhere' }, 422],
      ['POST', '/ui/api/groups/console-lag-group/reset-offsets', { to: 'latest', topic: 'no-such-topic' }, 404],
      ['POST', '/ui/api/topics/console-orders/configs', {}, 400],
    ];
    for (const [method, path, body, status] of cases) {
      const answer = await restCall(restUrl, method, path, body, json);
      expect({ path, body, status: answer.status }).toEqual({ path, body, status });
      expect(answer.body).toMatchObject({ error_code: status, message: expect.any(String) });
    }
    // Asking about a topic does not create it, though the broker auto-creates topics on Metadata requests that allow it.
    expect((await admin.listTopics()).includes('no-such-topic')).toBe(false);
    const openapi = await restCall(restUrl, 'GET', '/openapi.json');
    const paths = (openapi.body as { paths: Record<string, Record<string, { tags?: string[] }>> }).paths;
    expect(paths['/ui/api/groups/{group}/reset-offsets']?.post?.tags).toEqual(['console']);
    expect(paths['/ui/api/overview']?.get?.tags).toEqual(['console']);
  });
});
