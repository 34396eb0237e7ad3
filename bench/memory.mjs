// Splits the memory of the app's renderer by Chromium's allocators while one file is read.
//
// Usage: node bench/memory.mjs URL FILE [PERCENT ...] [--gc]
//   URL      the app page
//   FILE     the .evtx file handed to the page's file input
//   PERCENT  progress points (0 to 100) at which to take a dump, besides idle, done, and
//            done plus 3 s
//   --gc     have Chromium collect garbage before each dump (a "deterministic" dump), so
//            the figures show live memory only
// For each dump it prints the app renderer's RssAnon and RssShmem from /proc, the wasm
// memory of the page and of each worker, and the renderer's memory-infra allocators
// (malloc, partition_alloc, blink_gc, v8 and their first levels) in MB. Wasm memory is not
// an allocator of memory-infra, so it is the part of RssAnon the allocators leave out.
// CHROMIUM_BIN overrides /usr/bin/chromium.

import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { browserPidWith, descendants, hasWorkers } from './proc.mjs';

const args = process.argv.slice(2);
const collect = args.includes('--gc');
const [url, file, ...points] = args.filter((arg) => arg !== '--gc');
if (!url || !file) {
  console.error('usage: node bench/memory.mjs URL FILE [PERCENT ...] [--gc]');
  process.exit(2);
}

/** Finds the renderer under `root` that runs the app's workers and reads its memory in MB. */
function appRenderer(root) {
  for (const pid of descendants(root)) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      if (!hasWorkers(pid)) continue;
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const mb = (name) =>
        Math.round(Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))[1]) / 1024);
      return { pid, anon: mb('RssAnon'), shmem: mb('RssShmem') };
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return null;
}

// Chromium ignores a switch it does not know; this one finds this run's browser process.
const tag = `--ipsec-lens-memory=${process.pid}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', tag,
  ],
});
const browserPid = browserPidWith(tag);
try {
  const cdp = await browser.newBrowserCDPSession();
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('input[type=file]', { state: 'attached' });
  await page.waitForTimeout(1500);
  await cdp.send('Tracing.start', {
    traceConfig: {
      includedCategories: ['disabled-by-default-memory-infra'],
      excludedCategories: ['*'],
      recordMode: 'recordAsMuchAsPossible',
      memoryDumpConfig: { triggers: [] },
    },
    transferMode: 'ReturnAsStream',
  });
  const dumps = [];
  const dump = async (label) => {
    const renderer = appRenderer(browserPid);
    const mb = (bytes) => (bytes ? Math.round(bytes / 1048576) : null);
    const pageWasm = mb(await page.evaluate(() => window.ipsecLensWasmBytes));
    const workerWasm = [];
    for (const worker of page.workers()) {
      workerWasm.push(mb(await worker.evaluate(() => self.ipsecLensWasmBytes).catch(() => 0)));
    }
    const { success } = await cdp.send('Tracing.requestMemoryDump', {
      deterministic: collect,
      levelOfDetail: 'detailed',
    });
    dumps.push({ label, success, renderer, pageWasm, workerWasm });
  };
  await dump('idle');
  await page.setInputFiles('input[type=file]', [file]);
  const progress = () =>
    page.evaluate(() => Number(document.querySelector('[data-testid=file-row] progress')?.value));
  for (const point of points.map(Number)) {
    while (!((await progress()) >= point)) await page.waitForTimeout(100);
    await dump(`${point} %`);
  }
  await page.waitForFunction(
    () => document.querySelector('[data-testid=file-row]')?.dataset.status === 'done',
    null,
    { polling: 100, timeout: 0 },
  );
  await dump('done');
  await page.waitForTimeout(3000);
  await dump('done + 3 s');

  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.end');
  const { stream } = await complete;
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream, size: 1 << 20 });
    text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
    if (chunk.eof) break;
  }
  const trace = JSON.parse(text);
  const events = (trace.traceEvents ?? trace).filter((event) => event.ph === 'v');
  // The ids in the trace do not match the guids the requests return, but the dumps keep
  // their order.
  const ids = [...new Set(events.map((event) => event.id))];
  for (const [index, taken] of dumps.entries()) {
    const allocators = {};
    for (const event of events) {
      if (event.id !== ids[index] || event.pid !== taken.renderer?.pid) continue;
      for (const [name, node] of Object.entries(event.args?.dumps?.allocators ?? {})) {
        if (name.split('/').length > 2) continue;
        const size = node.attrs?.effective_size?.value ?? node.attrs?.size?.value;
        const mb = size ? parseInt(size, 16) / 1048576 : 0;
        if (mb >= 0.5) allocators[name] = Number(mb.toFixed(1));
      }
    }
    console.log(JSON.stringify({ ...taken, allocators }));
  }
} finally {
  await browser.close();
}
