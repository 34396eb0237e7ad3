// Logs of many hosts in the real browser: overlapping exports of one computer dropped
// together count each shared record once and report it, and a custom alert rule finds a known
// burst and narrows the table to exactly its rows.
// scripts/test writes the fixtures with mkevtx (presets host-log and burst) into
// test-output/fixtures/ before this runs.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  addFiles,
  download,
  FIXTURE_DIR,
  fileTotals,
  launchBrowser,
  OUTPUT_DIR,
  openApp,
  settledRowCount,
  startServer,
  tableRows,
  waitForFiles,
} from './harness.mjs';

// Records 1-300 and 201-500 of DC01's log: records 201-300 (40 of event 4983 and 20 of
// event 4653) are in both. Each file contains 120 events 4983.
const HOST_A = path.join(FIXTURE_DIR, 'host-a.evtx');
const HOST_B = path.join(FIXTURE_DIR, 'host-b.evtx');
// Records 1-300 of another computer, at the same times as host-a's: no copies.
const HOST_OTHER = path.join(FIXTURE_DIR, 'host-other.evtx');
// 30 events 4983 of SRV-FS01; 12 of them from 192.168.50.7 within 2 min 45 s.
const BURST = path.join(FIXTURE_DIR, 'burst.evtx');
const BURST_RECORD_IDS = Array.from({ length: 12 }, (_, index) => 5022 + index);

const missing = [HOST_A, HOST_B, HOST_OTHER, BURST].filter((file) => !existsSync(file));
const skip = missing.length > 0 && `fixtures missing (run scripts/test): ${missing.join(', ')}`;

const SHARED_A_FIRST =
  '60 records of DC01.corp.contoso.com (40 of event 4983, 20 other IPsec events) appear ' +
  'in both host-a.evtx and host-b.evtx; counted once, from host-a.evtx, the file dropped ' +
  'earlier.';

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

/** Drops `files` together and waits until every one is read. */
async function dropAll(page, files) {
  await addFiles(page, files);
  const names = files.map((file) => path.basename(file));
  const statuses = await waitForFiles(page, names);
  for (const name of names) assert.equal(statuses.get(name), 'done', name);
}

/** Returns the lines of the "Records seen more than once" list, or [] when it is absent. */
async function duplicateLines(page) {
  return page.getByTestId('duplicates').locator('li').allTextContents();
}

test('overlapping exports count shared records once', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);

  await dropAll(page, [HOST_A, HOST_B, HOST_OTHER]);

  const all = { shown: 320, total: 320 };
  assert.deepEqual(await settledRowCount(page, all), all);
  const totals = await fileTotals(page);
  assert.equal(totals.get('host-a.evtx')?.['4983'], 120);
  assert.equal(totals.get('host-a.evtx')?.Duplicates, 0);
  assert.equal(totals.get('host-b.evtx')?.['4983'], 120);
  assert.equal(totals.get('host-b.evtx')?.['Other IPsec'], 60);
  assert.equal(totals.get('host-b.evtx')?.Duplicates, 60);
  assert.equal(totals.get('host-other.evtx')?.Duplicates, 0);
  assert.deepEqual(await duplicateLines(page), [SHARED_A_FIRST]);

  const json = JSON.parse((await download(page, 'Export JSON')).text);
  assert.equal(json.events.length, 320);
  const keys = new Set(
    json.events.map((event) => `${event.Computer}|${event.EventRecordID}|${event.TimeCreated}`),
  );
  assert.equal(keys.size, 320);
  const fromB = json.events.filter((event) => event.file === 'host-b.evtx');
  assert.equal(fromB.length, 80);
  assert.equal(Math.min(...fromB.map((event) => event.EventRecordID)), 301);
  assert.deepEqual(json.duplicates, [
    {
      computer: 'DC01.corp.contoso.com',
      kept_file: 'host-a.evtx',
      copy_file: 'host-b.evtx',
      records: 60,
      events_4983: 40,
      other_ipsec_events: 20,
      message: SHARED_A_FIRST,
    },
  ]);

  const csv = (await download(page, 'Export CSV')).text;
  assert.equal(csv.trimEnd().split('\r\n').length, 1 + 320);
  const report = (await download(page, 'Save report')).text;
  assert.ok(report.includes(`<li>${SHARED_A_FIRST}</li>`), 'the saved report lists the copies');
  assert.ok(report.includes('320 of 320 rows from 3 file(s)'));

  await page.getByTestId('filter-text').fill('dc01.corp');
  const dc01 = { shown: 200, total: 320 };
  assert.deepEqual(await settledRowCount(page, dc01), dc01);
  assert.deepEqual(problems, []);
  await context.close();
});

test('file dropped first keeps the shared records', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);

  await dropAll(page, [HOST_B, HOST_A]);

  const all = { shown: 200, total: 200 };
  assert.deepEqual(await settledRowCount(page, all), all);
  const totals = await fileTotals(page);
  assert.equal(totals.get('host-a.evtx')?.Duplicates, 60);
  assert.equal(totals.get('host-b.evtx')?.Duplicates, 0);
  assert.deepEqual(await duplicateLines(page), [
    '60 records of DC01.corp.contoso.com (40 of event 4983, 20 other IPsec events) appear ' +
      'in both host-b.evtx and host-a.evtx; counted once, from host-b.evtx, the file ' +
      'dropped earlier.',
  ]);
  assert.deepEqual(problems, []);
  await context.close();
});

test('same record IDs of another computer are no copies', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);

  await dropAll(page, [HOST_A, HOST_OTHER]);

  const all = { shown: 240, total: 240 };
  assert.deepEqual(await settledRowCount(page, all), all);
  assert.equal(await page.getByTestId('duplicates').count(), 0);
  const totals = await fileTotals(page);
  assert.equal(totals.get('host-other.evtx')?.Duplicates, 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('same-name files from two hosts get distinct names', { skip }, async () => {
  // Responders collect Security.evtx from every host, so two folders hold the same name.
  const copies = [];
  for (const [folder, source] of [['host1', HOST_A], ['host2', HOST_B]]) {
    const directory = path.join(OUTPUT_DIR, 'same-name', folder);
    await mkdir(directory, { recursive: true });
    const copy = path.join(directory, 'Security.evtx');
    await copyFile(source, copy);
    copies.push(copy);
  }
  const { context, page, problems } = await openApp(browser, server.url);

  await addFiles(page, copies);
  const names = ['Security.evtx', 'Security.evtx (2)'];
  const statuses = await waitForFiles(page, names);

  for (const name of names) assert.equal(statuses.get(name), 'done', name);
  const all = { shown: 200, total: 200 };
  assert.deepEqual(await settledRowCount(page, all), all);
  const totals = await fileTotals(page);
  assert.deepEqual([...totals.keys()], names);
  assert.equal(totals.get('Security.evtx (2)')?.Duplicates, 60);
  const headings = await page.getByTestId('integrity').locator('h3').allTextContents();
  assert.deepEqual(headings, names);
  const json = JSON.parse((await download(page, 'Export JSON')).text);
  assert.deepEqual(json.files.map((file) => file.name), names);
  assert.equal(json.duplicates.length, 1);
  assert.equal(json.duplicates[0].kept_file, 'Security.evtx');
  assert.equal(json.duplicates[0].copy_file, 'Security.evtx (2)');
  const fileColumn = new Set(json.events.map((event) => event.file));
  assert.deepEqual(fileColumn, new Set(names));
  assert.deepEqual(problems, []);
  await context.close();
});

/** Sets the custom rule to "same remote address, at least `count` within `minutes`". */
async function checkCustomRule(page, count, minutes) {
  const form = page.getByTestId('custom-rule');
  await form.locator('select').selectOption({ label: 'Remote address' });
  await form.getByLabel('At least (events)').fill(String(count));
  await form.getByLabel('Within (minutes)').fill(String(minutes));
  await form.getByRole('button', { name: 'Check rule' }).click();
}

/** Returns the custom rule's alert lines as buttons. */
function customAlertLines(page) {
  return page
    .getByTestId('alerts')
    .locator('h3.alert-rule', { hasText: 'Custom rule:' })
    .locator('xpath=following-sibling::ul[1]')
    .locator('button.alert-line');
}

/**
 * Waits for the heading of the custom rule that starts with `rule` and returns it with the
 * texts of the rule's alert lines.
 */
async function customAlerts(page, rule) {
  const heading = page.getByTestId('alerts').locator('h3.alert-rule', { hasText: rule });
  await heading.waitFor();
  const lines = await customAlertLines(page).allTextContents();
  return { heading: (await heading.textContent()).trim(), lines };
}

test('custom rule finds the burst and its rows', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);
  await dropAll(page, [BURST]);
  const all = { shown: 30, total: 30 };
  assert.deepEqual(await settledRowCount(page, all), all);

  await checkCustomRule(page, 13, 3);
  const stricter = await customAlerts(page, 'Custom rule: ≥ 13 events');
  assert.equal(
    stricter.heading,
    'Custom rule: ≥ 13 events from one remote address within 3 min (0)',
  );
  assert.deepEqual(stricter.lines, []);

  await checkCustomRule(page, 12, 3);
  const fitting = await customAlerts(page, 'Custom rule: ≥ 12 events');
  assert.equal(
    fitting.heading,
    'Custom rule: ≥ 12 events from one remote address within 3 min (1)',
  );
  assert.equal(fitting.lines.length, 1);
  assert.equal(
    fitting.lines[0],
    '192.168.50.7: 12 events, 2024-05-02 11:05:00.0000000 +00:00 to ' +
      '2024-05-02 11:07:45.0000000 +00:00',
  );

  await customAlertLines(page).click();
  const burst = { shown: 12, total: 30 };
  assert.deepEqual(await settledRowCount(page, burst), burst);
  assert.equal(await tableRows(page), 12);
  const rowTexts = await page
    .getByTestId('events-table')
    .locator('tbody tr:not([aria-hidden="true"])')
    .allTextContents();
  assert.equal(rowTexts.filter((text) => text.includes('192.168.50.7')).length, 12);
  const json = JSON.parse((await download(page, 'Export JSON')).text);
  assert.deepEqual(
    json.events.map((event) => event.EventRecordID).sort((a, b) => a - b),
    BURST_RECORD_IDS,
  );
  const addresses = new Set(json.events.map((event) => event.RemoteAddress));
  assert.deepEqual(addresses, new Set(['192.168.50.7']));
  assert.deepEqual(problems, []);
  await context.close();
});
