//! The integrity panel: per file, what an examiner checks before trusting the results.

use super::file_list::has_problems;
use super::state::AppState;
use crate::report::integrity::Integrity;
use crate::report::long_lists::{describe_integrity, starts_open};
use leptos::prelude::*;

/// Gaps and failures listed per file before the list is cut; the JSON export has them all.
const LIST_LIMIT: usize = 20;

#[component]
pub fn IntegrityPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    // Computed under the borrow rather than cloning reports, which hold every event.
    let files = move || {
        state.revision.track();
        state.with_data(|data| {
            data.reports
                .iter()
                .enumerate()
                .map(|(job, report)| {
                    let waiting = data
                        .session
                        .file(job as u32)
                        .is_some_and(|file| file.is_parsing() || file.has_requests_left());
                    // Before the header is read, no hash is requested yet but one will be.
                    let sha256 =
                        (report.sha256.is_some() || !waiting).then(|| report.sha256_text());
                    (report.name.clone(), sha256, report.integrity())
                })
                .collect::<Vec<_>>()
        })
    };
    // The count of files, and of those with problems, counted as the file list counts them.
    let counts = Memo::new(move |_| {
        state.revision.track();
        state.with_data(|data| {
            let troubled = data
                .reports
                .iter()
                .zip(&data.session.files)
                .filter(|(report, file)| has_problems(file, report.problem_count(&file.errors)))
                .count();
            (data.reports.len(), troubled)
        })
    });
    // Changes only when the count crosses the limit, so a panel the user opened stays open.
    let open = Memo::new(move |_| starts_open(counts.get().0));
    view! {
        <section class="integrity" aria-label="Integrity">
            <h2>"Integrity"</h2>
            <details class="integrity-files" prop:open=move || open.get()>
                <summary data-testid="integrity-summary">
                    {move || {
                        let (files, with_problems) = counts.get();
                        describe_integrity(files, with_problems)
                    }}
                </summary>
                <div class="integrity-grid" data-testid="integrity">
                    {move || {
                        let zone = state.zone.get();
                        files().into_iter().map(|file| file_integrity(file, &zone)).collect_view()
                    }}
                </div>
            </details>
        </section>
    }
}

fn file_integrity(
    (name, sha256, facts): (String, Option<String>, Integrity),
    zone: &crate::report::zone::ZoneChoice,
) -> impl IntoView {
    let yes_no = |value: Option<bool>| match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    };
    let header_count = facts
        .header_chunk_count
        .map_or("unknown".to_string(), |count| count.to_string());
    let range = match (facts.first_record_id, facts.last_record_id) {
        (Some(first), Some(last)) => format!("{first} to {last}"),
        _ => "none".into(),
    };
    let times = match (facts.first_time, facts.last_time) {
        (Some(first), Some(last)) => super::intl_zone::with_clock(zone, |clock| {
            format!("{} to {}", clock.format(first), clock.format(last))
        }),
        _ => "none".into(),
    };
    let rows = vec![
        (
            "SHA-256",
            sha256.unwrap_or_else(|| "not computed yet".into()),
        ),
        (
            "Header: dirty (not closed cleanly)",
            yes_no(facts.dirty).into(),
        ),
        ("Header: full", yes_no(facts.full).into()),
        (
            "Header checksum valid",
            yes_no(facts.header_checksum_valid).into(),
        ),
        (
            "Chunks: header count / with records / slots in file",
            format!(
                "{header_count} / {} / {}",
                facts.chunks_with_records, facts.chunk_slots
            ),
        ),
        (
            "Chunks past the header's count",
            facts.chunks_past_header_count.to_string(),
        ),
        (
            "Chunks the header counts past the end of the file",
            facts.chunks_missing.to_string(),
        ),
        ("EventRecordID range", range),
        ("Time range", times),
        (
            "EventRecordID gaps",
            format!(
                "{} gaps between chunks, {} IDs missing inside chunks",
                facts.record_id_gaps.len(),
                facts.record_ids_missing_inside_chunks
            ),
        ),
    ];
    let details = facts.problem_lines(LIST_LIMIT);
    view! {
        <div class="integrity-file">
            <h3>{name}</h3>
            <table class="totals">
                <tbody>
                    {rows
                        .into_iter()
                        .map(|(label, value)| view! { <tr><th>{label}</th><td>{value}</td></tr> })
                        .collect_view()}
                </tbody>
            </table>
            <ul class="skips">
                {details.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
            </ul>
        </div>
    }
}
