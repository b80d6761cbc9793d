// The web UI in a real browser (Debian's chromium via playwright-core) against the whole
// system started as `npm start` starts it: each flow a newcomer would try, an axe-core scan
// of each view, screenshots under services/web/test-artifacts/ (gitignored).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@taskoverflow/events/testing';
import axe from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type RunningStack, startLocalStack } from '../../../../local/testing/run-stack.ts';
import { launchChromium } from './chromium.ts';

const artifacts = new URL('../../test-artifacts/', import.meta.url).pathname;
const timeZone = 'Europe/Berlin'; // not UTC, so a deadline's conversion shows

interface Todo {
  id: number;
  title: string;
  completed: boolean;
  deadline_at: string | null;
}

describe('web UI in a browser (whole stack)', function () {
  this.timeout(240_000);
  let stack: RunningStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let token = '';
  const problems: string[] = [];
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  let receiver: Server;

  /** The API as a test sees it, for arranging and checking what the UI did. */
  const apiCall = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${stack.base}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        authorization: `Bearer ${token}`,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  };
  const todos = () => apiCall<Todo[]>('GET', '/api/v1/todos');
  const todoNamed = async (title: string) => (await todos()).find((todo) => todo.title === title);

  const scan = async (view: string) => {
    await page.evaluate(axe.source);
    const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as axe.AxeResults;
    const serious = result.violations.filter((violation) => ['serious', 'critical'].includes(violation.impact ?? ''));
    assert.deepEqual(
      serious.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`),
      [],
      `axe on ${view}`,
    );
  };
  // Strings, not functions: this file is type-checked for Node, where `document` does not exist.
  const focused = async (property: 'id' | 'textContent' | 'ariaLabel') =>
    String(await page.evaluate(`document.activeElement?.${property}`));
  const screenshot = (name: string) => page.screenshot({ path: `${artifacts}${name}.png`, fullPage: true });
  const open = async (hash = '') => {
    await page.goto(`${stack.base}/${hash}`);
    await page.getByRole('heading', { name: 'TaskOverflow' }).waitFor();
  };

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    [stack, browser] = await Promise.all([
      startLocalStack({ env: { NOTIFICATION_ALLOW_PRIVATE_TARGETS: 'true' } }),
      launchChromium(),
    ]);
    // The runner writes an admin token; the UI is given it as a user would, through its field.
    token = readFileSync(`${stack.dataDir}/admin.token`, 'utf8').trim();
    context = await browser.newContext({ timezoneId: timeZone, viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.base });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // Chromium reports every 4xx the API answers (the tests provoke some); anything else is a defect.
      const expected = /Failed to load resource: the server responded with a status of 4\d\d/;
      if (message.type() === 'error' && !expected.test(message.text())) problems.push(message.text());
    });
    await open();
    await page.getByLabel('Access token').fill(token);
    await page.getByRole('button', { name: 'Save token' }).click();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
    receiver?.close();
  });

  it('when nothing exists yet, then the page says what to do and passes axe', async () => {
    await open();

    await page.getByText('Nothing to do yet.').waitFor();
    await page.getByText('No events yet.').waitFor();
    await scan('the empty todo list');
    await screenshot('todos-empty');
  });

  it('when a todo is added with a local deadline, then it is listed in local time and stored as UTC', async () => {
    await page.getByLabel('Title').fill('Write the report');
    await page.getByLabel('Description (optional)').fill('Q3 numbers');
    await page.getByLabel('Date').fill('2030-06-01');
    await page.getByLabel('Time').fill('09:30');
    await page.getByRole('button', { name: 'Add todo' }).click();

    const item = page.getByRole('listitem').filter({ hasText: 'Write the report' });
    await item.waitFor();
    assert.match(await item.innerText(), /Jun 1, 2030.*9:30/);
    const stored = await todoNamed('Write the report');
    assert.equal(stored?.deadline_at, '2030-06-01T07:30:00', 'Berlin summer time is UTC+2');
    assert.equal(await page.getByLabel('Title').inputValue(), '', 'the form is ready for the next one');
  });

  it('when the API rejects the input, then its error is shown next to the field it concerns', async () => {
    await page.getByLabel('Title').fill('x'.repeat(81));
    await page.getByRole('button', { name: 'Add todo' }).click();

    const error = page.locator('#new-title-error');
    await error.waitFor();
    assert.equal(await error.innerText(), 'title must be at most 80 characters');
    const title = page.getByLabel('Title');
    assert.equal(await title.getAttribute('aria-invalid'), 'true');
    assert.equal(await title.getAttribute('aria-describedby'), 'new-title-error');
    assert.equal(await focused('id'), 'new-title', 'focus moves to the problem');
    await title.fill('');
  });

  it('when a todo is edited, then the list and the API show the change and focus returns to its Edit button', async () => {
    await page.getByRole('button', { name: 'Edit Write the report' }).click();
    const form = page.getByRole('form', { name: 'Edit Write the report' });
    await form.getByLabel('Title').fill('Write the final report');
    await form.getByRole('button', { name: 'Save' }).click();

    await page.getByRole('button', { name: 'Edit Write the final report' }).waitFor();
    assert.ok(await todoNamed('Write the final report'));
    assert.equal(await focused('ariaLabel'), 'Edit Write the final report', 'keyboard users continue where they were');
  });

  it('when the keyboard alone adds, completes and deletes a todo, then each step happens', async () => {
    await open();
    await page.keyboard.press('Tab'); // skip link first
    assert.equal(await focused('textContent'), 'Skip to content');
    await page.keyboard.press('Enter');
    for (let step = 0; step < 10 && (await focused('id')) !== 'new-title'; step++) {
      await page.keyboard.press('Tab');
    }
    assert.equal(await focused('id'), 'new-title');
    await page.keyboard.type('Keyboard only');
    await page.keyboard.press('Enter');
    await waitFor(() => todoNamed('Keyboard only'), { what: 'the todo added by keyboard' });

    await page.getByRole('checkbox', { name: 'Completed: Keyboard only' }).focus();
    await page.keyboard.press('Space');
    await waitFor(async () => (await todoNamed('Keyboard only'))?.completed, { what: 'completed by keyboard' });
    await page.keyboard.press('Tab'); // Edit
    await page.keyboard.press('Tab'); // Delete
    assert.equal(await focused('ariaLabel'), 'Delete Keyboard only');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await todoNamed('Keyboard only')) === undefined, { what: 'deleted by keyboard' });
    await page.getByRole('checkbox', { name: 'Completed: Keyboard only' }).waitFor({ state: 'detached' });
  });

  it('when a todo is completed and the filters are used, then only matching todos are listed', async () => {
    const soon = new Date(Date.now() + 2 * 86_400_000).toISOString();
    await apiCall('POST', '/api/v1/todos', { title: 'Due soon', deadline_at: soon });
    await open();
    await page.getByRole('checkbox', { name: 'Completed: Write the final report' }).check();
    await waitFor(async () => (await todoNamed('Write the final report'))?.completed, { what: 'completed' });
    const titles = () => page.locator('.todo .title').allInnerTexts();

    await page.getByLabel('Show').selectOption({ label: 'Completed' });
    await waitFor(async () => (await titles()).join() === 'Write the final report', { what: 'completed only' });
    await page.getByLabel('Show').selectOption({ label: 'Not completed' });
    await waitFor(async () => (await titles()).join() === 'Due soon', { what: 'open only' });
    await page.getByLabel('Show').selectOption({ label: 'All todos' });
    await page.getByLabel('Due within (days)').fill('7');
    await waitFor(async () => (await titles()).join() === 'Due soon', { what: 'due within 7 days' });
    await page.getByLabel('Due within (days)').fill('0');
    await page.getByText('No todos match these filters.').waitFor();
    await page.getByRole('button', { name: 'Show all todos' }).click();
    await waitFor(async () => (await titles()).length === 2, { what: 'all todos again' });
    await scan('the todo list');
    await screenshot('todos');
  });

  it('when a reload that started before a tick answers after it, then the tick stays', async () => {
    await apiCall('POST', '/api/v1/todos', { title: 'Ticked during a reload' });
    await open();
    const box = page.getByRole('checkbox', { name: 'Completed: Ticked during a reload' });
    await box.waitFor();
    // The next list read is answered late with what the server held before the tick, as a
    // reload the live stream started just before a click would be. Later reads (the one after
    // the tick) wait until the page has been looked at, so only the stale answer can land.
    const staleRead = Promise.withResolvers<void>();
    const staleLanded = Promise.withResolvers<void>();
    const looked = Promise.withResolvers<void>();
    let reads = 0;
    await page.route('**/api/v1/todos', async (route) => {
      if (route.request().method() !== 'GET') return route.continue();
      if (++reads > 1) {
        await looked.promise;
        return route.continue();
      }
      const response = await route.fetch();
      staleRead.resolve();
      await waitFor(async () => (await todoNamed('Ticked during a reload'))?.completed, { what: 'the tick stored' });
      await route.fulfill({ response });
      staleLanded.resolve();
    });
    await page.evaluate(
      "window.dispatchEvent(new CustomEvent('taskoverflow:event', { detail: { type: 'TodoUpdated' } }))",
    );
    await staleRead.promise;

    await box.check();

    await staleLanded.promise;
    // Two frames after the late answer: time for it to render, had it not been dropped.
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    const tickShown = await box.isChecked();
    looked.resolve();
    await page.unroute('**/api/v1/todos');
    assert.equal(tickShown, true, 'the late answer from before the tick did not undo it');
    await apiCall('DELETE', `/api/v1/todos/${(await todoNamed('Ticked during a reload'))?.id}`);
  });

  it('when a todo is deleted, then it leaves the list and the API', async () => {
    const { id } = (await todoNamed('Due soon')) as Todo;

    await page.getByRole('button', { name: 'Delete Due soon' }).click();

    await page.locator(`#todo-${id}`).waitFor({ state: 'detached' });
    assert.equal(await todoNamed('Due soon'), undefined);
  });

  it('when the calendar is exported, then the steps end in SUCCESS and taskoverflow.ics holds the todos', async () => {
    const downloaded = page.waitForEvent('download', { timeout: 60_000 });
    await page.getByRole('button', { name: 'Export calendar (.ics)' }).click();

    const file = await downloaded;
    assert.equal(file.suggestedFilename(), 'taskoverflow.ics');
    const text = readFileSync(await file.path(), 'utf8');
    assert.match(text, /BEGIN:VCALENDAR/);
    assert.match(text, /SUMMARY:Write the final report/);
    assert.match(text, /DTSTART:20300601T073000Z/);
    await page
      .getByRole('listitem')
      .filter({ hasText: /^SUCCESS$/ })
      .waitFor();
    assert.equal(
      await page.getByRole('list', { name: 'Export progress' }).locator('li').first().innerText(),
      'PENDING',
    );
  });

  it('when events happen, then the live activity panel shows them as they arrive, linked to their subject', async () => {
    const panel = page.getByRole('log', { name: 'Events, newest first' });
    for (const type of ['TodoCreated', 'TodoUpdated', 'TodoDeleted', 'CalendarRequested', 'CalendarGenerated']) {
      await panel.getByText(type, { exact: true }).first().waitFor({ timeout: 30_000 });
    }
    const created = await apiCall<Todo>('POST', '/api/v1/todos', { title: 'Seen live' });

    const link = panel.getByRole('link', { name: `todo #${created.id}` });
    await link.waitFor({ timeout: 30_000 });
    await link.click();
    await waitFor(async () => (await focused('id')) === `todo-${created.id}`, { what: 'the linked todo focused' });
  });

  it('when a webhook is registered, then its secret is shown once and a delivery to a local receiver is listed', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByText('No webhooks yet.').waitFor();
    await scan('webhooks, none registered');

    await page.getByLabel('Receiver URL').fill('ftp://127.0.0.1/hook');
    await page.getByRole('button', { name: 'Register webhook' }).click();
    assert.equal(await page.locator('#webhook-url-error').innerText(), 'url must use http or https');
    assert.equal(await page.getByLabel('Receiver URL').getAttribute('aria-invalid'), 'true');

    await page.getByLabel('Receiver URL').fill(url);
    await page.getByRole('checkbox', { name: 'TodoCreated' }).check();
    await page.getByRole('button', { name: 'Register webhook' }).click();
    const secret = await page.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    assert.match(secret, /^whsec_/);
    await page.getByRole('button', { name: 'Copy secret' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), secret);
    await scan('webhooks, secret shown');
    await screenshot('webhook-secret');
    await page.getByRole('button', { name: 'Done' }).click();

    await apiCall('POST', '/api/v1/todos', { title: 'Tell the hook' });
    await waitFor(() => received.find((request) => request.body.includes('Tell the hook')), {
      timeoutMs: 30_000,
      what: 'the webhook delivery',
    });
    await page.getByRole('button', { name: `Show deliveries for ${url}` }).click();
    const row = page.getByRole('row').filter({ hasText: 'TodoCreated' });
    await row.filter({ hasText: 'succeeded' }).waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /succeeded\s+1\s+204/);
    await scan('webhooks with deliveries');
    await screenshot('webhooks');

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: `Delete webhook ${url}` }).click();
    await page.getByText('No webhooks yet.').waitFor();
  });

  it('when the window is 375 px wide, then nothing scrolls sideways and axe still passes', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    for (const hash of ['#/todos', '#/webhooks']) {
      await open(hash);
      await page.getByRole('heading', { level: 2 }).first().waitFor();
      const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
      assert.ok(width <= 375, `${hash} is ${width} px wide`);
      await scan(`${hash} at 375 px`);
      await screenshot(`narrow-${hash.slice(2)}`);
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('when the services want a token the browser lacks, then the page says where to find it', async () => {
    const stranger = await browser.newContext({ timezoneId: timeZone });
    try {
      const fresh = await stranger.newPage();
      await fresh.goto(`${stack.base}/#/webhooks`);

      await fresh.getByRole('alert').filter({ hasText: 'Paste the token from .data/admin.token' }).waitFor();
      await fresh.getByText(/^Not allowed \(401\)/).waitFor();
      await fresh.getByText(/^Save the access token above to watch events arrive/).waitFor();
      await fresh.getByLabel('Access token').fill(token);
      await fresh.getByRole('button', { name: 'Save token' }).click();
      await fresh.getByText('Live', { exact: true }).waitFor();
      await fresh.getByText(/^Save the access token above/).waitFor({ state: 'detached' });
      await fresh.getByText('No webhooks yet.').waitFor();
    } finally {
      await stranger.close();
    }
  });

  it('when every flow has run, then the browser reported no errors', () => {
    assert.deepEqual(problems, []);
  });
});
