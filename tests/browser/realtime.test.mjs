// Real time in a real headless Chromium: the storefront chat widget and the
// live admin change view, driven as two people at once. Alice (customer) is
// on the shop's home page with the widget; Ann (staff) has Alice's
// conversation open in the admin. Alice writes from the widget and Ann sees
// it arrive; Ann types and Alice sees "Ann is typing…"; Ann replies and the
// reply appears in the widget; receipts turn to seen on both sides; the
// widget's badge counts a reply that came while it was closed; a refresh
// brings the open widget and its history back.
//
// Screenshots (artifacts/screenshots/ or $ARTIFACTS_DIR): the widget open at
// 1280 and 390 px, the signed-out widget, and the admin change view with a
// message that arrived live.
//
//   cargo build -p host-example && (cd tests/browser && node --test realtime.test.mjs)

import assert from 'node:assert/strict';
import { after, before, test as nodeTest } from 'node:test';
import path from 'node:path';
import { DESKTOP, PHONE, artifactsDir, launchBrowser, navigating, shoot, watchForErrors } from './lib/browser.mjs';
import { startStore } from './lib/store.mjs';

const ADMIN = '/admin/dashboard/conversation/';
const ALICE = { email: 'alice@example.com', password: 'alice-demo', name: 'Alice Martin' };
const ANN = { email: 'ann@example.com', password: 'ann-demo', name: 'Ann Admin' };
// Alice's newest conversation that is not closed (host-example/src/demo).
const SUBJECT = 'Where is my weekender bag?';
const FROM_ALICE = 'Any news? I am away from Friday, so I would love to have it before then.';
const FROM_ANN = 'It is with the courier today; you will have it on Thursday.';
const LATER_FROM_ANN = 'PS: the tracking page now shows it too.';
const ON_THE_PAGE = 'Thank you! Could it be left with my neighbour at number 12?';
const PAGE_REPLY = 'Yes, I have added that note for the courier.';
const NEW_SUBJECT = 'Gift card for a friend';
const NEW_BODY = 'Do you sell gift cards? I would like one for €50.';

let step = 0;
let unreadElsewhere = 0; // unread store replies in Alice's other conversations
let store;
let browser;
let alice; // the customer's 1280 px page
let ann; // staff's 1280 px page
const errors = [];

/** A step with a time limit; a failure leaves screenshots of both pages. */
const test = (name, fn) => {
  const n = ++step;
  return nodeTest(name, { timeout: 60_000 }, async (t) => {
    try {
      await fn(t);
    } catch (error) {
      for (const [who, page] of [['alice', alice], ['ann', ann]]) {
        if (page && !page.isClosed()) {
          const file = await shoot(page, `realtime-failed-${n}-${who}`).catch(() => null);
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
  if (process.env.DEBUG_WS) {
    alice.on('websocket', (ws) => { ws.on('framesent', (f) => console.log('A>', f.payload)); ws.on('framereceived', (f) => console.log('A<', String(f.payload).slice(0, 150))); });
    alice.on('console', (m) => console.log('A console', m.type(), m.text()));
  }
}, { timeout: 90_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await store?.stop();
});

async function signIn(page, who) {
  await page.goto(`${store.baseUrl}/login`);
  await page.fill('input[name=email]', who.email);
  await page.fill('input[name=password]', who.password);
  await navigating(page, () => page.click('form[action="/login"] button[type=submit]'));
}

const widget = (page) => page.locator('.scw');
const panel = (page) => page.locator('.scw-panel');

async function openWidget(page) {
  await widget(page).locator('.scw-launcher').click();
  await panel(page).waitFor({ state: 'visible' });
  // The opening animation is 0.24 s.
  await page.waitForFunction(() => getComputedStyle(document.querySelector('.scw-panel')).opacity === '1');
}

/** The number on the widget's button, 0 when it has none. */
async function badgeNumber(page) {
  const badge = widget(page).locator('.scw-badge');
  return (await badge.isVisible()) ? Number((await badge.textContent()).trim()) : 0;
}

/** Waits until the widget's button shows N. */
async function waitForBadge(page, n) {
  await page.waitForFunction((n) => {
    const badge = document.querySelector('.scw-badge');
    return (badge.hidden ? 0 : Number(badge.textContent)) === n;
  }, n, { timeout: 10_000 });
}

/** Texts of the widget's message bubbles, oldest first. */
async function widgetBubbles(page) {
  return (await panel(page).locator('.scw-messages .scw-bubble').allTextContents()).map((t) => t.trim());
}

/** What the screen shows (the widget is fixed to the window, so not the full page). */
async function viewportShot(page, name) {
  await page.screenshot({ path: path.join(artifactsDir(), `${name}.png`), animations: 'disabled', caret: 'hide' });
}

/** No sideways scrolling at this width. */
async function assertFitsWidth(page, what) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `${what} at ${innerWidth} px scrolls sideways (${scrollWidth} px wide)`);
}

test('a signed-out visitor gets the button and is asked to sign in', async () => {
  await alice.goto(`${store.baseUrl}/`);
  const launcher = widget(alice).locator('.scw-launcher');
  await launcher.waitFor({ state: 'visible' });
  const box = await launcher.boundingBox();
  assert.ok(box.x + box.width > DESKTOP.width - 40 && box.y + box.height > DESKTOP.height - 40, 'the button sits bottom right');
  assert.equal(await panel(alice).isVisible(), false, 'the panel starts closed');
  await openWidget(alice);
  assert.match(await panel(alice).textContent(), /Sign in to chat with us/);
  const link = panel(alice).getByRole('link', { name: 'Sign in' });
  assert.equal(await link.getAttribute('href'), '/login?next=%2F');
  await viewportShot(alice, 'realtime-widget-signed-out-1280');
  // It closes again, with the button and with Escape.
  await widget(alice).locator('.scw-launcher').click();
  await panel(alice).waitFor({ state: 'hidden' });
  await openWidget(alice);
  await alice.keyboard.press('Escape');
  await panel(alice).waitFor({ state: 'hidden' });
});

test('signed in, the widget shows her latest open conversation', async () => {
  await signIn(alice, ALICE);
  await alice.goto(`${store.baseUrl}/`);
  await openWidget(alice);
  await panel(alice).locator('.scw-title', { hasText: SUBJECT }).waitFor();
  await panel(alice).locator('.scw-messages .scw-mine').first().waitFor();
  assert.match(await panel(alice).locator('.scw-sub').textContent(), /Waiting for the store/);
  assert.ok((await widgetBubbles(alice)).length >= 1, 'the history is shown');
  // The demo leaves one store reply unread in her closed conversation: the
  // button counts it, and a bar in the panel says where it is.
  unreadElsewhere = await badgeNumber(alice);
  assert.equal(unreadElsewhere, 1);
  const bar = panel(alice).locator('.scw-others');
  assert.match(await bar.textContent(), /New reply in “Changing my delivery address”/);
  assert.match(await bar.getAttribute('href'), /^\/dashboard\/messages\/\d+\/$/);
  // Not on the chat's own pages: they show the thread already.
  await alice.goto(`${store.baseUrl}/dashboard/messages/`);
  assert.equal(await widget(alice).count(), 0, 'no widget on /dashboard/messages/');
});

let changeUrl;

test('Ann opens the conversation in the admin and it goes live', async () => {
  await signIn(ann, ANN);
  await ann.goto(store.baseUrl + ADMIN);
  const row = ann.locator('table.sc-table tbody tr').filter({ has: ann.locator('td.sc-col-subject a', { hasText: SUBJECT }) });
  await navigating(ann, () => row.locator('td.sc-col-subject a').click());
  changeUrl = new URL(ann.url()).pathname;
  assert.match(changeUrl, /\/\d+\/change\/$/);
  await ann.locator('[data-sc-live="admin-change"][data-sc-live-state="open"]').waitFor();

  await alice.goto(`${store.baseUrl}/`);
  await panel(alice).locator('.scw-composer textarea').waitFor({ state: 'visible' });
  await alice.locator('.scw[data-live-state="open"] .scw-messages [data-id]').first().waitFor();
});

test('Alice writes from the widget; Ann sees it arrive and has read it', async () => {
  const history = ann.locator('[data-panel="MessageHistoryPanel"] .sc-messages');
  const before = await history.locator('.sc-msg').count();
  await panel(alice).locator('.scw-composer textarea').fill(FROM_ALICE);
  await panel(alice).locator('.scw-composer textarea').press('Enter');

  // In the widget at once (optimistic), then confirmed by the server's ack.
  const mine = panel(alice).locator('.scw-messages .scw-mine').last();
  assert.equal((await mine.locator('.scw-bubble').textContent()).trim(), FROM_ALICE);
  await alice.waitForFunction(() => {
    const li = [...document.querySelectorAll('.scw-messages .scw-mine')].pop();
    return li && li.dataset.id && !li.classList.contains('scw-pending');
  });
  assert.equal(await panel(alice).locator('.scw-composer textarea').inputValue(), '', 'the composer is empty again');

  // In Ann's history, without a reload, in the server's markup.
  const arrived = history.locator('.sc-msg-theirs', { hasText: FROM_ALICE });
  await arrived.waitFor({ timeout: 10_000 });
  assert.equal(await history.locator('.sc-msg').count(), before + 1);
  assert.match(await arrived.locator('.sc-msg-sender').textContent(), /Alice Martin · Customer/);
  assert.equal((await arrived.locator('.sc-bubble').textContent()).trim(), FROM_ALICE);
  assert.match(await ann.locator('.sc-head .sc-status').textContent(), /Open|Awaiting store/);

  // Ann's page is visible, so it marked the message read: Alice sees the double check.
  await mine.locator('.scw-receipt-seen').waitFor({ timeout: 10_000 });
  assert.equal(await mine.locator('.scw-receipt').getAttribute('title'), 'Seen');
  await ann.waitForFunction(() => !document.querySelector('.sc-msg-unread'));
  await shoot(ann, 'realtime-admin-change-live-1280');
});

test('Ann types: the widget shows that she is typing', async () => {
  const typing = panel(alice).locator('.scw-typing');
  assert.equal(await typing.isVisible(), false);
  await ann.locator('textarea[name=reply_body]').pressSequentially(FROM_ANN, { delay: 15 });
  await typing.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await typing.textContent(), /Ann Admin is typing…/);
  await viewportShot(alice, 'realtime-widget-typing-1280');
});

test('Ann replies: the reply appears in the widget, and Ann sees it seen', async () => {
  await navigating(ann, () => ann.locator('form#reply').getByRole('button', { name: 'Save' }).click());
  assert.equal(new URL(ann.url()).pathname, changeUrl);
  await ann.locator('[data-sc-live-state="open"]').waitFor();

  const reply = panel(alice).locator('.scw-messages .scw-theirs', { hasText: FROM_ANN });
  await reply.waitFor({ timeout: 10_000 });
  assert.match(await reply.locator('.scw-sender').textContent(), /Ann Admin · Store/);
  await panel(alice).locator('.scw-typing').waitFor({ state: 'hidden' });
  assert.match(await panel(alice).locator('.scw-sub').textContent(), /Store replied/);
  const bubbles = await widgetBubbles(alice);
  assert.deepEqual(bubbles.slice(-2), [FROM_ALICE, FROM_ANN]);

  // The widget is open and focused: it read the reply, and Ann's receipt says so.
  const annReply = ann.locator('.sc-messages .sc-msg-mine', { hasText: FROM_ANN });
  await annReply.locator('.sc-receipt-seen').waitFor({ timeout: 10_000 });
  assert.equal((await annReply.locator('.sc-receipt').textContent()).trim(), 'Seen');
  await waitForBadge(alice, unreadElsewhere); // nothing new unread
  await viewportShot(alice, 'realtime-widget-1280');
});

test('after a refresh the widget is open again on the same conversation', async () => {
  await alice.reload();
  await panel(alice).waitFor({ state: 'visible' });
  assert.ok(await widget(alice).evaluate((w) => w.classList.contains('scw-open')), 'the panel is open');
  await panel(alice).locator('.scw-title', { hasText: SUBJECT }).waitFor();
  await panel(alice).locator('.scw-theirs', { hasText: FROM_ANN }).waitFor();
  const bubbles = await widgetBubbles(alice);
  assert.deepEqual(bubbles.slice(-2), [FROM_ALICE, FROM_ANN], 'the history is back');
  // Her own message shows the double check (seen by the store) after the reload too.
  const mine = panel(alice).locator('.scw-mine', { hasText: FROM_ALICE });
  assert.equal(await mine.locator('.scw-receipt').getAttribute('title'), 'Seen');
});

test('a reply while the widget is closed lights the badge; opening reads it', async () => {
  await widget(alice).locator('.scw-launcher').click();
  await panel(alice).waitFor({ state: 'hidden' });
  await ann.locator('textarea[name=reply_body]').fill(LATER_FROM_ANN);
  await navigating(ann, () => ann.locator('form#reply').getByRole('button', { name: 'Save' }).click());

  await waitForBadge(alice, unreadElsewhere + 1);
  assert.match(await widget(alice).locator('.scw-launcher').getAttribute('aria-label'), new RegExp(`${unreadElsewhere + 1} unread`));
  await viewportShot(alice, 'realtime-widget-badge-1280');

  await openWidget(alice);
  await panel(alice).locator('.scw-theirs', { hasText: LATER_FROM_ANN }).waitFor();
  await waitForBadge(alice, unreadElsewhere);
});

test('on a 390 px phone the widget opens as a full-width sheet', async () => {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
  await context.addCookies(await alice.context().cookies());
  const phone = await context.newPage();
  errors.push(watchForErrors(phone, store.baseUrl));
  await phone.goto(`${store.baseUrl}/`);
  await widget(phone).locator('.scw-launcher').waitFor({ state: 'visible' });
  await assertFitsWidth(phone, 'the storefront with the widget button');
  await widget(phone).locator('.scw-launcher').tap();
  await panel(phone).waitFor({ state: 'visible' });
  await phone.waitForFunction(() => getComputedStyle(document.querySelector('.scw-panel')).transform === 'none');
  await panel(phone).locator('.scw-theirs', { hasText: LATER_FROM_ANN }).waitFor();
  const box = await panel(phone).boundingBox();
  assert.equal(Math.round(box.width), PHONE.width, 'the sheet is as wide as the phone');
  assert.equal(Math.round(box.y + box.height), PHONE.height, 'and sits on the bottom edge');
  await assertFitsWidth(phone, 'the open widget');
  await viewportShot(phone, 'realtime-widget-390');
  // The close button in the sheet's header closes it.
  await panel(phone).getByRole('button', { name: 'Close chat' }).tap();
  await panel(phone).waitFor({ state: 'hidden' });
  await context.close();
});

/** A new page (tab) of the same person, watched for errors. */
async function newTab(page, path) {
  const tab = await page.context().newPage();
  errors.push(watchForErrors(tab, store.baseUrl));
  await tab.goto(store.baseUrl + path);
  await tab.locator('[data-sc-live-state="open"]').waitFor();
  return tab;
}

function adminRow(page, subject) {
  return page.locator('table.sc-table tbody tr').filter({ has: page.locator('td.sc-col-subject a', { hasText: subject }) });
}

test('the thread page, the customer list and the admin list update live too', async () => {
  const id = changeUrl.match(/(\d+)\/change\/$/)[1];
  const thread = `/dashboard/messages/${id}/`;
  await alice.goto(store.baseUrl + thread);
  await alice.locator('[data-sc-live="customer-thread"][data-sc-live-state="open"]').waitFor();
  const aliceList = await newTab(alice, '/dashboard/messages/');
  const annChange = await newTab(ann, changeUrl);

  // Ann types in her tab: Alice's thread page says so.
  await annChange.locator('textarea[name=reply_body]').pressSequentially(PAGE_REPLY.slice(0, 12), { delay: 15 });
  const typing = alice.locator('.sc-thread .sc-typing');
  await typing.waitFor({ state: 'visible', timeout: 10_000 });
  assert.equal((await typing.textContent()).trim(), 'Ann Admin is typing…');

  // Ann's reply appears on Alice's thread page in the server's markup, and
  // in her list; the visible thread page reads it, and Ann sees "Seen".
  await annChange.locator('textarea[name=reply_body]').fill(PAGE_REPLY);
  await navigating(annChange, () => annChange.locator('form#reply').getByRole('button', { name: 'Save' }).click());
  const arrived = alice.locator('.sc-messages .sc-msg-theirs', { hasText: PAGE_REPLY });
  await arrived.waitFor({ timeout: 10_000 });
  assert.equal((await arrived.locator('.sc-msg-sender').textContent()).trim(), 'Ann Admin · Store');
  assert.equal((await arrived.locator('.sc-bubble').textContent()).trim(), PAGE_REPLY);
  assert.equal((await arrived.locator('time').textContent()).trim(), 'just now');
  await typing.waitFor({ state: 'hidden' });
  assert.equal((await alice.locator('.sc-head .sc-status').textContent()).trim(), 'Store replied');
  const listRow = aliceList.locator('.sc-row', { hasText: SUBJECT });
  await listRow.locator('.sc-row-preview', { hasText: PAGE_REPLY }).waitFor({ timeout: 10_000 });
  await listRow.locator('.sc-status', { hasText: 'Store replied' }).waitFor();
  await listRow.locator('.sc-badge').waitFor({ state: 'detached', timeout: 10_000 }); // read on the thread page
  await annChange.locator('.sc-msg-mine', { hasText: PAGE_REPLY }).locator('.sc-receipt-seen').waitFor({ timeout: 10_000 });
  await annChange.close();

  // Alice answers with the page's own form; Ann's list shows one unread.
  await ann.goto(store.baseUrl + ADMIN);
  await ann.locator('[data-sc-live="admin-list"][data-sc-live-state="open"]').waitFor();
  const row = adminRow(ann, SUBJECT);
  assert.equal((await row.locator('td.sc-col-unread').textContent()).trim(), '0');
  const heading = ann.locator('h1.sc-title .sc-badge');
  const headingBefore = (await heading.count()) ? Number(await heading.textContent()) : 0;
  await alice.locator('textarea[name=body]').fill(ON_THE_PAGE);
  await navigating(alice, () => alice.locator('form.sc-reply').getByRole('button', { name: 'Send' }).click());
  await row.locator('td.sc-col-unread .sc-count-unread', { hasText: '1' }).waitFor({ timeout: 10_000 });
  assert.ok(await row.evaluate((tr) => tr.classList.contains('sc-row-unread')), 'the row is marked unread');
  assert.equal((await row.locator('td.sc-col-status').textContent()).trim(), 'Awaiting store');
  assert.equal((await row.locator('td.sc-col-last_message').textContent()).trim(), 'just now');
  assert.equal(Number(await heading.textContent()), headingBefore + 1, 'the heading badge counts it');
  await shoot(ann, 'realtime-admin-list-live-1280');
  await aliceList.close();
});

test('a conversation started in the widget is new activity in the admin list', async () => {
  await alice.goto(`${store.baseUrl}/`);
  // The widget restores its open state once it has loaded (widget.json,
  // then the conversations): wait for that before deciding to click, or
  // the click would close what the restore just opened.
  await alice.locator('.scw[data-live-state="open"]').waitFor();
  if (!(await panel(alice).isVisible())) await openWidget(alice);
  await panel(alice).getByRole('button', { name: 'New conversation' }).click();
  const form = panel(alice).locator('form.scw-start');
  await form.locator('input[name=subject]').fill(NEW_SUBJECT);
  await form.locator('textarea[name=body]').fill(NEW_BODY);
  await form.getByRole('button', { name: 'Start conversation' }).click();
  await panel(alice).locator('.scw-title', { hasText: NEW_SUBJECT }).waitFor({ timeout: 10_000 });
  assert.deepEqual(await widgetBubbles(alice), [NEW_BODY]);
  // Sent, or already delivered: Ann's list has it as soon as it is stored.
  await panel(alice).locator('.scw-mine .scw-receipt:is([title="Sent"], [title="Delivered"])').waitFor();

  const notice = ann.locator('.sc-live-notice');
  await notice.waitFor({ timeout: 10_000 });
  assert.match(await notice.textContent(), /New activity — refresh/);
  await navigating(ann, () => notice.getByRole('link', { name: 'refresh' }).click());
  assert.equal(await adminRow(ann, NEW_SUBJECT).count(), 1, 'the new conversation is listed after the refresh');
});

test('no JavaScript errors or failed requests along the way', () => {
  assert.deepEqual(errors.flat(), []);
});
