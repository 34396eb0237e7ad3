// Starts a scan worker. Trunk's generated loader passes the module path as a bare string,
// which wasm-bindgen 0.2.130 accepts only with a deprecation warning on every load.
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' });
