// Starts a scan worker. The page's first message is the worker's wasm module, which the page
// compiles once, so a worker started in place of another compiles nothing. The message is null
// when the page could not compile the module, and the worker then loads the file itself.
// Trunk's generated loader passes the module path as a bare string, which wasm-bindgen 0.2.130
// accepts only with a deprecation warning on every load.
importScripts('./worker.js');
self.onmessage = (event) => {
  self.onmessage = null;
  wasm_bindgen({ module_or_path: event.data ?? './worker_bg.wasm' });
};
