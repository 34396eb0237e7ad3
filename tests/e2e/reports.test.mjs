// The report views in the real browser: a chart bar and an alert line filter the table,
// the chips undo it, and "Save report" writes a page with no script and no external URL.
// scripts/test writes the fixtures with mkevtx into test-output/fixtures/ before this runs.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  addFiles,
  download,
  FIXTURE_DIR,
  launchBrowser,
  openApp,
  rowCount,
  screenshot,
  startServer,
  waitForFiles,
} from './harness.mjs';

const MIXED = path.join(FIXTURE_DIR, 'mixed.evtx');
// Mostly 4983 events, so the preset alert rules fire on it.
const DOMINANT = path.join(FIXTURE_DIR, 'dominant.evtx');
const missing = [MIXED, DOMINANT].filter((file) => !existsSync(file));
const skip = missing.length > 0 && `fixtures missing (run scripts/test): ${missing.join(', ')}`;

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Waits until the counter differs from `previous`, then returns it. */
async function changedRowCount(page, previous) {
  await page.waitForFunction(
    (text) => document.querySelector('[data-testid="row-count"]')?.textContent.trim() !== text,
    `${previous.shown} of ${previous.total} rows`,
  );
  return rowCount(page);
}

test('chart bar and alert line filter the table', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);
  await addFiles(page, [DOMINANT]);
  assert.equal((await waitForFiles(page, ['dominant.evtx'])).get('dominant.evtx'), 'done');
  const all = await rowCount(page);
  assert.ok(all.total > 0);
  assert.equal(all.shown, all.total);

  const bar = page.getByTestId('top-chart').locator('rect.clickable').first();
  await bar.click();
  const byBar = await changedRowCount(page, all);
  assert.ok(byBar.shown > 0, 'the bar should leave some rows');
  assert.ok(byBar.shown < all.total, `the bar left all ${byBar.shown} rows`);
  assert.ok((await page.getByTestId('filter-chips').locator('li').count()) > 0);
  await screenshot(page, 'chart-click-filter');

  await page.getByRole('button', { name: 'Clear all' }).click();
  const cleared = await changedRowCount(page, byBar);
  assert.deepEqual(cleared, all);

  const line = page.locator('button.alert-line').first();
  const text = await line.textContent();
  const expected = Number(/: (\d+) events,/.exec(text)?.[1]);
  assert.ok(expected > 0, `alert line reads "${text}"`);
  await line.click();
  const byAlert = await changedRowCount(page, cleared);
  assert.equal(byAlert.shown, expected, `alert "${text}"`);
  await screenshot(page, 'alert-click-filter');
  assert.deepEqual(problems, []);
  await context.close();
});

test('saved report is self-contained', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);
  await addFiles(page, [MIXED]);
  assert.equal((await waitForFiles(page, ['mixed.evtx'])).get('mixed.evtx'), 'done');
  const { shown } = await rowCount(page);

  const report = await download(page, 'Save report');
  assert.match(report.name, /\.html$/);
  assert.doesNotMatch(report.text, /<script/i);
  assert.doesNotMatch(report.text, /https?:\/\//i);
  assert.doesNotMatch(report.text, /<link|<img|@import|url\(/i);
  assert.match(report.text, /<svg/);
  assert.match(report.text, /mixed\.evtx/);
  assert.ok(report.text.includes(String(shown)), `the report should count ${shown} rows`);
  assert.deepEqual(problems, []);
  await context.close();
});
