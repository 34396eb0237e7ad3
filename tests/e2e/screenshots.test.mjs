// Screenshots of every view a person sees, in the light and the dark theme, for looking at
// the page by eye: test-output/screenshots/<theme>/. Each view is asserted visible and
// filled before it is captured, so a view that fails to appear fails the test.
// scripts/test writes the fixtures with mkevtx into test-output/fixtures/ before this runs.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  addFiles,
  FIXTURE_DIR,
  launchBrowser,
  OUTPUT_DIR,
  openApp,
  rowCount,
  screenshot,
  startServer,
  tableRows,
  waitForFiles,
} from './harness.mjs';

const FIXTURES = ['known', 'mixed', 'hostile', 'host-a', 'host-b', 'burst'].map((name) =>
  path.join(FIXTURE_DIR, `${name}.evtx`),
);
const SHOT_DIR = path.join(OUTPUT_DIR, 'screenshots');
// Written by the test: a copy of mixed.evtx cut inside its second chunk, so the Files list
// shows skipped records, and a text file, so it shows a file that fails.
const CUT_FILE = path.join(SHOT_DIR, 'input', 'cut-mixed.evtx');
const TEXT_FILE = path.join(SHOT_DIR, 'input', 'notes.txt');
const CUT_AT_BYTES = 4096 + 65536 + 30000;

const missing = FIXTURES.filter((file) => !existsSync(file));
const skip = missing.length > 0 && `fixtures missing (run scripts/test): ${missing.join(', ')}`;

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  if (!skip) {
    await mkdir(path.dirname(CUT_FILE), { recursive: true });
    const mixed = await readFile(path.join(FIXTURE_DIR, 'mixed.evtx'));
    await writeFile(CUT_FILE, mixed.subarray(0, CUT_AT_BYTES));
    await writeFile(TEXT_FILE, 'not an event log\n');
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/**
 * Asserts that `locator` is visible, scrolls to it and saves it as
 * screenshots/THEME/NAME.png.
 */
async function shootView(locator, theme, name) {
  await locator.waitFor({ state: 'visible' });
  assert.ok(await locator.isVisible(), `${name} should be visible`);
  await locator.scrollIntoViewIfNeeded();
  await locator.screenshot({ path: path.join(SHOT_DIR, theme, `${name}.png`) });
}

/** Saves the whole page as screenshots/THEME/NAME.png with the harness helper. */
async function shootPage(page, theme, name) {
  await screenshot(page, path.join('screenshots', theme, name));
}

for (const theme of ['light', 'dark']) {
  test(`every view in the ${theme} theme`, { skip }, async () => {
    const { context, page, problems } = await openApp(browser, server.url);
    await page.emulateMedia({ colorScheme: theme });
    const isDark = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
    assert.equal(isDark, theme === 'dark');

    await shootView(page.getByTestId('drop-zone'), theme, '01-empty-drop-zone');
    assert.equal(await page.getByTestId('file-row').count(), 0);
    await shootPage(page, theme, '01-empty-page');

    await addFiles(page, [...FIXTURES, CUT_FILE, TEXT_FILE]);
    const names = [...FIXTURES, CUT_FILE, TEXT_FILE].map((file) => path.basename(file));
    const statuses = await waitForFiles(page, names);
    const expected = new Map(names.map((name) => [name, name === 'notes.txt' ? 'error' : 'done']));
    assert.deepEqual(statuses, expected);
    await shootView(page.locator('section.files'), theme, '02-files');

    const summary = page.locator('section.summary');
    await page.getByTestId('duplicates').waitFor();
    assert.ok((await page.getByTestId('skips').count()) > 0, 'the cut file lists skips');
    await shootView(summary, theme, '03-summary');
    const charts = page.getByTestId('charts');
    assert.equal(await charts.locator('svg.chart').count(), 2);
    await shootView(charts, theme, '04-charts');

    const { total } = await rowCount(page);
    assert.ok(total > 0);
    assert.ok((await tableRows(page)) > 0);
    const events = page.locator('section.events-section');
    await shootView(events, theme, '05-events-table');
    await shootPage(page, theme, '02-loaded-page');

    await page.getByTestId('top-reasons').locator('li').first().click();
    await page.getByTestId('filter-text').fill('contoso');
    const chips = page.getByTestId('filter-chips').locator('li.chip');
    await chips.nth(1).waitFor();
    assert.equal(await chips.count(), 2);
    await shootView(events, theme, '06-filters-and-chips');

    await page
      .getByTestId('events-table')
      .locator('tbody tr:not([aria-hidden="true"])')
      .first()
      .click();
    const detail = page.locator('section.detail-panel');
    await detail.waitFor();
    assert.ok((await page.getByTestId('event-message').textContent()).length > 0);
    await shootView(detail, theme, '07-detail');
    await shootPage(page, theme, '03-filtered-detail-page');

    await page.getByRole('button', { name: 'Clear all' }).click();
    await page.getByTestId('filter-text').fill('hostile.evtx');
    await page.waitForFunction(
      () => document.querySelector('[data-testid="row-count"]')?.textContent.startsWith('2 of'),
    );
    assert.equal(await tableRows(page), 2);
    await shootView(events.locator('.table-scroll'), theme, '07-hostile-rows');
    await page.getByRole('button', { name: 'Clear all' }).click();

    const form = page.getByTestId('custom-rule');
    await form.getByLabel('At least (events)').fill('12');
    await form.getByLabel('Within (minutes)').fill('3');
    await form.getByRole('button', { name: 'Check rule' }).click();
    const alerts = page.getByTestId('alerts');
    await alerts.locator('h3.alert-rule', { hasText: 'Custom rule:' }).waitFor();
    assert.ok((await alerts.locator('button.alert-line').count()) > 0, 'some alert fires');
    await shootView(alerts, theme, '08-alerts');

    const integrity = page.getByTestId('integrity');
    assert.equal(await integrity.locator(':scope > *').count(), names.length);
    await shootView(page.locator('section.integrity'), theme, '09-integrity');
    assert.deepEqual(problems, []);
    await context.close();
  });
}
