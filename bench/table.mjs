// Times the event table's text filter and sorts in a page that has finished its files, for
// bench/browser.mjs --table.
//
// Each action is timed inside the page, from just before the input or click event is
// dispatched until the DOM shows the result (the row count, or aria-sort plus re-rendered
// rows), then until the next frame has been rendered. The page records filtering
// and sorting the rows as the User Timing measure "ipsec-lens:table-view" (src/ui/timing.rs).
// That measure splits each time into the wait before the work starts, the work itself, and
// the rest. The views that count the filtered rows (timeline, charts, summary, alerts) run
// after the table is drawn, in several tasks, and the page measures each of them and their
// whole span ("ipsec-lens:counted-views"). After a text action the timing waits for that
// span to end, and it records the longest task (Long Tasks API) from the dispatch until then
// and after the DOM was shown. TABLE_IDLE_MS sets the idle time between actions (default
// 200 ms).

const MEASURE = 'ipsec-lens:table-view';
/** The span from a change of the filtered rows until every view that counts them is done. */
const COUNTED_MEASURE = 'ipsec-lens:counted-views';
/** Measures of the views that follow the rows on view (src/ui/timing.rs), summed per name. */
const VIEW_MEASURES = ['timeline', 'top-chart', 'summary-top', 'alerts', 'retry-storms'];
const FILTER_TEXT = '10.20.10.';
const ROUNDS = 3;

/** The actions of one round, in order. A round leaves the page as it found it. */
const ACTIONS = [
  { name: 'filter', label: `type "${FILTER_TEXT}" in Search`, kind: 'text', value: FILTER_TEXT },
  { name: 'sort_time', label: 'click TimeCreated (sort ascending)', kind: 'sort', value: 'TimeCreated' },
  { name: 'sort_computer', label: 'click Computer (sort ascending)', kind: 'sort', value: 'Computer' },
  { name: 'clear_filter', label: 'empty Search (all rows, Computer sort)', kind: 'text', value: '' },
];

/** Installs `window.benchTableAction`, which times one action, in the page. */
function installInPage([measure, viewMeasures, countedMeasure]) {
  const longTasks = [];
  new PerformanceObserver((list) => longTasks.push(...list.getEntries()))
    .observe({ type: 'longtask' });
  const longest = (from, to) => longTasks
    .filter((task) => task.startTime + task.duration > from && task.startTime < to)
    .reduce((max, task) => Math.max(max, task.duration), 0);
  // Resolves with the end of the first counted-views span that starts after `from`.
  const countedEnd = (from) => new Promise((resolve) => {
    const poll = () => {
      const span = performance.getEntriesByName(countedMeasure)
        .find((entry) => entry.startTime >= from);
      if (span) resolve(span.startTime + span.duration);
      else setTimeout(poll, 10);
    };
    poll();
  });
  const rowCount = () => document.querySelector('[data-testid=row-count]')?.textContent ?? '';
  const header = (name) => [...document.querySelectorAll('[data-testid=events-table] th')]
    .find((cell) => cell.textContent.trim() === name);
  const firstRow = () => document
    .querySelector('[data-testid=events-table] tbody tr:not(.spacer)')?.textContent ?? '';
  const afterNextFrame = () => new Promise((resolve) => {
    // A message posted from requestAnimationFrame arrives once that frame is rendered.
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve(performance.now());
      channel.port2.postMessage(null);
    });
  });

  window.benchTableAction = (kind, value) => new Promise((resolve, reject) => {
    const body = document.querySelector('[data-testid=events-table] tbody');
    const input = document.querySelector('[data-testid=filter-text]');
    const cell = kind === 'sort' ? header(value) : null;
    if (!body || !input || (kind === 'sort' && !cell)) {
      reject(new Error(`table, search field or header ${value} not found`));
      return;
    }
    const before = { count: rowCount(), first: firstRow(), sort: cell?.getAttribute('aria-sort') };
    // Leptos updates the rendered rows in place, so a sort changes their text nodes. A sort
    // that leaves the rows in their order changes nothing in the body, so it counts as
    // shown once the view measure exists and a zero-delay task has run after it.
    let rowsRendered = false;
    let viewDone = false;
    const viewed = () => performance.getEntriesByName(measure)
      .some((entry) => entry.startTime >= started);
    const ready = () => (kind === 'text'
      ? rowCount() !== before.count
      : cell.getAttribute('aria-sort') !== before.sort && (rowsRendered || viewDone));
    let started = 0;
    let settled = false;
    const finish = async () => {
      if (settled || !ready()) return;
      settled = true;
      const shown = performance.now();
      observer.disconnect();
      const painted = await afterNextFrame();
      // A sort leaves the filtered rows as they are, so only a text action recounts.
      const counted = kind === 'text' ? await countedEnd(started) : null;
      // Wait for the long task entries of the last task to be delivered.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const end = counted ?? painted;
      // Measures were cleared at the dispatch, so every entry is this action's.
      const runs = performance.getEntriesByName(measure);
      const views = Object.fromEntries(viewMeasures.map((name) => [
        name.replaceAll('-', '_') + '_ms',
        performance.getEntriesByName(`ipsec-lens:${name}`)
          .reduce((sum, entry) => sum + entry.duration, 0),
      ]));
      resolve({
        ...views,
        views_ms: Object.values(views).reduce((sum, ms) => sum + ms, 0),
        dom_ms: shown - started,
        frame_ms: painted - started,
        counted_ms: counted === null ? null : counted - started,
        counted_after_dom_ms: counted === null ? null : counted - shown,
        longest_task_ms: longest(started, end),
        longest_task_after_dom_ms: longest(shown, end),
        wait_ms: runs.length > 0 ? runs[0].startTime - started : null,
        view_ms: runs.length > 0 ? runs.reduce((sum, run) => sum + run.duration, 0) : null,
        view_runs: runs.length,
        rows_rendered: rowsRendered,
        rows: rowCount(),
        first_row_changed: firstRow() !== before.first,
      });
    };
    const observer = new MutationObserver((records) => {
      rowsRendered ||= records.some((record) => body.contains(record.target));
      finish();
      if (!rowsRendered && !viewDone && viewed()) {
        setTimeout(() => {
          viewDone = true;
          finish();
        }, 0);
      }
    });
    observer.observe(document.body, {
      subtree: true, childList: true, characterData: true, attributes: true,
    });
    setTimeout(() => {
      if (settled) return;
      settled = true;
      observer.disconnect();
      reject(new Error(`${kind} ${JSON.stringify(value)}: no change shown within 120 s`));
    }, 120000);
    performance.clearMeasures();
    started = performance.now();
    if (kind === 'text') {
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    } else {
      cell.click();
    }
    finish();
  });
}

/** Clicks a sorted column's header until no column is sorted, then lets the page settle. */
async function clearSort(page) {
  for (let clicks = 0; clicks < 3; clicks += 1) {
    const clicked = await page.evaluate(() => {
      const sorted = document.querySelector('[data-testid=events-table] ' +
        'th[aria-sort=ascending], [data-testid=events-table] th[aria-sort=descending]');
      sorted?.click();
      return sorted !== null;
    });
    if (!clicked) return;
    await page.waitForTimeout(300);
  }
  throw new Error('the table is still sorted after 3 header clicks');
}

function summarize(samples, key) {
  const values = samples.map((sample) => sample[key]).filter((value) => value !== null);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const round = (value) => Math.round(value * 10) / 10;
  return {
    best: round(sorted[0]),
    median: round(sorted[Math.floor(sorted.length / 2)]),
    first: round(values[0]),
  };
}

/**
 * Times each action of ACTIONS in ROUNDS rounds on `page`, whose files are done, and
 * returns per action the best, median and first of each figure, in milliseconds.
 */
export async function timeTableViews(page) {
  await page.evaluate(installInPage, [MEASURE, VIEW_MEASURES, COUNTED_MEASURE]);
  // The last table rebuild and redraw of the scan may still be queued.
  await page.waitForTimeout(1000);
  await clearSort(page);
  const samples = Object.fromEntries(ACTIONS.map((action) => [action.name, []]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const action of ACTIONS) {
      const sample = await page.evaluate(
        ([kind, value]) => window.benchTableAction(kind, value), [action.kind, action.value]);
      samples[action.name].push(sample);
      // Let the browser idle between actions as a person would.
      await page.waitForTimeout(Number(process.env.TABLE_IDLE_MS ?? 200));
    }
    await clearSort(page);
  }
  const result = {};
  for (const action of ACTIONS) {
    const actionSamples = samples[action.name];
    result[action.name] = {
      action: action.label,
      rows: actionSamples.at(-1).rows,
      first_row_changed: actionSamples.every((sample) => sample.first_row_changed),
      rows_rendered: actionSamples.every((sample) => sample.rows_rendered),
      view_runs: actionSamples.map((sample) => sample.view_runs),
      dom_ms: summarize(actionSamples, 'dom_ms'),
      frame_ms: summarize(actionSamples, 'frame_ms'),
      wait_ms: summarize(actionSamples, 'wait_ms'),
      view_ms: summarize(actionSamples, 'view_ms'),
      views_ms: summarize(actionSamples, 'views_ms'),
      counted_ms: summarize(actionSamples, 'counted_ms'),
      counted_after_dom_ms: summarize(actionSamples, 'counted_after_dom_ms'),
      longest_task_ms: summarize(actionSamples, 'longest_task_ms'),
      longest_task_after_dom_ms: summarize(actionSamples, 'longest_task_after_dom_ms'),
      ...Object.fromEntries(VIEW_MEASURES.map((name) => {
        const key = name.replaceAll('-', '_') + '_ms';
        return [key, summarize(actionSamples, key)];
      })),
    };
  }
  return result;
}
