//! The selected row in full: every value unshortened and the Windows message text.

use super::state::AppState;
use leptos::prelude::*;

#[component]
pub fn Detail() -> impl IntoView {
    let state = expect_context::<AppState>();
    let content = Memo::new(move |_| {
        state.table_revision.track();
        let index = state.selected.get()?;
        state.with_data(|data| {
            let row = data.table.rows.get(index as usize)?;
            let file = data.table.file_name(row).to_string();
            let heading = format!(
                "{file}, record {} at {}{}",
                row.event.record_id,
                row.event.time_created,
                if row.event.recovered {
                    " (recovered from a damaged chunk)"
                } else {
                    ""
                }
            );
            let heading = crate::report::visible_text(&heading);
            Some((heading, crate::report::visible_text(&row.event.message())))
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
    view! {
        <Show when=move || content.get().is_some()>
            <section class="detail-panel" aria-label="Event details" node_ref=panel>
                <h2>{move || content.get().map(|(heading, _)| heading)}</h2>
                <pre class="detail" data-testid="event-message">
                    {move || content.get().map(|(_, message)| message)}
                </pre>
                <button on:click=move |_| state.selected.set(None)>"Close"</button>
            </section>
        </Show>
    }
}
