// Hands the chosen file to a worker that reads it whole, and shows the seconds it took.
const input = document.getElementById('file');
input.addEventListener('change', () => {
  const mode = new URL(location.href).searchParams.get('mode') ?? 'byob';
  const worker = new Worker('worker.js');
  const started = performance.now();
  worker.onmessage = (event) => {
    const seconds = (performance.now() - started) / 1000;
    document.getElementById('result').textContent =
      JSON.stringify({ mode, seconds, ...event.data });
  };
  worker.postMessage({ file: input.files[0], mode });
});
