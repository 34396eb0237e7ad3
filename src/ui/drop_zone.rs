//! The drop target and the file picker: the page's only `input[type=file]`.

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
            <label class="button">
                "Choose files…"
                <input
                    type="file"
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
