// `npm run build`: the production build in dist/. Type-checks and compiles the production code
// (tsconfig.build.json), copies the files it reads at run time (JSON, verify.py, verify.html, ...),
// bundles the workflows once (dist/workflow-bundle.js, SSJ_WORKFLOW_BUNDLE) and the browser
// verifier of the publication folders (dist/.../verifier/verify.js), so production runs neither
// TypeScript nor a bundler.
//   node scripts/build.cjs [--transpile-only]
// --transpile-only (npm test, after its own `tsc -p .`): compiles only what changed, without
// type-checking again, and remakes a bundle only when a source is newer than it.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, DIST, productionFiles, refresh, staleFiles } = require('./compiled.cjs');

const transpileOnly = process.argv.includes('--transpile-only');
const BUNDLE = path.join(DIST, 'workflow-bundle.js');
const VERIFIER_DIR = path.join(DIST, 'files', 'publication', 'verifier');

function run(what, args) {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`build: ${what} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(1);
  }
}

/** Whether `file` exists and is newer than every production source (a bundle need not be remade). */
function fresh(file, files) {
  if (!transpileOnly || !fs.existsSync(file)) return false;
  const made = fs.statSync(file).mtimeMs;
  return files.every((f) => fs.statSync(f.src).mtimeMs <= made);
}

const files = productionFiles();
if (transpileOnly) refresh(staleFiles(files));
else {
  run('tsc -p tsconfig.build.json', [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
  // tsc's incremental state (dist/.tsbuildinfo) does not notice an output deleted since: any
  // compiled file still missing is transpiled here, so dist/ is never left without one.
  refresh(files.filter((f) => !f.compile || !fs.existsSync(f.out)));
}
// The workflow bundle from the TypeScript sources (the code the tests run), by the compiled bundler.
if (!fresh(BUNDLE, files)) {
  run('the workflow bundle', [path.join(DIST, 'worker', 'build-bundle.js'), '--out', BUNDLE, '--workflows', 'workflows/index.ts']);
}
if (!fresh(path.join(VERIFIER_DIR, 'verify.js'), files)) {
  run('the browser verifier', [
    '--require',
    'tsx/cjs',
    '-e',
    `require('./files/publication/verifier/build').writePrebuiltVerifyScript(${JSON.stringify(VERIFIER_DIR)})`,
  ]);
}
process.stdout.write('build: dist/ is ready\n');
