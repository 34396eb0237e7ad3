// Times the app scanning one file in headless Chromium, as scripts/bench runs it.
//
// Usage: node bench/browser.mjs URL FILE [--table]
//   URL      the app page, with ?workers=N to force a worker count
//   FILE     the .evtx file handed to the page's file input
//   --table  once the file is done, also time the event table's filter and sort
//            (see bench/table.mjs) and add the figures as "table"
// Prints one JSON object. Its times are the seconds from setInputFiles until every file row
// has data-status=done (every chunk scanned and counted), until every file's chunks are
// scanned (progress at 100 %), until every SHA-256 is shown, which can come after "done",
// and until the row count first shows a non-zero total (first_rows_from_call_seconds).
// first_rows_seconds is the time from the input's change event, where a drop starts too, to
// the first frame after that row count. Its memory is the peak resident memory of
// Chromium's renderer processes, which contain the scan workers as threads. That is sampled
// every 100 ms from /proc, as VmRSS and as the renderers' own memory without the shared
// binary (see rendererMemoryKb), for all renderers and for the app's alone. It also gives
// the wasm memory of the page and of each worker at the end, which is their peak because
// wasm memory never shrinks, and the row-count text at the end. `threads` lists, busiest
// first, the seconds each thread name of all Chromium's processes spent running on a core
// and waiting for one (/proc/PID/task/TID/schedstat). Threads of one name are summed,
// except workers.
// CHROMIUM_BIN overrides /usr/bin/chromium.

import { chromium } from 'playwright-core';
import { readFileSync, readdirSync } from 'node:fs';
import { browserPidWith, descendants, hasWorkers } from './proc.mjs';
import { timeTableViews } from './table.mjs';

const [url, file, option] = process.argv.slice(2);
if (!url || !file || (option !== undefined && option !== '--table')) {
  console.error('usage: node bench/browser.mjs URL FILE [--table]');
  process.exit(2);
}

/**
 * Resident kilobytes summed over the renderer processes under `root`: `rss` is VmRSS, and
 * `own` counts only the pages no other process maps from a file (RssAnon + RssShmem). VmRSS
 * also counts the pages of Chromium's own binary, about 100 MB per renderer, which every
 * process shares and the file's size does not change. `appRss` and `appOwn` count only the
 * renderer of the app's page, the one whose threads include its workers. The others are the
 * blank page Playwright opens first (about 50 MB own) and the spare renderer Chromium keeps
 * for the next navigation (about 20 MB).
 */
function rendererMemoryKb(root) {
  const total = { rss: 0, own: 0, appRss: 0, appOwn: 0 };
  for (const pid of descendants(root)) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('--type=renderer')) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const field = (name) =>
        Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0);
      total.rss += field('VmRSS');
      total.own += field('RssAnon') + field('RssShmem');
      if (hasWorkers(pid)) {
        total.appRss += field('VmRSS');
        total.appOwn += field('RssAnon') + field('RssShmem');
      }
    } catch {
      // Gone already.
    }
  }
  return total;
}

/**
 * Running and run-queue nanoseconds of every thread of `root` and its descendants, keyed by
 * "pid/tid" and labelled with the thread's name (`comm`, cut to 15 characters by Linux).
 */
function threadTimes(root) {
  const times = new Map();
  for (const pid of [root, ...descendants(root)]) {
    let tids = [];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        const name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
        const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8')
          .split(' ')
          .map(Number);
        // Every worker thread is called DedicatedWorker, so the thread id distinguishes them.
        const label = name.startsWith('DedicatedWorker') ? `${name} ${tid}` : name;
        times.set(`${pid}/${tid}`, { name: label, run, wait });
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  }
  return times;
}

/** Seconds run and waited per thread name between two `threadTimes` samples. */
function threadSeconds(before, after) {
  const byName = new Map();
  for (const [key, end] of after) {
    const start = before.get(key) ?? { run: 0, wait: 0 };
    const sum = byName.get(end.name) ?? { thread: end.name, run_s: 0, runqueue_wait_s: 0 };
    sum.run_s += (end.run - start.run) / 1e9;
    sum.runqueue_wait_s += (end.wait - start.wait) / 1e9;
    byName.set(end.name, sum);
  }
  return [...byName.values()]
    .filter((sum) => sum.run_s >= 0.05)
    .sort((a, b) => b.run_s - a.run_s)
    .map((sum) => ({
      thread: sum.thread,
      run_s: Number(sum.run_s.toFixed(2)),
      runqueue_wait_s: Number(sum.runqueue_wait_s.toFixed(2)),
    }));
}

// Chromium ignores a switch it does not know; this one finds this run's browser process.
const tag = `--ipsec-lens-bench=${process.pid}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', tag,
  ],
});
const browserPid = browserPidWith(tag);
try {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('input[type=file]', { state: 'attached' });
  // Let the workers start before the clock does, as a user takes a moment to drop a file.
  await page.waitForTimeout(1500);
  const idle = rendererMemoryKb(browserPid);
  const peak = { ...idle };
  const samplePeak = () => {
    const now = rendererMemoryKb(browserPid);
    peak.rss = Math.max(peak.rss, now.rss);
    peak.own = Math.max(peak.own, now.own);
    peak.appRss = Math.max(peak.appRss, now.appRss);
    peak.appOwn = Math.max(peak.appOwn, now.appOwn);
  };
  const startTimes = threadTimes(browserPid);
  // Threads that end during the run keep their last sampled times.
  const lastTimes = new Map(startTimes);
  const sampler = setInterval(() => {
    samplePeak();
    for (const [key, times] of threadTimes(browserPid)) lastTimes.set(key, times);
  }, 100);

  // Marks, in the page's clock, when every file is scanned and when every hash is shown.
  await page.evaluate(() => {
    window.benchMarks = { started: performance.now() };
    const timer = setInterval(() => {
      const rows = [...document.querySelectorAll('[data-testid=file-row]')];
      if (rows.length === 0) return;
      const now = (performance.now() - window.benchMarks.started) / 1000;
      if (!window.benchMarks.scanned &&
        rows.every((row) => Number(row.querySelector('progress')?.value ?? 0) >= 100)) {
        window.benchMarks.scanned = now;
      }
      if (!window.benchMarks.hashed && rows.every((row) => row.dataset.hash === 'done')) {
        window.benchMarks.hashed = now;
      }
      if (window.benchMarks.scanned && window.benchMarks.hashed) clearInterval(timer);
    }, 50);
  });
  // First rows, in the page's clock: from the file input's change event, which a drop
  // also starts from, to the first animation frame after the row count turns non-zero.
  await page.evaluate(() => {
    const input = document.querySelector('input[type=file]');
    input.addEventListener('change', () => {
      const changed = performance.now();
      const timer = setInterval(() => {
        const text = document.querySelector('[data-testid=row-count]')?.textContent ?? '';
        const total = text.match(/of (\d+) rows/);
        if (!total || Number(total[1]) === 0) return;
        clearInterval(timer);
        requestAnimationFrame(() => {
          window.benchMarks.firstRows = (performance.now() - changed) / 1000;
        });
      }, 5);
    }, { capture: true, once: true });
  });
  const started = performance.now();
  await page.setInputFiles('input[type=file]', [file]);
  const inputSet = (performance.now() - started) / 1000;
  const firstRows = page
    .waitForFunction(() => {
      const text = document.querySelector('[data-testid=row-count]')?.textContent ?? '';
      const total = text.match(/of (\d+) rows/);
      return total && Number(total[1]) > 0;
    }, null, { polling: 50, timeout: 0 })
    .then(() => (performance.now() - started) / 1000);
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=file-row]')];
    return rows.length > 0 && rows.every((row) => row.dataset.status === 'done');
  }, null, { polling: 50, timeout: 0 });
  const seconds = (performance.now() - started) / 1000;
  // Memory is sampled until the hash is shown too, since its reads use memory as well.
  await page.waitForFunction(() => window.benchMarks.hashed, null, { polling: 50, timeout: 0 });
  clearInterval(sampler);
  samplePeak();
  for (const [key, times] of threadTimes(browserPid)) lastTimes.set(key, times);
  const rowCount = await page.textContent('[data-testid=row-count]');
  const marks = await page.evaluate(() => window.benchMarks);
  const mb = (bytes) => (bytes ? bytes / 1048576 : null);
  const pageWasmMb = mb(await page.evaluate(() => window.ipsecLensWasmBytes));
  const workerWasmMb = [];
  for (const worker of page.workers()) {
    workerWasmMb.push(mb(await worker.evaluate(() => self.ipsecLensWasmBytes)));
  }
  const table = option === '--table' ? await timeTableViews(page) : undefined;
  console.log(JSON.stringify({
    seconds,
    scanned_seconds: marks.scanned ?? null,
    hashed_seconds: marks.hashed ?? null,
    first_rows_seconds: marks.firstRows ?? null,
    // The same from before Playwright's setInputFiles, which adds set_input_seconds of
    // protocol round trips that a person's drop does not have. A file without rows of
    // interest never shows any: give up on that figure then.
    set_input_seconds: inputSet,
    first_rows_from_call_seconds: await Promise.race([
      firstRows,
      new Promise((resolve) => setTimeout(() => resolve(null), 5000)),
    ]),
    peak_rss_mb: peak.rss / 1024,
    idle_rss_mb: idle.rss / 1024,
    peak_own_mb: peak.own / 1024,
    idle_own_mb: idle.own / 1024,
    peak_app_rss_mb: peak.appRss / 1024,
    idle_app_rss_mb: idle.appRss / 1024,
    peak_app_own_mb: peak.appOwn / 1024,
    idle_app_own_mb: idle.appOwn / 1024,
    page_wasm_mb: pageWasmMb,
    worker_wasm_mb: workerWasmMb,
    row_count: rowCount,
    threads: threadSeconds(startTimes, lastTimes),
    table,
  }));
} finally {
  await browser.close();
}
