//! Per-file totals with what was skipped and why, the records seen in more than one file,
//! and the top failure reasons and remote addresses of the current view.

use super::state::AppState;
use super::timing;
use crate::report::long_lists::{describe_overlaps, starts_open};
use crate::report::{FileReport, ValueCount};
use crate::scan::Severity;
use leptos::prelude::*;
use std::sync::Arc;

/// How many values each top list shows.
const TOP_N: usize = 8;

#[component]
pub fn Summary(#[prop(into)] view_rows: Signal<Arc<Vec<u32>>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    // Built under the borrow rather than cloning reports, which hold every decoded event.
    let lines = Memo::new(move |_| {
        state.revision.track();
        state.with_data(|data| {
            let duplicates = data.table.duplicates();
            data.reports
                .iter()
                .zip(&data.session.files)
                .zip(0u32..)
                .map(|((report, file), index)| {
                    let mut line = FileLine::of(report, &file.errors);
                    line.duplicates = duplicates.copies_in_file(index);
                    line
                })
                .collect::<Vec<_>>()
        })
    });
    // Each memo changes only when its list crosses the limit, so a list the user opened or
    // closed stays that way while files finish.
    let totals_open = Memo::new(move |_| starts_open(lines.with(Vec::len)));
    let overlaps = Memo::new(move |_| {
        state.table_revision.track();
        state.with_data(|data| {
            let table = &data.table;
            let overlaps = table.duplicates().overlaps();
            Overlaps {
                lines: overlaps
                    .iter()
                    .map(|overlap| crate::report::visible_text(&overlap.describe(&table.files)))
                    .collect(),
                records: overlaps.iter().map(|overlap| overlap.records()).sum(),
            }
        })
    });
    let overlaps_open = Memo::new(move |_| starts_open(overlaps.with(|o| o.lines.len())));
    let top = move |pick: fn(&crate::report::Table, &[u32]) -> Vec<ValueCount>| {
        let rows = view_rows.get();
        timing::measured(timing::SUMMARY_TOP, || {
            state.with_data(|data| pick(&data.table, &rows))
        })
    };
    let reasons = Signal::derive(move || top(|t, r| t.top_failure_reasons(r, TOP_N)));
    let addresses = Signal::derive(move || top(|t, r| t.top_remote_addresses(r, TOP_N)));
    view! {
        <section class="summary" aria-label="Summary">
            <h2>"Files"</h2>
            <details class="file-totals" prop:open=move || totals_open.get()>
            <summary>{move || lines.with(|lines| totals_summary(lines))}</summary>
            <table class="totals" data-testid="file-totals">
                <thead>
                    <tr>
                        <th>"File"</th>
                        <th class="num">"Records"</th>
                        <th class="num">"4983"</th>
                        <th class="num">"Other IPsec"</th>
                        <th class="num">"Other events"</th>
                        <th class="num">"Chunks read"</th>
                        <th class="num">"Problems"</th>
                        <th class="num" title=DUPLICATES_TITLE>"Duplicates"</th>
                    </tr>
                </thead>
                <tbody>{move || lines.get().into_iter().map(file_totals_row).collect_view()}</tbody>
            </table>
            </details>
            {move || {
                lines
                    .get()
                    .into_iter()
                    .filter(|line| !line.messages.is_empty())
                    .map(skip_list)
                    .collect_view()
            }}
            {move || duplicate_list(overlaps.get(), overlaps_open)}
            <div class="summary-grid">
                <TopList title="Top failure reasons" test_id="top-reasons" counts=reasons
                    pick=|filter, value| filter.failure_reason = Some(value) />
                <TopList title="Top remote addresses" test_id="top-remote-addresses"
                    counts=addresses
                    pick=|filter, value| filter.remote_address = Some(value) />
            </div>
        </section>
    }
}

/// Problem lines listed per file; the JSON export and the integrity panel keep all.
const MESSAGE_LIMIT: usize = 50;

/// The tooltip of the Files table's Duplicates column.
const DUPLICATES_TITLE: &str = "IPsec records of this file already counted from an earlier \
    file or from another copy in this file; they are left out of the table";

/// One file's totals and problems, as the Files table shows them.
#[derive(Clone, Debug, PartialEq)]
struct FileLine {
    name: String,
    records: u64,
    events_4983: u64,
    other_ipsec: u64,
    other: u64,
    chunks: String,
    problems: usize,
    /// IPsec records left out because an earlier file, or this one, already contains them.
    duplicates: u64,
    /// Errors that stopped reading (from the session, which also keeps a header error) and
    /// then the scan's skips, each with whether it is an error.
    messages: Vec<(bool, String)>,
}

impl FileLine {
    fn of(report: &FileReport, errors: &[String]) -> FileLine {
        let ipsec_family = crate::scan::interest::IPSEC_FAMILY;
        let counts = &report.event_counts;
        let count_where = |keep: &dyn Fn(u32) -> bool| -> u64 {
            counts
                .iter()
                .filter(|(id, _)| keep(**id))
                .map(|(_, count)| count)
                .sum()
        };
        let mut messages: Vec<(bool, String)> = errors
            .iter()
            .map(|error| (true, format!("{}: {error}", report.name)))
            .collect();
        for skip in &report.skipped {
            let kind = match skip.severity {
                Severity::Warning => "warning",
                Severity::Skipped => "skipped",
            };
            messages.push((
                false,
                format!("{}, {}: {kind}: {}", report.name, skip.place, skip.reason),
            ));
        }
        let problems = report.problem_count(errors);
        if problems > MESSAGE_LIMIT {
            messages.truncate(MESSAGE_LIMIT);
            let more = problems - MESSAGE_LIMIT;
            messages.push((
                false,
                format!("{}: {more} more in the JSON export", report.name),
            ));
        }
        FileLine {
            name: report.name.clone(),
            records: report.records,
            events_4983: report.events_4983,
            other_ipsec: count_where(&|id| id != 4983 && ipsec_family.contains(&id)),
            other: count_where(&|id| !ipsec_family.contains(&id)),
            chunks: chunks_read(report),
            problems,
            duplicates: 0,
            messages,
        }
    }
}

/// "read of slots", and the header's count too when the file is too short for it.
fn chunks_read(report: &FileReport) -> String {
    let read = format!("{} of {}", report.chunks_read(), report.chunk_slots);
    match &report.header {
        Some(header) if header.chunks_missing(report.chunk_slots) > 0 => {
            format!("{read}; header says {}", header.chunk_count)
        }
        _ => read,
    }
}

fn file_totals_row(line: FileLine) -> impl IntoView {
    view! {
        <tr>
            <td>{line.name}</td>
            <td class="num">{line.records}</td>
            <td class="num">{line.events_4983}</td>
            <td class="num">{line.other_ipsec}</td>
            <td class="num">{line.other}</td>
            <td class="num">{line.chunks}</td>
            <td class="num">{line.problems}</td>
            <td class="num">{line.duplicates}</td>
        </tr>
    }
}

fn skip_list(line: FileLine) -> impl IntoView {
    view! {
        <ul class="skips" data-testid="skips">
            {line
                .messages
                .into_iter()
                .map(|(error, text)| view! { <li class:error=error>{text}</li> })
                .collect_view()}
        </ul>
    }
}

/// The sentences of the records seen in more than one file, and the copies left out.
#[derive(Clone, Debug, Default, PartialEq)]
struct Overlaps {
    lines: Vec<String>,
    records: u64,
}

/// Describes the Files table in its folded line, such as "Totals of 300 files, 2 with
/// problems listed below".
fn totals_summary(lines: &[FileLine]) -> String {
    let files = lines.len();
    let noun = if files == 1 { "file" } else { "files" };
    let problems = lines.iter().filter(|line| line.problems > 0).count();
    if problems == 0 {
        return format!("Totals of {files} {noun}");
    }
    format!("Totals of {files} {noun}, {problems} with problems listed below")
}

/// Lists the records seen more than once, one sentence per pair of files and computer;
/// nothing when every record appears once.
fn duplicate_list(overlaps: Overlaps, open: Memo<bool>) -> impl IntoView {
    (!overlaps.lines.is_empty()).then(|| {
        let summary = describe_overlaps(overlaps.lines.len(), overlaps.records);
        view! {
            <div class="duplicates" data-testid="duplicates">
                <h3>"Records seen more than once"</h3>
                <p class="empty-note">
                    "The table, charts, alerts and exports count each record once. The counts "
                    "per file above include every copy."
                </p>
                <details prop:open=move || open.get()>
                    <summary>{summary}</summary>
                    <ul>
                        {overlaps.lines.into_iter().map(|line| view! { <li>{line}</li> })
                            .collect_view()}
                    </ul>
                </details>
            </div>
        }
    })
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
                    <li>
                        <button type="button" class="bar-button"
                            title="Filter the table by this value"
                            on:click=move |_| {
                                state.filter.update(|filter| pick(filter, value.clone()))
                            }>
                            <span class="bar-label">
                                {label}
                                <span class="bar-fill" style:width=width></span>
                            </span>
                            <span class="bar-count">{entry.count}</span>
                        </button>
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
