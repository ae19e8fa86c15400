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

// As ./compiled.cjs has them; that module loads only when dist/ may be stale (~1 ms saved a run).
const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const FRESH = path.join(DIST, '.launcher-fresh.json');

const mtime = (file) => {
  try {
    return fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? -1;
  } catch {
    return -1; // not a folder any more, no access: differs, so the long check runs
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
  // Joined by hand: the recorded paths are already normalized (path.relative), path.join costs more.
  const root = ROOT + path.sep;
  for (const [rel, date] of recorded.dates) if (mtime(root + rel) !== date) return false;
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
  const { productionFiles, staleFiles, refresh } = require('./compiled.cjs');
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
