//! The selected row in full: every value unshortened and the Windows message text.

use super::state::AppState;
use leptos::prelude::*;

#[component]
pub fn Detail() -> impl IntoView {
    let state = expect_context::<AppState>();
    let content = move || {
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
            Some((heading, row.event.message()))
        })
    };
    view! {
        <Show when=move || content().is_some()>
            <section class="detail-panel" aria-label="Event details">
                <h2>{move || content().map(|(heading, _)| heading)}</h2>
                <pre class="detail" data-testid="event-message">
                    {move || content().map(|(_, message)| message)}
                </pre>
                <button on:click=move |_| state.selected.set(None)>"Close"</button>
            </section>
        </Show>
    }
}
