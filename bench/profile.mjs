// Profiles the app scanning one file: CPU samples of the page's thread and of every scan
// worker, taken with the Chrome DevTools Protocol's Profiler domain.
//
// Usage: node --experimental-websocket bench/profile.mjs URL FILE [OUT_DIR]
//   URL      the app page (a build from bench/profile.html keeps wasm function names)
//   FILE     the .evtx file handed to the page's file input
//   OUT_DIR  where the .cpuprofile files go (default: the current directory); DevTools'
//            Performance panel opens them
// Prints, per thread, the functions with the most self time and the most total time, and
// the peak of each thread's JavaScript heap and ArrayBuffer backing stores
// (`Runtime.getHeapUsage`, sampled every 250 ms).
// Playwright drives the page, and a second DevTools connection of this script's own
// attaches to the workers, because Playwright's CDP sessions cannot reach worker targets.
// CHROMIUM_BIN overrides /usr/bin/chromium.

import { chromium } from 'playwright-core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, file, outDir = '.'] = process.argv.slice(2);
if (!url || !file) {
  console.error('usage: node --experimental-websocket bench/profile.mjs URL FILE [OUT_DIR]');
  process.exit(2);
}
if (typeof WebSocket === 'undefined') {
  console.error('run node with --experimental-websocket (Node 20) or use Node 22 or later');
  process.exit(2);
}

/** A flat-mode DevTools connection: one socket, commands routed by session id. */
class Devtools {
  constructor(socket) {
    this.socket = socket;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      if (message.id !== undefined) {
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error) waiter?.reject(new Error(JSON.stringify(message.error)));
        else waiter?.resolve(message.result);
      } else {
        for (const listener of this.listeners) listener(message);
      }
    });
  }

  static async open(endpoint) {
    const socket = new WebSocket(endpoint);
    await new Promise((resolve, reject) => {
      socket.addEventListener('open', resolve, { once: true });
      socket.addEventListener('error', reject, { once: true });
    });
    return new Devtools(socket);
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.nextId++;
    this.socket.send(JSON.stringify({ id, method, params, sessionId }));
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  on(listener) {
    this.listeners.push(listener);
  }
}

/** Self and total sampled milliseconds per function of one `Profiler.Profile`. */
function summarize(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const label = (node) => {
    const frame = node.callFrame;
    const name = frame.functionName || '(anonymous)';
    const where = frame.url ? frame.url.split('/').pop() : '';
    return where ? `${name} [${where}]` : name;
  };
  const self = new Map();
  const total = new Map();
  let all = 0;
  profile.samples.forEach((sample, at) => {
    const ms = (profile.timeDeltas[at + 1] ?? 0) / 1000;
    all += ms;
    const leaf = byId.get(sample);
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + ms);
    // A recursive function counts once per sample in its total.
    const seen = new Set();
    for (let id = sample; id !== undefined; id = parent.get(id)) {
      const name = label(byId.get(id));
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + ms);
    }
  });
  const top = (map) => [...map].sort((a, b) => b[1] - a[1]).slice(0, 25);
  return { all, self: top(self), total: top(total) };
}

function print(title, profile) {
  const { all, self, total } = summarize(profile);
  const idle = (self.find(([name]) => name === '(idle)')?.[1] ?? 0);
  console.log(`\n## ${title}: ${(all / 1000).toFixed(2)} s sampled, ` +
    `${(idle / 1000).toFixed(2)} s idle`);
  console.log('self ms   share  function');
  for (const [name, ms] of self) {
    console.log(`${ms.toFixed(0).padStart(8)} ${(100 * ms / all).toFixed(1).padStart(6)}%  ${name}`);
  }
  console.log('total ms  share  function');
  for (const [name, ms] of total) {
    console.log(`${ms.toFixed(0).padStart(8)} ${(100 * ms / all).toFixed(1).padStart(6)}%  ${name}`);
  }
}

const userDataDir = mkdtempSync(join(tmpdir(), 'ipsec-lens-profile-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--remote-debugging-port=0',
  ],
});
try {
  const [port, path] = readFileSync(join(userDataDir, 'DevToolsActivePort'), 'utf8')
    .trim()
    .split('\n');
  const devtools = await Devtools.open(`ws://127.0.0.1:${port}${path}`);
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  await page.waitForSelector('input[type=file]', { state: 'attached' });

  const { targetInfos } = await devtools.send('Target.getTargets');
  const pageTarget = targetInfos.find((target) => target.type === 'page' && target.url === page.url());
  const { sessionId: pageSession } = await devtools.send('Target.attachToTarget', {
    targetId: pageTarget.targetId,
    flatten: true,
  });
  const workers = [];
  devtools.on((message) => {
    if (message.method === 'Target.attachedToTarget' &&
      message.params.targetInfo.type === 'worker') {
      workers.push(message.params.sessionId);
    }
  });
  await devtools.send('Target.setAutoAttach', {
    autoAttach: true,
    waitForDebuggerOnStart: false,
    flatten: true,
  }, pageSession);
  // Let the workers load and attach, as bench/browser.mjs lets them load before its clock.
  await page.waitForTimeout(1500);
  const sessions = [['page', pageSession], ...workers.map((id, n) => [`worker ${n + 1}`, id])];
  for (const [, session] of sessions) {
    await devtools.send('Profiler.enable', {}, session);
    await devtools.send('Profiler.setSamplingInterval', { interval: 500 }, session);
    await devtools.send('Profiler.start', {}, session);
  }

  const peaks = new Map();
  const sampler = setInterval(async () => {
    for (const [name, session] of sessions) {
      try {
        const usage = await devtools.send('Runtime.getHeapUsage', {}, session);
        const peak = peaks.get(name) ?? { heap: 0, backing: 0 };
        peak.heap = Math.max(peak.heap, usage.usedSize);
        peak.backing = Math.max(peak.backing, usage.backingStorageSize ?? 0);
        peaks.set(name, peak);
      } catch {
        // The worker was replaced.
      }
    }
  }, 250);

  const started = performance.now();
  await page.setInputFiles('input[type=file]', [file]);
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=file-row]')];
    return rows.length > 0 && rows.every((row) => row.dataset.status === 'done');
  }, null, { polling: 100, timeout: 0 });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  console.log(`# ${file}: ${seconds.toFixed(2)} s from setInputFiles to done, ` +
    `${workers.length} workers`);
  for (const [name, peak] of peaks) {
    console.log(`# ${name}: peak JS heap ${(peak.heap / 1048576).toFixed(1)} MB, ` +
      `peak ArrayBuffer backing stores ${(peak.backing / 1048576).toFixed(1)} MB`);
  }

  for (const [name, session] of sessions) {
    const { profile } = await devtools.send('Profiler.stop', {}, session);
    const out = join(outDir, `${name.replace(' ', '-')}.cpuprofile`);
    writeFileSync(out, JSON.stringify(profile));
    print(`${name} (${out})`, profile);
  }
  devtools.socket.close();
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
