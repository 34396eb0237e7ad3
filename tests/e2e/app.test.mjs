// The release build in dist/ loads, starts its workers and requests nothing from other
// origins.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { foreignRequests, launchBrowser, openApp, screenshot, startServer } from './harness.mjs';

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
