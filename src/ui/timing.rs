//! User Timing measures around the page's costly steps, read by bench/table.mjs and shown in
//! the browser's performance profiles.

/// Measure name for filtering and sorting the event table into the rows on view.
pub const TABLE_VIEW: &str = "ipsec-lens:table-view";
/// Measure names for the views computed from the rows on view after each filter or sort.
pub const TIMELINE: &str = "ipsec-lens:timeline";
pub const TOP_CHART: &str = "ipsec-lens:top-chart";
pub const SUMMARY_TOP: &str = "ipsec-lens:summary-top";
pub const ALERTS: &str = "ipsec-lens:alerts";
pub const RETRY_STORMS: &str = "ipsec-lens:retry-storms";
/// Measure name for the time from a change of the filtered rows until every view that
/// counts them has been recomputed, over several tasks.
pub const COUNTED_VIEWS: &str = "ipsec-lens:counted-views";

/// Runs `work` and records its duration as a measure named `name`.
///
/// Measures stay in the page's timeline, a few per filter or sort, because a step such as
/// the alerts runs once per rule and a reader sums them.
/// NOTE: the page never clears them, so the timeline grows with each change of the view.
pub fn measured<T>(name: &str, work: impl FnOnce() -> T) -> T {
    let Some(performance) = web_sys::window().and_then(|window| window.performance()) else {
        return work();
    };
    let start = format!("{name}:start");
    let _ = performance.mark(&start);
    let result = work();
    let _ = performance.measure_with_start_mark(name, &start);
    performance.clear_marks_with_mark_name(&start);
    result
}

/// Marks the start of a measure that [`measure_since_start`] ends in a later task.
pub fn mark_start(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
        let _ = performance.mark(&format!("{name}:start"));
    }
}

/// Records a measure named `name` from the latest [`mark_start`] of that name until now.
pub fn measure_since_start(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|window| window.performance()) {
        let start = format!("{name}:start");
        let _ = performance.measure_with_start_mark(name, &start);
        performance.clear_marks_with_mark_name(&start);
    }
}
