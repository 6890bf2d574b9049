// A marketplace vendor in a real headless Chromium: Victor signs in and
// lands on his vendor dashboard; the admin panels list only the questions
// about his products, without the store's tools; he answers one from the
// change view. Vera, another vendor, sees none of his.
//
// Screenshots (artifacts/screenshots/ or $ARTIFACTS_DIR): vendor-dashboard-1280,
// vendor-list-1280, vendor-change-1280, vendor-dashboard-390.
//
//   cargo build -p host-example && (cd tests/browser && node --test vendor.test.mjs)

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DESKTOP, PHONE, launchBrowser, navigating, shoot, signIn, watchForErrors } from './lib/browser.mjs';
import { startStore } from './lib/store.mjs';

const VICTOR = { email: 'victor@example.com', password: 'victor-demo' };
const VERA = { email: 'vera@example.com', password: 'vera-demo' };
const SUBJECT = 'Is the pour-over set dishwasher safe?';

let store;
let browser;
let victor;
let vera;
const errors = [];

before(async () => {
  store = await startStore();
  browser = await launchBrowser();
  victor = await (await browser.newContext({ viewport: DESKTOP })).newPage();
  vera = await (await browser.newContext({ viewport: DESKTOP })).newPage();
  errors.push(watchForErrors(victor, store.baseUrl), watchForErrors(vera, store.baseUrl));
}, { timeout: 90_000 });

after(async () => {
  await browser?.close().catch(() => {});
  await store?.stop();
});


test('a vendor lands on their dashboard and answers a question about their product', { timeout: 90_000 }, async () => {
  await signIn(victor, store.baseUrl, VICTOR);
  assert.equal(new URL(victor.url()).pathname, '/vendor/');
  await victor.locator('td', { hasText: 'Stoneware Pour-Over Set' }).first().waitFor();
  await victor.locator('a', { hasText: SUBJECT }).waitFor();
  await shoot(victor, 'vendor-dashboard-1280');
  await victor.setViewportSize(PHONE);
  await shoot(victor, 'vendor-dashboard-390');
  await victor.setViewportSize(DESKTOP);

  await navigating(victor, () => victor.click('.admin-nav a:has-text("Conversations")'));
  const rows = victor.locator('.sc-table tbody tr');
  assert.equal(await rows.count(), 1, 'only the question about his product');
  assert.equal(await victor.locator('select[name=action]').count(), 0, 'no bulk actions');
  assert.equal(await victor.locator('a', { hasText: 'Start a conversation' }).count(), 0);
  await shoot(victor, 'vendor-list-1280');

  await navigating(victor, () => victor.click(`.sc-table a:has-text("${SUBJECT}")`));
  assert.equal(await victor.locator('select[name=status]').count(), 0, 'no status override');
  await victor.fill('textarea[name=reply_body]', 'Yes: top rack of the dishwasher is fine.');
  await navigating(victor, () => victor.click('.sc-reply button[type=submit]'));
  await victor.locator('.sc-bubble', { hasText: 'top rack of the dishwasher' }).waitFor();
  await shoot(victor, 'vendor-change-1280');
});

test('another vendor sees none of it', { timeout: 60_000 }, async () => {
  await signIn(vera, store.baseUrl, VERA);
  await vera.locator('td', { hasText: 'Stoneware Mug' }).first().waitFor();
  assert.equal(await vera.locator('a', { hasText: SUBJECT }).count(), 0);
  await vera.goto(`${store.baseUrl}/admin/dashboard/conversation/`);
  assert.equal(await vera.locator('.sc-table tbody tr').count(), 0);
  assert.deepEqual(errors.flat(), []);
});
