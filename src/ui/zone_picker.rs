//! The zone picker: times in UTC, in the browser's zone, or in any zone it supports.

use super::intl_zone::{self, IntlOffsets};
use super::state::AppState;
use crate::report::zone::ZoneChoice;
use leptos::prelude::*;

/// The `<select>` value for each kind of choice.
const MODE_UTC: &str = "UTC";
const MODE_LOCAL: &str = "local";
const MODE_NAMED: &str = "named";

#[component]
pub fn ZonePicker() -> impl IntoView {
    let state = expect_context::<AppState>();
    let local_label = format!("Local ({})", intl_zone::local_zone_name());
    let typed = RwSignal::new(String::new());
    let rejected = RwSignal::new(None::<String>);
    let name_box = NodeRef::<leptos::html::Input>::new();
    // A zone set elsewhere (the URL, another tab's link) shows in the box too.
    Effect::new(move |_| {
        if let ZoneChoice::Named(name) = state.zone.get() {
            typed.set(name);
        }
    });
    let apply_typed = move || {
        let text = typed.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        match ZoneChoice::parse(&text).and_then(|choice| intl_zone::checked(&choice)) {
            Some(choice) => {
                rejected.set(None);
                state.zone.set(choice);
            }
            None => rejected.set(Some(text)),
        }
    };
    let mode = move || match state.zone.get() {
        ZoneChoice::Utc => MODE_UTC,
        ZoneChoice::Local => MODE_LOCAL,
        ZoneChoice::Named(_) => MODE_NAMED,
    };
    let pick_mode = move |event| {
        rejected.set(None);
        match event_target_value(&event).as_str() {
            MODE_UTC => state.zone.set(ZoneChoice::Utc),
            MODE_LOCAL => state.zone.set(ZoneChoice::Local),
            _ => {
                apply_typed();
                if let Some(input) = name_box.get() {
                    let _ = input.focus();
                }
            }
        }
    };
    // The suggestions are about 470 options: they are built when the box is first focused,
    // so dropping a file does not wait for them.
    let suggest = RwSignal::new(false);
    let names = move || {
        suggest.get().then(|| {
            intl_zone::zone_names()
                .iter()
                .map(|name| view! { <option value=name.clone()></option> })
                .collect_view()
        })
    };
    view! {
        <label>
            "Times in"
            <select data-testid="zone-select" prop:value=mode on:change=pick_mode>
                <option value=MODE_UTC>"UTC"</option>
                <option value=MODE_LOCAL>{local_label}</option>
                <option value=MODE_NAMED>"Named zone"</option>
            </select>
        </label>
        <label>
            "Zone name"
            <input
                type="text"
                list="zone-names"
                data-testid="zone-name"
                placeholder="e.g. Asia/Kolkata"
                autocomplete="off"
                spellcheck="false"
                node_ref=name_box
                prop:value=move || typed.get()
                on:focus=move |_| suggest.set(true)
                on:input=move |event| typed.set(event_target_value(&event))
                on:change=move |_| apply_typed()
                on:keydown=move |event| {
                    if event.key() == "Enter" {
                        apply_typed();
                    }
                }
            />
            <datalist id="zone-names">{names}</datalist>
        </label>
        <ZoneProblem rejected=rejected />
    }
}

/// Reports a zone the browser does not support: one typed in the box, which leaves the zone
/// as it was, or one from a link, which shows UTC.
#[component]
fn ZoneProblem(rejected: RwSignal<Option<String>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let problem = move || {
        if let Some(name) = rejected.get() {
            return Some(format!("Unknown time zone \u{201c}{name}\u{201d}."));
        }
        match state.zone.get() {
            ZoneChoice::Named(name) if IntlOffsets::new(&name).is_none() => Some(format!(
                "Unknown time zone \u{201c}{name}\u{201d}: times are shown in UTC."
            )),
            _ => None,
        }
    };
    view! {
        <span class="invalid" role="alert" data-testid="zone-problem">{problem}</span>
    }
}
