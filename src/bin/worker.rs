//! Entry point of the scan worker that Trunk builds beside the app.

#[cfg(target_arch = "wasm32")]
fn main() {
    ipsec_lens::worker::runtime::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the scan worker runs only in a browser; build it with trunk");
}
