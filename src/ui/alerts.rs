//! The alerts panel: preset rules, one custom rule, and retry storms, each line a button
//! that narrows the table to the rows behind it.

use super::intl_zone::with_clock;
use super::state::AppState;
use super::timing;
use crate::report::alerts::{
    RuleError, MAX_RULE_COUNT, MAX_RULE_WINDOW_MINUTES, STORM_GAP_MINUTES, STORM_MIN_COUNT,
};
use crate::report::{Alert, AlertRule, Dimension, RetryStorm, CUSTOM_DIMENSIONS, PRESETS};
use leptos::prelude::*;
use std::sync::Arc;

/// The maximum number of lines listed per rule and for storms. A note counts the rest.
const MAX_LINES: usize = 20;

/// The keys a custom rule can group by, with their labels in the form.
const CUSTOM_KEYS: [(Dimension, &str); 3] = [
    (CUSTOM_DIMENSIONS[0], "Remote address"),
    (CUSTOM_DIMENSIONS[1], "Computer"),
    (CUSTOM_DIMENSIONS[2], "Peer pair"),
];

/// Lists the alerts of the preset rules and of `custom_rule` over `view_rows`, and the retry
/// storms over `storm_rows`, with a form that sets `custom_rule`. Both are the rows on view,
/// handed on in separate tasks.
#[component]
pub fn AlertsPanel(
    #[prop(into)] view_rows: Signal<Arc<Vec<u32>>>,
    #[prop(into)] storm_rows: Signal<Arc<Vec<u32>>>,
    custom_rule: RwSignal<Option<AlertRule>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let rule_alerts = move |rule: AlertRule| {
        let rows = view_rows.get();
        timing::measured(timing::ALERTS, || {
            state.with_data(|data| data.table.alerts(&rows, rule))
        })
    };
    let presets = move || {
        PRESETS
            .iter()
            .map(|(name, rule)| rule_section(name, *rule, rule_alerts(*rule), state))
            .collect_view()
    };
    let custom = move || {
        custom_rule
            .get()
            .map(|rule| rule_section("Custom rule", rule, rule_alerts(rule), state))
    };
    let storms = move || {
        let rows = storm_rows.get();
        let storms = timing::measured(timing::RETRY_STORMS, || {
            state.with_data(|data| {
                data.table
                    .retry_storms(&rows, STORM_GAP_MINUTES, STORM_MIN_COUNT)
            })
        });
        storm_section(storms, state)
    };
    view! {
        <section class="alerts" aria-label="Alerts" data-testid="alerts">
            <h2>"Alerts"</h2>
            {presets}
            {custom}
            <CustomRuleForm custom_rule=custom_rule />
            {storms}
        </section>
    }
}

fn rule_section(
    name: &'static str,
    rule: AlertRule,
    alerts: Vec<Alert>,
    state: AppState,
) -> impl IntoView {
    let heading = format!("{name}: {} ({})", rule.describe(), alerts.len());
    let hidden = alerts.len().saturating_sub(MAX_LINES);
    let zone = state.zone.get();
    let lines = alerts
        .into_iter()
        .take(MAX_LINES)
        .map(|alert| {
            let (first, last) = with_clock(&zone, |clock| {
                (clock.format(alert.first), clock.format(alert.last))
            });
            let text = format!("{}: {} events, {first} to {last}", alert.key, alert.count);
            alert_line(text, move || {
                state.filter.update(|filter| alert.apply(filter))
            })
        })
        .collect_view();
    view! {
        <h3 class="alert-rule">{heading}</h3>
        <ul class="alert-list">{lines}</ul>
        {not_listed(hidden)}
    }
}

/// Renders one alert or storm as a button that narrows the table to its rows.
fn alert_line(text: String, narrow: impl Fn() + 'static) -> impl IntoView {
    view! {
        <li><button class="alert-line" on:click=move |_| narrow()
            title="Show these rows in the table">{text}</button></li>
    }
}

fn storm_section(storms: Vec<RetryStorm>, state: AppState) -> impl IntoView {
    let heading = format!(
        "Retry storms: ≥ {STORM_MIN_COUNT} failures of one peer pair, each within \
         {STORM_GAP_MINUTES} min of the previous ({})",
        storms.len()
    );
    let hidden = storms.len().saturating_sub(MAX_LINES);
    let zone = state.zone.get();
    let lines = storms
        .into_iter()
        .take(MAX_LINES)
        .map(|storm| {
            let (first, last) = with_clock(&zone, |clock| {
                (clock.format(storm.first), clock.format(storm.last))
            });
            let reason = storm
                .reason
                .value
                .clone()
                .unwrap_or_else(|| "(missing)".into());
            let text = format!(
                "{}: {} failures, {first} to {last}, mostly \u{201c}{reason}\u{201d}",
                storm.pair, storm.count
            );
            alert_line(text, move || {
                state.filter.update(|filter| storm.apply(filter))
            })
        })
        .collect_view();
    view! {
        <h3 class="alert-rule">{heading}</h3>
        <ul class="alert-list" data-testid="retry-storms">{lines}</ul>
        {not_listed(hidden)}
    }
}

/// Reads a `<select>`'s value as a position in its option list, or 0 for any other value.
fn parse_position(event: &leptos::ev::Event) -> usize {
    event_target_value(event).parse().unwrap_or(0)
}

fn not_listed(hidden: usize) -> impl IntoView {
    (hidden > 0).then(|| view! { <p class="empty-note">{format!("{hidden} more not listed")}</p> })
}

/// Renders a form for one rule: key, event count and window. An invalid number leaves the
/// rule unchanged and shows which field is wrong and its allowed range.
///
/// The form has `novalidate` because the browser's own check of `min` blocks the submit
/// event without a message that stays on screen.
#[component]
fn CustomRuleForm(custom_rule: RwSignal<Option<AlertRule>>) -> impl IntoView {
    let key = RwSignal::new(0usize);
    let min_count = RwSignal::new(String::from("5"));
    let window = RwSignal::new(String::from("10"));
    let error = RwSignal::new(None::<RuleError>);
    // A rule set from elsewhere (a shared link) shows in the form as if typed there.
    Effect::new(move |_| {
        if let Some(rule) = custom_rule.get() {
            let position = CUSTOM_KEYS
                .iter()
                .position(|(dimension, _)| *dimension == rule.dimension);
            key.set(position.unwrap_or(0));
            min_count.set(rule.min_count.to_string());
            window.set(rule.window_minutes.to_string());
            error.set(None);
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let parsed = AlertRule::parse(
            CUSTOM_KEYS[key.get_untracked()].0,
            &min_count.get_untracked(),
            &window.get_untracked(),
        );
        match parsed {
            Ok(rule) => {
                error.set(None);
                custom_rule.set(Some(rule));
            }
            Err(invalid) => error.set(Some(invalid)),
        }
    };
    let count_invalid =
        move || error.with(|error| matches!(error, Some(RuleError::InvalidCount(_))));
    let window_invalid =
        move || error.with(|error| matches!(error, Some(RuleError::InvalidWindow(_))));
    let message = move || error.get().map(|error| error.to_string());
    let options = CUSTOM_KEYS
        .iter()
        .enumerate()
        .map(|(position, (_, label))| {
            let selected = move || key.get() == position;
            view! { <option value=position.to_string() prop:selected=selected>{*label}</option> }
        })
        .collect_view();
    view! {
        <form class="filters rule-form" on:submit=submit data-testid="custom-rule" novalidate>
            <label>"Same"
                <select on:change=move |event| key.set(parse_position(&event))>
                    {options}
                </select>
            </label>
            <label>"At least (events)"
                <input type="number" min="1" max=MAX_RULE_COUNT prop:value=min_count
                    aria-invalid=move || count_invalid().to_string()
                    aria-describedby="custom-rule-error"
                    on:input=move |event| min_count.set(event_target_value(&event)) />
            </label>
            <label>"Within (minutes)"
                <input type="number" min="0" max=MAX_RULE_WINDOW_MINUTES prop:value=window
                    aria-invalid=move || window_invalid().to_string()
                    aria-describedby="custom-rule-error"
                    on:input=move |event| window.set(event_target_value(&event)) />
            </label>
            <button type="submit">"Check rule"</button>
            <button type="button" on:click=move |_| custom_rule.set(None)>"Remove rule"</button>
            <span class="invalid" id="custom-rule-error" role="alert"
                data-testid="custom-rule-error">
                {message}
            </span>
        </form>
    }
}
