// Times reading a file whole in one worker of headless Chromium, with no scan, to show the
// least time any scan in the browser can take.
//
// Usage: node bench/read-floor.mjs FILE [MODE ...]
//   MODE  byob (the app's way, the default), sync or arraybuffer (see read-floor/worker.js)
// Serves bench/read-floor/ on a free 127.0.0.1 port and drops FILE on its page once per
// mode, in a fresh browser each time. Prints one JSON object per run: the seconds from the
// drop to the last byte, the bytes and reads, and the CPU seconds that the browser's
// processes used meanwhile (from /proc).
// CHROMIUM_BIN overrides /usr/bin/chromium.

import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { browserPidWith, descendants } from './proc.mjs';

const [file, ...modes] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/read-floor.mjs FILE [byob|sync|arraybuffer ...]');
  process.exit(2);
}

const directory = path.join(path.dirname(new URL(import.meta.url).pathname), 'read-floor');
const types = { '.html': 'text/html', '.js': 'text/javascript' };
const server = createServer((request, response) => {
  const name = new URL(request.url, 'http://127.0.0.1').pathname.slice(1) || 'index.html';
  if (!['index.html', 'page.js', 'worker.js'].includes(name)) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': types[path.extname(name)] });
  response.end(readFileSync(path.join(directory, name)));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

/** CPU seconds (user and system) of process `root` and its descendants. */
function cpuSeconds(root) {
  let ticks = 0;
  for (const pid of [root, ...descendants(root)]) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name may hold spaces; utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  // Linux reports these in clock ticks of 1/100 s on every common configuration.
  return ticks / 100;
}

// Chromium ignores a switch it does not know; this one finds this run's browser process.
const tag = `--ipsec-lens-read-floor=${process.pid}`;
try {
  for (const mode of modes.length > 0 ? modes : ['byob']) {
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', tag],
    });
    const browserPid = browserPidWith(tag);
    try {
      const page = await browser.newPage();
      await page.goto(`${url}?mode=${mode}`);
      const before = cpuSeconds(browserPid);
      await page.setInputFiles('#file', [file]);
      await page.waitForFunction(() => document.getElementById('result').textContent, null, {
        polling: 50,
        timeout: 0,
      });
      const result = JSON.parse(await page.textContent('#result'));
      const cpu = Number((cpuSeconds(browserPid) - before).toFixed(2));
      console.log(JSON.stringify({ ...result, chromium_cpu_seconds: cpu }));
    } finally {
      await browser.close();
    }
  }
} finally {
  server.close();
}
