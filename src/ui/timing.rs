//! User Timing measures around the page's costly steps, read by bench/table.mjs and shown in
//! the browser's performance profiles.

/// Measure name for filtering and sorting the event table into the rows on view.
pub const TABLE_VIEW: &str = "ipsec-lens:table-view";

/// Runs `work` and records its duration as the measure `name`. The measure replaces the
/// previous one of that name, so the timeline does not grow with every filter change.
pub fn measured<T>(name: &str, work: impl FnOnce() -> T) -> T {
    let Some(performance) = web_sys::window().and_then(|window| window.performance()) else {
        return work();
    };
    let start = format!("{name}:start");
    let _ = performance.mark(&start);
    let result = work();
    performance.clear_measures_with_measure_name(name);
    let _ = performance.measure_with_start_mark(name, &start);
    performance.clear_marks_with_mark_name(&start);
    result
}
