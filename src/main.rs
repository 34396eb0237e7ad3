//! Mounts the IPsec Lens page; all logic lives in the library.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(ipsec_lens::ui::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("IPsec Lens runs in a browser: run scripts/serve and open the printed URL");
}
