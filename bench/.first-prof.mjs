import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';
const [url, file] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
await page.goto(url);
await page.waitForSelector('input[type=file]', { state: 'attached' });
await page.waitForTimeout(1500);
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await cdp.send('Profiler.start');
await page.evaluate(() => { window.m = {}; document.querySelector('input[type=file]').addEventListener('change', () => { window.m.change = performance.now(); const t = setInterval(() => { const text = document.querySelector('[data-testid=row-count]')?.textContent ?? ''; const total = text.match(/of (\d+) rows/); if (total && Number(total[1]) > 0) { window.m.rows = performance.now(); clearInterval(t); } }, 5); }, { capture: true }); });
await page.setInputFiles('input[type=file]', [file]);
await page.waitForFunction(() => window.m.rows, null, { polling: 20, timeout: 0 });
const { profile } = await cdp.send('Profiler.stop');
const m = await page.evaluate(() => window.m);
writeFileSync('/tmp/lead/first.cpuprofile', JSON.stringify(profile));
// self time per function, and total per top-level-ish frames
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map(); for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map(), total = new Map();
let t = profile.startTime;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  let n = byId.get(profile.samples[i]);
  const name = n.callFrame.functionName || n.callFrame.url.split('/').pop() || '(anon)';
  self.set(name, (self.get(name) ?? 0) + dt);
  const seen = new Set();
  for (let id = n.id; id !== undefined; id = parent.get(id)) {
    const f = byId.get(id).callFrame; const nm = f.functionName || '(anon)';
    if (seen.has(nm)) continue; seen.add(nm);
    total.set(nm, (total.get(nm) ?? 0) + dt);
  }
}
const top = (map, k) => [...map].sort((a, b) => b[1] - a[1]).slice(0, k).map(([n, v]) => `${v.toFixed(1).padStart(7)}  ${n.slice(0, 110)}`).join('\n');
console.log('change->rows ms', Math.round(m.rows - m.change));
console.log('--- self ms\n' + top(self, 25));
console.log('--- total ms\n' + top(total, 60));
await browser.close();
