// The release build in dist/ loads, starts its workers and requests nothing from other
// origins; a file that is not a log fails with a reason and still gets its SHA-256.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  addFiles,
  foreignRequests,
  launchBrowser,
  openApp,
  OUTPUT_DIR,
  screenshot,
  startServer,
  waitForFiles,
} from './harness.mjs';

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

test('app loads and becomes ready', async () => {
  const { context, page, requests, problems } = await openApp(browser, server.url);

  await screenshot(page, 'app-ready');
  const input = page.locator('input[type=file]');
  assert.equal(await input.count(), 1);
  assert.equal(await input.evaluate((element) => element.multiple), true);
  assert.deepEqual(problems, []);
  assert.deepEqual(foreignRequests(requests, server.url), []);
  await context.close();
});

test('a file that is not a log fails and still gets its SHA-256', async () => {
  const text = 'These are notes, not an event log.\n'.repeat(200);
  await mkdir(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, 'notes.evtx');
  await writeFile(file, text);
  const expected = createHash('sha256').update(text).digest('hex');
  const { context, page, problems } = await openApp(browser, server.url);

  await addFiles(page, [file]);
  assert.equal((await waitForFiles(page, ['notes.evtx'])).get('notes.evtx'), 'error');
  const hash = page.locator('[data-file-name="notes.evtx"] [data-testid="file-sha256"]');
  await hash.filter({ hasText: /^SHA-256 [0-9a-f]{64}$/ }).waitFor();

  assert.equal(await hash.textContent(), `SHA-256 ${expected}`);
  const errors = await page.locator('[data-file-name="notes.evtx"] .file-errors').textContent();
  assert.match(errors, /signature/i);
  assert.deepEqual(problems, []);
  await context.close();
});
