//! The selected row in full: every value unshortened, the Windows message text and the
//! IPsec events of the same peer pair around its time.

use super::intl_zone::format_time;
use super::state::AppState;
use crate::report::{related_events, visible_text, DEFAULT_WINDOW_MINUTES};
use leptos::prelude::*;

/// The panel's text for one row, every value already passed through `visible_text`.
#[derive(Clone, PartialEq)]
struct DetailContent {
    heading: String,
    message: String,
    related: Vec<RelatedItem>,
}

/// One related IPsec event: a one-line summary that expands to its full message.
#[derive(Clone, PartialEq)]
struct RelatedItem {
    summary: String,
    message: String,
}

#[component]
pub fn Detail() -> impl IntoView {
    let state = expect_context::<AppState>();
    let content = Memo::new(move |_| {
        state.table_revision.track();
        let index = state.selected.get()?;
        let zone = state.zone.get();
        state.with_data(|data| {
            let row = data.table.rows.get(index as usize)?;
            let file = data.table.file_name(row).to_string();
            let heading = format!(
                "{file}, record {} at {}{}",
                row.event.record_id,
                format_time(&zone, row.event.time_created),
                if row.event.recovered {
                    " (recovered from a damaged chunk)"
                } else {
                    ""
                }
            );
            let related = related_events(&data.reports, &row.event, DEFAULT_WINDOW_MINUTES)
                .into_iter()
                .map(|event| {
                    let time = format_time(&zone, event.time_created);
                    related_item(&time, event.event_id, event.message())
                })
                .collect();
            Some(DetailContent {
                heading: visible_text(&heading),
                message: visible_text(&row.event.message()),
                related,
            })
        })
    });
    // The panel opens below the table's scroll box, so bring it into view on a click.
    let panel = NodeRef::<leptos::html::Section>::new();
    Effect::new(move |_| {
        if state.selected.get().is_some() {
            if let Some(element) = panel.get() {
                element.scroll_into_view_with_bool(false);
            }
        }
    });
    let related = move || content.get().map(|shown| shown.related).unwrap_or_default();
    view! {
        <Show when=move || content.get().is_some()>
            <section class="detail-panel" aria-label="Event details" node_ref=panel>
                <h2>{move || content.get().map(|shown| shown.heading)}</h2>
                <pre class="detail" data-testid="event-message">
                    {move || content.get().map(|shown| shown.message)}
                </pre>
                <RelatedEvents items=Signal::derive(related)/>
                <button on:click=move |_| state.selected.set(None)>"Close"</button>
            </section>
        </Show>
    }
}

/// Lists the related events, each in a `<details>` element that opens to its full message.
#[component]
fn RelatedEvents(items: Signal<Vec<RelatedItem>>) -> impl IntoView {
    let title = format!("Related IPsec events (same peer pair, ±{DEFAULT_WINDOW_MINUTES} min)");
    let list = move || {
        items
            .get()
            .into_iter()
            .map(|item| {
                view! {
                    <li>
                        <details>
                            <summary>{item.summary}</summary>
                            <pre class="detail">{item.message}</pre>
                        </details>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <h3>{title}</h3>
        <Show
            when=move || !items.get().is_empty()
            fallback=|| view! { <p data-testid="related-none">"None found."</p> }
        >
            <ul class="related-events" data-testid="related-events">{list}</ul>
        </Show>
    }
}

/// Builds the summary "time, event ID, first message line" and keeps the full message.
fn related_item(time: &str, event_id: u32, message: String) -> RelatedItem {
    let first_line = message.lines().next().unwrap_or_default();
    let summary = format!("{time}  {event_id}  {first_line}");
    RelatedItem {
        summary: visible_text(&summary),
        message: visible_text(&message),
    }
}
