import { chromium } from 'playwright-core';
const [url, file, runs] = process.argv.slice(2);
for (let i = 0; i < Number(runs ?? 3); i++) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('input[type=file]', { state: 'attached' });
  await page.waitForTimeout(1500);
  await page.evaluate(() => {
    window.m = {lt: []}; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.m.lt.push([Math.round(e.startTime), Math.round(e.duration)]); }).observe({type: 'longtask'});
    document.querySelector('input[type=file]').addEventListener('change', () => {
      window.m.change = performance.now();
      const t = setInterval(() => {
        const text = document.querySelector('[data-testid=row-count]')?.textContent ?? '';
        const total = text.match(/of (\d+) rows/);
        if (!window.m.files && document.querySelector('[data-testid=file-row]'))
          window.m.files = performance.now();
        if (total && Number(total[1]) > 0) { window.m.rows = performance.now(); clearInterval(t); }
      }, 5);
    }, { capture: true });
  });
  const t0 = performance.now();
  await page.setInputFiles('input[type=file]', [file]);
  const t1 = performance.now();
  await page.waitForFunction(() => window.m.rows, null, { polling: 20, timeout: 0 });
  const t2 = performance.now();
  const m = await page.evaluate(() => window.m);
  console.log(JSON.stringify({ setInputFiles_ms: Math.round(t1 - t0), node_first_rows_ms: Math.round(t2 - t0),
    change_to_file_row: Math.round(m.files - m.change), change_to_rows: Math.round(m.rows - m.change), change: Math.round(m.change), lt: m.lt.filter(([s]) => s > m.change - 100 && s < m.rows).map(([s,d]) => [s - Math.round(m.change), d]) }));
  await browser.close();
}
