//! The selected row in full: every value unshortened, the Windows message text or the
//! record's XML, and the IPsec events of the same peer pair around its time.

use super::intl_zone::format_time;
use super::state::{AppState, XmlResult};
use crate::report::related::WINDOW_CHOICES_MINUTES;
use crate::report::{related_events, visible_text, DEFAULT_WINDOW_MINUTES};
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};

/// The panel's text for one row, every value already passed through `visible_text`.
#[derive(Clone, PartialEq)]
struct DetailContent {
    heading: String,
    message: String,
    related: Vec<RelatedItem>,
    place: RecordPlace,
}

/// The location of the row's record, so its chunk can be read again for the XML view.
#[derive(Clone, Copy, PartialEq)]
struct RecordPlace {
    file: u32,
    /// `None` when no scanned chunk of the file contains the event, which should not happen.
    chunk: Option<u64>,
    record_id: u64,
}

impl RecordPlace {
    fn matches(&self, result: &XmlResult) -> bool {
        result.file == self.file
            && Some(result.chunk) == self.chunk
            && result.record_id == self.record_id
    }
}

/// The `data-testid` of the panel heading, which takes focus when a row opens from the
/// keyboard.
const HEADING_ID: &str = "detail-heading";

/// The `data-testid` of the table's scroll box, which takes focus back when Escape closes
/// the panel.
const TABLE_SCROLL_ID: &str = "events-scroll";

/// Moves focus to the panel heading once the panel has rendered, so a keyboard user lands
/// on the row they opened. Leptos renders in a microtask, which runs before the frame.
pub fn focus_heading_after_render() {
    request_animation_frame(|| focus_by_test_id(HEADING_ID));
}

/// Closes the panel and gives focus back to the table's scroll box.
pub fn close_to_table(state: AppState) {
    state.selected.set(None);
    focus_by_test_id(TABLE_SCROLL_ID);
}

fn focus_by_test_id(test_id: &str) {
    let element = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| {
            let selector = format!("[data-testid=\"{test_id}\"]");
            document.query_selector(&selector).ok().flatten()
        })
        .and_then(|element| element.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}

/// The form in which the panel shows the record.
#[derive(Clone, Copy, PartialEq)]
enum RecordView {
    Message,
    Xml,
}

/// One related IPsec event: a one-line summary that expands to its full message.
#[derive(Clone, PartialEq)]
struct RelatedItem {
    summary: String,
    message: String,
}

#[component]
pub fn Detail(#[prop(into)] filtered_rows: Signal<Arc<Vec<u32>>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    // The panel stays open when a filter change hides its row, so the reader keeps what
    // they were reading. A note explains why the row is missing from the table.
    let hidden = Memo::new(move |_| {
        let index = state.selected.get()?;
        Some(!filtered_rows.with(|rows| rows.contains(&index)))
    });
    let record_view = RwSignal::new(RecordView::Message);
    let window_minutes = RwSignal::new(DEFAULT_WINDOW_MINUTES);
    let content = Memo::new(move |_| {
        state.table_revision.track();
        let window = window_minutes.get();
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
            let related = related_events(&data.reports, &row.event, window)
                .into_iter()
                .map(|event| {
                    let time = format_time(&zone, event.time_created);
                    related_item(&time, event.event_id, event.message())
                })
                .collect();
            let place = RecordPlace {
                file: row.file,
                chunk: data
                    .reports
                    .get(row.file as usize)
                    .and_then(|report| report.chunk_of_4983(&row.event)),
                record_id: row.event.record_id,
            };
            Some(DetailContent {
                heading: visible_text(&heading),
                message: visible_text(&row.event.message()),
                related,
                place,
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
    // A memo, so changing the related-events window does not request the XML again.
    let place = Signal::from(Memo::new(move |_| content.get().map(|shown| shown.place)));
    request_xml_when_shown(state, record_view, place);
    let related = move || content.get().map(|shown| shown.related).unwrap_or_default();
    let message = move || content.get().map(|shown| shown.message);
    view! {
        <Show when=move || content.get().is_some()>
            <section class="detail-panel" aria-label="Event details" node_ref=panel
                on:keydown=move |event: web_sys::KeyboardEvent| {
                    if event.key() == "Escape" {
                        event.prevent_default();
                        close_to_table(state);
                    }
                }>
                <h2 tabindex="-1" data-testid=HEADING_ID>
                    {move || content.get().map(|shown| shown.heading)}
                </h2>
                <Show when=move || hidden.get() == Some(true)>
                    <p class="detail-hidden" data-testid="detail-hidden">
                        "The current filters hide this row in the table."
                    </p>
                </Show>
                <ViewSwitch record_view=record_view/>
                <Show
                    when=move || record_view.get() == RecordView::Xml
                    fallback=move || view! {
                        <pre class="detail" data-testid="event-message">{message}</pre>
                    }
                >
                    <XmlView place=place/>
                </Show>
                <RelatedEvents items=Signal::derive(related) window_minutes=window_minutes/>
                <button on:click=move |_| state.selected.set(None)>"Close"</button>
            </section>
        </Show>
    }
}

/// Asks a worker for the record's XML whenever the XML view is open for a record whose
/// XML the page has not received yet.
fn request_xml_when_shown(
    state: AppState,
    record_view: RwSignal<RecordView>,
    place: Signal<Option<RecordPlace>>,
) {
    Effect::new(move |_| {
        if record_view.get() != RecordView::Xml {
            return;
        }
        let Some(place) = place.get() else {
            return;
        };
        let Some(chunk) = place.chunk else {
            return;
        };
        let received = state
            .xml
            .with_untracked(|kept| kept.iter().any(|result| place.matches(result)));
        if !received {
            state.request_xml(place.file, chunk, place.record_id);
        }
    });
}

/// Two buttons that switch between the message text and the XML.
#[component]
fn ViewSwitch(record_view: RwSignal<RecordView>) -> impl IntoView {
    let button = move |target: RecordView, label: &'static str, test_id: &'static str| {
        view! {
            <button
                data-testid=test_id
                aria-pressed=move || (record_view.get() == target).to_string()
                on:click=move |_| record_view.set(target)
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="detail-views" role="group" aria-label="Show the event as">
            {button(RecordView::Message, "Message", "show-message")}
            " "
            {button(RecordView::Xml, "XML", "show-xml")}
        </div>
    }
}

/// The record's XML as text, with the damage it was read despite, or why it is missing.
#[component]
fn XmlView(place: Signal<Option<RecordPlace>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let copy_status = RwSignal::new(String::new());
    // A copy status belongs to the record it was shown for.
    Effect::new(move |_| {
        place.track();
        copy_status.set(String::new());
    });
    let body = move || {
        let place = place.get()?;
        let Some(chunk) = place.chunk else {
            let reason = format!(
                "cannot show record {}: no scanned chunk of the file contains it",
                place.record_id
            );
            return Some(xml_error(reason).into_any());
        };
        let result = state.xml.with(|kept| {
            kept.iter()
                .rev()
                .find(|result| place.matches(result))
                .cloned()
        });
        let Some(result) = result else {
            let reading = format!("Reading chunk {chunk} of the file again…");
            return Some(view! { <p data-testid="xml-loading">{reading}</p> }.into_any());
        };
        Some(match result.xml {
            Ok(record) => {
                let caveats = record
                    .caveats
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ");
                let raw = record.xml.clone();
                view! {
                    {(!caveats.is_empty()).then(|| view! {
                        <p class="xml-caveats" data-testid="xml-caveats">
                            {format!("Read despite damage: {caveats}.")}
                        </p>
                    })}
                    <p>
                        <button on:click=move |_| copy_to_clipboard(&raw, copy_status)>
                            "Copy XML"
                        </button>
                        " "
                        <span aria-live="polite" data-testid="xml-copy-status">
                            {move || copy_status.get()}
                        </span>
                    </p>
                    <pre class="detail" data-testid="event-xml">{visible_text(&record.xml)}</pre>
                }
                .into_any()
            }
            Err(error) => xml_error(error.to_string()).into_any(),
        })
    };
    view! { <div class="xml-view">{body}</div> }
}

fn xml_error(reason: String) -> impl IntoView {
    view! { <p class="xml-error" role="alert" data-testid="xml-error">{reason}</p> }
}

/// Writes `text` to the clipboard and reports the outcome in `status`. The Clipboard API
/// is reached through `Reflect` so the page needs no extra web-sys features.
fn copy_to_clipboard(text: &str, status: RwSignal<String>) {
    let promise = web_sys::window()
        .map(|window| window.navigator())
        .and_then(|navigator| js_sys::Reflect::get(&navigator, &"clipboard".into()).ok())
        .filter(|clipboard| !clipboard.is_undefined())
        .and_then(|clipboard| {
            let write = js_sys::Reflect::get(&clipboard, &"writeText".into()).ok()?;
            let write: js_sys::Function = write.dyn_into().ok()?;
            write.call1(&clipboard, &text.into()).ok()
        })
        .and_then(|promise| promise.dyn_into::<js_sys::Promise>().ok());
    let Some(promise) = promise else {
        status.set("Copy failed: this browser offers no clipboard here.".into());
        return;
    };
    let copied = wasm_bindgen::closure::Closure::once_into_js(move |_: JsValue| {
        status.set("Copied.".into());
    });
    let failed = wasm_bindgen::closure::Closure::once_into_js(move |error: JsValue| {
        let reason = js_sys::Reflect::get(&error, &"message".into())
            .ok()
            .and_then(|message| message.as_string())
            .unwrap_or_else(|| "the browser refused".into());
        status.set(format!("Copy failed: {reason}"));
    });
    let then = js_sys::Reflect::get(&promise, &"then".into())
        .ok()
        .and_then(|then| then.dyn_into::<js_sys::Function>().ok());
    if let Some(then) = then {
        let _ = then.call2(&promise, &copied, &failed);
    }
}

/// Lists the related events, each in a `<details>` element that opens to its full message,
/// under a select that sets the time window.
#[component]
fn RelatedEvents(items: Signal<Vec<RelatedItem>>, window_minutes: RwSignal<u64>) -> impl IntoView {
    let options = WINDOW_CHOICES_MINUTES
        .iter()
        .map(|minutes| {
            view! {
                <option value=minutes.to_string() selected=*minutes == DEFAULT_WINDOW_MINUTES>
                    {format!("±{minutes} min")}
                </option>
            }
        })
        .collect_view();
    let choose = move |event: leptos::ev::Event| {
        if let Ok(minutes) = event_target_value(&event).parse() {
            window_minutes.set(minutes);
        }
    };
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
        <h3>
            "Related IPsec events (same peer pair) within "
            <select data-testid="related-window" aria-label="Time window" on:change=choose>
                {options}
            </select>
        </h3>
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
