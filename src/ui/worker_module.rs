//! The scan worker's wasm module, compiled once by the page and handed to every worker.
//!
//! The pool replaces its workers often (see `worker::schedule::RECYCLE_BYTES`). Workers that
//! fetched and compiled `worker_bg.wasm` themselves each compiled it again, and after a 4 GiB
//! log the renderer's PartitionAlloc held 56 MB instead of 21 MB (bench/memory.mjs, about 16
//! worker starts). A `WebAssembly.Module` posted to a worker is compiled once.

use js_sys::WebAssembly;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

/// The URL of the worker's wasm as Trunk writes it, relative to the page.
const WORKER_WASM_URL: &str = "./worker_bg.wasm";

/// Compiles the worker's module. On failure it logs why and returns `null`, and each worker
/// then loads the file itself, as `www/worker_loader.js` does when it gets no module.
pub async fn compile() -> JsValue {
    match try_compile().await {
        Ok(module) => module,
        Err(error) => {
            web_sys::console::warn_2(
                &"the page could not compile the scan worker's module; each worker loads it \
                  itself:"
                    .into(),
                &error,
            );
            JsValue::NULL
        }
    }
}

async fn try_compile() -> Result<JsValue, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let streaming = WebAssembly::compile_streaming(&window.fetch_with_str(WORKER_WASM_URL));
    match JsFuture::from(streaming).await {
        Ok(module) => Ok(module),
        // A server that does not send `application/wasm` makes the streaming compile fail.
        Err(_) => {
            let response: Response = JsFuture::from(window.fetch_with_str(WORKER_WASM_URL))
                .await?
                .dyn_into()?;
            let bytes = JsFuture::from(response.array_buffer()?).await?;
            JsFuture::from(WebAssembly::compile(&bytes)).await
        }
    }
}
