// The live pages and the widget beyond messages, in a real headless
// Chromium: Alice (customer) in the storefront widget and on her thread
// page, Ann (staff) on the admin change view, at the same time.
//
// - a reaction Ann gives on the change view appears live in the widget and
//   on the thread page; Alice reacts back from the widget; the server
//   renders the reactions into the pages (no JavaScript needed to see them);
// - receipts go ✓ sent → ✓✓ delivered → filled ✓✓ seen, for the widget's
//   sender and for the change view's;
// - an edit and a removal show up live on every page and in the widget;
// - the shop's own header badges (Messages, the admin nav) follow without a
//   reload;
// - the server closes the widget's connection; messages written meanwhile
//   come back through `resume` once each, in order, without refetching the
//   history over HTTP.
//
// Screenshots (artifacts/screenshots/ or $ARTIFACTS_DIR) are named live-*.
//
//   cargo build -p host-example && (cd tests/browser && node --test live.test.mjs)

import assert from 'node:assert/strict';
import { after, before, test as nodeTest } from 'node:test';
import path from 'node:path';
import { DESKTOP, PHONE, artifactsDir, launchBrowser, navigating, shoot, watchForErrors } from './lib/browser.mjs';
import { startStore } from './lib/store.mjs';

const ADMIN = '/admin/dashboard/conversation/';
const ALICE = { email: 'alice@example.com', password: 'alice-demo' };
const ANN = { email: 'ann@example.com', password: 'ann-demo' };
// Alice's newest conversation that is not closed (host-example/src/demo).
const SUBJECT = 'Where is my weekender bag?';

let step = 0;
let store;
let browser;
let alice; // Alice's storefront page with the widget
let ann; // Ann's admin page
let id; // the conversation
const errors = [];
const tabs = [];

/** A step with a time limit; a failure leaves screenshots of the open pages. */
const test = (name, fn) => {
  const n = ++step;
  return nodeTest(name, { timeout: 90_000 }, async (t) => {
    try {
      await fn(t);
    } catch (error) {
      const pages = [['alice', alice], ['ann', ann], ...tabs.map((p, i) => [`tab${i}`, p])];
      for (const [who, page] of pages) {
        if (page && !page.isClosed()) {
          const file = await shoot(page, `live-failed-${n}-${who}`).catch(() => null);
          error.message += `\n    ${who} at ${page.url()}${file ? ` (screenshot: ${file})` : ''}`;
        }
      }
      throw error;
    }
  });
};

before(async () => {
  store = await startStore();
  browser = await launchBrowser();
  alice = await (await browser.newContext({ viewport: DESKTOP })).newPage();
  ann = await (await browser.newContext({ viewport: DESKTOP })).newPage();
  errors.push(watchForErrors(alice, store.baseUrl), watchForErrors(ann, store.baseUrl));
}, { timeout: 90_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await store?.stop();
});

const changeUrl = () => `${ADMIN}${id}/change/`;
const threadUrl = () => `/dashboard/messages/${id}/`;
const widget = (page) => page.locator('.scw');
const panel = (page) => page.locator('.scw-panel');

async function signIn(page, who) {
  await page.goto(`${store.baseUrl}/login`);
  await page.fill('input[name=email]', who.email);
  await page.fill('input[name=password]', who.password);
  await navigating(page, () => page.click('form[action="/login"] button[type=submit]'));
}

async function openWidget(page) {
  if (!(await widget(page).evaluate((w) => w.classList.contains('scw-open')))) {
    await widget(page).locator('.scw-launcher').click();
  }
  await panel(page).waitFor({ state: 'visible' });
  await page.waitForFunction(() => getComputedStyle(document.querySelector('.scw-panel')).opacity === '1');
}

async function closeWidget(page) {
  if (await widget(page).evaluate((w) => w.classList.contains('scw-open'))) {
    await widget(page).locator('.scw-launcher').click();
  }
  await panel(page).waitFor({ state: 'hidden' });
}

/** Alice's storefront with the widget open and live on the conversation. */
async function storefront(page) {
  await page.goto(`${store.baseUrl}/`);
  await openWidget(page);
  await panel(page).locator('.scw-title', { hasText: SUBJECT }).waitFor();
  await page.locator('.scw[data-live-state="open"] .scw-messages [data-id]').first().waitFor();
}

/** A new tab of the same person, live, watched for errors. */
async function newTab(page, url) {
  const tab = await page.context().newPage();
  errors.push(watchForErrors(tab, store.baseUrl));
  tabs.push(tab);
  await tab.goto(store.baseUrl + url);
  await tab.locator('[data-sc-live-state="open"]').waitFor();
  return tab;
}

/** Texts of the widget's message bubbles, oldest first. */
async function widgetBubbles(page) {
  return (await panel(page).locator('.scw-messages .scw-bubble').allTextContents()).map((t) => t.trim());
}

/** What the screen shows (the widget is fixed to the window). */
async function viewportShot(page, name) {
  await page.screenshot({ path: path.join(artifactsDir(), `${name}.png`), animations: 'disabled', caret: 'hide' });
}

/** Writes in the widget and waits for the server's ack; the message id. */
async function sendFromWidget(page, text) {
  const input = panel(page).locator('.scw-composer textarea');
  await input.fill(text);
  await input.press('Enter');
  const li = panel(page).locator('.scw-messages .scw-mine', { hasText: text }).last();
  await page.waitForFunction((text) => {
    const li = [...document.querySelectorAll('.scw-messages .scw-mine')].find((m) => m.textContent.includes(text));
    return li && li.dataset.id && !li.classList.contains('scw-pending');
  }, text);
  return { li, id: await li.getAttribute('data-id') };
}

/** Ann's reply with the change view's own form (a full page load in that tab). */
async function replyFrom(page, text) {
  await page.locator('textarea[name=reply_body]').fill(text);
  await navigating(page, () => page.locator('form#reply').getByRole('button', { name: 'Save' }).click());
  await page.locator('[data-sc-live-state="open"]').waitFor();
}

/** The number a badge shows, 0 when hidden. */
async function badgeNumber(locator) {
  return (await locator.isVisible()) ? Number((await locator.textContent()).trim()) : 0;
}

/**
 * Records every state a receipt passes through: for each message matching
 * SELECTOR (under LIST) the sequence of its receipt's title (widget) or
 * text (pages), in window.__receipts[id].
 */
async function recordReceipts(page, list, selector, attribute) {
  await page.evaluate(({ list, selector, attribute }) => {
    window.__receipts = {};
    const read = () => {
      document.querySelectorAll(selector).forEach((li) => {
        const id = li.dataset.id || li.id.replace(/^m/, '');
        const r = li.querySelector('.scw-receipt, .sc-receipt');
        if (!id || !r) return;
        const state = attribute ? r.getAttribute(attribute) : r.textContent.trim();
        const seen = (window.__receipts[id] = window.__receipts[id] || []);
        if (state && seen[seen.length - 1] !== state) seen.push(state);
      });
    };
    read();
    new MutationObserver(read).observe(document.querySelector(list), { subtree: true, childList: true, characterData: true, attributes: true });
  }, { list, selector, attribute });
}

const receiptsOf = (page, messageId) => page.evaluate((id) => window.__receipts[id] || [], String(messageId));

test('Alice has the widget open on her conversation; Ann the change view', async () => {
  await signIn(alice, ALICE);
  await signIn(ann, ANN);
  await storefront(alice);
  const list = await alice.evaluate(async () => (await (await fetch('/dashboard/messages/conversations.json')).json()).conversations);
  id = list.find((c) => c.subject === SUBJECT).id;
  await ann.goto(store.baseUrl + changeUrl());
  await ann.locator('[data-sc-live="admin-change"][data-sc-live-state="open"]').waitFor();
});

test('a reaction given on the change view appears live in the widget and on the thread page', async () => {
  const thread = await newTab(alice, threadUrl());
  const target = ann.locator('[data-panel="MessageHistoryPanel"] .sc-msg-theirs[data-reactable]').last();
  const mid = (await target.getAttribute('id')).slice(1);

  // Ann: React → Heart.
  await target.getByRole('button', { name: 'React' }).click();
  const picker = target.locator('.sc-react-picker');
  assert.equal(await picker.locator('button').count(), 6, 'the six reactions of the protocol');
  await picker.getByRole('button', { name: 'Heart' }).click();
  await picker.waitFor({ state: 'detached' });
  await target.locator('.sc-reaction-mine[data-emoji="heart"][data-count="1"]').waitFor({ timeout: 10_000 });

  // Alice sees it in the widget and on the thread page, as not hers.
  const inWidget = panel(alice).locator(`.scw-msg[data-id="${mid}"]`);
  const widgetHeart = inWidget.locator('.scw-reaction[data-emoji="heart"]');
  await widgetHeart.waitFor({ timeout: 10_000 });
  assert.equal((await widgetHeart.locator('.scw-reaction-count').textContent()).trim(), '1');
  assert.equal(await widgetHeart.getAttribute('aria-pressed'), 'false');
  const onThread = thread.locator(`#m${mid}`);
  await onThread.locator('.sc-reaction[data-emoji="heart"][data-count="1"][aria-pressed="false"]').waitFor({ timeout: 10_000 });

  // Alice gives a heart too, pressing the chip in the widget, and a thumbs
  // up with the widget's picker.
  await widgetHeart.click();
  await inWidget.locator('.scw-reaction-mine[data-emoji="heart"]').waitFor({ timeout: 10_000 });
  assert.equal((await widgetHeart.locator('.scw-reaction-count').textContent()).trim(), '2');
  await inWidget.hover();
  await inWidget.getByRole('button', { name: 'React' }).click();
  await inWidget.locator('.scw-picker').getByRole('button', { name: 'Thumbs up' }).click();
  await inWidget.locator('.scw-reaction-mine[data-emoji="thumbs_up"]').waitFor({ timeout: 10_000 });
  assert.deepEqual(
    await inWidget.locator('.scw-reaction').evaluateAll((chips) => chips.map((c) => c.dataset.emoji)),
    ['thumbs_up', 'heart'],
    'chips in the menu order',
  );
  await onThread.locator('.sc-reaction[data-emoji="heart"][data-count="2"][aria-pressed="true"]').waitFor({ timeout: 10_000 });
  await onThread.locator('.sc-reaction[data-emoji="thumbs_up"][data-count="1"]').waitFor();
  await target.locator('.sc-reaction-mine[data-emoji="heart"][data-count="2"]').waitFor({ timeout: 10_000 });
  await target.locator('.sc-reaction[data-emoji="thumbs_up"][data-count="1"][aria-pressed="false"]').waitFor();
  await viewportShot(alice, 'live-widget-reactions-1280');
  await shoot(thread, 'live-customer-thread-reactions-1280');
  await target.getByRole('button', { name: 'React' }).click();
  await shoot(ann, 'live-admin-change-reactions-1280');
  await ann.keyboard.press('Escape');

  // The server renders them too: the page as sent, before any script runs.
  const html = await (await thread.request.get(store.baseUrl + threadUrl())).text();
  const li = html.slice(html.indexOf(`id="m${mid}"`));
  const chips = li.slice(0, li.indexOf('</li>'));
  assert.match(chips, /class="sc-reaction sc-reaction-mine" data-emoji="heart" data-count="2"/);
  assert.match(chips, /class="sc-reaction sc-reaction-mine" data-emoji="thumbs_up" data-count="1"/);

  // Ann takes hers back by pressing her chip: one heart left, everywhere.
  await target.locator('.sc-reaction[data-emoji="heart"]').click();
  await target.locator('.sc-reaction[data-emoji="heart"][data-count="1"][aria-pressed="false"]').waitFor({ timeout: 10_000 });
  await onThread.locator('.sc-reaction[data-emoji="heart"][data-count="1"][aria-pressed="true"]').waitFor({ timeout: 10_000 });
  await alice.waitForFunction((mid) => {
    const chip = document.querySelector(`.scw-msg[data-id="${mid}"] .scw-reaction[data-emoji="heart"]`);
    return chip && chip.textContent.trim().endsWith('1');
  }, mid);
  await thread.close();
});

test('the widget\'s message goes ✓ sent, ✓✓ delivered (Ann\'s list has it), filled ✓✓ seen (she opens it)', async () => {
  await ann.goto(store.baseUrl + ADMIN);
  await ann.locator('[data-sc-live="admin-list"][data-sc-live-state="open"]').waitFor();
  await recordReceipts(alice, '.scw-messages', '.scw-messages .scw-mine', 'title');
  const sent = await sendFromWidget(alice, 'Is the courier coming in the morning or the afternoon?');
  await sent.li.locator('.scw-receipt-delivered[title="Delivered"]').waitFor({ timeout: 10_000 });
  assert.equal((await sent.li.locator('.scw-receipt').textContent()).trim(), '✓✓');
  await viewportShot(alice, 'live-widget-delivered-1280');

  await navigating(ann, () => ann.locator(`tr[data-id="${id}"] td.sc-col-subject a`).click());
  await sent.li.locator('.scw-receipt-seen[title="Seen"]').waitFor({ timeout: 10_000 });
  // (While it was being sent it had no id yet: "Sending" is not recorded.)
  assert.deepEqual(await receiptsOf(alice, sent.id), ['Sent', 'Delivered', 'Seen']);
});

test('Ann\'s reply goes Sent, Delivered (the closed widget has it), Seen (Alice opens the widget)', async () => {
  await ann.locator('[data-sc-live-state="open"]').waitFor();
  await closeWidget(alice);
  await recordReceipts(ann, '.sc-messages', '.sc-messages .sc-msg-mine', null);
  const reply = 'The courier comes between 9 and 12.';
  const other = await newTab(ann, changeUrl()); // Ann answers from a second tab
  await replyFrom(other, reply);
  const mine = ann.locator('.sc-messages .sc-msg-mine', { hasText: reply });
  await mine.locator('.sc-receipt-delivered', { hasText: 'Delivered' }).waitFor({ timeout: 10_000 });
  await shoot(ann, 'live-admin-change-delivered-1280');
  await openWidget(alice);
  await mine.locator('.sc-receipt-seen', { hasText: 'Seen' }).waitFor({ timeout: 10_000 });
  const replyId = (await mine.getAttribute('id')).slice(1);
  assert.deepEqual(await receiptsOf(ann, replyId), ['Sent', 'Delivered', 'Seen']);
  await other.close();
});

test('an edit and a removal show up live in the widget, the thread, the list and the change view', async () => {
  const thread = await newTab(alice, threadUrl());
  const list = await newTab(alice, '/dashboard/messages/');
  const written = 'Could you ask him to ring twice?';
  const edited = 'Could you ask him to ring twice, please? The bell is quiet.';
  const sent = await sendFromWidget(alice, written);
  const row = list.locator(`.sc-row[data-id="${id}"]`);
  await row.locator('.sc-row-preview', { hasText: `You: ${written}` }).waitFor({ timeout: 10_000 });
  await ann.locator(`#m${sent.id}`).waitFor({ timeout: 10_000 });

  // Alice changes it (through the protocol's edit frame, as an app would).
  const done = await thread.evaluate(({ id, body }) => window.StorechatLive.connect().send({ type: 'edit', message_id: Number(id), body }), { id: sent.id, body: edited });
  assert.equal(done.type, 'done');
  await panel(alice).locator(`.scw-msg[data-id="${sent.id}"] .scw-bubble`, { hasText: edited }).waitFor({ timeout: 10_000 });
  assert.match(await panel(alice).locator(`.scw-msg[data-id="${sent.id}"] .scw-meta`).textContent(), /· edited/);
  await thread.locator(`#m${sent.id} .sc-bubble`, { hasText: edited }).waitFor({ timeout: 10_000 });
  await thread.locator(`#m${sent.id} .sc-edited`).waitFor();
  await ann.locator(`#m${sent.id} .sc-bubble`, { hasText: edited }).waitFor({ timeout: 10_000 });
  await ann.locator(`#m${sent.id} .sc-edited`).waitFor();
  await row.locator('.sc-row-preview', { hasText: `You: ${edited}` }).waitFor({ timeout: 10_000 });

  // Ann removes it from a second tab (the page's own form).
  const other = await newTab(ann, changeUrl());
  await navigating(other, () => other.locator(`#m${sent.id}`).getByRole('button', { name: 'Remove' }).click());
  const removed = 'This message was removed.';
  await panel(alice).locator(`.scw-msg[data-id="${sent.id}"].scw-removed .scw-bubble`, { hasText: removed }).waitFor({ timeout: 10_000 });
  await thread.locator(`#m${sent.id} .sc-removed`, { hasText: removed }).waitFor({ timeout: 10_000 });
  assert.equal(await thread.locator(`#m${sent.id} .sc-react-toggle`).count(), 0, 'nothing to react to any more');
  await ann.locator(`#m${sent.id} .sc-removed`, { hasText: removed }).waitFor({ timeout: 10_000 });
  await ann.locator(`#m${sent.id} .sc-removed-mark`).waitFor();
  assert.equal(await ann.locator(`#m${sent.id}`).getByRole('button', { name: 'Remove' }).count(), 0);
  await row.locator('.sc-row-preview', { hasText: `You: ${removed}` }).waitFor({ timeout: 10_000 });
  await viewportShot(alice, 'live-widget-edit-removal-1280');
  await shoot(ann, 'live-admin-change-removed-1280');
  await Promise.all([thread.close(), list.close(), other.close()]);
});

test('the shop\'s own header badges follow without a reload', async () => {
  // Alice's Messages badge counts a reply while the widget is closed, and
  // drops when she opens it.
  await closeWidget(alice);
  const messages = alice.locator('header [data-storechat-unread="customer"]');
  const before = await badgeNumber(messages);
  await alice.evaluate(() => { window.__samePage = true; });
  const other = await newTab(ann, changeUrl());
  await replyFrom(other, 'PS: he will call you ten minutes before.');
  await other.close(); // an open change view would read what Alice writes next
  await alice.waitForFunction(([n]) => {
    const b = document.querySelector('header [data-storechat-unread="customer"]');
    return !b.hidden && Number(b.textContent) === n;
  }, [before + 1], { timeout: 10_000 });
  await viewportShot(alice, 'live-header-badge-1280');
  await openWidget(alice);
  await alice.waitForFunction(([n]) => {
    const b = document.querySelector('header [data-storechat-unread="customer"]');
    return (b.hidden ? 0 : Number(b.textContent)) === n;
  }, [before], { timeout: 10_000 });

  // Ann's admin nav counts Alice's new message and drops when she opens it elsewhere.
  await ann.goto(`${store.baseUrl}/admin/`);
  const nav = ann.locator('.admin-nav [data-storechat-unread="admin"]');
  await ann.waitForFunction(() => window.StorechatLive && window.StorechatLive.connect().isOpen());
  const navBefore = await badgeNumber(nav);
  await ann.evaluate(() => { window.__samePage = true; });
  await sendFromWidget(alice, 'Thank you, that is perfect.');
  await ann.waitForFunction(([n]) => Number(document.querySelector('.admin-nav [data-storechat-unread="admin"]').textContent) === n, [navBefore + 1], { timeout: 10_000 });
  assert.equal(await nav.isVisible(), true);
  // The dashboard's own card is marked too (and shows 0 rather than hiding).
  assert.equal(Number(await ann.locator('#unread-chat .stat-value').textContent()), navBefore + 1);
  await shoot(ann, 'live-admin-nav-badge-1280');
  const reader = await newTab(ann, changeUrl()); // opening it reads it
  await ann.waitForFunction(([n]) => {
    const b = document.querySelector('.admin-nav [data-storechat-unread="admin"]');
    return (b.hidden ? 0 : Number(b.textContent)) === n;
  }, [navBefore], { timeout: 10_000 });
  assert.equal(await alice.evaluate(() => window.__samePage), true, 'Alice\'s page was not reloaded');
  assert.equal(await ann.evaluate(() => window.__samePage), true, 'Ann\'s page was not reloaded');
  await reader.close();
});

test('cut off by the server, the widget resumes: what was written meanwhile appears once, in order', async () => {
  await ann.goto(store.baseUrl + changeUrl());
  await ann.locator('[data-sc-live-state="open"]').waitFor();
  const page = await alice.context().newPage();
  errors.push(watchForErrors(page, store.baseUrl));
  tabs.push(page);
  // Between the page and the server: forwards everything, records what the
  // page sends, and can cut the connection and refuse new ones.
  let cut = false;
  let current = null;
  const sentFrames = [];
  await page.routeWebSocket(/\/storechat\/ws$/, (ws) => {
    if (cut) return ws.close({ code: 1012, reason: 'restarting' });
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      sentFrames.push(String(message));
      server.send(message);
    });
    current = ws;
  });
  const historyFetches = [];
  page.on('request', (r) => {
    if (/\/messages\.json/.test(r.url())) historyFetches.push(r.url());
  });
  await storefront(page);
  const lastBefore = Number(await page.locator('.scw-messages [data-id]').last().getAttribute('data-id'));
  const fetchesBefore = historyFetches.length;
  const resumes = () => sentFrames.map((f) => JSON.parse(f)).filter((f) => f.type === 'resume');
  const resumesBefore = resumes().length;

  cut = true;
  await current.close({ code: 1012, reason: 'restarting' });
  await page.locator('.scw:not([data-live-state="open"])').waitFor();
  await panel(page).locator('.scw-offline', { hasText: 'Connection lost. Reconnecting…' }).waitFor({ timeout: 10_000 });
  await viewportShot(page, 'live-widget-offline-1280');

  const missed = ['First, while you were away.', 'Second, while you were away.', 'Third, while you were away.'];
  for (const text of missed) await replyFrom(ann, text);

  cut = false;
  await page.evaluate(() => window.dispatchEvent(new Event('online'))); // back: reconnect now
  await page.locator('.scw[data-live-state="open"]').waitFor({ timeout: 15_000 });
  await panel(page).locator('.scw-theirs', { hasText: missed[2] }).waitFor({ timeout: 10_000 });
  const bubbles = await widgetBubbles(page);
  assert.deepEqual(bubbles.slice(-3), missed, 'the missed messages, in order, at the end');
  for (const text of missed) assert.equal(bubbles.filter((b) => b === text).length, 1, `"${text}" once`);
  assert.equal(resumes().length, resumesBefore + 1, 'the widget sent resume once it was back');
  assert.deepEqual(resumes().pop().conversations, { [id]: lastBefore }, 'from the newest message it had');
  assert.equal(historyFetches.length, fetchesBefore, 'the history was not fetched again over HTTP');
  await panel(page).locator('.scw-offline').waitFor({ state: 'hidden' });

  // And the live feed goes on, without repeating what resume sent.
  await replyFrom(ann, 'Fourth, live again.');
  await panel(page).locator('.scw-theirs', { hasText: 'Fourth, live again.' }).waitFor({ timeout: 10_000 });
  assert.deepEqual((await widgetBubbles(page)).slice(-4), [...missed, 'Fourth, live again.']);
  await viewportShot(page, 'live-widget-resumed-1280');
  await page.close();
});

test('an order status change posts a progress card, live in the widget and on the change view', async () => {
  await storefront(alice);
  await ann.goto(store.baseUrl + changeUrl());
  await ann.locator('[data-sc-live="admin-change"][data-sc-live-state="open"]').waitFor();
  // Ann marks Alice's order #10003 (this conversation's) delivered in the
  // store's own admin.
  const orders = await ann.context().newPage();
  errors.push(watchForErrors(orders, store.baseUrl));
  tabs.push(orders);
  await orders.goto(`${store.baseUrl}/admin/orders/`);
  const form = orders.locator('form.status-form').filter({ has: orders.getByLabel('Status of order #10003') });
  await form.locator('select').selectOption('Delivered');
  await navigating(orders, () => form.getByRole('button', { name: 'Update' }).click());
  const inWidget = panel(alice).locator('.sc-order-card', { hasText: 'Order #10003' }).last();
  await inWidget.waitFor({ timeout: 10_000 });
  assert.equal((await inWidget.locator('[aria-current="step"]').textContent()).trim(), 'Delivered');
  const onChange = ann.locator('.sc-order-card', { hasText: 'Order #10003' }).last();
  await onChange.waitFor({ timeout: 10_000 });
  assert.equal((await onChange.locator('[aria-current="step"]').textContent()).trim(), 'Delivered');
  // Saving the same status again adds nothing.
  const before = await panel(alice).locator('.sc-order-card').count();
  await form.locator('select').selectOption('Delivered');
  await navigating(orders, () => form.getByRole('button', { name: 'Update' }).click());
  await alice.waitForTimeout(1_000);
  assert.equal(await panel(alice).locator('.sc-order-card').count(), before, 'one card per status');
  await viewportShot(alice, 'live-widget-order-card-1280');
  await shoot(ann, 'live-admin-change-order-card-1280');
  await orders.close();
});

test('on a 390 px phone the reactions and the picker fit', async () => {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
  await context.addCookies(await alice.context().cookies());
  const phone = await context.newPage();
  errors.push(watchForErrors(phone, store.baseUrl));
  tabs.push(phone);
  await phone.goto(`${store.baseUrl}/`);
  await widget(phone).locator('.scw-launcher').tap();
  await phone.waitForFunction(() => getComputedStyle(document.querySelector('.scw-panel')).transform === 'none');
  const message = panel(phone).locator('.scw-theirs[data-id]').last();
  await message.getByRole('button', { name: 'React' }).tap();
  const picker = message.locator('.scw-picker');
  await picker.waitFor();
  const box = await picker.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, 'the picker is on the screen');
  await picker.getByRole('button', { name: 'Fire' }).tap();
  await message.locator('.scw-reaction-mine[data-emoji="fire"]').waitFor({ timeout: 10_000 });
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `no sideways scrolling (${width} px)`);
  await message.getByRole('button', { name: 'React' }).tap();
  await viewportShot(phone, 'live-widget-reactions-390');
  await context.close();
});

test('no JavaScript errors or failed requests along the way', () => {
  assert.deepEqual(errors.flat(), []);
});
