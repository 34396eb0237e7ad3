//! The active filter conditions as chips, each with a button that removes it.

use super::state::AppState;
use crate::report::Filter;
use leptos::prelude::*;

#[component]
pub fn FilterChips() -> impl IntoView {
    let state = expect_context::<AppState>();
    let chips = move || {
        let filter = state.filter.get();
        super::intl_zone::with_clock(&state.zone.get(), |clock| clock.conditions(&filter))
            .into_iter()
            .map(|condition| {
                let field = condition.field;
                let remove = format!("Remove the {} filter", condition.label.to_lowercase());
                view! {
                    <li class="chip">
                        <span class="chip-label">{condition.label}": "</span>
                        <span class="chip-value">
                            {crate::report::visible_text(&condition.value)}
                        </span>
                        <button class="chip-remove" aria-label=remove.clone() title=remove
                            on:click=move |_| state.filter.update(|filter| filter.clear(field))>
                            "×"
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    let any = move || !state.filter.with(|filter| filter.is_empty());
    view! {
        <Show when=any>
            <ul class="chips" aria-label="Active filters" data-testid="filter-chips">
                {chips}
                <li>
                    <button class="chip-clear" on:click=move |_| clear_all(state)>
                        "Clear all"
                    </button>
                </li>
            </ul>
        </Show>
    }
}

fn clear_all(state: AppState) {
    state.filter.set(Filter::default());
}
