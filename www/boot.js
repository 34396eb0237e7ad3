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

await init({ module_or_path: './ipsec-lens_bg.wasm' });
