// Privacy, offline use and crash containment, checked in the real browser:
// - no request ever leaves the page's origin, and none at all is made after ready;
// - a second visit works with the network off, from the service worker's cache;
// - a worker that panics costs only the chunks it held, and the next files still parse;
// - workers replaced after a set amount of reading (to free their garbage) change no result;
// - workers that cannot start (scripts gone, another release) fail the drop with a reason.
// scripts/test writes the fixtures with mkevtx into test-output/fixtures/ before this runs.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  addFiles,
  CORPUS_DIR,
  download,
  fileTotals,
  FIXTURE_DIR,
  foreignRequests,
  launchBrowser,
  openApp,
  OUTPUT_DIR,
  screenshot,
  startServer,
  waitForFiles,
} from './harness.mjs';

const KNOWN = path.join(FIXTURE_DIR, 'known.evtx');
const MIXED = path.join(FIXTURE_DIR, 'mixed.evtx');
const CORPUS_FILE = path.join(CORPUS_DIR, 'Velocidex_evtx', 'Security.evtx');
const missing = [KNOWN, MIXED].filter((file) => !existsSync(file));
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

test('no request after ready, none to other origins', { skip }, async () => {
  const { context, page, requests, problems } = await openApp(browser, server.url);
  assert.deepEqual(foreignRequests(requests, server.url), []);
  const beforeReady = requests.length;
  assert.ok(beforeReady > 0, 'loading the app should have made requests');

  const files = [KNOWN, MIXED];
  if (existsSync(CORPUS_FILE)) {
    files.push(CORPUS_FILE);
  } else {
    console.log(`corpus not found at ${CORPUS_DIR}: analysing generated files only`);
  }
  await addFiles(page, files);
  const statuses = await waitForFiles(page, files.map((file) => path.basename(file)));
  for (const [name, status] of statuses) {
    assert.equal(status, 'done', `${name} should parse`);
  }
  await download(page, 'Export CSV');
  await download(page, 'Export JSON');

  const afterReady = requests.slice(beforeReady);
  assert.deepEqual(afterReady, [], 'analysing and exporting must not make any request');
  assert.deepEqual(foreignRequests(requests, server.url), []);
  assert.deepEqual(problems, []);
  const stored = await page.evaluate(async () => ({
    local: localStorage.length,
    session: sessionStorage.length,
    cookies: document.cookie,
    databases: (await indexedDB.databases()).length,
  }));
  assert.deepEqual(stored, { local: 0, session: 0, cookies: '', databases: 0 });
  await context.close();
});

test('second visit works offline', { skip }, async () => {
  const { context, page } = await openApp(browser, server.url);
  await page.waitForSelector('[data-testid="offline-badge"]:has-text("Works offline")');

  await context.setOffline(true);
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  await addFiles(page, [KNOWN]);
  const statuses = await waitForFiles(page, ['known.evtx']);
  assert.equal(statuses.get('known.evtx'), 'done');
  const count = (await page.getByTestId('row-count').textContent()).trim();
  assert.equal(count, '3 of 3 rows');
  await screenshot(page, 'offline-second-visit');
  await context.close();
});

test('a worker crash costs only the chunks it held', { skip }, async () => {
  await mkdir(OUTPUT_DIR, { recursive: true });
  // A copy of mixed.evtx (21 chunks); ?panic-test crashes the worker of its first batch.
  const panicking = path.join(OUTPUT_DIR, 'panic-on-purpose.evtx');
  await copyFile(MIXED, panicking);
  const { context, page, problems } = await openApp(browser, `${server.url}?panic-test`);

  await addFiles(page, [panicking, KNOWN]);
  const statuses = await waitForFiles(page, ['panic-on-purpose.evtx', 'known.evtx']);
  assert.equal(statuses.get('panic-on-purpose.evtx'), 'done');
  assert.equal(statuses.get('known.evtx'), 'done');
  const row = page.locator('[data-testid="file-row"][data-file-name="panic-on-purpose.evtx"]');
  const message = new RegExp(
    String.raw`chunks 0 to (\d+) \((\d+) chunks\) were not read: ` +
      String.raw`a worker stopped on an internal error \([\s\S]*panic requested`,
  );
  const found = message.exec(await row.textContent());
  assert.ok(found, `the file row names the lost chunks: ${await row.textContent()}`);
  const lost = Number(found[2]);
  assert.equal(Number(found[1]), lost - 1);
  const totals = (await fileTotals(page)).get('panic-on-purpose.evtx');
  assert.equal(totals?.['Chunks read'], `${21 - lost} of 21`);
  assert.ok(totals?.['4983'] > 0, 'the chunks after the lost batch are read');
  const json = JSON.parse((await download(page, 'Export JSON')).text);
  const file = json.files.find((entry) => entry.name === 'panic-on-purpose.evtx');
  assert.equal(file.lost.length, 1);
  assert.equal(file.chunks_read, 21 - lost);
  assert.match(file.sha256, /^[0-9a-f]{64}$/);

  // The replaced worker takes new files.
  await addFiles(page, [MIXED]);
  const later = await waitForFiles(page, ['mixed.evtx']);
  assert.equal(later.get('mixed.evtx'), 'done');
  const mixed = (await fileTotals(page)).get('mixed.evtx');
  assert.equal(mixed?.['Chunks read'], '21 of 21');
  assert.ok(mixed['4983'] > totals['4983']);
  await screenshot(page, 'worker-panic');
  assert.deepEqual(
    problems.filter((problem) => !problem.includes('panic')),
    [],
    'only the forced panic may be reported',
  );
  await context.close();
});

test('hostile values render as inert text', async (t) => {
  const hostile = path.join(FIXTURE_DIR, 'hostile.evtx');
  if (!existsSync(hostile)) {
    t.skip(`fixture missing (run scripts/test): ${hostile}`);
    return;
  }
  const { context, page, problems } = await openApp(browser, server.url);
  const dialogs = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });

  await addFiles(page, [hostile]);
  const statuses = await waitForFiles(page, ['hostile.evtx']);
  assert.equal(statuses.get('hostile.evtx'), 'done');
  const table = page.getByTestId('events-table');
  assert.equal(await page.locator('main img').count(), 0, 'a value became an <img> element');
  assert.equal(await page.locator('main script').count(), 0, 'a value became a <script>');
  const imageCell = table.locator('td', { hasText: '<img src=x onerror=alert(1)>' });
  assert.equal(await imageCell.count(), 1);

  // The 10,000-character FailureReason is cut in its cell and whole in the title.
  const long = await table.locator('td').evaluateAll((cells) =>
    cells
      .map((cell) => ({ shown: cell.textContent, full: cell.title }))
      .find((cell) => cell.full.length > 5_000),
  );
  assert.equal([...long.full].length, 10_000);
  assert.ok([...long.shown].length <= 121, `cell shows ${[...long.shown].length} characters`);
  assert.ok(long.shown.endsWith('…'));

  const csv = await download(page, 'Export CSV');
  assert.ok(csv.text.includes("'=cmd|' /C calc'!A0"), 'CSV must defuse the formula');
  const json = JSON.parse((await download(page, 'Export JSON')).text);
  assert.equal(json.events[0].LocalEMPrincipalName, "=cmd|' /C calc'!A0");
  assert.equal(json.events[0].LocalEMCertHash, '<img src=x onerror=alert(1)>');
  await screenshot(page, 'hostile-values');
  assert.deepEqual(dialogs, []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a browser that cannot compile the app is told why', async () => {
  const context = await browser.newContext();
  // Invalid module bytes fail the way a browser without WebAssembly SIMD fails: at compile.
  await context.route('**/ipsec-lens_bg.wasm', (route) =>
    route.fulfill({ status: 200, contentType: 'application/wasm', body: 'not a module' }),
  );
  const page = await context.newPage();
  await page.goto(server.url);
  const message = page.locator('p.load-error[role=alert]');
  await message.waitFor({ timeout: 30_000 });
  const text = await message.textContent();
  assert.match(text, /could not start in this browser: it needs WebAssembly with SIMD/);
  assert.match(text, /CompileError/);
  await context.close();
});

test('recycled workers keep the results', { skip }, async () => {
  const files = [KNOWN, MIXED];
  const names = files.map((file) => path.basename(file));
  const analyse = async (query) => {
    const { context, page, requests, problems } = await openApp(browser, `${server.url}${query}`);
    let workers = 0;
    page.on('worker', () => {
      workers += 1;
    });
    const beforeReady = requests.length;
    await addFiles(page, files);
    const statuses = await waitForFiles(page, names);
    const hashes = new Map();
    for (const name of names) {
      const hash = page.locator(`[data-file-name="${name}"] [data-testid="file-sha256"]`);
      hashes.set(name, await hash.textContent());
    }
    const result = {
      statuses,
      totals: await fileTotals(page),
      rows: (await page.getByTestId('row-count').textContent()).trim(),
      hashes,
      workers,
      live: page.workers().length,
      afterReady: requests.slice(beforeReady),
      problems,
    };
    await context.close();
    return result;
  };

  const plain = await analyse('');
  // 128 KiB is two chunks: every scan request and every hash part then gets a new worker.
  const recycled = await analyse('?recycle-kib=128');

  for (const name of names) {
    assert.equal(recycled.statuses.get(name), 'done', `${name} should parse`);
    const expected = createHash('sha256').update(await readFile(path.join(FIXTURE_DIR, name)));
    assert.equal(recycled.hashes.get(name), `SHA-256 ${expected.digest('hex')}`);
  }
  assert.deepEqual(recycled.totals, plain.totals);
  assert.equal(recycled.rows, plain.rows);
  assert.deepEqual(recycled.hashes, plain.hashes);
  assert.equal(plain.workers, 0, 'no worker is replaced on small files by default');
  // The scan workers end once the scans are done, and the hash worker is left.
  assert.equal(plain.live, 1);
  assert.ok(recycled.workers >= 8, `workers were replaced (${recycled.workers} started)`);
  // A new worker loads its two scripts from the page's origin, and nothing else.
  const loaded = new Set(recycled.afterReady.map((url) => new URL(url).pathname));
  assert.deepEqual([...loaded].sort(), ['/worker.js', '/worker_loader.js']);
  assert.deepEqual(foreignRequests(recycled.afterReady, server.url), []);
  assert.deepEqual(recycled.problems, []);
});

/**
 * Analyses known.evtx, which ends the used scan workers, then serves `worker.js` or
 * `worker_loader.js` through `fulfill` and drops mixed.evtx, which needs new workers.
 * Returns the new file's row text, its status, how often the script was requested and the
 * page's problems.
 */
async function dropWithBrokenWorkers(script, fulfill) {
  // With one scan worker, which reads all of known.evtx, no unused worker is left.
  const { context, page, problems } = await openApp(browser, `${server.url}?workers=1`);
  await addFiles(page, [KNOWN]);
  await waitForFiles(page, ['known.evtx']);
  let requested = 0;
  await context.route(`**/${script}`, (route) => {
    requested += 1;
    return route.fulfill(fulfill);
  });

  await addFiles(page, [MIXED]);
  const statuses = await waitForFiles(page, ['mixed.evtx']);
  const row = page.locator('[data-testid="file-row"][data-file-name="mixed.evtx"]');
  const result = {
    status: statuses.get('mixed.evtx'),
    text: await row.textContent(),
    requested,
    problems,
  };
  await context.close();
  return result;
}

const START_FAILURE = /3 workers in a row failed to start[\s\S]*reload the page/;

test('missing worker scripts fail the drop', { skip }, async () => {
  const result = await dropWithBrokenWorkers('worker_loader.js', { status: 404, body: '' });

  assert.equal(result.status, 'error');
  assert.match(result.text, START_FAILURE);
  // Workers are not started again and again.
  assert.ok(result.requested <= 4, `worker_loader.js requested ${result.requested} times`);
  assert.ok(result.problems.length > 0, 'the 404s and the reason reach the console');
});

test('worker scripts of another release fail the drop', { skip }, async () => {
  // A worker.js whose module does not fit, as after a deploy while the page is open.
  const body = "self.wasm_bindgen = () => Promise.reject(new Error('import mismatch'));";
  const fulfill = { status: 200, contentType: 'text/javascript', body };
  const result = await dropWithBrokenWorkers('worker.js', fulfill);

  assert.equal(result.status, 'error');
  assert.match(result.text, START_FAILURE);
  assert.match(result.text, /import mismatch/);
  assert.ok(result.requested <= 4, `worker.js requested ${result.requested} times`);
});
