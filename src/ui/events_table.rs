//! The 4983 table: sortable headers, and only the rows in view rendered, so a million rows
//! scroll as smoothly as ten. From the keyboard the scroll box takes focus; arrow keys move
//! a cursor row and Enter opens it in the details panel. Escape closes the panel.

use super::intl_zone::with_clock;
use super::state::AppState;
use crate::report::zone::ZonedClock;
use crate::report::{Cell, Column, Sort};
use leptos::prelude::*;
use std::sync::Arc;

/// Height of one row in pixels; the stylesheet gives `td` this height.
const ROW_HEIGHT: f64 = 27.0;
/// Height of the scrolling box in pixels, as in the stylesheet.
const VIEWPORT_HEIGHT: f64 = 480.0;
/// Rows rendered above and below the visible ones, so fast scrolling shows no gaps.
const OVERSCAN: usize = 10;
/// Values longer than this are cut in cells; the details panel shows them whole.
const CELL_CHARS: usize = 120;

/// The columns the table shows. The four `…Text` columns are folded into their coded
/// columns, which show the words and the raw code together.
fn shown_columns() -> Vec<Column> {
    Column::ALL
        .into_iter()
        .filter(|column| {
            !matches!(
                column,
                Column::FailurePointText
                    | Column::StateText
                    | Column::RoleText
                    | Column::EmImpersonationStateText
            )
        })
        .collect()
}

#[component]
pub fn EventsTable(view_rows: Memo<Arc<Vec<u32>>>) -> impl IntoView {
    let state = expect_context::<AppState>();
    let (scroll_top, set_scroll_top) = signal(0.0f64);
    // The row the arrow keys point at. Apart from the selection, so that walking the rows
    // does not read each one's XML again in the details panel.
    let cursor = RwSignal::new(None::<u32>);
    let scroller = NodeRef::<leptos::html::Div>::new();
    // A row opened from a link, an alert or a chart may lie outside the rendered window.
    Effect::new(move |_| {
        if let Some(index) = state.selected.get() {
            let reveal = Reveal {
                index,
                view_rows,
                scroller,
                set_scroll_top,
            };
            reveal.next_frame(REVEAL_FRAMES);
        }
    });
    let columns = shown_columns();
    let body_columns = columns.clone();
    let visible = move || {
        let rows = view_rows.get();
        let first = ((scroll_top.get() / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
        let count = (VIEWPORT_HEIGHT / ROW_HEIGHT) as usize + 2 * OVERSCAN;
        let last = (first + count).min(rows.len());
        let first = first.min(last);
        (first, last, rows)
    };
    let header_cells = columns
        .iter()
        .map(|column| header_cell(state, *column))
        .collect_view();
    let body = move || {
        let (first, last, rows) = visible();
        let top = first as f64 * ROW_HEIGHT;
        let bottom = (rows.len() - last) as f64 * ROW_HEIGHT;
        let zone = state.zone.get();
        let cells = with_clock(&zone, |clock| {
            state.with_data(|data| {
                rows[first..last]
                    .iter()
                    .map(|index| {
                        let texts: Vec<(String, Option<String>)> = body_columns
                            .iter()
                            .map(|column| {
                                cell_text(data.table.cell(*index, *column), *column, clock)
                            })
                            .collect();
                        let recovered = data.table.rows[*index as usize].event.recovered;
                        (*index, texts, recovered)
                    })
                    .collect::<Vec<_>>()
            })
        });
        view! {
            <tr class="spacer" aria-hidden="true"><td style:height=format!("{top}px")></td></tr>
            {cells
                .into_iter()
                .map(|(index, texts, recovered)| {
                    view! {
                        <tr
                            class:selected=move || state.selected.get() == Some(index)
                            class:cursor=move || cursor.get() == Some(index)
                            class:recovered=recovered
                            on:click=move |_| {
                                cursor.set(Some(index));
                                state.selected.set(Some(index));
                            }
                        >
                            {texts
                                .into_iter()
                                .map(|(text, code)| {
                                    let code = code
                                        .map(|code| view! { <span class="code">{code}</span> });
                                    view! { <td title=text.clone()>{shorten(&text)}{code}</td> }
                                })
                                .collect_view()}
                        </tr>
                    }
                })
                .collect_view()}
            <tr class="spacer" aria-hidden="true">
                <td style:height=format!("{bottom}px")></td>
            </tr>
        }
    };
    view! {
        <div
            class="table-scroll"
            node_ref=scroller
            tabindex="0"
            role="region"
            aria-label="Rows: arrow keys move, Enter opens the details"
            data-testid="events-scroll"
            on:keydown=move |event: web_sys::KeyboardEvent| {
                // Keys on the header buttons are theirs.
                if event.target() != event.current_target() {
                    return;
                }
                if event.key() == "Escape" && state.selected.get_untracked().is_some() {
                    event.prevent_default();
                    super::detail::close_to_table(state);
                    return;
                }
                let rows = view_rows.get_untracked();
                let Some(position) = key_target(
                    &event.key(),
                    &rows,
                    cursor.get_untracked().or(state.selected.get_untracked()),
                ) else {
                    if event.key() == "Enter" {
                        if let Some(index) = cursor.get_untracked() {
                            event.prevent_default();
                            state.selected.set(Some(index));
                            super::detail::focus_heading_after_render();
                        }
                    }
                    return;
                };
                event.prevent_default();
                cursor.set(Some(rows[position]));
                if let Some(element) = scroller.get_untracked() {
                    let element: &web_sys::Element = &element;
                    set_scroll_top.set(reveal_row(element, position));
                }
            }
            on:scroll=move |event| {
                let target: web_sys::Element = event_target(&event);
                set_scroll_top.set(f64::from(target.scroll_top()));
            }
        >
            <table class="events" data-testid="events-table">
                <thead><tr>{header_cells}</tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

fn header_cell(state: AppState, column: Column) -> impl IntoView {
    let aria_sort = move || match state.sort.get() {
        Some(Sort {
            column: sorted,
            descending,
        }) if sorted == column => {
            if descending {
                "descending"
            } else {
                "ascending"
            }
        }
        _ => "none",
    };
    let toggle = move |_| {
        state.sort.update(|sort| {
            *sort = match *sort {
                Some(Sort {
                    column: sorted,
                    descending: false,
                }) if sorted == column => Some(Sort {
                    column,
                    descending: true,
                }),
                Some(Sort {
                    column: sorted,
                    descending: true,
                }) if sorted == column => None,
                _ => Some(Sort {
                    column,
                    descending: false,
                }),
            }
        })
    };
    view! {
        // The click is the cell's, so the whole header sorts; the button's own click (Enter
        // or Space from the keyboard) bubbles up to it.
        <th scope="col" aria-sort=aria_sort on:click=toggle>
            <button type="button" class="sort-button" title="Sort by this column">
                {column.name()}
            </button>
        </th>
    }
}

/// Returns the view position a navigation key moves the cursor to, from the row `current`
/// (a row index, possibly outside the view), or None when the key does not move it.
fn key_target(key: &str, rows: &[u32], current: Option<u32>) -> Option<usize> {
    let last = rows.len().checked_sub(1)?;
    let page = (VIEWPORT_HEIGHT / ROW_HEIGHT) as usize - 1;
    let at = current.and_then(|index| rows.iter().position(|row| *row == index));
    let moved = match (key, at) {
        ("ArrowDown" | "ArrowUp" | "PageDown" | "PageUp", None) | ("Home", _) => 0,
        ("End", _) => last,
        ("ArrowDown", Some(at)) => (at + 1).min(last),
        ("ArrowUp", Some(at)) => at.saturating_sub(1),
        ("PageDown", Some(at)) => (at + page).min(last),
        ("PageUp", Some(at)) => at.saturating_sub(page),
        _ => return None,
    };
    Some(moved)
}

/// Frames in which a row opened from elsewhere is scrolled to until it is seen in full.
const REVEAL_FRAMES: u32 = 10;

/// Scrolling to a row that was opened from outside the table.
#[derive(Clone, Copy)]
struct Reveal {
    index: u32,
    view_rows: Memo<Arc<Vec<u32>>>,
    scroller: NodeRef<leptos::html::Div>,
    set_scroll_top: WriteSignal<f64>,
}

impl Reveal {
    /// Scrolls on the next frame and checks the drawn row, trying again for up to
    /// `frames` frames. A row opened as its file finishes is found before the table has
    /// grown to hold it, and the first scroll then stops short.
    fn next_frame(self, frames: u32) {
        request_animation_frame(move || {
            let Some(element) = self.scroller.get_untracked() else {
                return;
            };
            let element: &web_sys::Element = &element;
            if row_in_view(element) {
                return;
            }
            let rows = self.view_rows.get_untracked();
            let Some(position) = rows.iter().position(|&row| row == self.index) else {
                return;
            };
            self.set_scroll_top.set(reveal_row(element, position));
            if frames > 1 {
                self.next_frame(frames - 1);
            }
        });
    }
}

/// Returns whether the selected row is drawn and seen in full below the sticky header.
fn row_in_view(scroller: &web_sys::Element) -> bool {
    let row = scroller.query_selector("tbody tr.selected").ok().flatten();
    let head = scroller.query_selector("thead").ok().flatten();
    let (Some(row), Some(head)) = (row, head) else {
        return false;
    };
    let row = row.get_bounding_client_rect();
    let head = head.get_bounding_client_rect();
    let bottom = scroller.get_bounding_client_rect().top()
        + f64::from(scroller.client_top() + scroller.client_height());
    row.top() >= head.bottom() - 0.5 && row.bottom() <= bottom + 0.5
}

/// Scrolls the box just enough to show the row at view `position` below the sticky header,
/// and returns the new scroll offset. Rows outside the rendered window have no element yet,
/// so this works from the fixed row height.
fn reveal_row(scroller: &web_sys::Element, position: usize) -> f64 {
    let header = scroller
        .query_selector("thead")
        .ok()
        .flatten()
        .map_or(ROW_HEIGHT, |head| f64::from(head.client_height()));
    let top = header + position as f64 * ROW_HEIGHT;
    let current = f64::from(scroller.scroll_top());
    let height = f64::from(scroller.client_height());
    let wanted = if top - header < current {
        top - header
    } else if top + ROW_HEIGHT > current + height {
        top + ROW_HEIGHT - height
    } else {
        current
    };
    scroller.set_scroll_top(wanted.round() as i32);
    f64::from(scroller.scroll_top())
}

/// Returns the text of a cell, with times in `clock`'s zone, and for coded fields the raw
/// code to show beside the words.
fn cell_text(cell: Cell<'_>, column: Column, clock: &ZonedClock<'_>) -> (String, Option<String>) {
    let text = match cell {
        Cell::Time(time) => clock.format(time),
        other => crate::report::visible_text(&other.to_text()),
    };
    let coded = matches!(
        column,
        Column::FailurePoint | Column::State | Column::Role | Column::EmImpersonationState
    );
    if !coded {
        return (text, None);
    }
    match crate::decode::describe_code(&text) {
        Some(words) => (words.to_string(), Some(text)),
        None => (text, None),
    }
}

/// Cuts long values for the cell; the `title` and the details panel keep them whole.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(CELL_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}
