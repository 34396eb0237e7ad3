//! Keeps the view in the URL fragment: reads it at start and on `hashchange`, and writes
//! it with `history.replaceState` after each change, so the back button is not filled
//! with filter edits. The fragment never contains rows, only what `ViewState` names.

use super::intl_zone;
use super::state::AppState;
use crate::report::view_state::{RowRef, ViewState};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `history.replaceState(data, unused, url)`, bound here because web-sys builds its
    /// `History` type only behind a feature this crate does not enable.
    #[wasm_bindgen(catch, js_namespace = history, js_name = replaceState)]
    fn replace_history_state(data: &JsValue, unused: &str, url: &str) -> Result<(), JsValue>;
}

/// Applies the URL's fragment to `state` and keeps the two in step from then on. Returns
/// the parts of the last fragment read that were skipped, for [`SkippedLinkParts`].
pub fn sync_view_with_url(state: AppState) -> RwSignal<Vec<String>> {
    // A row named by the URL whose file has not been dropped (or read) yet.
    let pending_row = RwSignal::new(None::<RowRef>);
    let skipped = RwSignal::new(Vec::new());
    apply(state, pending_row, skipped, &current_fragment());
    listen_for_hash_changes(state, pending_row, skipped);
    Effect::new(move |_| {
        state.table_revision.track();
        let Some(row) = pending_row.get() else {
            return;
        };
        if let Some(index) = row_index(state, row) {
            pending_row.set(None);
            state.selected.set(Some(index));
        }
    });
    Effect::new(move |_| {
        let view = ViewState {
            filter: state.filter.get(),
            sort: state.sort.get(),
            zone: state.zone.get(),
            row: state
                .selected
                .get()
                .and_then(|index| row_ref(state, index))
                .or_else(|| pending_row.get()),
            top: state.top.get(),
            rule: state.custom_rule.get(),
        };
        write_fragment(&view.to_fragment());
    });
    skipped
}

/// Lists the parts of a shared link that were not valid, because the view then differs
/// from the one its sender saw.
#[component]
pub fn SkippedLinkParts(skipped: RwSignal<Vec<String>>) -> impl IntoView {
    let text = move || {
        let parts = skipped.get();
        (!parts.is_empty()).then(|| {
            let listed: Vec<String> = parts.iter().map(|part| shown_part(part)).collect();
            format!(
                "The link's view was opened without these parts, which are not valid: {}.",
                listed.join(", ")
            )
        })
    };
    view! { <p class="link-skips" role="status" data-testid="link-skips">{text}</p> }
}

/// Returns a link part as shown text: invisible characters marked, long parts cut.
fn shown_part(part: &str) -> String {
    const LONGEST: usize = 80;
    let visible = crate::report::visible_text(part);
    match visible.char_indices().nth(LONGEST) {
        Some((end, _)) => format!("{}…", &visible[..end]),
        None => visible,
    }
}

fn apply(
    state: AppState,
    pending_row: RwSignal<Option<RowRef>>,
    skipped: RwSignal<Vec<String>>,
    fragment: &str,
) {
    let (view, skipped_parts) = ViewState::read_fragment(fragment);
    skipped.set(skipped_parts);
    set_if_changed(state.filter, view.filter);
    set_if_changed(state.sort, view.sort);
    // An unknown zone is kept as it is, so the picker can name it, and times show UTC.
    let zone = intl_zone::checked(&view.zone).unwrap_or(view.zone);
    set_if_changed(state.zone, zone);
    set_if_changed(state.top, view.top);
    set_if_changed(state.custom_rule, view.rule);
    let selected = state.selected.get_untracked();
    let current = selected.and_then(|index| row_ref(state, index));
    if view.row != current {
        state.selected.set(None);
        pending_row.set(view.row);
    }
}

fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    if signal.with_untracked(|current| *current != value) {
        signal.set(value);
    }
}

fn row_ref(state: AppState, index: u32) -> Option<RowRef> {
    state.with_data(|data| {
        let row = data.table.rows.get(index as usize)?;
        Some(RowRef {
            file: row.file,
            record_id: row.event.record_id,
        })
    })
}

fn row_index(state: AppState, wanted: RowRef) -> Option<u32> {
    state.with_data(|data| {
        let position =
            data.table.rows.iter().position(|row| {
                row.file == wanted.file && row.event.record_id == wanted.record_id
            })?;
        u32::try_from(position).ok()
    })
}

fn current_fragment() -> String {
    web_sys::window()
        .and_then(|window| window.location().hash().ok())
        .unwrap_or_default()
}

/// Replaces the page's URL with one whose fragment is `fragment`. An empty fragment drops
/// the `#`, and a URL that already has the fragment is left alone.
fn write_fragment(fragment: &str) {
    let Some(location) = web_sys::window().map(|window| window.location()) else {
        return;
    };
    let current = location.hash().unwrap_or_default();
    if current.strip_prefix('#').unwrap_or(&current) == fragment {
        return;
    }
    let path = location.pathname().unwrap_or_default();
    let search = location.search().unwrap_or_default();
    let url = if fragment.is_empty() {
        format!("{path}{search}")
    } else {
        format!("{path}{search}#{fragment}")
    };
    if let Err(error) = replace_history_state(&JsValue::NULL, "", &url) {
        web_sys::console::warn_2(&"could not write the view to the URL:".into(), &error);
    }
}

/// Applies the fragment again when the user edits it or opens a link to this page.
fn listen_for_hash_changes(
    state: AppState,
    pending_row: RwSignal<Option<RowRef>>,
    skipped: RwSignal<Vec<String>>,
) {
    let listener = Closure::<dyn FnMut()>::new(move || {
        apply(state, pending_row, skipped, &current_fragment());
    });
    if let Some(window) = web_sys::window() {
        let _ = window
            .add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
    }
    // The listener lives as long as the page.
    listener.forget();
}
