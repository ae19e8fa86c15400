#!/usr/bin/env node
// `npm run ssj`: the compiled command line (dist/client/ssj.js), first recompiling any source file
// changed since dist/ was made, so a checkout keeps one command and never runs stale code.
// Recompiling is transpile-only (type errors: npm run typecheck).
//
// Checking costs: walking the source folders and comparing each file's date with its dist/ copy
// takes ~15 ms of CPU, a good part of a short command's start. So once dist/ is found up to date,
// the dates of the sources and of their folders are written to dist/.launcher-fresh.json; the next
// run only compares those dates (a stat each) and walks again only when one differs: an edited,
// added, removed or renamed file changes its date or its folder's.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { DIST, ROOT, productionFiles, staleFiles, refresh } = require('./compiled.cjs');

const FRESH = path.join(DIST, '.launcher-fresh.json');

const mtime = (file) => {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
};

/** Whether nothing recorded in FRESH changed its date since. */
function knownFresh() {
  let recorded;
  try {
    recorded = JSON.parse(fs.readFileSync(FRESH, 'utf8'));
  } catch {
    return false;
  }
  for (const [rel, date] of recorded.dates) if (mtime(path.join(ROOT, rel)) !== date) return false;
  return true;
}

/** The dates of `files` (dist/ is up to date with them) and of every folder above them. */
function recordFresh(files) {
  const paths = new Set();
  for (const f of files) {
    paths.add(f.src);
    for (let dir = path.dirname(f.src); dir.startsWith(ROOT) && dir !== ROOT; dir = path.dirname(dir)) paths.add(dir);
  }
  // Dates taken before any compiling: a file edited meanwhile differs next time.
  const dates = [...paths].map((p) => [path.relative(ROOT, p), mtime(p)]);
  return () => {
    try {
      const tmp = `${FRESH}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ dates }));
      fs.renameSync(tmp, FRESH);
    } catch {
      // dist/ not writable: the next run checks the long way again
    }
  };
}

if (!knownFresh()) {
  const files = productionFiles();
  const save = recordFresh(files);
  const stale = staleFiles(files);
  if (stale.length > 0) {
    process.stderr.write(`ssj: compiling ${stale.length} changed file(s) into dist/ ...\n`);
    refresh(stale);
  }
  save();
}
require(path.join(DIST, 'client', 'ssj.js')).runCli();
