// Starts the app from a script file so the Content-Security-Policy can forbid inline scripts.
import init from './ipsec-lens.js';

async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) {
    return 'unsupported';
  }
  try {
    await navigator.serviceWorker.register('./sw.js');
    await navigator.serviceWorker.ready;
    return 'ready';
  } catch (error) {
    console.warn('offline cache unavailable:', error);
    return 'failed';
  }
}

// The app reads this attribute to say whether the page works offline.
const offline = registerServiceWorker().then((state) => {
  document.documentElement.dataset.offline = state;
  window.dispatchEvent(new CustomEvent('offline-state', { detail: state }));
  return state;
});
window.ipsecLensOffline = offline;

// A browser without WebAssembly SIMD (the build uses it) rejects the module when it compiles
// it. Without this message the page would stay blank.
try {
  await init({ module_or_path: './ipsec-lens_bg.wasm' });
} catch (error) {
  const message = document.createElement('p');
  message.className = 'load-error';
  message.setAttribute('role', 'alert');
  message.textContent =
    'IPsec Lens could not start in this browser: it needs WebAssembly with SIMD ' +
    '(Chrome or Edge 91, Firefox 89, Safari 16.4 or later). The browser said: ' +
    String(error);
  document.body.append(message);
  throw error;
}
