// Shared set-up for the end-to-end tests: a static server for dist/, headless Chromium
// through playwright-core, a log of every request, and helpers for the app's test hooks.
//
// Environment:
//   E2E_BASE_URL   URL where dist/ is already served (scripts/test sets it); without it
//                  each test file starts `python3 -m http.server` on a free port itself
//   CHROMIUM_BIN   browser executable (default /usr/bin/chromium)
//   EVTX_CORPUS    real-log corpus directory (default: CORPUS_DIR below)

import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST_DIR = path.join(ROOT, 'dist');
export const OUTPUT_DIR = path.join(ROOT, 'test-output');
export const FIXTURE_DIR = path.join(OUTPUT_DIR, 'fixtures');
export const CORPUS_DIR = process.env.EVTX_CORPUS ?? path.join(ROOT, '../shared/evtx-corpus');

// Generous, so a slow CI machine can parse the few MB of each test's files in time.
export const PARSE_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 30_000;
const SERVER_START_TIMEOUT_MS = 5_000;

// Without the background flags Chromium contacts Google services at start-up, and those
// requests would show up as traffic to foreign origins.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function waitForHttp(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // The server is not listening yet.
    }
    if (Date.now() > deadline) {
      throw new Error(`static server at ${url} did not answer within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Returns `{ url, stop }` for dist/ on 127.0.0.1: the server from E2E_BASE_URL, or a new
 * `python3 -m http.server` (which serves .wasm as application/wasm) that `stop` ends.
 */
export async function startServer() {
  if (process.env.E2E_BASE_URL) {
    return { url: process.env.E2E_BASE_URL, stop: async () => {} };
  }
  const port = await freePort();
  const server = spawn(
    'python3',
    ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', DIST_DIR],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}/`;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  await waitForHttp(url, SERVER_START_TIMEOUT_MS);
  const stop = async () => {
    server.kill('SIGTERM');
    await exited;
  };
  return { url, stop };
}

/** Launches headless Chromium; playwright gives each launch a fresh temporary profile. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * Opens the app in a new browser context and waits until it accepts files.
 * Returns `{ context, page, requests, problems }`. `requests` lists the URL of every
 * request that the page, its workers and its service worker made, and `problems` collects
 * uncaught page errors, console errors and deprecation warnings, failed requests and HTTP
 * error responses.
 */
export async function openApp(browser, baseUrl) {
  const context = await browser.newContext({ acceptDownloads: true });
  const requests = [];
  const problems = [];
  context.on('request', (request) => requests.push(request.url()));
  context.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  context.on('requestfailed', (request) => {
    problems.push(`request failed: ${request.url()}: ${request.failure()?.errorText}`);
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    // Deprecation warnings (from the page or a worker) turn into errors in a later release.
    if (message.type() === 'warning' && /deprecated/i.test(message.text())) {
      problems.push(`console warning: ${message.text()}`);
    }
  });

  await page.goto(baseUrl);
  await page.waitForSelector('body[data-ready="true"]', { timeout: READY_TIMEOUT_MS });
  return { context, page, requests, problems };
}

/** Returns the requested URLs whose origin differs from `baseUrl`'s (data: and blob: excluded). */
export function foreignRequests(requests, baseUrl) {
  const origin = new URL(baseUrl).origin;
  return requests.filter((url) => {
    const parsed = new URL(url);
    if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') return false;
    return parsed.origin !== origin;
  });
}

/** Hands files to the page's only file input, as a user picking them in the dialog would. */
export async function addFiles(page, filePaths) {
  await page.setInputFiles('input[type=file]', filePaths);
}

function fileRowSelector(name) {
  const quoted = name.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
  return `[data-testid="file-row"][data-file-name="${quoted}"]`;
}

/**
 * Waits until the row of every named file has left the `parsing` state and its SHA-256 is
 * no longer being computed, and returns a map from file name to its final `data-status`
 * (`done` or `error`). A file is done before its hash, which tests read too.
 */
export async function waitForFiles(page, names, timeoutMs = PARSE_TIMEOUT_MS) {
  const statuses = new Map();
  for (const name of names) {
    const row = fileRowSelector(name);
    const finished = `${row}:is([data-status="done"], [data-status="error"])` +
      ':not([data-hash="queued"], [data-hash="computing"])';
    await page.waitForSelector(finished, { state: 'attached', timeout: timeoutMs });
    statuses.set(name, await page.locator(row).getAttribute('data-status'));
  }
  return statuses;
}

/** Returns the `N of M rows` counter as `{ shown, total }`. */
export async function rowCount(page) {
  const text = (await page.getByTestId('row-count').textContent()).trim();
  const match = /^([\d,]+) of ([\d,]+) rows?$/.exec(text);
  if (!match) throw new Error(`row-count reads "${text}", expected "N of M rows"`);
  const number = (digits) => Number(digits.replaceAll(',', ''));
  return { shown: number(match[1]), total: number(match[2]) };
}

/**
 * Waits up to `timeoutMs` for the counter to read `expected` (the table may update a frame
 * after the file rows do), then returns what it reads, so a test can assert on the result.
 */
export async function settledRowCount(page, expected, timeoutMs = 5_000) {
  const text = `${expected.shown} of ${expected.total} rows`;
  try {
    await page.waitForFunction(
      (wanted) => {
        const counter = document.querySelector('[data-testid="row-count"]');
        return counter?.textContent.trim() === wanted;
      },
      text,
      { timeout: timeoutMs },
    );
  } catch {
    // The caller's assertion reports the counter as it is.
  }
  return rowCount(page);
}

/** Returns the number of event rows rendered in the 4983 table (spacer rows excluded). */
export async function tableRows(page) {
  return page.getByTestId('events-table').locator('tbody tr:not([aria-hidden="true"])').count();
}

/** Clicks the named button and returns `{ name, text }` of the file it downloads. */
export async function download(page, buttonName) {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: buttonName }).click(),
  ]);
  const filePath = await file.path();
  return { name: file.suggestedFilename(), text: await readFile(filePath, 'utf8') };
}

/** Saves a full-page screenshot as test-output/NAME.png and returns its path. */
export async function screenshot(page, name) {
  await mkdir(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Counts the records of Security event 4983 in an .evtx file with evtx_dump (evtx 0.15.1),
 * a reader independent of the app's code. scripts/setup installs it into cargo's bin
 * directory, which scripts/env.sh puts first on PATH.
 */
export function count4983WithEvtxDump(file) {
  const result = spawnSync('evtx_dump', ['-o', 'jsonl', '-t', '1', file], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) {
    throw new Error(`evtx_dump failed on ${file} (status ${result.status}): ${result.stderr}`);
  }
  let count = 0;
  for (const line of result.stdout.split('\n')) {
    if (!line) continue;
    const system = JSON.parse(line).Event?.System;
    const eventId = system?.EventID?.['#text'] ?? system?.EventID;
    const provider = system?.Provider?.['#attributes']?.Name;
    if (eventId === 4983 && provider === 'Microsoft-Windows-Security-Auditing') count += 1;
  }
  return count;
}

/**
 * Reads the per-file totals table into a map from file name to an object keyed by the
 * column headings, with numbers where a cell is a whole number ("Records", "4983", ...).
 */
export async function fileTotals(page) {
  const table = page.getByTestId('file-totals');
  const headings = await table.locator('thead th').allTextContents();
  const rows = await table
    .locator('tbody tr')
    .evaluateAll((elements) =>
      elements.map((row) => [...row.cells].map((cell) => cell.textContent.trim())),
    );
  const totals = new Map();
  for (const cells of rows) {
    const entry = {};
    headings.forEach((heading, index) => {
      const text = cells[index] ?? '';
      entry[heading.trim()] = /^[\d,]+$/.test(text) ? Number(text.replaceAll(',', '')) : text;
    });
    totals.set(cells[0], entry);
  }
  return totals;
}

/** Splits one CSV line into fields, honouring double quotes and `""` escapes (RFC 4180). */
function splitCsvLine(line) {
  const fields = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index];
    if (char === '"' && quoted && line[index + 1] === '"') {
      field += '"';
      index += 1;
    } else if (char === '"') {
      quoted = !quoted;
    } else if (char === ',' && !quoted) {
      fields.push(field);
      field = '';
    } else {
      field += char;
    }
  }
  fields.push(field);
  return fields;
}

/** Reads the corpus MANIFEST.csv into a map from `file` (relative path) to its row. */
export async function readCorpusManifest() {
  const text = await readFile(path.join(CORPUS_DIR, 'MANIFEST.csv'), 'utf8');
  const [header, ...lines] = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const columns = splitCsvLine(header);
  const manifest = new Map();
  for (const line of lines) {
    const fields = splitCsvLine(line);
    const row = Object.fromEntries(columns.map((column, index) => [column, fields[index]]));
    manifest.set(row.file, row);
  }
  return manifest;
}
