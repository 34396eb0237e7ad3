//! The page: thin Leptos components over the report model. Built only for wasm32.

mod alerts;
mod charts;
mod chips;
mod counted_rows;
mod detail;
mod download;
mod drop_zone;
mod events_table;
mod file_list;
mod filters;
mod integrity;
mod intl_zone;
mod pool;
mod state;
mod summary;
mod timing;
mod view_url;
mod worker_module;
mod zone_picker;

use alerts::AlertsPanel;
use charts::{Charts, SaveReportButton};
use chips::FilterChips;
use counted_rows::CountedRows;
use detail::Detail;
use drop_zone::DropZone;
use events_table::EventsTable;
use file_list::FileList;
use filters::Filters;
use integrity::IntegrityPanel;
use leptos::prelude::*;
use state::AppState;
use std::sync::Arc;
use summary::Summary;

/// Renders the whole page.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    let custom_rule = state.custom_rule;
    state.start_workers();
    let skipped_link_parts = view_url::sync_view_with_url(state);
    filters::spell_computer_as_logged(state);
    let offline = watch_offline_state();
    mark_ready_for_automation(state, offline);
    request_idle_callback(intl_zone::warm_up);
    // The rows that pass the filter, in table order. The summary, charts and alerts only
    // count these, so they read this memo and a sort does not recompute them: on a million
    // rows that took seconds per click (docs/benchmarks.md).
    let filtered_rows = Memo::new(move |_| {
        state.table_revision.track();
        let filter = state.filter.get();
        let rows = timing::measured(timing::TABLE_VIEW, || {
            state.with_data(|data| data.table.filter(&filter))
        });
        Arc::new(rows)
    });
    // The filtered rows again, handed on only after the table is drawn and in several
    // tasks: on a million rows the views that count them should not delay the table.
    let counted = CountedRows::follow(filtered_rows);
    // The same rows in the chosen order, for the table, the exports and the saved report.
    let view_rows = Memo::new(move |_| {
        let rows = filtered_rows.get();
        let Some(sort) = state.sort.get() else {
            return rows;
        };
        let mut sorted = (*rows).clone();
        timing::measured(timing::TABLE_VIEW, || {
            state.with_data(|data| data.table.sort(&mut sorted, Some(sort)))
        });
        Arc::new(sorted)
    });
    let total_rows = move || {
        state.table_revision.track();
        state.with_data(|data| data.table.rows.len())
    };
    let has_files = move || {
        state.revision.track();
        state.with_data(|data| !data.reports.is_empty())
    };
    view! {
        <header class="top">
            <h1>"IPsec Lens"</h1>
            <p class="tagline">
                "Security event 4983 (IPsec extended mode negotiation failed) and its IPsec "
                "neighbours, from .evtx files read in this browser. Nothing is uploaded."
            </p>
            <StatusLine offline=offline />
        </header>
        <main>
            <DropZone />
            <FileList />
            <Show when=has_files>
                <Summary view_rows=counted.summary />
                <Charts view_rows=counted.charts />
                <section class="events-section" aria-label="Event 4983">
                    <h2>"Event 4983: IPsec extended mode negotiation failed"</h2>
                    <Filters />
                    <view_url::SkippedLinkParts skipped=skipped_link_parts />
                    <FilterChips />
                    <div class="table-bar">
                        <span class="row-count" data-testid="row-count" aria-live="polite">
                            {move || format!("{} of {} rows", view_rows.get().len(), total_rows())}
                        </span>
                        <ExportButtons view_rows=view_rows />
                        <SaveReportButton view_rows=view_rows custom_rule=custom_rule />
                    </div>
                    <EventsTable view_rows=view_rows />
                </section>
                <Detail filtered_rows=filtered_rows />
                <AlertsPanel view_rows=counted.alerts storm_rows=counted.storms
                    custom_rule=custom_rule />
                <IntegrityPanel />
            </Show>
        </main>
    }
}

#[component]
fn ExportButtons(view_rows: Memo<Arc<Vec<u32>>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let export = move |json: bool| {
        let rows = view_rows.get_untracked();
        let (name, mime, text) = state.with_data(|data| {
            if json {
                let file_errors = data.session.file_errors();
                let text =
                    crate::report::export_json(&data.reports, &file_errors, &data.table, &rows);
                ("ipsec-4983.json", "application/json", text)
            } else {
                let text = crate::report::export_csv(&data.table, &rows);
                ("ipsec-4983.csv", "text/csv;charset=utf-8", text)
            }
        });
        if let Err(error) = download::save_text(name, mime, &text) {
            web_sys::console::error_2(&"export failed:".into(), &error);
        }
    };
    view! {
        <span class="exports">
            <button on:click=move |_| export(false)>"Export CSV"</button>
            " "
            <button on:click=move |_| export(true)>"Export JSON"</button>
        </span>
    }
}

/// Shows whether the workers are loaded and whether the page works offline.
#[component]
fn StatusLine(offline: RwSignal<String>) -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <p class="status-line">
            <span class="badge" class:good=move || state.ready.get() data-testid="ready-badge">
                {move || if state.ready.get() { "Ready: drop files" } else { "Loading…" }}
            </span>
            <span
                class="badge"
                class:good=move || offline.get() == "ready"
                data-testid="offline-badge"
            >
                {move || match offline.get().as_str() {
                    "ready" => "Works offline",
                    "" => "Preparing offline use…",
                    _ => "Offline use unavailable",
                }}
            </span>
        </p>
    }
}

/// Follows the service worker's state, which `www/boot.js` puts in `<html data-offline>`
/// and announces with an `offline-state` event.
fn watch_offline_state() -> RwSignal<String> {
    let offline = RwSignal::new(offline_state());
    let listener = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        offline.set(offline_state());
    });
    if let Some(window) = web_sys::window() {
        let _ = window.add_event_listener_with_callback(
            "offline-state",
            wasm_bindgen::JsCast::unchecked_ref(listener.as_ref()),
        );
    }
    // The listener lives as long as the page.
    listener.forget();
    offline
}

fn offline_state() -> String {
    web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element())
        .and_then(|root| root.get_attribute("data-offline"))
        .unwrap_or_default()
}

/// Sets `<body data-ready="true">` once the workers take files and the service worker has
/// settled, so that tests can treat any later request as one the analysis made.
fn mark_ready_for_automation(state: AppState, offline: RwSignal<String>) {
    Effect::new(move |_| {
        if state.ready.get() && !offline.get().is_empty() {
            if let Some(body) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.body())
            {
                let _ = body.set_attribute("data-ready", "true");
            }
        }
    });
}

/// Runs `task` once the browser has drawn the next frame. A timeout set from an animation
/// frame callback runs after that frame's paint in Chromium, though no standard promises it.
pub(crate) fn after_paint(task: impl FnOnce() + 'static) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        task();
        return;
    };
    let frame = Closure::once_into_js(move || {
        let later = Closure::once_into_js(task);
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback(later.unchecked_ref());
        }
    });
    if window
        .request_animation_frame(frame.unchecked_ref())
        .is_err()
    {
        // Without frames (a hidden tab may have none) the views would never update.
        let _ = window.set_timeout_with_callback(frame.unchecked_ref());
    }
}
