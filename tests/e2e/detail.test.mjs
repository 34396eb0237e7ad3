// The detail panel in the real browser: the XML view reads the row's chunk again through a
// worker and shows the record as text, and the related-events window changes the list.
// scripts/test writes the fixtures with mkevtx into test-output/fixtures/ before this runs.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  addFiles,
  FIXTURE_DIR,
  launchBrowser,
  openApp,
  screenshot,
  settledRowCount,
  startServer,
  waitForFiles,
} from './harness.mjs';

// One 4983 (record 7) with 4653/4654 events of its peer pair at known distances; the
// counts per window are RELATED_COUNTS in src/fixture/related.rs.
const RELATED = path.join(FIXTURE_DIR, 'related.evtx');
const HOSTILE = path.join(FIXTURE_DIR, 'hostile.evtx');
const KNOWN = path.join(FIXTURE_DIR, 'known.evtx');
const missing = [RELATED, HOSTILE, KNOWN].filter((file) => !existsSync(file));
const skip = missing.length > 0 && `fixtures missing (run scripts/test): ${missing.join(', ')}`;

const XML_TIMEOUT_MS = 15_000;

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

const FILE_HEADER_SIZE = 4096;
const CHUNK_HEADER_SIZE = 512;

/** Drops the fixtures and opens the detail panel of the first table row. */
async function openFirstRow(page, files) {
  const names = files.map((file) => path.basename(file));
  await addFiles(page, files);
  const statuses = await waitForFiles(page, names);
  for (const name of names) assert.equal(statuses.get(name), 'done', name);
  await clickRow(page, 0);
  await page.getByTestId('event-message').waitFor();
}

async function clickRow(page, index) {
  await page
    .getByTestId('events-table')
    .locator('tbody tr:not([aria-hidden="true"])')
    .nth(index)
    .click();
}

/** Returns the offset of record `index` (from 0) of the first chunk, from the chunk's start. */
function recordOffset(bytes, index) {
  let offset = CHUNK_HEADER_SIZE;
  for (let record = 0; record < index; record += 1) {
    offset += bytes.readUInt32LE(FILE_HEADER_SIZE + offset + 4);
  }
  return offset;
}

/** Opens the XML view and returns the text of its `<pre>`, once the worker's reply is shown. */
async function openXml(page) {
  await page.getByTestId('show-xml').click();
  const xml = page.getByTestId('event-xml');
  await xml.waitFor({ timeout: XML_TIMEOUT_MS });
  return xml;
}

/**
 * Chooses a related-events window, waits up to 5 s for the list to hold `expected` events
 * (the view may update a frame later), then returns how many it lists.
 */
async function relatedCountFor(page, minutes, expected) {
  await page.getByTestId('related-window').selectOption(String(minutes));
  const selector = '[data-testid="related-events"] > li';
  try {
    await page.waitForFunction(
      ([items, count]) => document.querySelectorAll(items).length === count,
      [selector, expected],
      { timeout: 5_000 },
    );
  } catch {
    // The caller's assertion reports the count as it is.
  }
  return page.locator(selector).count();
}

test('XML view shows the record and the window changes related events', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: new URL(server.url).origin,
  });
  await openFirstRow(page, [RELATED]);
  assert.deepEqual(await settledRowCount(page, { shown: 1, total: 1 }), { shown: 1, total: 1 });
  const message = await page.getByTestId('event-message').textContent();
  assert.match(message, /An IPsec extended mode negotiation failed\./);
  assert.equal(await page.getByTestId('related-window').inputValue(), '5');
  assert.equal(await page.getByTestId('related-events').locator(':scope > li').count(), 3);
  await screenshot(page, 'detail-message');

  const xml = await openXml(page);
  const text = await xml.textContent();
  assert.ok(text.includes('<EventID>4983</EventID>'), text);
  assert.ok(text.includes('<EventRecordID>7</EventRecordID>'), text);
  assert.ok(
    text.includes(
      '<Data Name="FailureReason">IKE authentication credentials are unacceptable</Data>',
    ),
    text,
  );
  assert.ok(text.includes('<Data Name="LocalAddress">10.20.1.42</Data>'), text);
  assert.equal(await xml.evaluate((element) => element.children.length), 0);
  assert.equal(await page.getByTestId('xml-caveats').count(), 0);
  await screenshot(page, 'detail-xml');

  await page.getByRole('button', { name: 'Copy XML' }).click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="xml-copy-status"]')?.textContent !== '',
  );
  assert.equal(await page.getByTestId('xml-copy-status').textContent(), 'Copied.');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text);

  assert.equal(await relatedCountFor(page, 1, 2), 2);
  assert.equal(await relatedCountFor(page, 15, 5), 5);
  assert.equal(await relatedCountFor(page, 60, 7), 7);
  assert.equal(await relatedCountFor(page, 5, 3), 3);

  await page.getByTestId('show-message').click();
  assert.equal(await page.getByTestId('event-message').textContent(), message);
  assert.deepEqual(problems, []);
  await context.close();
});

test('XML view shows hostile values as text', { skip }, async () => {
  const { context, page, problems } = await openApp(browser, server.url);
  await openFirstRow(page, [HOSTILE]);

  const xml = await openXml(page);
  const text = await xml.textContent();

  assert.ok(text.includes('<EventRecordID>1</EventRecordID>'), text);
  assert.ok(
    text.includes('<Data Name="LocalEMCertHash">&lt;img src=x onerror=alert(1)&gt;</Data>'),
    text,
  );
  assert.equal(await xml.evaluate((element) => element.children.length), 0);
  assert.equal(await page.locator('.detail-panel img').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('XML view of damaged chunks names the damage', { skip }, async () => {
  const bytes = await readFile(RELATED);
  // Inverting the records CRC32 also breaks the header CRC32, which covers that field.
  const badCrc = Buffer.from(bytes);
  const crcAt = FILE_HEADER_SIZE + 52;
  badCrc.writeUInt32LE(~badCrc.readUInt32LE(crcAt) >>> 0, crcAt);
  const badCrcFile = path.join(FIXTURE_DIR, 'related-bad-crc.evtx');
  await writeFile(badCrcFile, badCrc);
  // Cut 100 bytes into record 8, right after the 4983 (record 7).
  const cutAt = recordOffset(bytes, 7) + 100;
  const cutFile = path.join(FIXTURE_DIR, 'related-cut.evtx');
  await writeFile(cutFile, bytes.subarray(0, FILE_HEADER_SIZE + cutAt));
  // Each copy in a page of its own: dropped together, the copies of record 7 would count
  // once, as records seen twice do.
  const cases = [
    [
      badCrcFile,
      "Read despite damage: the chunk header's CRC32 is invalid; the chunk's records CRC32 " +
        'is invalid.',
    ],
    [
      cutFile,
      `Read despite damage: the file ends ${cutAt} bytes into the chunk, so its CRC32s ` +
        'cannot be checked.',
    ],
  ];
  for (const [file, expected] of cases) {
    const { context, page, problems } = await openApp(browser, server.url);
    await openFirstRow(page, [file]);
    assert.deepEqual(await settledRowCount(page, { shown: 1, total: 1 }), { shown: 1, total: 1 });
    const text = await (await openXml(page)).textContent();
    const caveats = await page.getByTestId('xml-caveats').textContent();
    assert.ok(text.includes('<EventRecordID>7</EventRecordID>'), text);
    assert.equal(caveats, expected, path.basename(file));
    if (file === cutFile) {
      await screenshot(page, 'detail-xml-damaged');
    }
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test('XML view follows a row opened during another read', { skip }, async () => {
  // With one scan worker, which ends once the scans are done, both XML requests wait for a
  // new worker. The second goes to the front of the queue, so its reply comes first.
  const { context, page, problems } = await openApp(browser, `${server.url}?workers=1`);
  await openFirstRow(page, [KNOWN]);
  await page.evaluate(async () => {
    document.querySelector('[data-testid="show-xml"]').click();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const rows = '[data-testid="events-table"] tbody tr:not([aria-hidden="true"])';
    document.querySelectorAll(rows)[1].click();
  });

  const xml = page.getByTestId('event-xml');
  await xml.waitFor({ timeout: XML_TIMEOUT_MS });
  const heading = await page.getByTestId('detail-heading').textContent();
  const recordId = /record (\d+)/.exec(heading)?.[1];
  assert.ok(recordId, heading);
  assert.ok((await xml.textContent()).includes(`<EventRecordID>${recordId}</EventRecordID>`));
  assert.deepEqual(problems, []);
  await context.close();
});
