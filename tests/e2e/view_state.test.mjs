// The view in the URL fragment: a filter, a sort and a time zone set in one page come
// back in a fresh page opened with its URL, once the same file is dropped there. Also
// times in a zone with daylight saving time, the open row, the top chart's choice, the
// custom alert rule, and links with bad values.
// scripts/test writes test-output/fixtures/known.evtx with mkevtx before this runs.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  addFiles,
  FIXTURE_DIR,
  foreignRequests,
  launchBrowser,
  openApp,
  screenshot,
  settledRowCount,
  startServer,
  waitForFiles,
} from './harness.mjs';

const KNOWN = path.join(FIXTURE_DIR, 'known.evtx');
const skip = !existsSync(KNOWN) && `fixture missing (run scripts/test): ${KNOWN}`;
// Generated traffic of five computers, SRV-FS01.corp.contoso.com among them.
const MIXED = path.join(FIXTURE_DIR, 'mixed.evtx');
const skipMixed = !existsSync(MIXED) && `fixture missing (run scripts/test): ${MIXED}`;
// Thousands of 4983 rows, far more than the table renders at once.
const DOMINANT = path.join(FIXTURE_DIR, 'dominant.evtx');
const skipDominant = !existsSync(DOMINANT) && `fixture missing (run scripts/test): ${DOMINANT}`;

// The known fixture's three 4983 rows, in table order: record 1 at
// 2024-05-01T12:34:56.1234567Z, record 2 one second and one tick later, record 7 at
// 12:35:02.1234568Z.

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

/** Opens `url` (the app, with or without a fragment) and reads the known fixture. */
async function openWithKnown(url) {
  const opened = await openApp(browser, url);
  await addFiles(opened.page, [KNOWN]);
  await waitForFiles(opened.page, ['known.evtx']);
  return opened;
}

/** Returns the first four cells (file, record, time, computer) of each rendered row. */
async function visibleRows(page) {
  return page
    .getByTestId('events-table')
    .locator('tbody tr:not([aria-hidden="true"])')
    .evaluateAll((rows) =>
      rows.map((row) => [...row.cells].slice(0, 4).map((cell) => cell.textContent)),
    );
}

/** Returns the part of the page's URL after `#`, or '' without one. */
function fragmentOf(page) {
  return new URL(page.url()).hash.replace(/^#/, '');
}

/** Reads the controls a shared link must restore. */
async function controls(page) {
  return {
    text: await page.getByTestId('filter-text').inputValue(),
    from: await page.getByTestId('filter-from').inputValue(),
    zoneMode: await page.getByTestId('zone-select').inputValue(),
    zoneName: await page.getByTestId('zone-name').inputValue(),
    timeSort: await page
      .getByRole('columnheader', { name: 'TimeCreated' })
      .getAttribute('aria-sort'),
  };
}

test('shared URL restores filter, sort, zone and times', { skip }, async () => {
  const first = await openWithKnown(server.url);
  const { page } = first;
  await settledRowCount(page, { shown: 3, total: 3 });

  // The zone box's suggestions are built when it is first focused, not with the page.
  const suggestions = page.locator('datalist#zone-names option');
  assert.equal(await suggestions.count(), 0);
  await page.getByTestId('zone-name').focus();
  await page.waitForFunction(() => document.querySelectorAll('#zone-names option').length > 100);
  assert.equal(await page.locator('datalist#zone-names option[value="Europe/Berlin"]').count(), 1);
  await page.getByTestId('zone-name').fill('Asia/Kolkata');
  await page.getByTestId('zone-name').press('Enter');
  await page.getByTestId('filter-text').fill('contoso');
  // 18:04:57 in Kolkata (+05:30) is 12:34:57 UTC, after record 1 and before record 2.
  await page.getByTestId('filter-from').fill('2024-05-01T18:04:57');
  const header = page.getByRole('columnheader', { name: 'TimeCreated' });
  await header.click();
  await header.click();
  const firstCount = await settledRowCount(page, { shown: 2, total: 3 });
  const fragment = fragmentOf(page);
  const sharedUrl = page.url();
  const firstRows = await visibleRows(page);

  const expectedRows = [
    ['known.evtx', '7', '2024-05-01 18:05:02.1234568 +05:30', 'SRV-FS01.corp.contoso.com'],
    ['known.evtx', '2', '2024-05-01 18:04:57.1234568 +05:30', 'WS-0142.corp.contoso.com'],
  ];
  assert.deepEqual(firstCount, { shown: 2, total: 3 });
  assert.equal(
    fragment,
    'q=contoso&from=2024-05-01T12:34:57.0000000Z&sort=TimeCreated-desc&tz=Asia/Kolkata',
  );
  assert.deepEqual(firstRows, expectedRows);
  assert.deepEqual(first.problems, []);
  await first.context.close();

  const second = await openWithKnown(sharedUrl);
  const secondCount = await settledRowCount(second.page, { shown: 2, total: 3 });

  assert.deepEqual(secondCount, { shown: 2, total: 3 });
  assert.deepEqual(await controls(second.page), {
    text: 'contoso',
    from: '2024-05-01T18:04:57',
    zoneMode: 'named',
    zoneName: 'Asia/Kolkata',
    timeSort: 'descending',
  });
  assert.deepEqual(await visibleRows(second.page), expectedRows);
  assert.equal(fragmentOf(second.page), fragment);
  await screenshot(second.page, 'view-state-shared');
  assert.deepEqual(second.problems, []);
  assert.deepEqual(foreignRequests(second.requests, server.url), []);
  await second.context.close();
});

test('top chart choice and custom alert rule travel in the URL', { skip }, async () => {
  const first = await openWithKnown(server.url);
  const { page } = first;
  await page.getByTestId('top-dimension').selectOption({ label: 'Computers' });
  const form = page.getByTestId('custom-rule');
  await form.locator('select').selectOption({ label: 'Computer' });
  await form.getByLabel('At least (events)').fill('2');
  await form.getByLabel('Within (minutes)').fill('60');
  await form.getByRole('button', { name: 'Check rule' }).click();
  const heading = 'Custom rule: ≥ 2 events on one computer within 60 min';
  await page.getByTestId('alerts').locator('h3.alert-rule', { hasText: heading }).waitFor();
  await page.waitForFunction(() => location.hash.includes('rule='));
  assert.equal(fragmentOf(page), 'top=computer&rule=computer,2,60');
  const sharedUrl = page.url();
  await first.context.close();

  const second = await openWithKnown(sharedUrl);
  const reopened = second.page;
  await reopened.getByTestId('alerts').locator('h3.alert-rule', { hasText: heading }).waitFor();
  const topChoice = reopened.getByTestId('top-dimension');
  assert.equal(await topChoice.locator('option:checked').textContent(), 'Computers');
  const sharedForm = reopened.getByTestId('custom-rule');
  assert.equal(await sharedForm.locator('select option:checked').textContent(), 'Computer');
  assert.equal(await sharedForm.getByLabel('At least (events)').inputValue(), '2');
  assert.equal(await sharedForm.getByLabel('Within (minutes)').inputValue(), '60');
  await reopened.getByRole('button', { name: 'Remove rule' }).click();
  await reopened.waitForFunction(() => !location.hash.includes('rule='));
  assert.equal(fragmentOf(reopened), 'top=computer');
  assert.deepEqual(second.problems, []);
  await second.context.close();
});

test('open row and daylight saving zone travel in the URL', { skip }, async () => {
  const first = await openWithKnown(`${server.url}#tz=Europe/Berlin`);
  await settledRowCount(first.page, { shown: 3, total: 3 });

  await first.page
    .getByTestId('events-table')
    .getByRole('cell', { name: '2', exact: true })
    .click();
  const heading = first.page.locator('.detail-panel h2');
  await heading.waitFor();
  const sharedUrl = first.page.url();

  assert.equal(fragmentOf(first.page), 'tz=Europe/Berlin&file=0&record=2');
  assert.equal(
    await heading.textContent(),
    'known.evtx, record 2 at 2024-05-01 14:34:57.1234568 +02:00',
  );
  await first.context.close();

  const second = await openWithKnown(sharedUrl);
  const reopened = second.page.locator('.detail-panel h2');
  await reopened.waitFor();

  assert.equal(
    await reopened.textContent(),
    'known.evtx, record 2 at 2024-05-01 14:34:57.1234568 +02:00',
  );
  assert.equal(await second.page.getByTestId('zone-select').inputValue(), 'named');
  assert.deepEqual(second.problems, []);
  await second.context.close();
});

test('From later than To explains the empty table', { skip }, async () => {
  const { context, page, problems } = await openWithKnown(server.url);
  await settledRowCount(page, { shown: 3, total: 3 });
  const note = page.getByTestId('filter-time-note');
  assert.equal(await note.textContent(), '');

  // A month either side of the fixture's times, so the page's time zone does not matter.
  await page.getByTestId('filter-from').fill('2024-06-01T00:00:00');
  await page.getByTestId('filter-to').fill('2024-04-01T00:00:00');
  const count = await settledRowCount(page, { shown: 0, total: 3 });

  assert.deepEqual(count, { shown: 0, total: 3 });
  assert.equal(
    await note.textContent(),
    'From is later than To, so no row can match. Change or clear one of them.',
  );
  await page.getByTestId('filter-from').fill('');
  await page.waitForFunction(
    () => document.querySelector('[data-testid="filter-time-note"]')?.textContent === '',
  );
  assert.equal(await note.textContent(), '');
  assert.deepEqual(problems, []);
  await context.close();
});

test('bad fragment values are ignored', { skip }, async () => {
  const hostile =
    '#q=%E2%82%AC%26sort%3Dx&sort=NoSuchColumn-up&tz=Mars/Olympus_Mons&from=yesterday' +
    '&file=9&record=1&%ZZ=%&unknown=1';
  const { context, page, problems } = await openWithKnown(`${server.url}${hostile}`);
  const count = await settledRowCount(page, { shown: 0, total: 3 });

  assert.deepEqual(count, { shown: 0, total: 3 });
  assert.equal(await page.getByTestId('filter-text').inputValue(), '€&sort=x');
  assert.equal(await page.getByTestId('filter-from').inputValue(), '');
  assert.equal(
    await page.getByTestId('zone-problem').textContent(),
    'Unknown time zone \u201cMars/Olympus_Mons\u201d: times are shown in UTC.',
  );
  assert.equal(
    await page.getByRole('columnheader', { name: 'TimeCreated' }).getAttribute('aria-sort'),
    'none',
  );
  assert.deepEqual(problems, []);
  await context.close();
});

test('a link with invalid parts names them', { skip }, async () => {
  const link = `${server.url}#q=contoso&sort=NoSuchColumn-desc&from=yesterday&record=7`;
  const { context, page, problems } = await openWithKnown(link);
  await settledRowCount(page, { shown: 3, total: 3 });

  const notice = page.getByTestId('link-skips');
  await notice.waitFor();
  const text = await notice.textContent();
  assert.match(text, /sort=NoSuchColumn-desc/);
  assert.match(text, /from=yesterday/);
  assert.match(text, /record=7 without file/);
  assert.doesNotMatch(text, /contoso/);
  assert.equal(await page.getByTestId('filter-text').inputValue(), 'contoso');

  // A valid link shows no notice.
  await page.evaluate(() => { window.location.hash = 'q=corp'; });
  await page.waitForFunction(() => !document.querySelector('[data-testid=link-skips]')?.textContent);
  assert.deepEqual(problems, []);
  await context.close();
});

test('editing the fragment updates the view', { skip }, async () => {
  const { context, page, problems } = await openWithKnown(server.url);
  await settledRowCount(page, { shown: 3, total: 3 });

  await page.evaluate(() => {
    window.location.hash = '#q=alice&tz=UTC';
  });
  const count = await settledRowCount(page, { shown: 1, total: 3 });

  assert.deepEqual(count, { shown: 1, total: 3 });
  assert.equal(await page.getByTestId('filter-text').inputValue(), 'alice');
  assert.deepEqual(await visibleRows(page), [
    ['known.evtx', '1', '2024-05-01 12:34:56.1234567 +00:00', 'WS-0142.corp.contoso.com'],
  ]);
  // The page writes back its own form of the view, which leaves out the default zone.
  assert.equal(fragmentOf(page), 'q=alice');
  assert.deepEqual(problems, []);
  await context.close();
});

test('computer link in any case shows the logged spelling', { skip: skipMixed }, async () => {
  const spelled = 'SRV-FS01.corp.contoso.com';
  const { context, page, problems } = await openApp(
    browser,
    `${server.url}#computer=srv-fs01.corp.contoso.com`,
  );
  await addFiles(page, [MIXED]);
  await waitForFiles(page, ['mixed.evtx']);

  const select = page.getByTestId('filter-computer');
  await page.waitForFunction(
    (name) => document.querySelector('[data-testid="filter-computer"]')?.value === name,
    spelled,
    { timeout: 5_000 },
  );
  assert.equal(await select.inputValue(), spelled);
  const chip = page.getByTestId('filter-chips').locator('.chip-value');
  assert.equal(await chip.textContent(), spelled);
  const computers = (await visibleRows(page)).map((cells) => cells[3]);
  assert.ok(computers.length > 0, 'the link leaves some rows');
  assert.deepEqual([...new Set(computers)], [spelled]);

  await page.getByTestId('top-dimension').selectOption({ label: 'Computers' });
  await page.waitForFunction(
    () => document.querySelector('[data-testid="top-chart"] svg')?.ariaLabel === 'Top computers',
  );
  const labels = await page.getByTestId('top-chart').locator('text.chart-label').allTextContents();
  assert.deepEqual(labels, [spelled]);
  assert.match(fragmentOf(page), /computer=SRV-FS01\.corp\.contoso\.com/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a linked row far down is scrolled into view', { skip: skipDominant }, async () => {
  const first = await openApp(browser, server.url);
  await addFiles(first.page, [DOMINANT]);
  await waitForFiles(first.page, ['dominant.evtx']);
  await first.page.getByTestId('events-scroll').focus();
  await first.page.keyboard.press('End');
  await first.page.keyboard.press('Enter');
  await first.page.locator('.detail-panel h2').waitFor();
  const sharedUrl = first.page.url();
  await first.context.close();

  const { context, page, problems } = await openApp(browser, sharedUrl);
  await addFiles(page, [DOMINANT]);
  await waitForFiles(page, ['dominant.evtx']);
  const row = page.getByTestId('events-table').locator('tbody tr.selected');
  await row.waitFor();
  const box = await row.boundingBox();
  const scroller = await page.getByTestId('events-scroll').boundingBox();

  assert.ok(box.y >= scroller.y, `row top ${box.y} above the box at ${scroller.y}`);
  assert.ok(
    box.y + box.height <= scroller.y + scroller.height,
    `row bottom ${box.y + box.height} below the box's ${scroller.y + scroller.height}`,
  );
  assert.equal(await page.getByTestId('detail-hidden').count(), 0);
  await page.getByTestId('filter-text').fill('no row has this text');
  await page.getByTestId('detail-hidden').waitFor();
  assert.equal(
    await page.getByTestId('detail-hidden').textContent(),
    'The current filters hide this row in the table.',
  );
  assert.deepEqual(problems, []);
  await context.close();
});
