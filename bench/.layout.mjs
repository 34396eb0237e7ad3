import { chromium } from 'playwright-core';
const [url, file] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage();
await page.goto(url);
await page.waitForSelector('input[type=file]', { state: 'attached' });
await page.setInputFiles('input[type=file]', [file]);
await page.waitForFunction(() => { const r = [...document.querySelectorAll('[data-testid=file-row]')]; return r.length && r.every((x) => x.dataset.status === 'done'); }, null, { polling: 200, timeout: 0 });
const res = await page.evaluate(() => {
  const time = () => { const ts = []; for (let i = 0; i < 5; i++) { document.body.style.width = (i % 2 ? '1200px' : '1210px'); const t = performance.now(); void document.body.offsetHeight; ts.push(performance.now() - t); } return Math.round(Math.min(...ts) * 10) / 10; };
  const out = { all: time() };
  const secs = [...document.querySelectorAll('main > *, body > * > section, section')].slice(0, 30);
  for (const s of secs) { const d = s.style.display; s.style.display = 'none'; out[(s.tagName + '#' + (s.id || s.className || s.dataset.testid || '')).slice(0, 40)] = time(); s.style.display = d; }
  return out;
});
console.log(JSON.stringify(res, null, 1));
await browser.close();
