// The compiled JavaScript in dist/ (tsconfig.build.json): which sources it was made from, which of
// them changed since, and a quick way to bring it up to date. Shared by `npm run build`
// (scripts/build.cjs) and the `npm run ssj` launcher (scripts/ssj.cjs). Plain CommonJS, no
// dependencies: the launcher must not load TypeScript unless something needs compiling.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const BUILD_CONFIG = path.join(ROOT, 'tsconfig.build.json');

/** tsconfig.build.json, which may carry // comments. */
function buildConfig() {
  const text = fs.readFileSync(BUILD_CONFIG, 'utf8').replace(/^\s*\/\/.*$/gm, '');
  return JSON.parse(text);
}

/**
 * Every file of the production folders and where it lands in dist/: TypeScript compiled to .js,
 * anything else (JSON, verify.py, verify.html, the console's static files) copied as it is.
 */
function productionFiles() {
  const files = [];
  const walk = (rel) => {
    let entries;
    try {
      entries = fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true });
    } catch {
      return; // a folder the configuration names may not exist yet
    }
    for (const e of entries) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(r);
      } else if (e.name.endsWith('.d.ts') || e.name.endsWith('.test.ts')) {
        continue;
      } else if (e.name.endsWith('.ts')) {
        files.push({ src: path.join(ROOT, r), out: path.join(DIST, r.replace(/\.ts$/, '.js')), compile: true });
      } else {
        files.push({ src: path.join(ROOT, r), out: path.join(DIST, r), compile: false });
      }
    }
  };
  for (const dir of buildConfig().include) walk(dir);
  return files;
}

const mtime = (file) => {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
};

/** Files whose dist/ copy is missing or older than the source. */
function staleFiles(files = productionFiles()) {
  return files.filter((f) => mtime(f.out) < mtime(f.src));
}

/** Writes through a temporary file: two launchers compiling at once never leave half a file. */
function writeAtomic(file, data) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/**
 * Brings `files` in dist/ up to date without type-checking: each TypeScript file is transpiled on
 * its own (the project sets isolatedModules, so this is what tsc emits), the rest copied.
 * `npm run build` and `npm run typecheck` are where type errors are reported.
 */
function refresh(files) {
  const toCompile = files.filter((f) => f.compile);
  if (toCompile.length > 0) {
    const ts = require('typescript');
    const parsed = ts.parseJsonConfigFileContent(buildConfig(), ts.sys, ROOT);
    const compilerOptions = { ...parsed.options, noEmit: false, incremental: false, tsBuildInfoFile: undefined };
    for (const f of toCompile) {
      const out = ts.transpileModule(fs.readFileSync(f.src, 'utf8'), { compilerOptions, fileName: f.src });
      writeAtomic(f.out, out.outputText);
    }
  }
  for (const f of files.filter((x) => !x.compile)) writeAtomic(f.out, fs.readFileSync(f.src));
}

module.exports = { ROOT, DIST, productionFiles, staleFiles, refresh };
