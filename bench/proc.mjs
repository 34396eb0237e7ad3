// Reads Chromium's processes from /proc for the benchmark scripts.

import { readFileSync, readdirSync } from 'node:fs';

/** Pids of every descendant of `root`, read from /proc. */
export function descendants(root) {
  const parents = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces; the parent pid follows its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // The process ended between the listing and the read.
    }
  }
  const found = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next = [];
    for (const [pid, parent] of parents) {
      if (frontier.includes(parent)) {
        found.push(pid);
        next.push(pid);
      }
    }
    frontier = next;
  }
  return found;
}

/** Returns whether process `pid` runs a dedicated worker: the app's renderer does. */
export function hasWorkers(pid) {
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      if (readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').startsWith('DedicatedWorker')) {
        return true;
      }
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return false;
}

/** Finds the pid of the browser process whose command line contains `tag`. */
export function browserPidWith(tag) {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(tag) && !cmdline.includes('--type=')) return Number(entry);
    } catch {
      // Gone already.
    }
  }
  throw new Error(`no Chromium process with ${tag} found in /proc`);
}
