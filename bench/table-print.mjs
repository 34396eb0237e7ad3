// Prints the "table" figures of one bench/browser.mjs --table result, read from standard
// input, as the table scripts/bench shows: best and median of 3 per action, in ms.

import { readFileSync } from 'node:fs';

const result = JSON.parse(readFileSync(0, 'utf8'));
if (!result.table) {
  console.error('table-print: the input has no "table" figures (run browser.mjs --table)');
  process.exit(1);
}
const cell = (figure) => (figure ? `${figure.best} / ${figure.median}` : '-');
const columns = [
  'action', 'rows shown', 'to DOM', 'to frame', 'wait', 'filter+sort', 'other views',
];
const widths = [40, 22, 14, 14, 12, 12, 14];
const line = (cells) => cells.map((text, i) => String(text).padEnd(widths[i])).join(' ');
console.log(`loaded: ${result.row_count} in ${result.seconds.toFixed(1)} s; ms, best / median`);
console.log(line(columns));
for (const figures of Object.values(result.table)) {
  console.log(line([
    figures.action, figures.rows, cell(figures.dom_ms), cell(figures.frame_ms),
    cell(figures.wait_ms), cell(figures.view_ms), cell(figures.views_ms),
  ]));
}
console.log('counted views done (from dispatch / after the DOM), longest task (all / after '
  + 'the DOM), best / median ms');
for (const figures of Object.values(result.table)) {
  console.log(`  ${figures.action}: ${cell(figures.counted_ms)}, ${cell(figures.counted_after_dom_ms)}`
    + `; ${cell(figures.longest_task_ms)}, ${cell(figures.longest_task_after_dom_ms)}`);
}
console.log('other views, median ms: timeline, top chart, summary top lists, alerts, storms');
for (const figures of Object.values(result.table)) {
  const parts = ['timeline_ms', 'top_chart_ms', 'summary_top_ms', 'alerts_ms', 'retry_storms_ms']
    .map((key) => figures[key]?.median ?? '-');
  console.log(`  ${figures.action}: ${parts.join(', ')}`);
}
