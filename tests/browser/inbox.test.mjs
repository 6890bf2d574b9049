// The staff's three-pane inbox in a real headless Chromium, live against the
// storefront widget. Alice (customer) is on the shop's home page with the
// widget; Ann (staff) works in the inbox. Alice writes and her conversation
// jumps to the top of Ann's list with its badge, then appears in the open
// conversation; Ann types and Alice sees it; Ann replies with a quote,
// reacts, edits and deletes her own message, and resolves the conversation
// from the customer panel; the unread-only toggle and the customer search
// narrow the list; a refresh brings Alice's widget back on the same
// conversation. The same page also works with JavaScript off.
//
// Screenshots (artifacts/screenshots/ or $ARTIFACTS_DIR): the inbox at 1280
// px with a conversation open, and at 390 px (the list, and a conversation).
//
//   cargo build -p host-example && (cd tests/browser && node --test inbox.test.mjs)

import assert from 'node:assert/strict';
import { after, before, test as nodeTest } from 'node:test';
import { DESKTOP, PHONE, launchBrowser, navigating, shoot, watchForErrors } from './lib/browser.mjs';
import { startStore } from './lib/store.mjs';

const INBOX = '/admin/dashboard/conversation/inbox/';
const ALICE = { email: 'alice@example.com', password: 'alice-demo', name: 'Alice Martin' };
const ANN = { email: 'ann@example.com', password: 'ann-demo', name: 'Ann Admin' };
// Alice's newest conversation that is not closed: the one her widget opens (host-example/src/demo).
const SUBJECT = 'Where is my weekender bag?';
const BOB_SUBJECT = 'Exchanging a beanie for a larger size';
const TO_BOB = 'The larger beanie is on its way; keep the small one for a friend.';
const FIRST = 'Hello again! Has the bag left your warehouse yet?';
const SECOND = 'I am away from Friday, so Thursday would be perfect.';
const QUOTED_REPLY = 'Yes: it left this morning and should reach you on Thursday.';
const DRAFT = 'The courier is DHL, tracking number to follow.';
const EDITED = 'The courier is DHL; tracking number JD0146 is now live.';

let step = 0;
let store;
let browser;
let alice; // the customer's storefront page, 1280 px
let ann; // staff's inbox, 1280 px
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
          const file = await shoot(page, `inbox-failed-${n}-${who}`).catch(() => null);
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

async function signIn(page, who) {
  await page.goto(`${store.baseUrl}/login`);
  await page.fill('input[name=email]', who.email);
  await page.fill('input[name=password]', who.password);
  await navigating(page, () => page.click('form[action="/login"] button[type=submit]'));
}

const panel = (page) => page.locator('.scw-panel');
const rows = (page) => page.locator('[data-sci-rows] > .sci-row');
const row = (page, subject) => rows(page).filter({ has: page.locator('.sci-row-subject', { hasText: subject }) });
const thread = (page) => page.locator('[data-sci-messages]');
const composer = (page) => page.locator('[data-sci-composer] textarea');
const message = (page, text) => thread(page).locator('.sci-msg', { has: page.locator('.sci-text', { hasText: text }) });

/** The subjects of the list, top to bottom. */
async function subjects(page) {
  return (await rows(page).locator('.sci-row-subject').allTextContents()).map((s) => s.trim());
}

/** The number on a row's badge, 0 when it has none. */
async function badge(r) {
  const b = r.locator('.sci-badge');
  return (await b.count()) ? Number(await b.textContent()) : 0;
}

async function waitLive(page) {
  await page.locator('[data-sci][data-sci-live-state="open"]').waitFor({ timeout: 15_000 });
}

/** Opens a conversation from the list, without a page load. */
async function openRow(page, subject) {
  await row(page, subject).locator('.sci-row-link').click();
  await page.locator('.sci-thread-head h2', { hasText: subject }).waitFor();
  await page.locator('[data-sci-composer] textarea').waitFor();
}

/** Hovers a message and clicks one of its actions. */
async function act(page, text, action) {
  const msg = message(page, text);
  await msg.locator('.sci-bubble').hover();
  await msg.locator(`.sci-actions [data-act="${action}"]`).click();
}

/** No sideways scrolling at this width. */
async function assertFitsWidth(page, what) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `${what} at ${innerWidth} px scrolls sideways (${scrollWidth} px wide)`);
}

test('Ann opens the inbox: the list newest first, and a conversation beside it', async () => {
  await signIn(ann, ANN);
  await ann.goto(store.baseUrl + INBOX);
  await waitLive(ann);
  assert.match(await ann.locator('.admin-nav a[aria-current="page"]').textContent(), /Inbox$/);
  assert.ok((await rows(ann).count()) >= 5, 'the demo conversations are listed');
  assert.equal((await subjects(ann))[0], SUBJECT, 'the newest activity is first');
  await ann.locator('.sci-pick', { hasText: 'Pick a conversation' }).waitFor();

  // Opening one is a pushState, not a page load; the URL names it.
  await ann.evaluate(() => { window.__samePage = true; });
  await openRow(ann, BOB_SUBJECT);
  assert.match(ann.url(), /\/inbox\/\?c=\d+$/);
  assert.equal(await ann.evaluate(() => window.__samePage), true, 'no page load');
  assert.equal(await row(ann, BOB_SUBJECT).getAttribute('class'), 'sci-row sci-row-active');
  await ann.locator('.sci-info .sci-person-name', { hasText: 'Bob Chen' }).waitFor();
  await ann.locator('.sci-info', { hasText: 'Loyalty points' }).waitFor();

  // Ann answers Bob from the reply box: Enter sends over the socket.
  await composer(ann).fill(TO_BOB);
  await composer(ann).press('Enter');
  const sent = message(ann, TO_BOB);
  await sent.locator('.sci-receipt-sent').waitFor({ timeout: 10_000 });
  assert.equal(await composer(ann).inputValue(), '', 'the box is empty again');
  assert.equal((await subjects(ann))[0], BOB_SUBJECT, 'answering moved it to the top');
  assert.match(await row(ann, BOB_SUBJECT).locator('.sci-row-preview').textContent(), /Store: The larger beanie/);
});

test('Alice writes from the widget: her conversation jumps to the top with its badge', async () => {
  await signIn(alice, ALICE);
  await alice.goto(`${store.baseUrl}/`);
  await alice.locator('.scw-launcher').click();
  await panel(alice).locator('.scw-title', { hasText: SUBJECT }).waitFor();
  await alice.locator('.scw[data-live-state="open"]').waitFor({ timeout: 15_000 });

  const before = await badge(row(ann, SUBJECT));
  await panel(alice).locator('.scw-composer textarea').fill(FIRST);
  await panel(alice).locator('.scw-composer textarea').press('Enter');

  await ann.waitForFunction((subject) => {
    const first = document.querySelector('[data-sci-rows] > .sci-row .sci-row-subject');
    return first && first.textContent.trim() === subject;
  }, SUBJECT, { timeout: 10_000 });
  const top = row(ann, SUBJECT);
  await top.locator('.sci-badge', { hasText: String(before + 1) }).waitFor({ timeout: 10_000 });
  assert.match(await top.getAttribute('class'), /sci-row-unread/);
  assert.equal((await top.locator('.sci-row-preview').textContent()).trim(), FIRST);
  assert.equal((await top.locator('.sci-row-time').textContent()).trim(), 'just now');
});

test('Ann opens it: the message is there and read; the next one arrives live', async () => {
  await openRow(ann, SUBJECT);
  await message(ann, FIRST).waitFor();
  await row(ann, SUBJECT).locator('.sci-badge').waitFor({ state: 'detached' });
  assert.match(await ann.locator('[data-sci-status]').textContent(), /Open|Awaiting store/);
  // Alice's widget shows her message seen.
  const mine = panel(alice).locator('.scw-mine', { hasText: FIRST });
  await mine.locator('.scw-receipt-seen').waitFor({ timeout: 10_000 });

  await panel(alice).locator('.scw-composer textarea').fill(SECOND);
  await panel(alice).locator('.scw-composer textarea').press('Enter');
  const arrived = message(ann, SECOND);
  await arrived.waitFor({ timeout: 10_000 });
  assert.match(await arrived.getAttribute('class'), /sci-msg-theirs/);
  assert.equal((await arrived.locator('.sci-sender').textContent()).trim(), ALICE.name);
  // The page is visible: it reads what arrives, and the row keeps no badge.
  await panel(alice).locator('.scw-mine', { hasText: SECOND }).locator('.scw-receipt-seen').waitFor({ timeout: 10_000 });
  assert.equal(await badge(row(ann, SUBJECT)), 0);
});

test('Ann types: the widget says so', async () => {
  const typing = panel(alice).locator('.scw-typing');
  await composer(ann).pressSequentially('Yes', { delay: 20 });
  await typing.waitFor({ state: 'visible', timeout: 10_000 });
  assert.match(await typing.textContent(), /Ann Admin is typing…/);
  await composer(ann).fill('');
});

test('Ann replies with a quote: the reply carries it, and Alice gets the reply', async () => {
  await act(ann, SECOND, 'reply');
  const context = ann.locator('[data-sci-context]');
  await context.waitFor();
  assert.match(await context.textContent(), /Replying to Alice Martin/);
  assert.match(await context.textContent(), /I am away from Friday/);
  assert.equal(await ann.evaluate(() => document.activeElement?.name), 'reply_body', 'the box has the focus');
  await composer(ann).fill(QUOTED_REPLY);
  await composer(ann).press('Enter');

  const reply = message(ann, QUOTED_REPLY);
  await reply.locator('.sci-receipt-sent, .sci-receipt-seen').waitFor({ timeout: 10_000 });
  assert.match(await reply.getAttribute('class'), /sci-msg-mine/);
  const quote = reply.locator('.sci-quote');
  assert.equal((await quote.locator('.sci-quote-who').textContent()).trim(), ALICE.name);
  assert.equal((await quote.locator('.sci-quote-text').textContent()).trim(), SECOND);
  assert.equal(await context.isVisible(), false, 'the quote bar is gone');

  await panel(alice).locator('.scw-theirs', { hasText: QUOTED_REPLY }).waitFor({ timeout: 10_000 });
  // The widget is open and focused: it reads the reply; the receipt turns to the filled double check.
  await reply.locator('.sci-receipt-seen').waitFor({ timeout: 10_000 });
  // The quote survives a reload: the server renders it too.
  await ann.reload();
  await waitLive(ann);
  assert.equal((await message(ann, QUOTED_REPLY).locator('.sci-quote-text').textContent()).trim(), SECOND);
});

test('Ann reacts to Alice\'s message, and takes the reaction back', async () => {
  const msg = message(ann, SECOND);
  await msg.locator('.sci-bubble').hover();
  await msg.locator('.sci-react-menu summary').click();
  await msg.locator('.sci-react-pop button[value="heart"]').click();
  const chip = msg.locator('.sci-reactions .sci-reaction[data-emoji="heart"]');
  await chip.waitFor({ timeout: 10_000 });
  assert.equal((await chip.locator('.sci-reaction-n').textContent()).trim(), '1');
  assert.equal(await chip.getAttribute('aria-pressed'), 'true');
  // Also after a reload (the server counts reactions).
  await ann.reload();
  await waitLive(ann);
  const again = message(ann, SECOND).locator('.sci-reaction[data-emoji="heart"]');
  assert.equal(await again.getAttribute('aria-pressed'), 'true');
  await message(ann, SECOND).locator('.sci-bubble').hover();
  await message(ann, SECOND).locator('.sci-react-menu summary').click();
  await message(ann, SECOND).locator('.sci-react-pop button[value="thumbs_up"]').click();
  await message(ann, SECOND).locator('.sci-reaction[data-emoji="thumbs_up"]').waitFor({ timeout: 10_000 });
  await shoot(ann, 'inbox-1280');
  // Clicking her own reaction takes it back.
  await again.click();
  await again.waitFor({ state: 'detached', timeout: 10_000 });
});

test('Ann edits her own message, then deletes it', async () => {
  await composer(ann).fill(DRAFT);
  await composer(ann).press('Enter');
  await message(ann, DRAFT).locator('.sci-receipt-sent, .sci-receipt-seen').waitFor({ timeout: 10_000 });
  // Customers' messages have no edit or delete; her own do.
  assert.equal(await message(ann, SECOND).locator('[data-act="edit"]').count(), 0);
  assert.equal(await message(ann, SECOND).locator('[data-act="delete"]').count(), 0);

  await act(ann, DRAFT, 'edit');
  assert.match(await ann.locator('[data-sci-context]').textContent(), /Editing your message/);
  assert.equal(await composer(ann).inputValue(), DRAFT);
  await composer(ann).fill(EDITED);
  await composer(ann).press('Enter');
  const edited = message(ann, EDITED);
  await edited.waitFor({ timeout: 10_000 });
  await edited.locator('.sci-edited:not([hidden])').waitFor();
  await panel(alice).locator('.scw-theirs', { hasText: EDITED }).waitFor({ timeout: 10_000 });
  await shoot(ann, 'inbox-edited-1280');

  const id = await edited.getAttribute('data-id');
  await edited.locator('.sci-bubble').hover();
  await edited.locator('[data-act="delete"] button').click(); // the confirmation is accepted
  const removed = ann.locator(`#m${id}`);
  await removed.locator('.sci-removed', { hasText: 'This message was removed.' }).waitFor({ timeout: 10_000 });
  assert.equal(await removed.locator('.sci-actions').count(), 0, 'nothing more to do with it');
  await panel(alice).locator('.scw-theirs', { hasText: EDITED }).waitFor({ state: 'detached', timeout: 10_000 });
});

test('Ann resolves it from the customer panel: the conversation and its row follow', async () => {
  await ann.locator('[data-sci-status-form] select').selectOption('RESOLVED');
  await ann.locator('[data-sci-status]', { hasText: 'Resolved' }).waitFor({ timeout: 10_000 });
  await row(ann, SUBJECT).locator('.sc-status', { hasText: 'Resolved' }).waitFor({ timeout: 10_000 });
  await thread(ann).locator('.sci-system', { hasText: 'Status set to RESOLVED by Ann Admin' }).waitFor({ timeout: 10_000 });
  assert.equal((await subjects(ann))[0], SUBJECT, 'a status change is not new activity: the order stays');
});

test('the unread-only toggle and the customer search narrow the list', async () => {
  const all = await rows(ann).count();
  const toggle = ann.locator('[data-sci-unread]');
  await toggle.click();
  await ann.waitForFunction(() => [...document.querySelectorAll('[data-sci-rows] > .sci-row')].every((r) => r.querySelector('.sci-badge')));
  assert.equal(await toggle.getAttribute('aria-checked'), 'true');
  assert.match(ann.url(), /unread=1/);
  const unread = await rows(ann).count();
  assert.ok(unread >= 1 && unread < all, `${unread} unread of ${all}`);
  assert.deepEqual(await subjects(ann), ['Gift wrapping'], 'only the conversation with unread messages');
  await toggle.click();
  await ann.waitForFunction((n) => document.querySelectorAll('[data-sci-rows] > .sci-row').length === n, all);

  const search = ann.locator('[data-sci-search] input[name=q]');
  await search.fill('bob@example');
  await ann.waitForFunction(() => {
    const names = [...document.querySelectorAll('[data-sci-rows] .sci-row-name')].map((n) => n.textContent.trim());
    return names.length > 0 && names.every((n) => n === 'Bob Chen');
  });
  assert.match(ann.url(), /q=bob%40example/);
  await search.fill('Alice Mart');
  await ann.waitForFunction(() => {
    const names = [...document.querySelectorAll('[data-sci-rows] .sci-row-name')].map((n) => n.textContent.trim());
    return names.length > 0 && names.every((n) => n === 'Alice Martin');
  });
  await search.fill('nobody-by-this-name');
  await ann.locator('[data-sci-empty]', { hasText: 'No conversations match.' }).waitFor();
  await ann.locator('[data-sci-clear]').click();
  await ann.waitForFunction((n) => document.querySelectorAll('[data-sci-rows] > .sci-row').length === n, all);
  assert.equal(await search.inputValue(), '');
});

test('after a refresh Alice\'s widget is open again on the same conversation', async () => {
  await alice.reload();
  await panel(alice).waitFor({ state: 'visible' });
  await panel(alice).locator('.scw-title', { hasText: SUBJECT }).waitFor();
  await panel(alice).locator('.scw-mine', { hasText: SECOND }).waitFor();
  await panel(alice).locator('.scw-theirs', { hasText: QUOTED_REPLY }).waitFor();
});

test('on a 390 px phone the inbox shows the list, then the conversation', async () => {
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 1 });
  await context.addCookies(await ann.context().cookies());
  const phone = await context.newPage();
  errors.push(watchForErrors(phone, store.baseUrl));
  await phone.goto(store.baseUrl + INBOX);
  await waitLive(phone);
  assert.equal(await phone.locator('.sci-thread').isVisible(), false, 'the list alone');
  await assertFitsWidth(phone, 'the inbox list');
  await shoot(phone, 'inbox-list-390');

  await row(phone, SUBJECT).locator('.sci-row-link').tap();
  await phone.locator('.sci-thread-head h2', { hasText: SUBJECT }).waitFor();
  assert.equal(await phone.locator('.sci-list').isVisible(), false, 'the conversation alone');
  await message(phone, QUOTED_REPLY).waitFor();
  await assertFitsWidth(phone, 'an open conversation');
  // Tapping a message shows its actions.
  await message(phone, SECOND).locator('.sci-bubble').tap();
  await message(phone, SECOND).locator('.sci-actions [data-act="reply"]').waitFor({ state: 'visible' });
  await shoot(phone, 'inbox-conversation-390');
  // The back arrow returns to the list.
  await phone.locator('[data-sci-back]').tap();
  await phone.locator('.sci-list').waitFor({ state: 'visible' });
  await context.close();
});

test('without JavaScript the inbox still lists, opens and replies', async () => {
  const context = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false });
  await context.addCookies(await ann.context().cookies());
  const page = await context.newPage();
  errors.push(watchForErrors(page, store.baseUrl));
  await page.goto(`${store.baseUrl}${INBOX}?q=Bob`);
  await navigating(page, () => row(page, BOB_SUBJECT).locator('.sci-row-link').click());
  assert.match(page.url(), /\?q=Bob&c=\d+/);
  await message(page, TO_BOB).waitFor();
  await navigating(page, () => act(page, TO_BOB, 'reply'));
  assert.match(await page.locator('[data-sci-context]').textContent(), /Replying to Ann Admin/);
  await page.fill('[data-sci-composer] textarea', 'Sent without JavaScript.');
  await navigating(page, () => page.locator('[data-sci-composer] button[type=submit]').click());
  await page.locator('.sci-flash', { hasText: 'Reply sent.' }).waitFor();
  const reply = message(page, 'Sent without JavaScript.');
  assert.match(await reply.locator('.sci-quote-text').textContent(), /The larger beanie/);
  assert.match(page.url(), /\?q=Bob&c=\d+#m\d+$/);
  await context.close();
});

test('no JavaScript errors or failed requests along the way', () => {
  assert.deepEqual(errors.flat(), []);
});
