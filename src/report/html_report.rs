//! The saved report: one self-contained HTML page of the current view.
//!
//! The page has an inline stylesheet and inline SVG charts, and no script, no external
//! resource and no URL, so it opens the same anywhere, offline, and cannot run anything an
//! event value smuggles in: every value goes through [`escape`]. Values also go through
//! [`visible_text`], as on the page, so a direction override cannot reorder a name.

use super::alerts::{AlertRule, RetryStorm, STORM_GAP_MINUTES, STORM_MIN_COUNT};
use super::column::{Cell, Column};
use super::file_report::FileReport;
use super::filter::Filter;
use super::svg::{escape, timeline_chart_in, top_chart};
use super::table::Table;
use super::top::Dimension;
use super::visible_text;
use super::zone::ZonedClock;
use crate::filetime::FileTime;
use std::fmt::Write;

/// The maximum number of rows the report lists. A note counts the rest.
pub const ROW_LIMIT: usize = 10_000;

/// The maximum number of entries per top-N chart.
const TOP_N: usize = 10;

/// The maximum number of alerts listed per rule, and of storms, so a noisy log stays readable.
const MAX_LISTED: usize = 50;

/// The maximum number of problems listed per file.
const MAX_PROBLEMS: usize = 100;

/// The maximum number of characters of one value written outside the row table. A longer
/// value is cut with an ellipsis and its whole text goes into the `title` tooltip.
const MAX_VALUE_CHARS: usize = 300;

/// The length from which a row cell, which the stylesheet cuts at 360 px, also gets its
/// whole text as a `title` tooltip.
const CELL_TITLE_CHARS: usize = 40;

/// The columns of the row table. The CSV and JSON exports carry every column.
const ROW_COLUMNS: [Column; 12] = [
    Column::TimeCreated,
    Column::Computer,
    Column::LocalAddress,
    Column::RemoteAddress,
    Column::RemoteEmPrincipalName,
    Column::FailurePointText,
    Column::FailureReason,
    Column::StateText,
    Column::RoleText,
    Column::RemoteEmCertHash,
    Column::File,
    Column::EventRecordId,
];

/// Everything the report shows.
pub struct ReportInput<'a> {
    pub reports: &'a [FileReport],
    pub table: &'a Table,
    /// The view: row indices in the order the page shows them.
    pub rows: &'a [u32],
    /// The filter that produced the view, listed at the top.
    pub filter: &'a Filter,
    /// Alert rules to evaluate over the view, such as the presets and a custom rule.
    pub rules: &'a [AlertRule],
    /// When the report was made, if the caller has a clock.
    pub generated_at: Option<FileTime>,
    /// The zone the report shows times in, as the page did when it was saved.
    pub clock: &'a ZonedClock<'a>,
    /// Each file's problems as the page lists them, by position in `reports`. They include
    /// problems only the page tracks, such as a header that counts more chunks than the
    /// file holds. A file without an entry lists its report's own error and lost chunks.
    pub file_errors: &'a [Vec<String>],
}

/// Writes the report of a view as one HTML document.
pub fn html_report(input: &ReportInput<'_>) -> String {
    let mut html = String::with_capacity(64 * 1024 + input.rows.len().min(ROW_LIMIT) * 400);
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    html.push_str("<title>IPsec Lens report: event 4983</title>\n<style>");
    html.push_str(STYLE);
    html.push_str("</style>\n</head>\n<body>\n");
    write_heading(&mut html, input);
    write_files(&mut html, input);
    write_duplicates(&mut html, input.table);
    write_causes(&mut html, input);
    write_charts(&mut html, input);
    write_alerts(&mut html, input);
    write_storms(&mut html, input);
    write_rows(&mut html, input);
    html.push_str("</body>\n</html>\n");
    html
}

/// Appends formatted text, panicking only if `fmt::Write` for `String` fails, which it does not.
macro_rules! put {
    ($html:expr, $($arg:tt)*) => {
        write!($html, $($arg)*).expect("writing to a String")
    };
}

/// Returns a log value as HTML text: invisible and direction-changing characters marked,
/// then escaped.
fn shown(text: &str) -> String {
    escape(&visible_text(text))
}

/// Appends a value as [`shown`] does. A value longer than [`MAX_VALUE_CHARS`] is cut with
/// an ellipsis inside a `<span>` whose `title` contains the whole value.
fn put_value(html: &mut String, text: &str) {
    let visible = visible_text(text);
    if visible.chars().count() <= MAX_VALUE_CHARS {
        html.push_str(&escape(&visible));
        return;
    }
    let mut cut: String = visible.chars().take(MAX_VALUE_CHARS - 1).collect();
    cut.push('…');
    put!(
        html,
        "<span class=\"cut\" title=\"{}\">{}</span>",
        escape(&visible),
        escape(&cut)
    );
}

fn write_heading(html: &mut String, input: &ReportInput<'_>) {
    html.push_str(
        "<h1>IPsec Lens report: event 4983 (IPsec extended mode negotiation failed)</h1>\n",
    );
    put!(
        html,
        "<p class=\"muted\">{} of {} rows from {} file(s). Times are in {}, each with its \
         UTC offset.",
        input.rows.len(),
        input.table.rows.len(),
        input.reports.len(),
        shown(&input.clock.name)
    );
    if let Some(time) = input.generated_at {
        put!(html, " Generated {}.", escape(&input.clock.format(time)));
    }
    html.push_str("</p>\n");
    let conditions = input.clock.conditions(input.filter);
    if conditions.is_empty() {
        html.push_str("<p>Filter: none, every row is included.</p>\n");
        return;
    }
    html.push_str("<p>Filter:</p>\n<ul class=\"chips\">");
    for condition in conditions {
        put!(html, "<li><b>{}</b>: ", escape(condition.label));
        put_value(html, &condition.value);
        html.push_str("</li>");
    }
    html.push_str("</ul>\n");
}

fn write_files(html: &mut String, input: &ReportInput<'_>) {
    let in_view = input.table.file_totals(input.rows);
    html.push_str("<h2>Files</h2>\n<table>\n<thead><tr><th>File</th>");
    for heading in [
        "Size (bytes)",
        "Records",
        "4983",
        "4983 in view",
        "Other IPsec",
        "Chunks read",
        "Problems",
    ] {
        put!(html, "<th class=\"num\">{heading}</th>");
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    let errors: Vec<Vec<String>> = (0..input.reports.len())
        .map(|position| input.reports[position].file_errors(input.file_errors.get(position)))
        .collect();
    for (position, report) in input.reports.iter().enumerate() {
        let view_rows = in_view.get(position).map_or(0, |total| total.rows);
        let other_ipsec: u64 = report.other_event_counts().values().sum();
        let problems = report.problem_count(&errors[position]);
        put!(
            html,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{view_rows}</td>\
             <td class=\"num\">{other_ipsec}</td><td class=\"num\">{} of {}</td>\
             <td class=\"num\">{problems}</td></tr>\n",
            shown(&report.name),
            report.size,
            report.records,
            report.events_4983,
            report.chunks_read(),
            report.chunk_slots,
        );
    }
    html.push_str("</tbody>\n</table>\n");
    // A separate table, because 64 hex digits would squeeze the counts above.
    html.push_str("<table>\n<thead><tr><th>File</th><th>SHA-256</th></tr></thead>\n<tbody>\n");
    for report in input.reports {
        put!(
            html,
            "<tr><td>{}</td><td>{}</td></tr>\n",
            shown(&report.name),
            shown(&report.sha256_text())
        );
    }
    html.push_str("</tbody>\n</table>\n");
    for (report, errors) in input.reports.iter().zip(&errors) {
        write_problems(html, report, errors);
    }
}

fn write_problems(html: &mut String, report: &FileReport, errors: &[String]) {
    if errors.is_empty() && report.skipped.is_empty() {
        return;
    }
    put!(
        html,
        "<h3>Problems in {}</h3>\n<ul class=\"problems\">",
        shown(&report.name)
    );
    for error in errors {
        put!(html, "<li>{}</li>", shown(error));
    }
    for skip in report.skipped.iter().take(MAX_PROBLEMS) {
        put!(html, "<li>{}</li>", shown(&skip.to_string()));
    }
    html.push_str("</ul>\n");
    let left_out = report.skipped.len().saturating_sub(MAX_PROBLEMS);
    if left_out > 0 {
        put!(
            html,
            "<p class=\"muted\">{left_out} more problems are not listed.</p>\n"
        );
    }
}

/// Lists the records seen in more than one file, or twice in one, which the report's counts
/// include once.
fn write_duplicates(html: &mut String, table: &Table) {
    html.push_str("<h3>Records seen more than once</h3>\n");
    let overlaps = table.duplicates().overlaps();
    if overlaps.is_empty() {
        html.push_str("<p>None: every IPsec record appears once.</p>\n");
        return;
    }
    html.push_str(
        "<p class=\"muted\">The rows, charts and alerts count each record once. The counts \
         per file above include every copy.</p>\n<ul class=\"duplicates\">",
    );
    for overlap in overlaps {
        put!(html, "<li>{}</li>", shown(&overlap.describe(&table.files)));
    }
    html.push_str("</ul>\n");
}

fn write_causes(html: &mut String, input: &ReportInput<'_>) {
    html.push_str("<h2>Failure causes</h2>\n");
    let groups = input.table.causes(input.rows);
    if groups.is_empty() {
        html.push_str("<p>No rows in this view.</p>\n");
        return;
    }
    html.push_str("<table class=\"causes\">\n<thead><tr><th>Cause</th>");
    html.push_str("<th class=\"num\">Rows</th>");
    html.push_str("<th>Failure reasons as logged</th></tr></thead>\n<tbody>\n");
    for group in groups {
        put!(
            html,
            "<tr><td><span class=\"swatch {}\"></span>{}</td><td class=\"num\">{}</td><td><ul>",
            group.cause.css_class(),
            escape(group.cause.label()),
            group.count
        );
        for reason in &group.reasons {
            let text = reason.value.as_deref().unwrap_or("(missing)");
            html.push_str("<li>");
            put_value(html, text);
            put!(html, " ({})</li>", reason.count);
        }
        html.push_str("</ul></td></tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
}

fn write_charts(html: &mut String, input: &ReportInput<'_>) {
    let timeline = input.table.timeline(input.rows);
    html.push_str("<h2>Timeline</h2>\n<figure>");
    html.push_str(&timeline_chart_in(&timeline, input.clock).to_svg());
    html.push_str("</figure>\n<h2>Top values</h2>\n<div class=\"grid\">\n");
    for dimension in Dimension::ALL {
        if dimension == Dimension::Cause {
            continue;
        }
        let entries = input.table.top(input.rows, dimension, TOP_N);
        put!(
            html,
            "<figure><figcaption>{}</figcaption>",
            escape(dimension.label())
        );
        if entries.is_empty() {
            html.push_str("<p class=\"muted\">No values.</p>");
        } else {
            html.push_str(&top_chart(dimension, &entries).to_svg());
        }
        html.push_str("</figure>\n");
    }
    html.push_str("</div>\n");
}

fn write_alerts(html: &mut String, input: &ReportInput<'_>) {
    html.push_str("<h2>Alerts</h2>\n");
    if input.rules.is_empty() {
        html.push_str("<p>No alert rules were set.</p>\n");
        return;
    }
    for rule in input.rules {
        let alerts = input.table.alerts(input.rows, *rule);
        put!(
            html,
            "<h3>{}: {} alert(s)</h3>\n",
            escape(&rule.describe()),
            alerts.len()
        );
        if alerts.is_empty() {
            continue;
        }
        html.push_str("<table>\n<thead><tr><th>Key</th><th class=\"num\">Events</th>");
        html.push_str("<th>First</th><th>Last</th></tr></thead>\n<tbody>\n");
        for alert in alerts.iter().take(MAX_LISTED) {
            html.push_str("<tr><td>");
            put_value(html, &alert.key.to_string());
            put!(
                html,
                "</td><td class=\"num\">{}</td><td>{}</td><td>{}</td></tr>\n",
                alert.count,
                input.clock.format(alert.first),
                input.clock.format(alert.last)
            );
        }
        html.push_str("</tbody>\n</table>\n");
        write_left_out(html, alerts.len(), "alerts");
    }
}

fn write_storms(html: &mut String, input: &ReportInput<'_>) {
    let storms: Vec<RetryStorm> =
        input
            .table
            .retry_storms(input.rows, STORM_GAP_MINUTES, STORM_MIN_COUNT);
    put!(
        html,
        "<h2>Retry storms</h2>\n<p class=\"muted\">At least {STORM_MIN_COUNT} failures of one \
         peer pair, each within {STORM_GAP_MINUTES} min of the previous.</p>\n"
    );
    if storms.is_empty() {
        html.push_str("<p>None.</p>\n");
        return;
    }
    html.push_str("<table>\n<thead><tr><th>Peer pair</th><th class=\"num\">Failures</th>");
    html.push_str("<th>First</th><th>Last</th><th>Commonest reason</th></tr></thead>\n<tbody>\n");
    for storm in storms.iter().take(MAX_LISTED) {
        let reason = storm.reason.value.as_deref().unwrap_or("(missing)");
        html.push_str("<tr><td>");
        put_value(html, &storm.pair.to_string());
        put!(
            html,
            "</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>",
            storm.count,
            input.clock.format(storm.first),
            input.clock.format(storm.last),
        );
        put_value(html, reason);
        put!(html, " ({})</td></tr>\n", storm.reason.count);
    }
    html.push_str("</tbody>\n</table>\n");
    write_left_out(html, storms.len(), "retry storms");
}

fn write_left_out(html: &mut String, total: usize, what: &str) {
    if total > MAX_LISTED {
        put!(
            html,
            "<p class=\"muted\">{} more {what} are not listed.</p>\n",
            total - MAX_LISTED
        );
    }
}

fn write_rows(html: &mut String, input: &ReportInput<'_>) {
    put!(html, "<h2>Rows</h2>\n");
    let shown = input.rows.len().min(ROW_LIMIT);
    if input.rows.len() > ROW_LIMIT {
        put!(
            html,
            "<p class=\"note\">The first {ROW_LIMIT} of {} rows are listed; {} rows were left \
             out. Export CSV or JSON from the page for every row and column.</p>\n",
            input.rows.len(),
            input.rows.len() - ROW_LIMIT
        );
    }
    html.push_str("<table class=\"rows\">\n<thead><tr>");
    for column in ROW_COLUMNS {
        put!(html, "<th>{}</th>", column.name());
    }
    html.push_str("<th>Cause</th></tr></thead>\n<tbody>\n");
    for index in &input.rows[..shown] {
        html.push_str("<tr>");
        for column in ROW_COLUMNS {
            let cell = match input.table.cell(*index, column) {
                Cell::Time(time) => input.clock.format(time),
                cell => cell.to_text(),
            };
            let visible = visible_text(&cell);
            if visible.chars().count() > CELL_TITLE_CHARS {
                let text = escape(&visible);
                put!(html, "<td title=\"{text}\">{text}</td>");
            } else {
                put!(html, "<td>{}</td>", escape(&visible));
            }
        }
        put!(
            html,
            "<td>{}</td></tr>\n",
            input.table.cause_of(*index).label()
        );
    }
    html.push_str("</tbody>\n</table>\n");
}

/// The report's stylesheet: the page's colours for light and dark systems, chart classes,
/// and print rules.
const STYLE: &str = "
:root { --bg: #ffffff; --text: #1b1f24; --muted: #5b6470; --line: #d6dbe1; --accent: #1d4ed8;
  --cause-no-policy: #7c3aed; --cause-auth: #dc2626; --cause-timeout: #d97706;
  --cause-unreachable: #0e7490; --cause-other: #6b7280; color-scheme: light dark;
  font-family: system-ui, sans-serif; font-size: 14px; }
@media (prefers-color-scheme: dark) { :root { --bg: #0f1216; --text: #e6e9ee;
  --muted: #9aa4b2; --line: #2c333d; --accent: #7aa2ff; --cause-no-policy: #b794f6;
  --cause-auth: #f87171; --cause-timeout: #fbbf24; --cause-unreachable: #22d3ee;
  --cause-other: #9ca3af; } }
body { margin: 16px 24px; background: var(--bg); color: var(--text); }
h1 { font-size: 20px; } h2 { font-size: 16px; margin-top: 24px; } h3 { font-size: 14px; }
.muted { color: var(--muted); } .note { font-weight: 600; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line);
  vertical-align: top; unicode-bidi: isolate; }
td { overflow-wrap: anywhere; }
table.causes td:last-child { min-width: 240px; max-width: 720px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.rows { font-size: 12px; } table.rows td { white-space: nowrap; max-width: 360px;
  overflow: hidden; text-overflow: ellipsis; overflow-wrap: normal; }
ul { margin: 0; padding-left: 18px; } .chips { display: flex; flex-wrap: wrap; gap: 6px;
  list-style: none; padding: 0; } .chips li { border: 1px solid var(--line);
  border-radius: 10px; padding: 1px 8px; overflow-wrap: anywhere; }
.problems { color: var(--muted); }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px; }
figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart { max-width: 100%; height: auto; font-size: 11px; }
.chart-grid { stroke: var(--line); }
.chart-axis, .chart-legend, .chart-label { fill: var(--muted); }
.chart-count { fill: var(--text); } .chart-bar { fill: var(--accent); }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; }
.cause-no-policy { fill: var(--cause-no-policy); background: var(--cause-no-policy); }
.cause-auth { fill: var(--cause-auth); background: var(--cause-auth); }
.cause-timeout { fill: var(--cause-timeout); background: var(--cause-timeout); }
.cause-unreachable { fill: var(--cause-unreachable); background: var(--cause-unreachable); }
.cause-other { fill: var(--cause-other); background: var(--cause-other); }
@media print { table.rows td { white-space: normal; overflow-wrap: anywhere; } }
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::alerts::PRESETS;
    use crate::report::sample::{failure_at, hostile_table, one_chunk_report};
    use crate::scan::FieldValue;

    fn report_of(reports: &[FileReport], table: &Table, rows: &[u32], filter: &Filter) -> String {
        let rules: Vec<AlertRule> = PRESETS.iter().map(|(_, rule)| *rule).collect();
        html_report(&ReportInput {
            reports,
            table,
            rows,
            filter,
            rules: &rules,
            generated_at: None,
            clock: &ZonedClock::utc(),
            file_errors: &[],
        })
    }

    #[test]
    fn sha256_shown_per_file() {
        let mut done = one_chunk_report("done.evtx", vec![failure_at(1, 0)]);
        done.set_sha256("ab".repeat(32));
        let mut pending = one_chunk_report("pending.evtx", vec![]);
        pending.note_hash_pending();
        let mut failed = one_chunk_report("failed.evtx", vec![]);
        failed.note_hash_failed("the SHA-256 was not computed: NotReadableError".into());
        let reports = [done, pending, failed];
        let table = Table::from_files(&reports);

        let html = report_of(&reports, &table, &table.all_indices(), &Filter::default());

        let row = |name: &str, text: &str| format!("<tr><td>{name}</td><td>{text}</td></tr>");
        assert!(html.contains(&row("done.evtx", &"ab".repeat(32))), "{html}");
        assert!(
            html.contains(&row("pending.evtx", "not computed yet")),
            "{html}"
        );
        let failure = "the SHA-256 was not computed: NotReadableError";
        assert!(html.contains(&row("failed.evtx", failure)), "{html}");
    }

    #[test]
    fn page_errors_count_and_show() {
        let report = one_chunk_report("cut.evtx", vec![failure_at(1, 0)]);
        let table = Table::from_files(std::slice::from_ref(&report));
        let cut = "the file header counts 9 chunks of 64 KiB but the file has room for 1, so \
                   either the file is cut short or the header's chunk count is wrong";
        let errors = [vec![cut.to_owned()]];
        let html = html_report(&ReportInput {
            reports: std::slice::from_ref(&report),
            table: &table,
            rows: &table.all_indices(),
            filter: &Filter::default(),
            rules: &[],
            generated_at: None,
            clock: &ZonedClock::utc(),
            file_errors: &errors,
        });

        assert!(
            html.contains(&format!("<li>{}</li>", cut.replace('\'', "&#39;"))),
            "{html}"
        );
        let problems_cell = format!("<td class=\"num\">{}</td></tr>", report.skipped.len() + 1);
        assert!(html.contains(&problems_cell), "{html}");
    }

    /// Lists `on…=` attributes in tags. Every `<` of a value is escaped, so each `<` that
    /// remains starts a tag the report wrote.
    fn event_handler_attributes(html: &str) -> Vec<String> {
        let mut found = Vec::new();
        for tag in html.split('<').skip(1) {
            let tag = tag.split('>').next().unwrap_or("");
            for attribute in tag.split_whitespace().skip(1) {
                let name = attribute.split('=').next().unwrap_or("");
                if name.starts_with("on") && attribute.contains('=') {
                    found.push(attribute.to_owned());
                }
            }
        }
        found
    }

    fn hostile_report() -> String {
        let mut table = hostile_table();
        let event = std::sync::Arc::make_mut(&mut table.rows[0].event);
        event.set_value("FailureReason", Some("<img src=x onerror=alert(1)>"));
        event.computer = "<svg onload=alert(2)>".into();
        event.set_value("RemoteAddress", Some("\"><script>alert(3)</script>"));
        let report = one_chunk_report("<b>evil</b>.evtx", vec![]);
        let filter = Filter {
            text: "<script>alert(1)</script>".into(),
            ..Filter::default()
        };
        report_of(&[report], &table, &table.all_indices(), &filter)
    }

    #[test]
    fn hostile_values_are_escaped() {
        let html = hostile_report();

        assert!(!html.contains("<img"));
        assert!(html.contains("<td>&lt;img src=x onerror=alert(1)&gt;</td>"));
        assert!(html.contains("<li>&lt;img src=x onerror=alert(1)&gt; (1)</li>"));
        assert!(html.contains("&lt;svg onload=alert(2)&gt;"));
        assert!(html.contains("&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;"));
        assert!(html.contains("&lt;IMG SRC=X ONERROR=ALERT(1)&gt;"));
        assert!(!html.contains("<b>evil"));
        assert!(html.contains("&lt;b&gt;evil&lt;/b&gt;.evtx"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    #[test]
    fn no_script_and_no_url() {
        let html = hostile_report().to_lowercase();

        assert!(!html.contains("<script"));
        assert!(!html.contains("http://"));
        assert!(!html.contains("https://"));
        assert!(!html.contains("url("));
        assert_eq!(event_handler_attributes(&html), Vec::<String>::new());
        assert!(html.starts_with("<!doctype html>"));
        assert!(html.ends_with("</html>\n"));
    }

    #[test]
    fn bidi_controls_are_marked_everywhere() {
        let mut event = failure_at(1, 0);
        event.computer = "host\u{202E}1.contoso.com".into();
        let report = one_chunk_report("a\u{202E}b.evtx", vec![event]);
        let table = Table::from_files(std::slice::from_ref(&report));
        let filter = Filter {
            computer: Some("host\u{202E}1.contoso.com".into()),
            ..Filter::default()
        };

        let html = report_of(&[report], &table, &[0], &filter);

        assert!(!html.contains('\u{202E}'));
        assert!(html.contains("<td>host⟨U+202E⟩1.contoso.com</td>"));
        assert!(html.contains("<li><b>Computer</b>: host⟨U+202E⟩1.contoso.com</li>"));
        assert!(html.contains("<tr><td>a⟨U+202E⟩b.evtx</td>"));
        assert!(html.contains(">host⟨U+202E⟩1.contoso.com</text>"));
    }

    #[test]
    fn long_reason_is_cut_with_title() {
        let table = hostile_table();
        let reason = crate::report::sample::long_reason();

        let html = report_of(&[], &table, &[0], &Filter::default());

        let kept = &reason[..MAX_VALUE_CHARS - 1];
        let cut = format!("<li><span class=\"cut\" title=\"{reason}\">{kept}…</span> (1)</li>");
        assert!(html.contains(&cut));
        assert!(html.contains(&format!("<td title=\"{reason}\">{reason}</td>")));
        assert!(STYLE.contains("overflow-wrap: anywhere"));
    }

    #[test]
    fn counts_match_the_view() {
        let mut events: Vec<_> = (0..6).map(|n| failure_at(n + 1, n * 60)).collect();
        events[5].data[13].value = FieldValue::Text("Negotiation timed out".into());
        let report = one_chunk_report("a.evtx", events);
        let table = Table::from_files(std::slice::from_ref(&report));

        let html = report_of(&[report], &table, &[0, 1, 2, 3, 4, 5], &Filter::default());

        assert!(html.contains("6 of 6 rows from 1 file(s)"));
        assert!(html.contains("Filter: none"));
        assert!(html.contains("No policy</td><td class=\"num\">5</td>"));
        assert!(html.contains("<li>No policy configured (5)</li>"));
        assert!(html.contains("Timeout</td><td class=\"num\">1</td>"));
        // The remote-address preset fires once: six failures from 10.0.0.2 in 5 minutes.
        assert!(html.contains("from one remote address within 10 min: 1 alert(s)"));
        assert!(html.contains("<tr><td>10.0.0.2</td><td class=\"num\">6</td>"));
        assert!(html.contains("<tr><td>10.0.0.1 → 10.0.0.2</td><td class=\"num\">6</td>"));
        assert_eq!(html.matches("<tr><td>2024-05-01 12:").count(), 6);
        assert_eq!(html.matches("<svg ").count(), 8);
        assert!(!html.contains("left out"));
    }

    #[test]
    fn rows_are_capped_with_a_note() {
        let events: Vec<_> = (0..ROW_LIMIT as u64 + 3)
            .map(|n| failure_at(n + 1, n))
            .collect();
        let report = one_chunk_report("big.evtx", events);
        let table = Table::from_files(std::slice::from_ref(&report));
        let rows = table.all_indices();

        let html = report_of(&[report], &table, &rows, &Filter::default());

        assert!(html.contains("The first 10000 of 10003 rows are listed; 3 rows were left out."));
        assert_eq!(html.matches("<tr><td>2024-").count(), ROW_LIMIT);
    }

    #[test]
    fn copies_are_listed_once() {
        let first = one_chunk_report("a.evtx", vec![failure_at(1, 0), failure_at(2, 60)]);
        let second = one_chunk_report("b.evtx", vec![failure_at(2, 60), failure_at(3, 120)]);
        let reports = [first, second];
        let table = Table::from_files(&reports);

        let html = report_of(&reports, &table, &table.all_indices(), &Filter::default());

        assert!(html.contains("3 of 3 rows from 2 file(s)"));
        assert!(html.contains(
            "<ul class=\"duplicates\"><li>1 record of host1.contoso.com (1 of event 4983, 0 \
             other IPsec events) appears in both a.evtx and b.evtx; counted once, from \
             a.evtx, the file dropped earlier.</li></ul>"
        ));
        assert_eq!(html.matches("<tr><td>2024-05-01").count(), 3);
        assert!(!html.contains("None: every IPsec record appears once."));
    }

    #[test]
    fn no_copies_says_none() {
        let report = one_chunk_report("a.evtx", vec![failure_at(1, 0)]);
        let table = Table::from_files(std::slice::from_ref(&report));

        let html = report_of(&[report], &table, &[0], &Filter::default());

        assert!(html.contains(
            "<h3>Records seen more than once</h3>\n<p>None: every IPsec record appears once.</p>"
        ));
    }

    #[test]
    fn active_filter_is_listed() {
        let table = hostile_table();
        let filter = Filter {
            failure_point: Some("%%8199".into()),
            ..Filter::default()
        };

        let html = report_of(&[], &table, &[], &filter);

        assert!(html.contains("<li><b>Failure point</b>: %%8199 (Local computer)</li>"));
        assert!(html.contains("0 of 1 rows from 0 file(s)"));
        assert!(html.contains("No rows in this view."));
    }

    #[test]
    fn times_follow_the_chosen_zone() {
        let report = one_chunk_report("a.evtx", vec![failure_at(1, 0)]);
        let table = Table::from_files(std::slice::from_ref(&report));
        let filter = Filter {
            from: FileTime::parse_iso("2024-05-01T12:00:00Z"),
            ..Filter::default()
        };
        let kolkata = ZonedClock {
            name: "Asia/Kolkata".into(),
            lookup: &crate::report::zone::FixedOffset(19_800),
        };

        let html = html_report(&ReportInput {
            reports: std::slice::from_ref(&report),
            table: &table,
            rows: &table.all_indices(),
            filter: &filter,
            rules: &[],
            generated_at: FileTime::parse_iso("2024-06-01T00:00:00Z"),
            clock: &kolkata,
            file_errors: &[],
        });

        assert!(html.contains("Times are in Asia/Kolkata, each with its UTC offset."));
        assert!(html.contains("Generated 2024-06-01 05:30:00.0000000 +05:30."));
        assert!(html.contains("<li><b>From</b>: 2024-05-01 17:30:00.0000000 +05:30</li>"));
        assert!(html.contains("<tr><td>2024-05-01 18:04:56.1234567 +05:30</td>"));
        assert!(html.contains("(Asia/Kolkata) from 2024-05-01 18:04:00 +05:30"));
    }
}
