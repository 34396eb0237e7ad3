//! The drop target and the file picker: the page's only `input[type=file]`. Files dropped
//! anywhere else on the page are taken too, as the browser would otherwise open the file in
//! the tab and lose the analysis.

use super::state::AppState;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DragEvent, FileList, HtmlInputElement};

#[component]
pub fn DropZone() -> impl IntoView {
    let state = expect_context::<AppState>();
    let (hovering, set_hovering) = signal(false);
    let take_files = move |files: Option<FileList>| {
        if let Some(files) = files {
            state.add_files(&files);
        }
    };
    catch_stray_drops(take_files);
    view! {
        <section
            class="drop-zone"
            class:hovering=hovering
            data-testid="drop-zone"
            on:dragover=move |event: DragEvent| {
                event.prevent_default();
                set_hovering.set(true);
            }
            on:dragleave=move |_| set_hovering.set(false)
            on:drop=move |event: DragEvent| {
                event.prevent_default();
                set_hovering.set(false);
                take_files(event.data_transfer().and_then(|transfer| transfer.files()));
            }
        >
            <p class="drop-title">"Drop Windows .evtx files here"</p>
            <p class="drop-note">
                "Files are read in this browser only. Nothing is uploaded."
            </p>
            <label class="button file-button">
                "Choose files…"
                <input
                    type="file"
                    class="visually-hidden"
                    multiple=true
                    accept=".evtx,application/octet-stream"
                    on:change=move |event| {
                        let input: HtmlInputElement = event.target().unwrap().unchecked_into();
                        take_files(input.files());
                        input.set_value("");
                    }
                />
            </label>
        </section>
    }
}

/// Takes files dropped outside the drop zone. Only drags that carry files are claimed, so
/// text dragged into the filter fields still lands there. The zone's own handler cancels
/// its drops first, and this handler skips cancelled drops.
fn catch_stray_drops(take_files: impl Fn(Option<FileList>) + Clone + 'static) {
    let over = window_event_listener(leptos::ev::dragover, |event: DragEvent| {
        if carries_files(&event) {
            event.prevent_default();
            if let Some(transfer) = event.data_transfer() {
                transfer.set_drop_effect("copy");
            }
        }
    });
    let dropped = window_event_listener(leptos::ev::drop, move |event: DragEvent| {
        if event.default_prevented() || !carries_files(&event) {
            return;
        }
        event.prevent_default();
        take_files(event.data_transfer().and_then(|transfer| transfer.files()));
    });
    on_cleanup(move || {
        over.remove();
        dropped.remove();
    });
}

fn carries_files(event: &DragEvent) -> bool {
    event.data_transfer().is_some_and(|transfer| {
        transfer
            .types()
            .iter()
            .any(|kind| kind.as_string().as_deref() == Some("Files"))
    })
}
