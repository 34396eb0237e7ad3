//! One row per dropped file: name, size, progress and outcome.

use super::state::AppState;
use crate::report::long_lists::{split_problem_rows, starts_open, FileTally};
use crate::session::{FileProgress, FileStatus};
use leptos::prelude::*;

/// A file row's data: the file, its count of skipped chunks and records, and the name of an
/// earlier file with the same content.
type RowData = (FileProgress, usize, Option<String>);

#[component]
pub fn FileList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let rows = Memo::new(move |_| {
        state.revision.track();
        state.with_data(|data| {
            // The same count as the Files table's Problems column, file errors included.
            let problems = |file: &FileProgress| {
                data.reports
                    .get(file.job as usize)
                    .map_or(file.errors.len(), |r| r.problem_count(&file.errors))
            };
            let files = &data.session.files;
            files
                .iter()
                .enumerate()
                .map(|(index, file)| {
                    let twin = same_content(&files[..index], file);
                    (file.clone(), problems(file), twin)
                })
                .collect::<Vec<RowData>>()
        })
    });
    let summary = move || {
        let mut tally = FileTally::default();
        for (file, problems, _) in rows.get().iter() {
            tally.count(file.status, has_problems(file, *problems));
        }
        tally.describe()
    };
    let split = Memo::new(move |_| {
        split_problem_rows(rows.get(), |(file, problems, _)| {
            has_problems(file, *problems)
        })
    });
    // The memo changes only when the list crosses the limit, so a list the user opened or
    // closed stays that way while files finish.
    let open = Memo::new(move |_| starts_open(rows.with(Vec::len)));
    let has_files = move || rows.with(|rows| !rows.is_empty());
    view! {
        <section class="files" aria-label="Files">
            <Show when=has_files>
                <details class="file-list" data-testid="file-list" prop:open=move || open.get()>
                    <summary data-testid="file-list-summary">{summary}</summary>
                    <FileRows rows=Signal::derive(move || split.get().1) />
                </details>
                <FileRows rows=Signal::derive(move || split.get().0) />
            </Show>
        </section>
    }
}

/// Problems of the whole file that its row lists before it points to the Files section.
const ROW_ERRORS: usize = 3;

/// Returns whether a file failed, was cut short or had chunks or records skipped.
pub(super) fn has_problems(file: &FileProgress, skipped: usize) -> bool {
    file.status == FileStatus::Error || !file.errors.is_empty() || skipped > 0
}

#[component]
fn FileRows(rows: Signal<Vec<RowData>>) -> impl IntoView {
    view! {
        <For
            each=move || rows.get()
            key=|(file, problems, twin)| {
                let hashed = file.hash_bytes.map(|bytes| percent(bytes, file.size));
                let hashing = (file.is_hashing(), hashed, file.hash_error.is_some());
                (file.job, file.status, file.bytes_done, file.sha256.is_some(), hashing,
                    *problems, twin.is_some())
            }
            let:((file, problems, twin))
        >
            <FileRow file=file problems=problems twin=twin />
        </For>
    }
}

/// Names the first of `earlier` with the same SHA-256 as `file`: a log dropped twice, or
/// copied under another name, which people want to know before they compare counts.
fn same_content(earlier: &[FileProgress], file: &FileProgress) -> Option<String> {
    let hash = file.sha256.as_ref()?;
    earlier
        .iter()
        .find(|other| other.sha256.as_ref() == Some(hash))
        .map(|other| other.name.clone())
}

#[component]
fn FileRow(file: FileProgress, problems: usize, twin: Option<String>) -> impl IntoView {
    let scanned = percent(file.bytes_done, file.size);
    let status = file.status.as_str();
    let outcome = match file.status {
        FileStatus::Parsing => format!("{scanned}%"),
        // Green "done" alone would hide a file that lost chunks or ends inside its header.
        FileStatus::Done if problems > 0 => "done, with problems".to_string(),
        FileStatus::Done => "done".to_string(),
        FileStatus::Error => "error".to_string(),
    };
    // A file that lost many batches (moved during its scan) has one line per batch. The row
    // shows the first few so the other rows stay in view, and the Files section lists all.
    let errors: Vec<String> = file.errors.iter().take(ROW_ERRORS).cloned().collect();
    let more = match file.errors.len().saturating_sub(ROW_ERRORS) {
        0 => None,
        1 => Some("and 1 more; see Files below".to_string()),
        n => Some(format!("and {n} more; see Files below")),
    };
    let note = match problems {
        0 => String::new(),
        1 => "1 problem; see Files below".to_string(),
        n => format!("{n} problems; see Files below"),
    };
    // The hash starts after the scans and rereads the whole file, so the row is done before
    // it, and the user must not move the file yet.
    let (sha256, hash_state) = match (&file.sha256, file.hash_bytes) {
        (Some(hash), _) => (format!("SHA-256 {hash}"), "done"),
        (None, None) if file.is_hashing() => (
            "SHA-256 queued; keep the file in place".to_string(),
            "queued",
        ),
        (None, Some(bytes)) if file.is_hashing() => (
            format!(
                "computing SHA-256… {}%; keep the file in place",
                percent(bytes, file.size)
            ),
            "computing",
        ),
        (None, _) if file.hash_error.is_some() => ("SHA-256 not computed".to_string(), "failed"),
        (None, _) => (String::new(), "none"),
    };
    let twin = twin.map(|name| {
        view! {
            <span class="file-twin" data-testid="file-twin">
                {format!("Same content as {name}; its IPsec records are counted once.")}
            </span>
        }
    });
    view! {
        <div class="file-row" data-testid="file-row" data-file-name=file.name.clone()
            data-status=status data-hash=hash_state>
            <span class="file-name" title=file.name.clone()>{file.name.clone()}</span>
            <span class="file-size">{format_size(file.size)}</span>
            <progress max="100" value=scanned.to_string()
                aria-label=format!("{} read", file.name)></progress>
            <span class=format!("file-status {status}") class:with-problems=problems != 0
                data-testid="file-status">{outcome}</span>
            <span class="file-note">{note}</span>
            <span class="file-hash" data-testid="file-sha256">{sha256}</span>
            {twin}
            <ul class="file-errors">
                {errors.into_iter().map(|error| view! { <li>{error}</li> }).collect_view()}
                {more.map(|more| view! { <li class="file-errors-more">{more}</li> })}
            </ul>
        </div>
    }
}

/// Returns `part` of `whole` as a whole percentage, 100 for an empty file.
fn percent(part: u64, whole: u64) -> u64 {
    if whole == 0 {
        100
    } else {
        (u128::from(part) * 100 / u128::from(whole)) as u64
    }
}

/// Formats a byte count the way file managers do (KiB steps, one decimal).
pub fn format_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
