// The storechat admin panels in a real headless Chromium, driving the example
// store (Northwind Goods) as its staff member Ann would: sign in, filter,
// search, sort, preview, open an unread conversation (the badge drops),
// reply, change the status, bulk-close and bulk-delete; deleting a
// conversation that is not closed is refused.
//
// The tests run in order and share one signed-in page: each picks up where
// the one before left the demo data. Screenshots of the list and the change
// view at 1280 and 390 px go to artifacts/screenshots/ (or $ARTIFACTS_DIR).
//
//   cargo build -p host-example && (cd tests/browser && node --test)

import assert from 'node:assert/strict';
import { after, before, test as nodeTest } from 'node:test';
import { DESKTOP, PHONE, launchBrowser, navigating, shoot, watchForErrors } from './lib/browser.mjs';
import { startStore } from './lib/store.mjs';

const ADMIN = '/admin/dashboard/conversation/';
const ANN = { email: 'ann@example.com', password: 'ann-demo', name: 'Ann Admin' };

// Demo conversations (host-example/src/demo) the scenario uses.
const UNREAD_TO_OPEN = 'Where is my weekender bag?'; // OPEN, one unread customer message
const NOT_CLOSED = 'Gift wrapping'; // AWAITING_ADMIN: its Delete must be refused
const TO_CLOSE = ['Exchanging a beanie for a larger size', 'Is the pour-over set dishwasher safe?'];
const REPLY = 'Your weekender bag left our warehouse this morning; the tracking link is in your order page.';

/**
 * A step of the scenario. Each gets a time limit, so a hung page fails the
 * run instead of stalling it; a failing step leaves a screenshot of where the
 * browser was (failed-N.png) and names its URL.
 */
let step = 0;
const test = (name, fn) => {
  const n = ++step;
  return nodeTest(name, { timeout: 60_000 }, async (t) => {
    try {
      await fn(t);
    } catch (error) {
      if (desk && !desk.isClosed()) {
        const file = await shoot(desk, `failed-${n}`).catch(() => null);
        error.message += `\n    at ${desk.url()}${file ? `\n    screenshot: ${file}` : ''}`;
      }
      throw error;
    }
  });
};

let store;
let browser;
let desk; // the 1280 px page the scenario drives
let phone; // a 390 px phone page on the same session, for screenshots and layout checks
let deskErrors = [];
let phoneErrors = [];

before(async () => {
  store = await startStore();
  browser = await launchBrowser();
  const deskContext = await browser.newContext({ viewport: DESKTOP });
  desk = await deskContext.newPage();
  deskErrors = watchForErrors(desk, store.baseUrl);
  const phoneContext = await browser.newContext({
    viewport: PHONE,
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 1,
  });
  phone = await phoneContext.newPage();
  phoneErrors = watchForErrors(phone, store.baseUrl);
}, { timeout: 90_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await store?.stop();
});

const url = (page) => new URL(page.url());

/** The number in the sidebar's "Conversations" badge (host layout), 0 when hidden. */
async function sidebarBadge(page) {
  const badge = page.locator('.admin-nav a[href="/admin/dashboard/conversation/"] [data-badge="admin"]');
  assert.equal(await badge.count(), 1, 'the sidebar item "Conversations" has one badge');
  if (await badge.isHidden()) return 0;
  const text = (await badge.textContent()).trim();
  assert.match(text, /^\d+$/, `sidebar badge reads "${text}"`);
  return Number(text);
}

/** The number in the list heading's `.sc-badge`, 0 when there is none. */
async function headingBadge(page) {
  const badge = page.locator('h1.sc-title .sc-badge');
  if ((await badge.count()) === 0) return 0;
  const text = (await badge.textContent()).trim();
  assert.match(text, /^\d+$/, `heading badge reads "${text}"`);
  return Number(text);
}

/** Subjects of the rows in the list table, top to bottom. */
async function subjects(page) {
  return (await page.locator('table.sc-table tbody td.sc-col-subject a').allTextContents()).map((s) => s.trim());
}

function row(page, subject) {
  return page.locator('table.sc-table tbody tr').filter({
    has: page.locator('td.sc-col-subject a', { hasText: subject }),
  });
}

async function flash(page) {
  const notice = page.locator('.sc-notice, .sc-alert');
  return (await notice.count()) ? (await notice.first().textContent()).trim() : null;
}

async function openList(page, query = '') {
  await page.goto(store.baseUrl + ADMIN + query);
  assert.equal(url(page).pathname, ADMIN);
}

/** No sideways scrolling: the page fits the viewport's width. */
async function assertFitsWidth(page, what) {
  const { scrollWidth, innerWidth, wide } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    // Elements that stick out past the right edge (outside a scroll box).
    wide: [...document.querySelectorAll('body *')]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.right <= window.innerWidth + 1) return false;
        for (let p = el.parentElement; p; p = p.parentElement) {
          const o = getComputedStyle(p).overflowX;
          if (o === 'auto' || o === 'scroll' || o === 'hidden') return false;
        }
        return true;
      })
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} (right edge ${Math.round(el.getBoundingClientRect().right)} px)`),
  }));
  assert.ok(
    scrollWidth <= innerWidth,
    `${what} at ${innerWidth} px scrolls sideways (${scrollWidth} px wide): ${wide.join(', ')}`,
  );
}

test('Ann signs in and reaches the conversation list', async () => {
  await desk.goto(`${store.baseUrl}/login`);
  await desk.fill('input[name=email]', ANN.email);
  await desk.fill('input[name=password]', ANN.password);
  await navigating(desk, () => desk.click('form[action="/login"] button[type=submit]'));
  assert.ok(url(desk).pathname.startsWith('/admin'), `signed in, at ${desk.url()}`);

  // The phone page shares Ann's session.
  await phone.context().addCookies(await desk.context().cookies());

  await navigating(desk, () => desk.getByRole('link', { name: /Conversations/ }).first().click());
  assert.equal(url(desk).pathname, ADMIN);
  assert.match(await desk.locator('.admin-nav a[aria-current="page"]').textContent(), /Conversations/);
  const rows = await subjects(desk);
  assert.ok(rows.length >= 6, `the demo conversations are listed: ${rows.join(' | ')}`);
  for (const subject of [UNREAD_TO_OPEN, NOT_CLOSED, ...TO_CLOSE]) assert.ok(rows.includes(subject), `"${subject}" is listed`);
});

test('the sidebar and the list heading show the same unread count', async () => {
  await openList(desk);
  const sidebar = await sidebarBadge(desk);
  const heading = await headingBadge(desk);
  assert.ok(sidebar > 0, 'the demo data has unread customer messages');
  assert.equal(heading, sidebar, 'heading badge = sidebar badge');
  // The badge counts unread customer messages: the Unread column adds up to it.
  const unreadCells = await desk.locator('tbody td.sc-col-unread').allTextContents();
  assert.equal(unreadCells.map((t) => Number(t.trim())).reduce((a, b) => a + b, 0), sidebar);
  assert.ok(await row(desk, UNREAD_TO_OPEN).evaluate((tr) => tr.classList.contains('sc-row-unread')), 'the unread row is marked');

  await shoot(desk, 'admin-list-1280');
  await openList(phone);
  assert.equal(await headingBadge(phone), sidebar);
  await shoot(phone, 'admin-list-390');
  await assertFitsWidth(phone, 'the conversation list');
});

test('filters narrow the rows and the URL carries them', async () => {
  await openList(desk);
  const all = await subjects(desk);

  // "Read by the store: Unread" applies by itself (the form submits on change).
  await navigating(desk, () => desk.locator('.sc-filters fieldset', { hasText: 'Read by the store' }).getByLabel('Unread').check());
  assert.deepEqual(url(desk).searchParams.getAll('read'), ['unread'], `URL ${desk.url()}`);
  const unread = await subjects(desk);
  assert.ok(unread.length > 0 && unread.length < all.length, `unread rows: ${unread.join(' | ')}`);
  assert.ok(unread.includes(UNREAD_TO_OPEN) && unread.includes(NOT_CLOSED));
  assert.equal(await desk.locator('tbody tr:not(.sc-row-unread)').count(), 0, 'every row left is unread');
  assert.ok(await desk.locator('.sc-chips .sc-filter-chip').count() >= 1, 'the active filter shows as a chip');

  // A status on top of it: both filters stay in the URL.
  await navigating(desk, () => desk.locator('.sc-filters fieldset', { hasText: 'Status' }).getByLabel('Awaiting store').check());
  assert.deepEqual(url(desk).searchParams.getAll('status'), ['AWAITING_ADMIN']);
  assert.deepEqual(url(desk).searchParams.getAll('read'), ['unread']);
  assert.deepEqual(await subjects(desk), [NOT_CLOSED]);
  await shoot(desk, 'admin-list-filtered-1280');

  // "Clear all filters" brings every row back.
  await navigating(desk, () => desk.locator('.sc-chips .sc-clear').click());
  assert.deepEqual(await subjects(desk), all);

  // The search box.
  await desk.locator('.sc-searchbar input[name=q]').fill('beanie');
  await navigating(desk, () => desk.locator('.sc-searchbar input[name=q]').press('Enter'));
  assert.equal(url(desk).searchParams.get('q'), 'beanie');
  assert.deepEqual(await subjects(desk), [TO_CLOSE[0]]);

  // A search that finds nothing says so.
  await desk.locator('.sc-searchbar input[name=q]').fill('no such thing 9f3c');
  await navigating(desk, () => desk.locator('.sc-searchbar button[type=submit]').click());
  assert.equal(await desk.locator('table.sc-table').count(), 0);
  assert.match(await desk.locator('.sc-empty').textContent(), /Nothing matches these filters/);

  // Sorting by a column head.
  await openList(desk);
  await navigating(desk, () => desk.locator('thead th.sc-col-subject a').click());
  assert.equal(url(desk).searchParams.get('o'), 'subject');
  assert.equal(await desk.locator('thead th.sc-col-subject').getAttribute('aria-sort'), 'ascending');
  const sorted = await subjects(desk);
  assert.deepEqual(sorted, [...all].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })));
});

test('View opens the preview dialog, and it closes', async () => {
  await openList(desk);
  const before = await sidebarBadge(desk);
  const dialog = desk.locator('dialog[data-preview-dialog]');
  assert.equal(await dialog.isVisible(), false);

  await row(desk, NOT_CLOSED).getByRole('link', { name: 'View' }).click();
  await dialog.locator('.sc-preview').waitFor({ state: 'visible' });
  assert.equal(url(desk).pathname, ADMIN, 'the preview opens in place, not as a new page');
  assert.equal(await dialog.evaluate((d) => d.open), true);
  assert.equal((await dialog.locator('.sc-preview .sc-title').textContent()).trim(), NOT_CLOSED);
  assert.ok(await dialog.locator('.sc-messages .sc-bubble').count() >= 1, 'the preview shows the messages');
  assert.ok(await dialog.getByRole('link', { name: 'Open and reply' }).isVisible());
  await shoot(desk, 'admin-preview-1280');

  await dialog.getByRole('button', { name: 'Close' }).click();
  await dialog.waitFor({ state: 'hidden' });
  assert.equal(await dialog.evaluate((d) => d.open), false);

  // A preview reads nothing: the badge is the same after a reload.
  await openList(desk);
  assert.equal(await sidebarBadge(desk), before);
});

let changeUrl;

test('opening an unread conversation drops the badge by one', async () => {
  await openList(desk);
  const before = await sidebarBadge(desk);
  assert.ok(await row(desk, UNREAD_TO_OPEN).locator('td.sc-col-unread').textContent().then((t) => Number(t.trim()) === 1));

  await navigating(desk, () => row(desk, UNREAD_TO_OPEN).locator('td.sc-col-subject a').click());
  assert.match(url(desk).pathname, /^\/admin\/dashboard\/conversation\/\d+\/change\/$/);
  changeUrl = url(desk).pathname;
  assert.equal((await desk.locator('h1.sc-title').textContent()).trim(), UNREAD_TO_OPEN);
  assert.ok(await desk.locator('[data-panel="MessageHistoryPanel"] .sc-msg-theirs').count() >= 1, 'the customer message is in the history');
  assert.equal(await sidebarBadge(desk), before - 1, 'the sidebar badge dropped by one');

  await openList(desk);
  assert.equal(await sidebarBadge(desk), before - 1);
  assert.equal(await headingBadge(desk), before - 1, 'the heading badge dropped by one');
  assert.equal(await row(desk, UNREAD_TO_OPEN).evaluate((tr) => tr.classList.contains('sc-row-unread')), false);
});

test('a reply typed in reply_body is sent and shows in the history', async () => {
  await desk.goto(store.baseUrl + changeUrl);
  const history = desk.locator('[data-panel="MessageHistoryPanel"]');
  const messagesBefore = await history.locator('.sc-msg').count();

  await desk.locator('textarea[name=reply_body]').fill(REPLY);
  await navigating(desk, () => desk.locator('form#reply').getByRole('button', { name: 'Save' }).click());
  assert.equal(url(desk).pathname, changeUrl);
  assert.equal(await flash(desk), 'Reply sent to the customer.');
  assert.equal(await history.locator('.sc-msg').count(), messagesBefore + 1);
  const mine = history.locator('.sc-msg-mine').last();
  assert.equal((await mine.locator('.sc-bubble').textContent()).trim(), REPLY);
  assert.match(await mine.locator('.sc-msg-sender').textContent(), /Ann/);
  assert.equal(await desk.locator('textarea[name=reply_body]').inputValue(), '', 'the reply box is empty again');
  // A store reply makes it wait for the customer.
  assert.equal((await desk.locator('.sc-head .sc-status').textContent()).trim(), 'Awaiting customer');
});

test('changing the status is saved and recorded in the history', async () => {
  await desk.goto(store.baseUrl + changeUrl);
  await desk.locator('form#reply select[name=status]').selectOption('RESOLVED');
  await navigating(desk, () => desk.locator('form#reply').getByRole('button', { name: 'Save' }).click());
  assert.equal(url(desk).pathname, changeUrl);
  assert.match(await flash(desk), /Status set to Resolved\./);
  const system = desk.locator('[data-panel="MessageHistoryPanel"] .sc-msg-system');
  assert.ok(
    (await system.allTextContents()).some((t) => t.includes(`Status set to RESOLVED by ${ANN.name}`)),
    `history lines: ${(await system.allTextContents()).join(' | ')}`,
  );
  assert.equal((await desk.locator('.sc-head .sc-status').textContent()).trim(), 'Resolved');
  assert.equal(await desk.locator('form#reply select[name=status]').inputValue(), 'RESOLVED');

  await shoot(desk, 'admin-change-1280');
  await phone.goto(store.baseUrl + changeUrl);
  assert.equal((await phone.locator('h1.sc-title').textContent()).trim(), UNREAD_TO_OPEN);
  await shoot(phone, 'admin-change-390');
  await assertFitsWidth(phone, 'the change view');
});

test('deleting a conversation that is not closed is refused', async () => {
  await openList(desk);
  const target = row(desk, NOT_CLOSED);
  assert.notEqual((await target.locator('td.sc-col-status').textContent()).trim(), 'Closed');
  const deleteHref = await target.getByRole('link', { name: 'Delete' }).getAttribute('href');
  deskErrors.allow('GET', deleteHref, 409); // the refusal page answers 409 Conflict
  const response = await navigating(desk, () => target.getByRole('link', { name: 'Delete' }).click());
  assert.equal(url(desk).pathname, deleteHref);
  assert.equal(response.status(), 409);
  assert.match(await desk.locator('.sc-alert').textContent(), /Only closed conversations can be deleted/);
  assert.equal(await desk.getByRole('button', { name: 'Yes, delete' }).count(), 0, 'no "Yes, delete" button');
  await shoot(desk, 'admin-delete-refused-1280');
  await navigating(desk, () => desk.getByRole('link', { name: 'Back' }).click());
  assert.ok((await subjects(desk)).includes(NOT_CLOSED), 'it is still there');
});

/** Checks the rows of SUBJECTS, picks the bulk action LABEL and presses Go. */
async function bulk(page, subjectsToCheck, label) {
  for (const subject of subjectsToCheck) await row(page, subject).locator('td.sc-col-check input[name=ids]').check();
  await page.locator('select[name=action]').selectOption({ label });
  await navigating(page, () => page.locator('.sc-toolbar').getByRole('button', { name: 'Go' }).click());
}

test('two conversations are bulk-closed, then bulk-deleted', async () => {
  await openList(desk);
  const countBefore = (await subjects(desk)).length;

  await bulk(desk, TO_CLOSE, 'Set status: Closed');
  assert.equal(url(desk).pathname, ADMIN);
  assert.equal(await flash(desk), 'Set 2 conversations to Closed.');
  for (const subject of TO_CLOSE) {
    assert.equal((await row(desk, subject).locator('td.sc-col-status').textContent()).trim(), 'Closed', subject);
  }
  await shoot(desk, 'admin-list-closed-1280');

  await bulk(desk, TO_CLOSE, 'Delete selected (closed only)…');
  assert.match(await desk.locator('h1.sc-title').textContent(), /Delete 2 conversations\?/);
  const listed = await desk.locator('.sc-delete-list li').allTextContents();
  for (const subject of TO_CLOSE) assert.ok(listed.some((t) => t.includes(subject)), `"${subject}" is on the confirmation page`);
  await shoot(desk, 'admin-delete-confirm-1280');
  await navigating(desk, () => desk.getByRole('button', { name: 'Yes, delete' }).click());

  assert.equal(url(desk).pathname, ADMIN);
  assert.equal(await flash(desk), 'Deleted 2 conversations.');
  const left = await subjects(desk);
  assert.equal(left.length, countBefore - 2);
  for (const subject of TO_CLOSE) assert.ok(!left.includes(subject), `"${subject}" is gone`);
});

test('the create form opens from the list and finds a customer', async () => {
  await openList(desk);
  await navigating(desk, () => desk.getByRole('link', { name: 'Start a conversation' }).click());
  assert.equal(url(desk).pathname, `${ADMIN}add/`);
  const form = desk.locator('form.sc-form');
  await form.locator('input[name=customer_q]').fill('alice');
  await navigating(desk, () => form.getByRole('button', { name: 'Find' }).first().click());
  assert.equal(url(desk).searchParams.get('customer_q'), 'alice');
  assert.match(await form.locator('.sc-matches').textContent(), /Alice Martin/);
  for (const name of ['subject', 'body']) assert.equal(await form.locator(`[name=${name}]`).count(), 1, name);
  assert.ok(await form.getByRole('button', { name: 'Save', exact: true }).isVisible());
  await shoot(desk, 'admin-add-1280');
  await phone.goto(desk.url());
  await shoot(phone, 'admin-add-390');
  await assertFitsWidth(phone, 'the create form');
});

test('no JavaScript errors or failed requests along the way', () => {
  assert.deepEqual([...deskErrors, ...phoneErrors], []);
});
