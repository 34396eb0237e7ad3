//! The timeline and top-N charts of the current view, and the "Save report" button that
//! embeds the same charts in an HTML file.
//!
//! Charts are laid out by `report::svg` and drawn here as SVG elements built by `view!`,
//! so a log value only ever becomes a text node or an escaped attribute, never markup.

use super::intl_zone::with_clock;
use super::state::AppState;
use super::timing;
use crate::filetime::FileTime;
use crate::report::svg::timeline_chart_in;
use crate::report::svg::{number, BarTarget, Chart, Shape};
use crate::report::PRESETS;
use crate::report::{html_report, top_chart, AlertRule, Dimension, ReportInput};
use leptos::prelude::*;
use std::sync::Arc;

/// The tooltip of the save button.
const SAVE_TITLE: &str =
    "Save the summary, charts, alerts and up to 10,000 rows of this view as one HTML file";

/// How many values the top-N chart shows.
const TOP_N: usize = 10;

/// Draws the timeline of the view and a top-N chart over a dimension the user picks.
/// Clicking a bar narrows the filter to the rows behind it.
#[component]
pub fn Charts(#[prop(into)] view_rows: Signal<Arc<Vec<u32>>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let dimension = state.top;
    let timeline = move || {
        let rows = view_rows.get();
        let timeline = timing::measured(timing::TIMELINE, || {
            state.with_data(|data| data.table.timeline(&rows))
        });
        with_clock(&state.zone.get(), |clock| {
            timeline_chart_in(&timeline, clock)
        })
    };
    let top = move || {
        let rows = view_rows.get();
        let dimension = dimension.get();
        let counts = timing::measured(timing::TOP_CHART, || {
            state.with_data(|data| data.table.top(&rows, dimension, TOP_N))
        });
        top_chart(dimension, &counts)
    };
    let pick = move |event| {
        let position: usize = event_target_value(&event).parse().unwrap_or(0);
        if let Some(picked) = Dimension::ALL.get(position) {
            dimension.set(*picked);
        }
    };
    let options = Dimension::ALL
        .iter()
        .enumerate()
        .map(|(position, option)| {
            let option = *option;
            let selected = move || dimension.get() == option;
            view! {
                <option value=position.to_string() prop:selected=selected>
                    {option.label()}
                </option>
            }
        })
        .collect_view();
    view! {
        <section class="charts" aria-label="Charts" data-testid="charts">
            <h2>"Event 4983 over time"</h2>
            <div class="chart-box timeline" data-testid="timeline-chart">
                {move || chart_view(timeline(), state)}
            </div>
            <h2>
                <label>
                    "Top " <select on:change=pick data-testid="top-dimension">{options}</select>
                </label>
            </h2>
            <div class="chart-box" data-testid="top-chart">{move || chart_view(top(), state)}</div>
        </section>
    }
}

/// Draws a chart as SVG elements.
fn chart_view(chart: Chart, state: AppState) -> impl IntoView {
    let view_box = format!("0 0 {} {}", number(chart.width), number(chart.height));
    let shapes = chart
        .shapes
        .into_iter()
        .map(|shape| shape_view(shape, state))
        .collect_view();
    view! {
        <svg class="chart" role="img" viewBox=view_box width=number(chart.width)
            fill="currentColor" aria-label=chart.title>
            {shapes}
        </svg>
    }
}

fn shape_view(shape: Shape, state: AppState) -> AnyView {
    match shape {
        Shape::Rect {
            x,
            y,
            width,
            height,
            class,
            tip,
            target,
        } => bar_view([x, y, width, height], class, tip, target, state),
        Shape::Target {
            x,
            y,
            width,
            height,
            tip,
            target,
        } => bar_view(
            [x, y, width, height],
            "chart-target",
            tip,
            Some(target),
            state,
        ),
        Shape::Text {
            x,
            y,
            anchor,
            class,
            text,
        } => view! {
            <text x=number(x) y=number(y) text-anchor=anchor.as_str() class=class>{text}</text>
        }
        .into_any(),
        Shape::Line {
            x1,
            y1,
            x2,
            y2,
            class,
        } => view! {
            <line x1=number(x1) y1=number(y1) x2=number(x2) y2=number(y2) class=class
                stroke="currentColor" />
        }
        .into_any(),
    }
}

/// Draws one bar or row target; one with a target is a button that narrows the filter.
fn bar_view(
    [x, y, width, height]: [f64; 4],
    class: &'static str,
    tip: String,
    target: Option<BarTarget>,
    state: AppState,
) -> AnyView {
    let Some(target) = target else {
        return view! {
            <rect x=number(x) y=number(y) width=number(width) height=number(height) class=class>
                <title>{tip}</title>
            </rect>
        }
        .into_any();
    };
    let target = Arc::new(target);
    let on_key = target.clone();
    let label = tip.clone();
    let narrow = move |target: &BarTarget| state.filter.update(|filter| target.apply(filter));
    // A row target is invisible until hovered or focused, as the saved report draws it.
    let opacity = (class == "chart-target").then_some("0");
    view! {
        <rect x=number(x) y=number(y) width=number(width) height=number(height)
            fill-opacity=opacity
            class=format!("{class} clickable") tabindex="0" role="button" aria-label=label
            on:click=move |_| narrow(&target)
            on:keydown=move |event| {
                if matches!(event.key().as_str(), "Enter" | " ") {
                    event.prevent_default();
                    narrow(&on_key);
                }
            }>
            <title>{tip}</title>
        </rect>
    }
    .into_any()
}

/// Saves the current view as a self-contained HTML report, with the preset alert rules and
/// `custom_rule` when one is set.
#[component]
pub fn SaveReportButton(
    view_rows: Memo<Arc<Vec<u32>>>,
    custom_rule: RwSignal<Option<AlertRule>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let save = move |_| {
        let rows = view_rows.get_untracked();
        let filter = state.filter.get_untracked();
        let mut rules: Vec<AlertRule> = PRESETS.iter().map(|(_, rule)| *rule).collect();
        rules.extend(custom_rule.get_untracked());
        let now = FileTime::from_unix_millis(js_sys::Date::now() as i64);
        let zone = state.zone.get_untracked();
        let html = with_clock(&zone, |clock| {
            state.with_data(|data| {
                let file_errors = data.session.file_errors();
                html_report(&ReportInput {
                    reports: &data.reports,
                    table: &data.table,
                    rows: &rows,
                    filter: &filter,
                    rules: &rules,
                    generated_at: Some(now),
                    clock,
                    file_errors: &file_errors,
                })
            })
        });
        if let Err(error) =
            super::download::save_text("ipsec-4983-report.html", "text/html;charset=utf-8", &html)
        {
            web_sys::console::error_2(&"saving the report failed:".into(), &error);
        }
    };
    view! {
        <button on:click=save data-testid="save-report" title=SAVE_TITLE>
            "Save report"
        </button>
    }
}
