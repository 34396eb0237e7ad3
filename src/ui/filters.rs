//! The filter bar: free text, time range, and a choice list per field.

use super::intl_zone::with_clock;
use super::state::AppState;
use super::zone_picker::ZonePicker;
use crate::filetime::FileTime;
use crate::report::zone::{parse_input_value, Pick, ZonedClock};
use crate::report::{Filter, Table};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// A field that can be filtered by one of its values.
#[derive(Clone, Copy)]
struct Choice {
    label: &'static str,
    test_id: &'static str,
    read: fn(&Filter) -> Option<String>,
    write: fn(&mut Filter, Option<String>),
    values: fn(&Table) -> BTreeSet<String>,
    /// Coded fields show the words beside the code.
    coded: bool,
}

fn distinct(
    table: &Table,
    value: impl Fn(&crate::decode::Event4983) -> Option<&str>,
) -> BTreeSet<String> {
    let values: BTreeSet<&str> = table
        .rows
        .iter()
        .filter_map(|row| value(&row.event))
        .collect();
    values.into_iter().map(str::to_owned).collect()
}

const CHOICES: [Choice; 7] = [
    Choice {
        label: "Computer",
        test_id: "filter-computer",
        read: |f| f.computer.clone(),
        write: |f, v| f.computer = v,
        values: Table::computer_names,
        coded: false,
    },
    Choice {
        label: "Remote address",
        test_id: "filter-remote-address",
        read: |f| f.remote_address.clone(),
        write: |f, v| f.remote_address = v,
        values: |t| distinct(t, |e| e.remote_address()),
        coded: false,
    },
    Choice {
        label: "Failure reason",
        test_id: "filter-failure-reason",
        read: |f| f.failure_reason.clone(),
        write: |f, v| f.failure_reason = v,
        values: |t| distinct(t, |e| e.failure_reason()),
        coded: false,
    },
    Choice {
        label: "Failure point",
        test_id: "filter-failure-point",
        read: |f| f.failure_point.clone(),
        write: |f, v| f.failure_point = v,
        values: |t| distinct(t, |e| e.failure_point()),
        coded: true,
    },
    Choice {
        label: "State",
        test_id: "filter-state",
        read: |f| f.state.clone(),
        write: |f, v| f.state = v,
        values: |t| distinct(t, |e| e.state()),
        coded: true,
    },
    Choice {
        label: "Role",
        test_id: "filter-role",
        read: |f| f.role.clone(),
        write: |f, v| f.role = v,
        values: |t| distinct(t, |e| e.role()),
        coded: true,
    },
    Choice {
        label: "Impersonation",
        test_id: "filter-impersonation",
        read: |f| f.em_impersonation_state.clone(),
        write: |f, v| f.em_impersonation_state = v,
        values: |t| distinct(t, |e| e.em_impersonation_state()),
        coded: true,
    },
];

#[component]
pub fn Filters() -> impl IntoView {
    let state = expect_context::<AppState>();
    let text = move || state.filter.with(|filter| filter.text.clone());
    let time_note = move || state.filter.with(Filter::time_range_problem);
    view! {
        <div class="filters" role="search">
            <label>
                "Search"
                <input
                    class="wide"
                    type="search"
                    data-testid="filter-text"
                    placeholder="any value, code or word"
                    prop:value=text
                    on:input=move |event| {
                        let value = event_target_value(&event);
                        state.filter.update(|filter| filter.text = value);
                    }
                />
            </label>
            <ZonePicker />
            <TimeBound label="From" test_id="filter-from" is_end=false />
            <TimeBound label="To" test_id="filter-to" is_end=true />
            <span class="filter-note" role="status" data-testid="filter-time-note">
                {time_note}
            </span>
            {CHOICES
                .into_iter()
                .map(|choice| view! { <ChoiceSelect choice=choice /> })
                .collect_view()}
            <button on:click=move |_| state.filter.set(Filter::default())>"Clear filters"</button>
        </div>
    }
}

/// Rewrites the computer filter, which matches ignoring case, to the spelling the log
/// uses, so the select, the chips and the URL show the name as the table does whether it
/// came from a link, a chart or an alert.
pub fn spell_computer_as_logged(state: AppState) {
    Effect::new(move |_| {
        state.table_revision.track();
        let Some(name) = state.filter.with(|filter| filter.computer.clone()) else {
            return;
        };
        let spelling = state.with_data(|data| {
            data.table
                .computer_spelling(&name)
                .filter(|spelling| *spelling != name)
                .map(str::to_owned)
        });
        if let Some(spelling) = spelling {
            state
                .filter
                .update(|filter| filter.computer = Some(spelling));
        }
    });
}

#[component]
fn ChoiceSelect(choice: Choice) -> impl IntoView {
    let state = expect_context::<AppState>();
    // Memos, so that a change of another filter field, such as each edit of the search text,
    // neither collects the field's distinct values from every row again nor rebuilds the
    // options. On a million rows that took about 1.4 s per edit in headless Chromium
    // (bench/table.mjs).
    let options = Memo::new(move |_| {
        state.table_revision.track();
        state.with_data(|data| (choice.values)(&data.table))
    });
    let selected = Memo::new(move |_| {
        state
            .filter
            .with(|filter| (choice.read)(filter))
            .unwrap_or_default()
    });
    view! {
        <label>
            {choice.label}
            <select
                data-testid=choice.test_id
                prop:value=selected
                on:change=move |event| {
                    let value = event_target_value(&event);
                    let value = (!value.is_empty()).then_some(value);
                    state.filter.update(|filter| (choice.write)(filter, value));
                }
            >
                <option value="">"All"</option>
                {move || {
                    let current = selected.get();
                    let mut values = options.get();
                    // A value no row has, such as one from a link, still shows as chosen.
                    if !current.is_empty() {
                        values.insert(current.clone());
                    }
                    values
                        .into_iter()
                        .map(|value| {
                            let shown = option_label(&value, choice.coded);
                            let is_current = value == current;
                            view! { <option value=value selected=is_current>{shown}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </label>
    }
}

fn option_label(value: &str, coded: bool) -> String {
    let shown = crate::report::visible_text(&value.chars().take(80).collect::<String>());
    match crate::decode::describe_code(value).filter(|_| coded) {
        Some(words) => format!("{words} ({value})"),
        None => shown,
    }
}

#[component]
fn TimeBound(label: &'static str, test_id: &'static str, is_end: bool) -> impl IntoView {
    let state = expect_context::<AppState>();
    // Controlled by the filter, so "Clear filters", chips and chart clicks show here too.
    let shown = move || {
        let bound = state
            .filter
            .with(|filter| if is_end { filter.to } else { filter.from });
        let zone = state.zone.get();
        bound
            .map(|time| with_clock(&zone, |clock| clock.input_value(time)))
            .unwrap_or_default()
    };
    let zone_name = move || with_clock(&state.zone.get(), |clock| format!(" ({})", clock.name));
    view! {
        <label>
            {label}
            {zone_name}
            <input
                type="datetime-local"
                step="1"
                data-testid=test_id
                prop:value=shown
                on:change=move |event| {
                    let value = event_target_value(&event);
                    let zone = state.zone.get_untracked();
                    let time = with_clock(&zone, |clock| parse_local_input(&value, is_end, clock));
                    state.filter.update(|filter| {
                        if is_end { filter.to = time } else { filter.from = time }
                    });
                }
            />
        </label>
    }
}

/// Reads a `datetime-local` value as a wall-clock time of `clock`'s zone. An end bound
/// covers its whole last second, and the latest of a repeated hour's two instants.
fn parse_local_input(value: &str, is_end: bool, clock: &ZonedClock<'_>) -> Option<FileTime> {
    let civil = parse_input_value(value)?;
    if is_end {
        let time = clock.resolve(civil, Pick::Latest)?;
        let second = time.0 - time.0 % 10_000_000;
        Some(FileTime(second.saturating_add(9_999_999)))
    } else {
        clock.resolve(civil, Pick::Earliest)
    }
}
