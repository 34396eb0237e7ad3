// Real logs with damage (bad chunk signatures, CRC failures, a cut-off last chunk, a
// broken string table) through the app: every file must finish, none may stall or crash a
// worker, and the record and 4983 counts must equal evtx_dump's. Skips when the corpus is
// absent.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  addFiles,
  CORPUS_DIR,
  count4983WithEvtxDump,
  fileTotals,
  foreignRequests,
  launchBrowser,
  openApp,
  readCorpusManifest,
  screenshot,
  settledRowCount,
  startServer,
  waitForFiles,
} from './harness.mjs';

// Files of the corpus whose MANIFEST.csv entry lists damage beyond a dirty header, plus a
// clean Security log. Their base names are unique, as the file rows are keyed by name.
const RELATIVE_PATHS = [
  'omerbenamram_evtx/2-vss_0-Microsoft-Windows-RemoteDesktopServices-RdpCoreTS%4Operational.evtx',
  'omerbenamram_evtx/Microsoft-Windows-HelloForBusiness%4Operational.evtx',
  'omerbenamram_evtx/sample-with-zero-data-size-event.evtx',
  'omerbenamram_evtx/sample_with_a_bad_chunk_magic.evtx',
  'omerbenamram_evtx/security_bad_string_cache.evtx',
  'omerbenamram_evtx/sysmon.evtx',
  'log2timeline_plaso/System2.evtx',
  'mdecrevoisier_EVTX-to-MITRE-Attack/' +
    'ID4624,4688,5140,5145-Eternal Romance - MS17_010_psexec (GLOBAL).evtx',
];
const FILES = RELATIVE_PATHS.map((file) => path.join(CORPUS_DIR, file));

// The file ends inside its last chunk. evtx_dump skips a chunk shorter than 64 KiB, while
// the app reads the whole records that the chunk's remaining bytes hold, and skips record
// 284, which the end of the file cuts (as tests/corpus.rs does).
const MORE_THAN_EVTX_DUMP = new Map([['log2timeline_plaso/System2.evtx', 283]]);

const skip = !existsSync(path.join(CORPUS_DIR, 'MANIFEST.csv')) &&
  `corpus not found at ${CORPUS_DIR}: skipping`;

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('damaged real logs all finish', { skip }, async () => {
  const names = FILES.map((file) => path.basename(file));
  const expected = FILES.reduce((sum, file) => sum + count4983WithEvtxDump(file), 0);
  const { context, page, requests, problems } = await openApp(browser, server.url);

  await addFiles(page, FILES);
  const statuses = await waitForFiles(page, names);

  for (const name of names) {
    assert.equal(statuses.get(name), 'done', `status of ${name}`);
  }
  const manifest = await readCorpusManifest();
  const totals = await fileTotals(page);
  for (const file of RELATIVE_PATHS) {
    const evtxDump = Number(manifest.get(file).records_parsed_by_evtx_dump_0_15_1);
    const expectedRecords = MORE_THAN_EVTX_DUMP.get(file) ?? evtxDump;
    assert.equal(totals.get(path.basename(file))?.Records, expectedRecords, `records in ${file}`);
  }
  const all = { shown: expected, total: expected };
  assert.deepEqual(await settledRowCount(page, all), all);
  await screenshot(page, 'corpus-damaged');
  assert.deepEqual(problems, []);
  assert.deepEqual(foreignRequests(requests, server.url), []);
  await context.close();
});
