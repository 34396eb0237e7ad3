// Reads a file in 4 MiB ranges, as the app's workers do, and copies each range into one
// buffer, as they copy it into wasm memory. Nothing else is done with the bytes, so the time
// is the least a scan of the file can take in a worker.
//   byob         a byte stream per range, read into a reused 1 MiB buffer (the app's way)
//   sync         FileReaderSync.readAsArrayBuffer per range
//   arraybuffer  Blob.arrayBuffer() per range
const RANGE = 4 << 20;

onmessage = async (event) => {
  const { file, mode } = event.data;
  const target = new Uint8Array(RANGE);
  let staging = new ArrayBuffer(1 << 20);
  let bytes = 0;
  let reads = 0;
  for (let start = 0; start < file.size; start += RANGE) {
    const slice = file.slice(start, Math.min(file.size, start + RANGE));
    if (mode === 'sync') {
      target.set(new Uint8Array(new FileReaderSync().readAsArrayBuffer(slice)));
      bytes += slice.size;
      reads += 1;
    } else if (mode === 'arraybuffer') {
      target.set(new Uint8Array(await slice.arrayBuffer()));
      bytes += slice.size;
      reads += 1;
    } else {
      const reader = slice.stream().getReader({ mode: 'byob' });
      let offset = 0;
      for (;;) {
        const { value, done } = await reader.read(new Uint8Array(staging));
        // The read detaches the buffer it was given and returns it in `value`.
        if (value) staging = value.buffer;
        if (done) break;
        target.set(value, offset);
        offset += value.byteLength;
        bytes += value.byteLength;
        reads += 1;
      }
    }
  }
  postMessage({ bytes, reads });
};
