// The chat settings panel in a real headless Chromium: Ann (staff) sets
// business hours that exclude now and an away message through the form, and
// Alice's storefront widget shows the away message with the time the store
// is back; Ann turns the widget off and it leaves the storefront (Alice's
// conversations stay in her account), then on again and it is back with
// her conversation. A bad time zone is refused next to its field.
//
// Screenshots (artifacts/screenshots/ or $ARTIFACTS_DIR): settings-1280,
// settings-390, settings-error-1280, settings-widget-away-1280.
//
//   cargo build -p host-example && (cd tests/browser && node --test settings.test.mjs)

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import path from 'node:path';
import { DESKTOP, PHONE, artifactsDir, launchBrowser, navigating, shoot, signIn, watchForErrors } from './lib/browser.mjs';
import { startStore } from './lib/store.mjs';

const SETTINGS = '/admin/dashboard/conversation/settings/';
const ALICE = { email: 'alice@example.com', password: 'alice-demo' };
const ANN = { email: 'ann@example.com', password: 'ann-demo' };
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

let store;
let browser;
let alice;
let ann;
const errors = [];

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


async function save(page) {
  return navigating(page, () => page.click('.sc-settings button[type=submit]'));
}

test('staff find the settings in the admin and a bad time zone is refused next to its field', { timeout: 90_000 }, async () => {
  await signIn(ann, store.baseUrl, ANN);
  await ann.goto(`${store.baseUrl}/admin/`);
  await navigating(ann, () => ann.click('.admin-nav a:has-text("Chat settings")'));
  assert.equal(new URL(ann.url()).pathname, SETTINGS);
  assert.ok(await ann.locator('input[name=widget_enabled]').isChecked());
  await shoot(ann, 'settings-1280');
  await ann.setViewportSize(PHONE);
  await shoot(ann, 'settings-390');
  await ann.setViewportSize(DESKTOP);

  errors[1].allow('POST', SETTINGS, 422);
  await ann.check('input[name=hours_enabled]');
  await ann.fill('input[name=timezone]', 'Mars/Olympus');
  const refused = await save(ann);
  assert.equal(refused.status(), 422);
  await ann.locator('.sc-field-error .sc-field-msg', { hasText: 'is not a time zone' }).waitFor();
  assert.equal(await ann.inputValue('input[name=timezone]'), 'Mars/Olympus', 'kept as typed');
  await shoot(ann, 'settings-error-1280');
});

test('outside business hours the widget shows the away message and when the store is back', { timeout: 90_000 }, async () => {
  // Open only three days from now, 09:00–17:00 UTC: closed right now.
  const open = DAYS[(new Date().getUTCDay() + 6 + 3) % 7];
  await ann.goto(store.baseUrl + SETTINGS);
  await ann.check('input[name=hours_enabled]');
  await ann.fill('input[name=timezone]', 'UTC');
  for (const day of DAYS) {
    if (day === open) await ann.check(`input[name=hours_${day}]`);
    else await ann.uncheck(`input[name=hours_${day}]`);
  }
  await ann.fill(`input[name=hours_${open}_opens]`, '09:00');
  await ann.fill(`input[name=hours_${open}_closes]`, '17:00');
  await ann.fill('textarea[name=away_message]', 'The team is at the workshop. Leave us a note!');
  await save(ann);
  await ann.locator('.sc-notice', { hasText: 'Settings saved' }).waitFor();
  await ann.locator('text=Away: customers see the away message now').waitFor();

  await signIn(alice, store.baseUrl, ALICE);
  await alice.goto(`${store.baseUrl}/`);
  await alice.locator('.scw-launcher').click();
  const away = alice.locator('.scw-away');
  await away.waitFor({ state: 'visible' });
  assert.match(await away.textContent(), /The team is at the workshop\. Leave us a note!/);
  assert.match(await away.locator('.scw-away-back').textContent(), /^Back /);
  await alice.waitForFunction(() => getComputedStyle(document.querySelector('.scw-panel')).opacity === '1');
  await alice.screenshot({ path: path.join(artifactsDir(), 'settings-widget-away-1280.png'), animations: 'disabled', caret: 'hide' });

  await ann.goto(store.baseUrl + SETTINGS);
  await ann.uncheck('input[name=hours_enabled]');
  await save(ann);
  await alice.reload();
  await alice.locator('.scw-launcher').waitFor();
  assert.equal(await alice.locator('.scw-away').isVisible(), false, 'open again: no away message');
});

test('the widget off leaves the storefront, and on again it is back with the conversation', { timeout: 90_000 }, async () => {
  await ann.goto(store.baseUrl + SETTINGS);
  await ann.uncheck('input[name=widget_enabled]');
  await save(ann);
  await alice.goto(`${store.baseUrl}/`);
  await alice.waitForLoadState('load');
  assert.equal(await alice.locator('.scw').count(), 0, 'no chat button');
  await alice.goto(`${store.baseUrl}/dashboard/messages/`);
  await alice.locator('text=Where is my weekender bag?').first().waitFor();

  await ann.check('input[name=widget_enabled]');
  await save(ann);
  await alice.goto(`${store.baseUrl}/`);
  await alice.locator('.scw-launcher').click();
  await alice.locator('.scw-panel .scw-title', { hasText: 'Where is my weekender bag?' }).waitFor();
  assert.deepEqual(errors.flat(), []);
});
