// The production build as the image gets it (deploy/Dockerfile): compiled JavaScript in dist/
// and the production dependencies only (`npm ci --omit=dev`). Without a Docker engine here, the
// runtime stage is rebuilt in a scratch folder: dist/ and exactly the packages package-lock.json
// installs without --dev, linked in (node --preserve-symlinks resolves through the links, so a
// development package that production code imports is not found, as in the image). In it, the
// compiled `ssj` runs every command's help and a real draw, and the compiled worker starts against
// the test run's dev server and stops cleanly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMMAND_MODULES } from '../client/ssj';
import { devServerClient, testKeyring, uniqueTaskQueue } from './helpers/temporal';

const ROOT = path.join(__dirname, '..');
/** Packages that must never reach the production image (playwright-core does: it renders the PDF documents with the system Chromium). */
const DEVELOPMENT_ONLY = ['tsx', 'vitest', 'typescript', '@temporalio/testing', 'oidc-provider', 'esbuild', 'vite', 'smtp-server', 'yaml'];

interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
}
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

/** Every package `npm ci --omit=dev` installs, by its path in node_modules (nested ones included). */
const productionPaths = Object.entries(lock.packages)
  .filter(([p, e]) => p.startsWith('node_modules/') && !e.dev && !e.devOptional)
  .map(([p]) => p);
const packageName = (p: string): string => p.slice(p.lastIndexOf('node_modules/') + 'node_modules/'.length);

describe('the production dependencies (package-lock.json, what npm ci --omit=dev installs)', () => {
  it('hold none of the development tools, nested or not', () => {
    const names = new Set(productionPaths.map(packageName));
    for (const dev of DEVELOPMENT_ONLY) expect(names.has(dev), dev).toBe(false);
    for (const dev of DEVELOPMENT_ONLY) expect(Object.keys(pkg.dependencies), dev).not.toContain(dev);
  });

  it('hold every package the production code imports (type-only imports are erased)', () => {
    /** package -> the production files importing it at run time, relative to the root. */
    const imported = new Map<string, Set<string>>();
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) {
          const code = fs.readFileSync(p, 'utf8').split('\n').filter((l) => !/^\s*(import|export) type\b/.test(l)).join('\n');
          for (const m of code.matchAll(/(?:from |require\(|import\()'([^.'][^']*)'/g)) {
            const spec = m[1]!;
            if (spec.startsWith('node:')) continue;
            const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
            if (!imported.has(name)) imported.set(name, new Set());
            imported.get(name)!.add(path.relative(ROOT, p));
          }
        }
      }
    };
    const build = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { include: string[] };
    for (const dir of build.include) if (fs.existsSync(path.join(ROOT, dir))) walk(path.join(ROOT, dir));
    // Development packages that one file beside the production code may load, never loaded in
    // production: the local mail catcher (npm run mail-catcher); the verifier's bundler, which the
    // image replaces by the prebuilt verify.js.
    const allowed: Record<string, string> = {
      'smtp-server': 'mail/catcher.ts',
      esbuild: 'files/publication/verifier/build.ts',
    };
    for (const [name, files] of imported) {
      if (name in pkg.dependencies) continue;
      expect([...files], `${name} is a development package imported by production code`).toEqual([allowed[name]]);
    }
  });
});

describe('dist/ with the production dependencies only', () => {
  let app: string;
  const node = (args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) =>
    spawnSync(process.execPath, ['--preserve-symlinks', '--preserve-symlinks-main', ...args], {
      cwd: opts.cwd ?? app,
      encoding: 'utf8',
      timeout: 120_000,
      env: { PATH: process.env.PATH ?? '', HOME: app, SSJ_DATA_DIR: path.join(app, 'data'), ...opts.env },
    });

  beforeAll(() => {
    // dist/ up to date, the bundles included, as `npm test` leaves it (npm run build type-checks too).
    const build = spawnSync(process.execPath, ['scripts/build.cjs', '--transpile-only'], { cwd: ROOT, encoding: 'utf8', timeout: 600_000 });
    expect(build.status, build.stderr).toBe(0);
    app = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-prod-'));
    fs.symlinkSync(path.join(ROOT, 'dist'), path.join(app, 'dist'));
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(app, 'package.json'));
    fs.mkdirSync(path.join(app, 'config'));
    for (const f of ['programme.json', 'calendar-cn.json']) fs.copyFileSync(path.join(ROOT, 'config', f), path.join(app, 'config', f));
    // Top-level packages only: a nested one comes inside its parent's folder.
    for (const p of productionPaths.filter((x) => x.split('node_modules/').length === 2)) {
      fs.mkdirSync(path.dirname(path.join(app, p)), { recursive: true });
      fs.symlinkSync(path.join(ROOT, p), path.join(app, p));
    }
  }, 660_000);
  afterAll(() => {
    if (app) fs.rmSync(app, { recursive: true, force: true });
  });

  it('has no development package to load', () => {
    for (const dev of DEVELOPMENT_ONLY) expect(fs.existsSync(path.join(app, 'node_modules', dev)), dev).toBe(false);
    const r = node(['-e', "require.resolve('tsx')"]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("Cannot find module 'tsx'");
  });

  it('renders an official document as PDF with the system Chromium (as the image does, with Debian\'s chromium)', () => {
    const script = `const { DocumentPdfRenderer, pdfRenderingProblem } = require('./dist/files/documents/pdf.js');
(async () => {
  const problem = pdfRenderingProblem();
  if (problem) throw new Error(problem);
  const r = new DocumentPdfRenderer();
  const pdf = await r.render('<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>监察通知</title><p>请你大队依法调查处理。</p></html>');
  await r.close();
  process.stdout.write(pdf.subarray(0, 5).toString('latin1') + ' ' + pdf.length);
})().catch((e) => { process.stderr.write(String(e.stack || e)); process.exit(1); });`;
    const r = node(['-e', script]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^%PDF- \d{4,}$/);
  });

  it('runs `ssj --help`, and a command of every module (each loads its own module)', () => {
    const help = node(['dist/client/ssj.js', '--help']);
    expect(help.stderr).toBe('');
    expect(help.status).toBe(0);
    for (const [term] of COMMAND_MODULES.flatMap((m) => m.commands)) expect(help.stdout, term).toContain(`  ${term}`);
    for (const [term] of COMMAND_MODULES.map((m) => m.commands[0]!)) {
      const name = term.split(' ')[0]!;
      const r = node(['dist/client/ssj.js', name, '--help']);
      expect(r.stderr, name).toBe('');
      expect(r.status, name).toBe(0);
      expect(r.stdout, name).toContain(`Usage: ssj ${name}`);
    }
  });

  it('draws and verifies a published vector byte for byte', () => {
    const vector = path.join(ROOT, 'tests', 'fixtures', 'draw-vectors', 'small');
    const witnesses = fs.readFileSync(path.join(vector, 'witnesses.txt'), 'utf8').trim().split('\n').flatMap((w) => ['--witness', w]);
    const out = path.join(app, 'record.json');
    const r = node(['dist/client/ssj.js', 'draw', '--manifest', path.join(vector, 'manifest'), ...witnesses, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toBe(fs.readFileSync(path.join(vector, 'record.json'), 'utf8'));
    const v = node(['dist/client/ssj.js', 'verify', '--manifest', path.join(vector, 'manifest'), '--record', out]);
    expect(v.stdout).toBe('verified\n');
  });

  it('starts the compiled worker on the prebuilt bundle against the dev server, and stops it cleanly', async () => {
    const keys = testKeyring();
    const { address, connection } = await devServerClient();
    await connection.close();
    const child = spawn(process.execPath, ['--preserve-symlinks', '--preserve-symlinks-main', 'dist/worker/main.js'], {
      cwd: app,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: app,
        NODE_ENV: 'production',
        ...keys.env,
        TEMPORAL_ADDRESS: address,
        SSJ_TASK_QUEUE: uniqueTaskQueue('prod-build'),
        SSJ_DATA_DIR: path.join(app, 'worker-data'),
        SSJ_WORKFLOW_BUNDLE: path.join(app, 'dist', 'workflow-bundle.js'),
        SSJ_SHUTDOWN_GRACE_SECONDS: '5',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // A hang guard, not a timing claim: the worker polls, or exits and says why.
      const until = Date.now() + 120_000;
      while (!out.includes('"worker polling"') && child.exitCode === null && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
      expect(out).toContain('"worker polling"');
      child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(out).toContain('"worker stopped"');
      expect(out).not.toMatch(/Cannot find module|MODULE_NOT_FOUND/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 180_000);
});
