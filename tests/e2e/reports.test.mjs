// The report views in the real browser: a chart bar and an alert line filter the table,
// the chips undo it, and "Save report" writes a page with no script and no external URL,
// whose hostile values are marked, wrapped or cut and whose chart labels keep their start.
// Also the custom alert rule's input errors and alert lines in a narrow window.
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
// Two 4983 events with a direction override in the computer name and a 10,000-character
// FailureReason, among other values that attack the page.
const HOSTILE = path.join(FIXTURE_DIR, 'hostile.evtx');
const missing = [MIXED, DOMINANT, HOSTILE].filter((file) => !existsSync(file));
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

/**
 * Lists the chart labels of `page` whose drawn text starts left of the chart or runs into
 * the bar column, which starts at x = 240 in the top-N chart's viewBox.
 */
function labelsOutsideColumn(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('svg.chart text.chart-label')]
      .map((label) => ({ text: label.textContent, box: label.getBBox() }))
      .filter(({ box }) => box.x < 0 || box.x + box.width > 240)
      .map(({ text, box }) => `${text} (${box.x.toFixed(1)} to ${(box.x + box.width).toFixed(1)})`),
  );
}

test('saved report marks, wraps and cuts hostile values', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);
  await addFiles(page, [HOSTILE]);
  assert.equal((await waitForFiles(page, ['hostile.evtx'])).get('hostile.evtx'), 'done');

  const report = await download(page, 'Save report');
  assert.ok(!report.text.includes('\u202e'), 'no raw U+202E in the report');
  assert.match(report.text, /<td>host⟨U\+202E⟩1\.contoso\.com<\/td>/);
  const viewer = await context.newPage();
  await viewer.setViewportSize({ width: 1280, height: 900 });
  await viewer.setContent(report.text);
  const causes = await viewer.evaluate(() => {
    const table = document.querySelector('table.causes');
    return { right: table.getBoundingClientRect().right, width: window.innerWidth };
  });
  assert.ok(causes.right <= causes.width, `the causes table ends at ${causes.right} px`);
  const headingHeight = await viewer.evaluate(
    () => document.querySelector('table.rows thead tr').getBoundingClientRect().height,
  );
  assert.ok(headingHeight < 40, `row table headings break into ${headingHeight} px`);
  assert.deepEqual(await labelsOutsideColumn(viewer), []);
  await screenshot(viewer, 'report-hostile');
  await viewer.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('top-N labels keep their start on the page and in the report', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);
  await addFiles(page, [MIXED]);
  assert.equal((await waitForFiles(page, ['mixed.evtx'])).get('mixed.evtx'), 'done');
  const labels = page.getByTestId('top-chart').locator('text.chart-label');

  const cutLabels = {
    'Issuing CAs': /^CN=CONTOSO-ISSUING-CA.*…$/,
    'Certificate thumbprints': /^[0-9A-F]{12,}…$/,
  };
  for (const [dimension, cutLabel] of Object.entries(cutLabels)) {
    await page.getByTestId('top-dimension').selectOption({ label: dimension });
    await page.waitForFunction(
      (name) => document.querySelector('[data-testid="top-chart"] svg')?.ariaLabel ===
        `Top ${name.toLowerCase()}`,
      dimension,
    );
    const texts = await labels.allTextContents();
    assert.ok(texts.some((text) => cutLabel.test(text)), `${dimension}: ${texts.join(' | ')}`);
    assert.deepEqual(await labelsOutsideColumn(page), [], dimension);
  }

  const report = await download(page, 'Save report');
  assert.match(report.text, />CN=CONTOSO-ISSUING-CA[^<]*…<\/text>/);
  const viewer = await context.newPage();
  await viewer.setContent(report.text);
  assert.deepEqual(await labelsOutsideColumn(viewer), []);
  await screenshot(viewer, 'report-top-labels');
  await viewer.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a top-N row is one click target, label included', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);
  await addFiles(page, [MIXED]);
  assert.equal((await waitForFiles(page, ['mixed.evtx'])).get('mixed.evtx'), 'done');
  const all = await rowCount(page);
  const chart = page.getByTestId('top-chart');
  const lastCount = Number(await chart.locator('text.chart-count').last().textContent());

  const lastLabel = chart.locator('text.chart-label').last();
  await lastLabel.scrollIntoViewIfNeeded();
  const label = await lastLabel.boundingBox();
  await page.mouse.click(label.x + 4, label.y + label.height / 2);
  const byLabel = await changedRowCount(page, all);
  assert.equal(byLabel.shown, lastCount, 'a click on the label filters to its rows');

  await page.getByRole('button', { name: 'Clear all' }).click();
  const cleared = await changedRowCount(page, byLabel);
  const target = chart.locator('rect.chart-target').last();
  await target.focus();
  await page.keyboard.press('Enter');
  const byKey = await changedRowCount(page, cleared);
  assert.equal(byKey.shown, lastCount, 'Enter on the focused row filters to its rows');
  assert.deepEqual(problems, []);
  await context.close();
});

test('custom rule names the invalid field and keeps the rule', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);
  await addFiles(page, [DOMINANT]);
  assert.equal((await waitForFiles(page, ['dominant.evtx'])).get('dominant.evtx'), 'done');
  const form = page.getByTestId('custom-rule');
  const count = form.getByLabel('At least (events)');
  const minutes = form.getByLabel('Within (minutes)');
  const error = page.getByTestId('custom-rule-error');
  const heading = page.locator('h3.alert-rule', { hasText: 'Custom rule' });

  await count.fill('7');
  await minutes.fill('15');
  await form.getByRole('button', { name: 'Check rule' }).click();
  await heading.waitFor();
  const rule = await heading.textContent();
  assert.match(rule, /≥ 7 events .* within 15 min/);

  await count.fill('0');
  await form.getByRole('button', { name: 'Check rule' }).click();
  assert.match(await error.textContent(), /^At least \(events\) is "0": .* from 1 to 1000000\.$/);
  assert.equal(await count.getAttribute('aria-invalid'), 'true');
  assert.equal(await heading.textContent(), rule, 'the previous rule stays');

  await count.fill('7');
  await minutes.fill('-4');
  await form.getByRole('button', { name: 'Check rule' }).click();
  assert.match(await error.textContent(), /^Within \(minutes\) is "-4": .* from 0 to 527040\.$/);
  assert.equal(await minutes.getAttribute('aria-invalid'), 'true');
  assert.equal(await count.getAttribute('aria-invalid'), 'false');
  assert.equal(await heading.textContent(), rule);

  await minutes.fill('15');
  await form.getByRole('button', { name: 'Check rule' }).click();
  assert.equal(await error.textContent(), '');
  assert.deepEqual(problems, []);
  await context.close();
});

test('alert lines wrap in a narrow window', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);
  await page.setViewportSize({ width: 800, height: 900 });
  await addFiles(page, [DOMINANT]);
  assert.equal((await waitForFiles(page, ['dominant.evtx'])).get('dominant.evtx'), 'done');
  const lines = page.locator('button.alert-line');
  await lines.first().waitFor();

  const cut = await lines.evaluateAll((all) =>
    all.filter((line) => line.scrollWidth > line.clientWidth).map((line) => line.textContent),
  );
  assert.deepEqual(cut, [], 'every alert line shows its whole text');
  const tallest = await lines.evaluateAll((all) =>
    Math.max(...all.map((line) => line.getBoundingClientRect().height)),
  );
  const single = await lines.first().evaluate((line) => parseFloat(getComputedStyle(line).lineHeight) || 16);
  assert.ok(tallest > 1.5 * single, `the longest line wraps (height ${tallest} px)`);
  await screenshot(page, 'alerts-800px');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a phone-wide window does not scroll sideways', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);
  await page.setViewportSize({ width: 380, height: 800 });
  await addFiles(page, [MIXED, HOSTILE]);
  const status = await waitForFiles(page, ['mixed.evtx', 'hostile.evtx']);
  assert.equal(status.get('mixed.evtx'), 'done');
  await page.getByTestId('file-totals').waitFor();

  // Wide tables may scroll inside their own box. Nothing else may pass the window's edge.
  const sticking = await page.evaluate(() => {
    const edge = document.documentElement.clientWidth + 1;
    const clipped = (element) => {
      for (let up = element.parentElement; up; up = up.parentElement) {
        if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(up).overflowX)) return true;
      }
      return false;
    };
    return [...document.body.querySelectorAll('*')]
      .filter((element) => element.getBoundingClientRect().right > edge && !clipped(element))
      .map((element) => `${element.tagName.toLowerCase()}.${element.className}`);
  });
  assert.deepEqual(sticking, []);
  assert.equal(
    await page.evaluate(() => document.documentElement.scrollWidth),
    await page.evaluate(() => document.documentElement.clientWidth),
  );
  await screenshot(page, 'narrow-380px');
  assert.deepEqual(problems, []);
  await context.close();
});
