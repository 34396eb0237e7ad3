// The page without a mouse, in the real browser: Tab reaches the file picker, the sort
// headers and the top lists, and arrow keys and Enter open a row's details. The details
// take the focus, and Escape closes them. Files dropped beside the drop zone are analysed
// instead of replacing the page.
// scripts/test writes the fixtures with mkevtx into test-output/fixtures/ before this runs.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  addFiles,
  FIXTURE_DIR,
  launchBrowser,
  openApp,
  settledRowCount,
  startServer,
  waitForFiles,
} from './harness.mjs';

// Seven records, three of them event 4983.
const KNOWN = path.join(FIXTURE_DIR, 'known.evtx');
const skip = !existsSync(KNOWN) && `fixture missing (run scripts/test): ${KNOWN}`;

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

/** Presses Tab until `matches(active element)` holds; fails after `limit` presses. */
async function tabUntil(page, matches, limit = 60) {
  for (let presses = 0; presses < limit; presses += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(matches)) return;
  }
  assert.fail(`Tab never reached the element after ${limit} presses`);
}

async function loadKnown(page) {
  await addFiles(page, [KNOWN]);
  const statuses = await waitForFiles(page, ['known.evtx']);
  assert.equal(statuses.get('known.evtx'), 'done');
  const all = { shown: 3, total: 3 };
  assert.deepEqual(await settledRowCount(page, all), all);
}

test('Tab reaches the file picker and shows where the focus is', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);

  await tabUntil(page, () => document.activeElement?.matches('input[type=file]'));
  const outline = await page.evaluate(() => {
    const label = document.activeElement.closest('label');
    return getComputedStyle(label).outlineStyle;
  });
  assert.notEqual(outline, 'none', 'the label around the focused picker draws a ring');
  assert.deepEqual(problems, []);
  await context.close();
});

test('arrow keys and Enter open rows; Enter on a header sorts', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);
  await loadKnown(page);
  const rows = page.getByTestId('events-table').locator('tbody tr:not([aria-hidden="true"])');

  await page.getByTestId('events-scroll').focus();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.getByTestId('event-message').waitFor();
  const selected = () =>
    rows.evaluateAll((all) => all.findIndex((row) => row.matches('.selected')));
  assert.equal(await selected(), 2, 'End then Enter opens the last row');

  await page.getByTestId('events-scroll').focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  assert.equal(await selected(), 1, 'ArrowUp then Enter opens the row above');

  const header = page.getByTestId('events-table').locator('th').first();
  const before = await header.getAttribute('aria-sort');
  await header.getByRole('button').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    (old) => document.querySelector('[data-testid="events-table"] th')?.ariaSort !== old,
    before,
  );
  assert.notEqual(await header.getAttribute('aria-sort'), before);
  assert.deepEqual(problems, []);
  await context.close();
});

/** Returns the `data-testid` of the focused element, or its tag name without one. */
function focused(page) {
  return page.evaluate(() => {
    const active = document.activeElement;
    return active?.dataset.testid ?? active?.tagName.toLowerCase();
  });
}

test('Enter focuses the details heading; Escape closes them', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);
  await loadKnown(page);
  const panel = page.locator('.detail-panel');

  await page.getByTestId('events-scroll').focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('Enter');
  await page.getByTestId('event-message').waitFor();
  await page.waitForFunction(
    () => document.activeElement?.dataset.testid === 'detail-heading',
    null,
    { timeout: 2_000 },
  );
  assert.equal(await page.getByTestId('detail-heading').getAttribute('tabindex'), '-1');

  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
  assert.equal(await focused(page), 'events-scroll', 'Escape gives focus back to the table');

  // The mouse opens a row without moving the focus; Escape from the table closes it too.
  const rows = page.getByTestId('events-table').locator('tbody tr:not([aria-hidden="true"])');
  await rows.nth(1).click();
  await page.getByTestId('event-message').waitFor();
  assert.equal(await focused(page), 'events-scroll', 'a click leaves the focus in the table');
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
  assert.equal(await focused(page), 'events-scroll');
  assert.deepEqual(problems, []);
  await context.close();
});

test('Enter on a top-list entry filters the table', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);
  await loadKnown(page);

  const entry = page.getByTestId('top-remote-addresses').getByRole('button').first();
  const count = Number(await entry.locator('.bar-count').textContent());
  assert.ok(count < 3, `the first remote address has fewer than 3 rows (${count})`);
  await entry.focus();
  await page.keyboard.press('Enter');

  const shown = { shown: count, total: 3 };
  assert.deepEqual(await settledRowCount(page, shown), shown);
  assert.equal(await page.getByTestId('filter-chips').locator('.chip').count(), 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a file dropped outside the drop zone is analysed', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);
  const bytes = [...(await readFile(KNOWN))];

  const kept = await page.evaluate((content) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(content)], 'known.evtx'));
    const target = document.querySelector('h1') ?? document.body;
    const options = { bubbles: true, cancelable: true, dataTransfer: transfer };
    target.dispatchEvent(new DragEvent('dragover', options));
    // A drop the page does not cancel would make the browser open the file instead.
    return !target.dispatchEvent(new DragEvent('drop', options));
  }, bytes);

  assert.ok(kept, 'the page cancels the drop, so the browser keeps the page');
  const statuses = await waitForFiles(page, ['known.evtx']);
  assert.equal(statuses.get('known.evtx'), 'done');
  const all = { shown: 3, total: 3 };
  assert.deepEqual(await settledRowCount(page, all), all);
  assert.deepEqual(problems, []);
  await context.close();
});
