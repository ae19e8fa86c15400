#!/usr/bin/env node
// `npm run ssj`: the compiled command line (dist/client/ssj.js), first recompiling any source file
// changed since dist/ was made, so a checkout keeps one command and never runs stale code.
// Recompiling is transpile-only (type errors: npm run typecheck); without changes it costs a
// few milliseconds of file dates.
'use strict';
const path = require('node:path');
const { DIST, staleFiles, refresh } = require('./compiled.cjs');

const stale = staleFiles();
if (stale.length > 0) {
  process.stderr.write(`ssj: compiling ${stale.length} changed file(s) into dist/ ...\n`);
  refresh(stale);
}
require(path.join(DIST, 'client', 'ssj.js')).runCli();
