//! Hands the filtered rows on to the views that count them (charts, summary, alerts, retry
//! storms) after the table is drawn, one group of views per browser task.
//!
//! On a million rows these views took 1.3 to 1.8 s in one task before they counted by
//! value number, and still take 30 to 60 ms with their redraws in headless Chromium (see
//! docs/benchmarks.md). Split up, no task of theirs blocks typing or clicks for long,
//! because the browser handles input and draws between two groups. A filter change that
//! arrives meanwhile starts over with its own rows, and the groups the older rows have not
//! reached are skipped.

use super::timing;
use leptos::prelude::*;
use std::sync::Arc;

/// The filtered rows as each group of counting views receives them.
#[derive(Clone, Copy)]
pub struct CountedRows {
    pub charts: RwSignal<Arc<Vec<u32>>>,
    pub summary: RwSignal<Arc<Vec<u32>>>,
    pub alerts: RwSignal<Arc<Vec<u32>>>,
    pub storms: RwSignal<Arc<Vec<u32>>>,
}

impl CountedRows {
    /// Follows `filtered_rows`: after each change and the next paint, sets the groups' rows
    /// in order, each in its own task.
    pub fn follow(filtered_rows: Memo<Arc<Vec<u32>>>) -> CountedRows {
        let empty = || RwSignal::new(Arc::new(Vec::new()));
        let counted = CountedRows {
            charts: empty(),
            summary: empty(),
            alerts: empty(),
            storms: empty(),
        };
        // The number of the latest change of the rows. A step of an older change stops.
        let latest = StoredValue::new(0u64);
        Effect::new(move |_| {
            let rows = filtered_rows.get();
            let change = latest.get_value() + 1;
            latest.set_value(change);
            timing::mark_start(timing::COUNTED_VIEWS);
            let steps = [
                counted.charts,
                counted.summary,
                counted.alerts,
                counted.storms,
            ];
            super::after_paint(move || run_steps(rows, steps.to_vec(), change, latest));
        });
        counted
    }
}

/// Sets the first of `steps` to `rows` and schedules the rest in a later task, unless a
/// newer change of the rows than `change` has started.
fn run_steps(
    rows: Arc<Vec<u32>>,
    mut steps: Vec<RwSignal<Arc<Vec<u32>>>>,
    change: u64,
    latest: StoredValue<u64>,
) {
    if latest.try_get_value() != Some(change) || steps.is_empty() {
        return;
    }
    let step = steps.remove(0);
    step.set(Arc::clone(&rows));
    if steps.is_empty() {
        // Leptos effects run asynchronously, so the views may rerun in microtasks after
        // this call. The measure ends in the next task, once they have run.
        next_task(move || {
            if latest.try_get_value() == Some(change) {
                timing::measure_since_start(timing::COUNTED_VIEWS);
            }
        });
        return;
    }
    next_task(move || run_steps(rows, steps, change, latest));
}

/// Runs `task` in a later browser task, so that the browser can handle input and draw in
/// between.
fn next_task(task: impl FnOnce() + 'static) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        task();
        return;
    };
    let later = Closure::once_into_js(task);
    let _ = window.set_timeout_with_callback(later.unchecked_ref());
}
