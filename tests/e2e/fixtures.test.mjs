// Generated EVTX files through the whole app: file input, workers, the 4983 table, the
// search filter and both exports. scripts/test writes the files with mkevtx into
// test-output/fixtures/ before this runs.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  addFiles,
  count4983WithEvtxDump,
  download,
  fileTotals,
  FIXTURE_DIR,
  foreignRequests,
  OUTPUT_DIR,
  launchBrowser,
  openApp,
  screenshot,
  settledRowCount,
  startServer,
  tableRows,
  waitForFiles,
} from './harness.mjs';

const KNOWN = path.join(FIXTURE_DIR, 'known.evtx');
const MIXED = path.join(FIXTURE_DIR, 'mixed.evtx');
const DOMINANT = path.join(FIXTURE_DIR, 'dominant.evtx');
const missing = [KNOWN, MIXED, DOMINANT].filter((file) => !existsSync(file));
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

test('known fixture shows three 4983 rows', { skip }, async () => {
  const { context, page, requests, problems } = await openApp(browser, server.url);

  await addFiles(page, [KNOWN]);
  const statuses = await waitForFiles(page, ['known.evtx']);

  assert.equal(statuses.get('known.evtx'), 'done');
  const status = page.locator('[data-file-name="known.evtx"] [data-testid="file-status"]');
  assert.equal(await status.textContent(), 'done');
  const totals = (await fileTotals(page)).get('known.evtx');
  assert.equal(totals?.Records, 7);
  assert.equal(totals?.['4983'], 3);
  assert.equal(totals?.['Other IPsec'], 3);
  assert.equal(totals?.['Other events'], 1);
  const all = { shown: 3, total: 3 };
  assert.deepEqual(await settledRowCount(page, all), all);
  assert.equal(await tableRows(page), 3);
  await screenshot(page, 'known-fixture');
  assert.deepEqual(problems, []);
  assert.deepEqual(foreignRequests(requests, server.url), []);
  await context.close();
});

test('known fixture exports every digit of QMFilterID', { skip }, async () => {
  const { context, page } = await openApp(browser, server.url);
  await addFiles(page, [KNOWN]);
  await waitForFiles(page, ['known.evtx']);

  const json = await download(page, 'Export JSON');

  assert.equal(json.name, 'ipsec-4983.json');
  assert.equal(JSON.parse(json.text).events.length, 3);
  // JSON.parse would round these to the nearest double, so the raw text is checked.
  assert.match(json.text, /"QMFilterID":18446744073709551615[,}]/);
  assert.match(json.text, /"QMFilterID":9007199254740993[,}]/);
  await context.close();
});

test('search filter narrows the table and the CSV export', { skip }, async () => {
  const { context, page } = await openApp(browser, server.url);
  await addFiles(page, [KNOWN]);
  await waitForFiles(page, ['known.evtx']);

  await page.getByTestId('filter-text').fill('alice');
  const count = await settledRowCount(page, { shown: 1, total: 3 });
  const csv = await download(page, 'Export CSV');

  assert.deepEqual(count, { shown: 1, total: 3 });
  assert.equal(await tableRows(page), 1);
  assert.equal(csv.name, 'ipsec-4983.csv');
  const lines = csv.text.split('\r\n');
  assert.equal(lines.length, 3, 'a header, one row and the empty string after the last CRLF');
  assert.match(lines[0], /^file,EventRecordID,TimeCreated,Computer,LocalEMPrincipalName,/);
  const row = ['known.evtx', '1', '2024-05-01T12:34:56.1234567Z', 'WS-0142.corp.contoso.com'];
  assert.ok(lines[1].startsWith(`${row.join(',')},CONTOSO\\alice,`), `row: ${lines[1]}`);
  assert.equal(lines[2], '');
  await context.close();
});

test('generated traffic matches evtx_dump 4983 count', { skip }, async () => {
  const expected = count4983WithEvtxDump(MIXED) + count4983WithEvtxDump(DOMINANT);
  const { context, page, requests, problems } = await openApp(browser, server.url);

  await addFiles(page, [MIXED, DOMINANT]);
  const statuses = await waitForFiles(page, ['mixed.evtx', 'dominant.evtx']);

  assert.equal(statuses.get('mixed.evtx'), 'done');
  assert.equal(statuses.get('dominant.evtx'), 'done');
  assert.ok(expected > 0, 'the generated files hold no 4983 record');
  const all = { shown: expected, total: expected };
  assert.deepEqual(await settledRowCount(page, all), all);
  await screenshot(page, 'generated-traffic');
  assert.deepEqual(problems, []);
  assert.deepEqual(foreignRequests(requests, server.url), []);
  await context.close();
});

test('cut, header-only and copied logs', { skip }, async () => {
  const HEADER = 4096;
  const CHUNK = 65536;
  const mixed = await readFile(MIXED);
  const promised = mixed.readUInt16LE(42);
  assert.ok(promised > 1, `mixed.evtx has ${promised} chunk(s); the test needs two or more`);
  const cut = path.join(OUTPUT_DIR, 'cut.evtx');
  const headerOnly = path.join(OUTPUT_DIR, 'header-only.evtx');
  await writeFile(cut, mixed.subarray(0, HEADER + CHUNK));
  const header = mixed.subarray(0, HEADER);
  await writeFile(headerOnly, header);
  const copy = path.join(OUTPUT_DIR, 'header-copy.evtx');
  await writeFile(copy, header);
  const { context, page, problems } = await openApp(browser, server.url);

  await addFiles(page, [cut, headerOnly, copy]);
  const statuses = await waitForFiles(page, ['cut.evtx', 'header-only.evtx', 'header-copy.evtx']);

  assert.equal(statuses.get('cut.evtx'), 'done');
  assert.equal(statuses.get('header-only.evtx'), 'done');
  const totals = await fileTotals(page);
  assert.equal(totals.get('cut.evtx')?.['Chunks read'], `1 of 1; header says ${promised}`);
  // The row's note counts the header's problem, as the Problems column does.
  assert.equal(totals.get('cut.evtx')?.Problems, 1);
  const note = page.locator('[data-file-name="cut.evtx"] .file-note');
  assert.equal(await note.textContent(), '1 problem; see Files below');
  // A file done with problems does not look like a clean one.
  const statusOf = (name) =>
    page.locator(`[data-file-name="${name}"] [data-testid="file-status"]`);
  assert.equal(await statusOf('cut.evtx').textContent(), 'done, with problems');
  assert.equal(await statusOf('header-only.evtx').textContent(), 'done, with problems');
  const errors = (name) => page.locator(`[data-file-name="${name}"] .file-errors`).textContent();
  const shortBy = new RegExp(
    `header counts ${promised} chunks of 64 KiB but the file has room for 1, so either the ` +
      "file is cut short or the header's chunk count is wrong",
  );
  assert.match(await errors('cut.evtx'), shortBy);
  assert.match(await errors('header-only.evtx'), /room for 0, so either the file is cut short/);
  const expected = createHash('sha256').update(header).digest('hex');
  const hash = page.locator('[data-file-name="header-only.evtx"] [data-testid="file-sha256"]');
  assert.equal(await hash.textContent(), `SHA-256 ${expected}`);
  const twin = (name) => page.locator(`[data-file-name="${name}"] [data-testid="file-twin"]`);
  assert.equal(await twin('header-only.evtx').count(), 0);
  assert.equal(
    await twin('header-copy.evtx').textContent(),
    'Same content as header-only.evtx; its IPsec records are counted once.',
  );
  assert.equal(await page.locator('[data-file-name="cut.evtx"]').getAttribute('data-hash'), 'done');
  // The Integrity panel counts the header problems that the file rows show.
  assert.equal(
    (await page.getByTestId('integrity-summary').textContent()).trim(),
    'Integrity facts of 3 files, 3 with problems',
  );
  assert.deepEqual(problems, []);
  await context.close();
});

test('many files fold their lists', { skip }, async () => {
  // Twelve copies of a log of two computers make 22 overlaps, and 13 files are more than
  // the 10 entries a list shows unfolded.
  const directory = path.join(OUTPUT_DIR, 'many-files');
  await mkdir(directory, { recursive: true });
  const copies = [];
  for (let index = 1; index <= 12; index += 1) {
    const copy = path.join(directory, `host${String(index).padStart(2, '0')}.evtx`);
    await copyFile(KNOWN, copy);
    copies.push(copy);
  }
  const notes = path.join(directory, 'notes.evtx');
  await writeFile(notes, 'These are notes, not an event log.\n'.repeat(200));
  const { context, page, problems } = await openApp(browser, server.url);

  await addFiles(page, [...copies, notes]);
  const names = [...copies, notes].map((file) => path.basename(file));
  await waitForFiles(page, names);
  const all = { shown: 3, total: 3 };
  assert.deepEqual(await settledRowCount(page, all), all);

  const fileList = page.getByTestId('file-list');
  assert.equal(await fileList.evaluate((details) => details.open), false);
  assert.equal(
    (await page.getByTestId('file-list-summary').textContent()).trim(),
    '13 files: 12 done, 1 failed',
  );
  const row = (name) => page.locator(`[data-testid="file-row"][data-file-name="${name}"]`);
  assert.equal(await row('notes.evtx').isVisible(), true, 'the failed file stays in view');
  assert.equal(await row('host01.evtx').isVisible(), false);
  assert.equal(await page.getByTestId('file-totals').isVisible(), false);
  const totals = await fileTotals(page);
  assert.equal(totals.size, 13);
  const duplicates = page.getByTestId('duplicates');
  assert.equal(await duplicates.locator('li').count(), 22);
  assert.equal(await duplicates.locator('li').first().isVisible(), false);
  assert.match(
    await duplicates.locator('summary').textContent(),
    /^22 overlaps between files, \d+ repeated records left out$/,
  );
  assert.equal(await page.getByTestId('events-table').isVisible(), true);
  assert.equal(
    (await page.getByTestId('integrity-summary').textContent()).trim(),
    'Integrity facts of 13 files, 1 with problems',
  );
  assert.equal(await page.getByTestId('integrity').isVisible(), false);

  await page.getByTestId('file-list-summary').click();
  assert.equal(await row('host01.evtx').isVisible(), true);
  assert.deepEqual(problems, []);
  await context.close();
});
