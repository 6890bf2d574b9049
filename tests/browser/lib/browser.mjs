// Headless Chromium (the system's /usr/bin/chromium) through playwright-core,
// and small helpers for server-rendered pages.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { repoRoot } from './store.mjs';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** Where screenshots go: $ARTIFACTS_DIR, or artifacts/screenshots/ in the repository. */
export function artifactsDir() {
  const dir = process.env.ARTIFACTS_DIR
    ? path.resolve(process.env.ARTIFACTS_DIR)
    : path.join(repoRoot, 'artifacts', 'screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * A full-page screenshot named NAME.png in the artifacts folder. The window
 * is made as tall as the page first, so what is sticky and 100vh tall (the
 * admin sidebar) is drawn the whole way down as on a tall screen, not cut
 * off where the window ended.
 */
export async function shoot(page, name) {
  const file = path.join(artifactsDir(), `${name}.png`);
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => Math.max(document.documentElement.scrollHeight, document.body.scrollHeight));
  try {
    if (height > viewport.height) await page.setViewportSize({ width: viewport.width, height });
    await page.screenshot({ path: file, fullPage: true, animations: 'disabled', caret: 'hide' });
  } finally {
    if (height > viewport.height) await page.setViewportSize(viewport);
  }
  return file;
}

/**
 * Runs ACTION (a click, a check, a submit) and waits for the full page load
 * it causes. The pages are server-rendered, so every form post or link is a
 * real navigation; a redirect back to the same URL counts too.
 */
export async function navigating(page, action) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load', timeout: 15_000 }),
    action(),
  ]);
  return response;
}

/**
 * Collects what would show up red in the browser's console: uncaught
 * errors, console.error, and failed requests (HTTP >= 400) of this origin.
 * `errors.allow(method, path, status)` accepts one expected failure (a 409
 * page that refuses something, say).
 */
export function watchForErrors(page, origin) {
  const errors = [];
  const allowed = [];
  errors.allow = (method, pathname, status) => allowed.push({ method, pathname, status });
  page.on('pageerror', (error) => errors.push(`uncaught error on ${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    // "Failed to load resource" repeats a failed response, reported below.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(`console.error on ${page.url()}: ${message.text()}`);
    }
  });
  page.on('response', (response) => {
    const url = new URL(response.url());
    const method = response.request().method();
    const status = response.status();
    if (status < 400 || url.origin !== origin || url.pathname === '/favicon.ico') return;
    const i = allowed.findIndex((a) => a.method === method && a.pathname === url.pathname && a.status === status);
    if (i >= 0) allowed.splice(i, 1);
    else errors.push(`HTTP ${status} for ${method} ${url.pathname}${url.search}`);
  });
  page.on('dialog', (dialog) => dialog.accept());
  return errors;
}

/** Signs WHO ({ email, password }) in on the store's own sign-in page. */
export async function signIn(page, baseUrl, who) {
  await page.goto(`${baseUrl}/login`);
  await page.fill('input[name=email]', who.email);
  await page.fill('input[name=password]', who.password);
  await navigating(page, () => page.click('form[action="/login"] button[type=submit]'));
}
