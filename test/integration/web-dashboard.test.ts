// The dashboard in a real Chromium (playwright-core, the system's browser: test/support/browser.ts)
// against the real broker, a real Worker and the real WorkerMonitor and StatsReader: every page
// with real jobs, the actions (retry, cancel, quiet), auth, CSRF, phone width, screenshots.
// Screenshots go to test-artifacts/screenshots/; WARREN_DOCS_SCREENSHOTS=1 also writes the two
// README ones in docs/images/.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AmqpAdapter, configure, ConfigurationError, Job, JobRegistry, Worker } from '../../src/index.js';
import { startDashboard, type RunningDashboard } from '../../src/rabbitmq.js';
import { resetConfiguration } from '../../src/testing/index.js';
import { launchChromium } from '../support/browser.js';
import { BrokerProbe, uniquePrefix } from '../support/broker-probe.js';
import { repositoryRoot } from '../support/paths.js';
import { killAllChildren, run, runCli, spawnCli } from '../support/processes.js';
import { waitFor } from '../support/wait.js';

const url = inject('amqpUrl');
const screenshots = join(repositoryRoot, 'test-artifacts', 'screenshots');
const docsImages = join(repositoryRoot, 'docs', 'images');
const TOKEN = 'web-test-token-5b0c1d2e3f4a5b6c';

/** Reports progress 40, then waits until its signal aborts (an operator's cancel), and returns. */
class WebProgressJob extends Job {
  static override jobName = 'WebProgressJob';
  static ended: string[] = [];
  async perform(label: string): Promise<void> {
    this.progress(40);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 120_000);
      this.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    WebProgressJob.ended.push(label);
  }
}

class CardDeclinedError extends Error {
  override name = 'CardDeclinedError';
}

/** Fails its first run (no retry rule: straight to the dead letters), succeeds the next. */
class WebChargeJob extends Job {
  static override jobName = 'WebChargeJob';
  static runs = new Map<string, number>();
  static performed: string[] = [];
  perform(label: string, _card: { number: string; amount: number }): void {
    const run = (WebChargeJob.runs.get(label) ?? 0) + 1;
    WebChargeJob.runs.set(label, run);
    if (run === 1) throw new CardDeclinedError(`card declined for ${label}`);
    WebChargeJob.performed.push(label);
  }
}

class WebQuickJob extends Job {
  static override jobName = 'WebQuickJob';
  perform(): void {}
}

const registry = new JobRegistry().register(WebProgressJob, WebChargeJob, WebQuickJob);

describe('the dashboard in Chromium, on the real broker', { timeout: 180_000 }, () => {
  const prefix = uniquePrefix();
  const jobs = `${prefix}web-jobs`;
  const dead = `${prefix}web-dead`;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let probe: BrokerProbe;
  let producer: AmqpAdapter;
  let worker: Worker;
  let dashboard: RunningDashboard;

  const at = (path: string): string => `${dashboard.url.replace(/\/$/, '')}${path}`;

  async function open(path: string): Promise<void> {
    const response = await page.goto(at(path));
    expect(response?.status(), path).toBe(200);
  }

  /** Reloads `path` until `check` holds (heartbeats and samples arrive every half second or so). */
  async function until(path: string, check: () => Promise<boolean>, what: string): Promise<void> {
    await waitFor(
      async () => {
        await open(path);
        return check();
      },
      what,
      30_000,
      300,
    );
  }

  async function screenshot(name: string, docs = false): Promise<void> {
    await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
    if (docs && process.env.WARREN_DOCS_SCREENSHOTS === '1') await page.screenshot({ path: join(docsImages, `dashboard-${name}.png`), fullPage: false });
  }

  const workerSection = () => page.locator(`section.worker[data-worker-id="${worker.id}"]`);

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    mkdirSync(docsImages, { recursive: true });
    browser = await launchChromium();
    probe = await BrokerProbe.open(url);
    producer = new AmqpAdapter({ url });
    configure({ adapter: producer });
    worker = new Worker({
      url,
      registry,
      queues: [jobs],
      deadLetterQueue: dead,
      concurrency: 4,
      handleSignals: false,
      shutdownTimeoutMs: 2_000,
      presence: { heartbeatIntervalMs: 500 },
    });
    await worker.start();
    dashboard = await startDashboard({
      url,
      port: 0,
      auth: { token: TOKEN },
      deadLetterQueue: dead,
      queues: [jobs],
      sampleIntervalMs: 1_000,
      // Card numbers show as their last four digits.
      redact: (args) =>
        JSON.parse(JSON.stringify(args), (key, value: unknown) => (key === 'number' && typeof value === 'string' ? `•••• ${value.slice(-4)}` : value)),
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
  });

  afterAll(async () => {
    await killAllChildren();
    await context?.close();
    await browser?.close();
    await dashboard?.close();
    worker?.abortNow();
    await worker?.stop();
    await producer?.close();
    resetConfiguration();
    await probe?.deleteQueues([jobs, dead]);
    await probe?.close();
  });

  it('refuses requests without the token (401) and lets the login form in', async () => {
    const refused = await fetch(at('/'));
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toContain(jobs);
    expect((await fetch(at('/queues'), { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const response = await page.goto(at('/'));
    expect(response?.status()).toBe(401);
    await page.fill('#token', 'not-the-right-token-0000');
    await page.click('form.login button');
    await expect.poll(() => page.locator('.error').textContent()).toContain('not the dashboard');
    await page.fill('#token', TOKEN);
    await page.click('form.login button');
    await page.waitForURL(at('/'));
    expect(await page.locator('h1').textContent()).toBe('Overview');
    const session = (await context.cookies()).find((cookie) => cookie.name === 'warren_session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
  });

  it('shows every page with the real jobs: queues, the worker and its running job with progress, a dead letter with its error', async () => {
    const long = await WebProgressJob.set({ queue: jobs }).performLater('long');
    const charge = await WebChargeJob.set({ queue: jobs }).performLater('order-7', { number: '4242424242424242', amount: 1999 });
    for (let i = 0; i < 20; i += 1) await WebQuickJob.set({ queue: jobs }).performLater();
    await waitFor(async () => (await probe.messageCount(dead)) === 1, 'the charge to be dead-lettered');

    await until('/workers', async () => (await workerSection().locator('progress').count()) === 1, 'the running job with its progress');
    const section = workerSection();
    expect(await section.locator('.badge').first().textContent()).toBe('running');
    expect(await section.textContent()).toContain('WebProgressJob');
    expect(await section.locator('progress').getAttribute('value')).toBe('40');
    expect(await section.textContent()).toContain(jobs);
    await screenshot('workers', true);

    await until('/queues', async () => (await page.locator(`tr[data-queue="${jobs}"]`).count()) === 1, 'the job queue row');
    const row = page.locator(`tr[data-queue="${jobs}"]`);
    expect(await row.locator('td[data-label="Consumers"]').textContent()).toBe('1');
    expect(await page.textContent('main')).toContain(`Dead letters (${dead})`);
    await screenshot('queues');

    await open('/dead-letters');
    const letter = page.locator(`article.letter[data-job-id="${charge.jobId}"]`);
    expect(await letter.count()).toBe(1);
    expect(await letter.locator('.error').textContent()).toContain('CardDeclinedError: card declined for order-7');
    expect(await letter.locator('.badge.reason').textContent()).toBe('failed');
    const shownArguments = await letter.locator('pre.arguments').textContent();
    expect(shownArguments).toContain('"number": "•••• 4242"');
    expect(shownArguments).toContain('"amount": 1999');
    expect(await page.content()).not.toContain('4242424242424242');
    expect(await letter.textContent()).toContain(jobs);
    await screenshot('dead-letters', true);
    await letter.locator('details.backtrace summary').click();
    expect(await letter.locator('details.backtrace pre').textContent()).toContain('WebChargeJob.perform');
    await screenshot('dead-letter-backtrace');

    await until('/', async () => (await page.locator('.figure').nth(4).locator('.value').textContent()) !== '0', 'a live worker on the overview');
    expect(await page.locator('.chart svg').count()).toBe(2);
    await waitFor(
      async () => {
        await open('/');
        return (await page.locator('.chart polyline').count()) > 0;
      },
      'a line on the chart',
      20_000,
      500,
    );
    await screenshot('overview', true);

    await open('/scheduled');
    expect(await page.textContent('main')).toContain('cannot expire');
    await screenshot('scheduled');
    await open('/retries');
    expect(await page.textContent('main')).toContain('retry rule');
    await screenshot('retries');

    // Job by id: a running job and a dead letter, and where it looked.
    await page.fill('#job-search', charge.jobId);
    await page.press('#job-search', 'Enter');
    await page.waitForURL(/\/jobs\?id=/);
    expect(await page.locator('p.found').textContent()).toContain(charge.jobId);
    expect(await page.locator('.where').textContent()).toContain('dead letter(s) in');
    expect(await page.locator('article.letter').count()).toBe(1);
    await screenshot('job');
    await open(`/jobs?id=${encodeURIComponent(long.jobId)}`);
    expect(await page.locator('main h2').first().textContent()).toBe('Running');

    // No credential on any page.
    for (const path of ['/', '/queues', '/workers', '/scheduled', '/retries', '/dead-letters', `/jobs?id=${charge.jobId}`]) {
      await open(path);
      const text = await page.content();
      expect(text).not.toContain(TOKEN);
      expect(text).not.toMatch(/amqps?:\/\/[^\s"<]*@/);
    }
  });

  it('refuses a POST without or with a wrong CSRF token (403) and changes nothing', async () => {
    const before = await probe.messageCount(dead);
    const forms: Array<Record<string, string>> = [{ jobId: 'x' }, { jobId: 'x', _csrf: 'forged' }];
    for (const form of forms) {
      const response = await page.request.post(at('/dead-letters/purge'), { form: { ...form, confirm: 'yes' }, maxRedirects: 0 });
      expect(response.status()).toBe(403);
    }
    const crossSite = await page.request.post(at('/dead-letters/purge'), {
      form: { confirm: 'yes', _csrf: 'x' },
      headers: { origin: 'http://evil.example' },
      maxRedirects: 0,
    });
    expect(crossSite.status()).toBe(403);
    expect(await probe.messageCount(dead)).toBe(before);
  });

  it('retries a dead letter, which is performed this time', async () => {
    await open('/dead-letters');
    const letter = page.locator('article.letter').filter({ hasText: 'order-7' });
    await letter.locator('button', { hasText: 'Retry' }).click();
    await page.waitForURL(/notice=retried/);
    expect(await page.locator('.notice').textContent()).toContain('Sent 1 dead letter(s) back');
    await waitFor(() => WebChargeJob.performed.includes('order-7'), 'the retried job to be performed');
    expect(await page.locator('article.letter').filter({ hasText: 'order-7' }).count()).toBe(0);
  });

  it('discards one dead letter, and purges the others after the confirmation step', async () => {
    for (const label of ['order-8', 'order-9', 'order-10'])
      await WebChargeJob.set({ queue: jobs }).performLater(label, { number: '4000000000000002', amount: 5 });
    await waitFor(async () => (await probe.messageCount(dead)) === 3, 'three dead letters');
    await open('/dead-letters');
    await page.locator('article.letter').filter({ hasText: 'order-8' }).locator('button', { hasText: 'Discard' }).click();
    await page.waitForURL(/notice=discarded/);
    expect(await page.locator('article.letter').count()).toBe(2);
    expect(await probe.messageCount(dead)).toBe(2);
    await page.locator('button', { hasText: 'Purge all' }).click();
    await page.waitForURL(at('/dead-letters/purge'));
    expect(await page.locator('p.confirm').textContent()).toContain('Delete all 2 dead letter(s) for good?');
    expect(await probe.messageCount(dead)).toBe(2);
    await page.locator('button', { hasText: 'Yes, delete them' }).click();
    await page.waitForURL(/notice=purged&n=2/);
    expect(await page.locator('.notice').textContent()).toContain('Deleted 2 dead letter(s)');
    expect(await probe.messageCount(dead)).toBe(0);
    expect(WebChargeJob.performed).not.toContain('order-9');
  });

  it('cancels the running job and shows the outcome', async () => {
    await open('/workers');
    await workerSection().locator('button', { hasText: 'Cancel' }).click();
    await page.waitForURL(/notice=cancel/);
    await waitFor(() => WebProgressJob.ended.includes('long'), 'the job to see its signal aborted');
    await until('/workers', async () => (await workerSection().locator('.badge.outcome-ended').count()) === 1, 'the cancel outcome "ended" in the heartbeat');
    expect(await workerSection().locator('progress').count()).toBe(0);
    await screenshot('workers-cancelled');
  });

  it('quiets the worker and shows it quiet', async () => {
    await open('/workers');
    await workerSection().locator('button', { hasText: 'Quiet' }).click();
    await page.waitForURL(/notice=quiet/);
    await until('/workers', async () => (await workerSection().locator('.badge.state-quiet').count()) === 1, 'the worker to be quiet');
    expect(await workerSection().locator('button', { hasText: 'Quiet' }).count()).toBe(0);
  });

  it('fits a phone: 390 px wide without horizontal scroll', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    try {
      await phone.setExtraHTTPHeaders({ authorization: `Bearer ${TOKEN}` });
      const small = await phone.newPage();
      for (const path of ['/', '/queues', '/workers', '/scheduled', '/retries', '/dead-letters', '/jobs?id=nothing']) {
        const response = await small.goto(at(path));
        expect(response?.status(), path).toBe(200);
        // Runs in the page: `document` is the browser's (the tests compile without the DOM library).
        const overflow = await small.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        expect(Number(overflow), `${path} scrolls sideways by ${String(overflow)}px`).toBeLessThanOrEqual(0);
      }
      await small.goto(at('/workers'));
      await small.screenshot({ path: join(screenshots, 'phone-workers.png'), fullPage: true });
    } finally {
      await phone.close();
    }
  });

  it('refuses to listen on 0.0.0.0 without auth, from the API and from `warren web`', async () => {
    await expect(startDashboard({ url, host: '0.0.0.0', port: 0 })).rejects.toThrow(ConfigurationError);
    const cli = await runCli(['web', '--host', '0.0.0.0', '--port', '0'], { AMQP_URL: url, WARREN_WEB_TOKEN: '' });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('without auth');
  });

  it('`warren web` serves the dashboard and stops on SIGTERM', async () => {
    const web = spawnCli(['web', '--port', '0', '--base-path', '/ops', '--dead-letter-queue', dead], { AMQP_URL: url, WARREN_WEB_TOKEN: TOKEN });
    await waitFor(() => web.stdout.join('').includes('dashboard on') || web.exit !== undefined, 'warren web to print its address', 30_000);
    const address = /dashboard on (http:\/\/\S+\/ops\/)/.exec(web.stdout.join(''))?.[1];
    expect(address, web.stderr.join('')).toBeDefined();
    expect((await fetch(address!)).status).toBe(401);
    const queues = await fetch(`${address}queues`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(queues.status).toBe(200);
    expect(await queues.text()).toContain(`Dead letters (${dead})`);
    web.kill('SIGTERM');
    expect((await web.exited).code).toBe(0);
  });

  it('runs the README example', async () => {
    const tsx = join(repositoryRoot, 'node_modules', '.bin', 'tsx');
    const result = await run(
      tsx,
      ['--tsconfig', join(repositoryRoot, 'examples', 'readme', 'tsconfig.json'), join(repositoryRoot, 'examples', 'readme', 'dashboard.ts')],
      {
        cwd: repositoryRoot,
        env: { ...process.env, AMQP_URL: url, PORT: '0', WARREN_LOG_LEVEL: 'warn' },
        timeoutMs: 60_000,
      },
    );
    expect(result.stdout + result.stderr).toContain('dashboard ok');
  });
});
