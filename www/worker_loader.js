// Starts a scan worker. The page's first message is the worker's wasm module, which the page
// compiles once, so a worker started in place of another compiles nothing. The message is null
// when the page could not compile the module, and the worker then loads the file itself.
// Trunk's generated loader passes the module path as a bare string, which wasm-bindgen 0.2.130
// accepts only with a deprecation warning on every load.
importScripts('./worker.js');
self.onmessage = (event) => {
  self.onmessage = null;
  wasm_bindgen({ module_or_path: event.data ?? './worker_bg.wasm' }).catch((error) => {
    // A rejected promise does not reach the page, but an uncaught error does, as the Worker's
    // error event. The pool then counts a worker that failed to start, such as one whose
    // worker.js comes from another release and does not fit the page's module.
    setTimeout(() => {
      throw error;
    });
  });
};
