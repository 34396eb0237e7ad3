//! Per-file totals with what was skipped and why, and the top failure reasons and remote
//! addresses of the current view.

use super::state::AppState;
use crate::report::{FileReport, ValueCount};
use crate::scan::Severity;
use leptos::prelude::*;
use std::sync::Arc;

/// How many values each top list shows.
const TOP_N: usize = 8;

#[component]
pub fn Summary(view_rows: Memo<Arc<Vec<u32>>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    // Each report with the errors that stopped requests on its file, such as a crashed
    // worker, which the report itself does not hold.
    let reports = move || {
        state.revision.track();
        state.with_data(|data| {
            data.reports
                .iter()
                .zip(&data.session.files)
                .map(|(report, file)| (report.clone(), file.errors.clone()))
                .collect::<Vec<_>>()
        })
    };
    let top = move |pick: fn(&crate::report::Table, &[u32]) -> Vec<ValueCount>| {
        let rows = view_rows.get();
        state.with_data(|data| pick(&data.table, &rows))
    };
    let reasons = Signal::derive(move || top(|t, r| t.top_failure_reasons(r, TOP_N)));
    let addresses = Signal::derive(move || top(|t, r| t.top_remote_addresses(r, TOP_N)));
    view! {
        <section class="summary" aria-label="Summary">
            <h2>"Files"</h2>
            <table class="totals" data-testid="file-totals">
                <thead>
                    <tr>
                        <th>"File"</th>
                        <th class="num">"Records"</th>
                        <th class="num">"4983"</th>
                        <th class="num">"Other IPsec"</th>
                        <th class="num">"Other events"</th>
                        <th class="num">"Chunks"</th>
                        <th class="num">"Problems"</th>
                    </tr>
                </thead>
                <tbody>{move || reports().into_iter().map(file_totals_row).collect_view()}</tbody>
            </table>
            {move || {
                reports()
                    .into_iter()
                    .filter(|(report, errors)| !report.skipped.is_empty() || !errors.is_empty())
                    .map(skip_list)
                    .collect_view()
            }}
            <div class="summary-grid">
                <TopList title="Top failure reasons" test_id="top-reasons" counts=reasons
                    pick=|filter, value| filter.failure_reason = Some(value) />
                <TopList title="Top remote addresses" test_id="top-remote-addresses" counts=addresses
                    pick=|filter, value| filter.remote_address = Some(value) />
            </div>
        </section>
    }
}

fn file_totals_row((report, errors): (FileReport, Vec<String>)) -> impl IntoView {
    let ipsec_family = crate::scan::interest::IPSEC_FAMILY;
    let counts = &report.event_counts;
    let other_ipsec: u64 = counts
        .iter()
        .filter(|(id, _)| **id != 4983 && ipsec_family.contains(id))
        .map(|(_, count)| count)
        .sum();
    let other: u64 = counts
        .iter()
        .filter(|(id, _)| !ipsec_family.contains(id))
        .map(|(_, c)| c)
        .sum();
    let problems = report.skipped.len() + errors.len();
    let chunks = format!("{} of {}", report.chunks_scanned, report.chunk_slots);
    view! {
        <tr>
            <td>{report.name.clone()}</td>
            <td class="num">{report.records}</td>
            <td class="num">{report.events_4983}</td>
            <td class="num">{other_ipsec}</td>
            <td class="num">{other}</td>
            <td class="num">{chunks}</td>
            <td class="num">{problems}</td>
        </tr>
    }
}

/// Lists a file's problems: errors that stopped its reading (from the session, which also
/// holds a header error), then every skip the scan recorded.
fn skip_list((report, errors): (FileReport, Vec<String>)) -> impl IntoView {
    let errors: Vec<String> = errors
        .iter()
        .map(|error| format!("{}: {error}", report.name))
        .collect();
    let lines: Vec<String> = report
        .skipped
        .iter()
        .map(|skip| {
            let kind = match skip.severity {
                Severity::Warning => "warning",
                Severity::Skipped => "skipped",
            };
            format!("{}, {}: {kind}: {}", report.name, skip.place, skip.reason)
        })
        .collect();
    view! {
        <ul class="skips" data-testid="skips">
            {errors.into_iter().map(|line| view! { <li class="error">{line}</li> }).collect_view()}
            {lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
        </ul>
    }
}

#[component]
fn TopList(
    title: &'static str,
    test_id: &'static str,
    counts: Signal<Vec<ValueCount>>,
    pick: fn(&mut crate::report::Filter, String),
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let items = move || {
        let counts = counts.get();
        let largest = counts.first().map_or(1, |first| first.count.max(1));
        counts
            .into_iter()
            .map(|entry| {
                let width = format!("{}%", entry.count * 100 / largest);
                let label = entry.value.clone().unwrap_or_else(|| "(empty)".into());
                let value = entry.value.clone().unwrap_or_default();
                view! {
                    <li title="Filter the table by this value"
                        on:click=move |_| state.filter.update(|filter| pick(filter, value.clone()))>
                        <span class="bar-label">{label}<span class="bar-fill" style:width=width></span></span>
                        <span class="bar-count">{entry.count}</span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <div>
            <h2>{title}</h2>
            <ul class="bars" data-testid=test_id>{items}</ul>
        </div>
    }
}
