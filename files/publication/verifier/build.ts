// Builds verify.html's files for a publication folder: the page (verify.html, a static template),
// its script (verify.js: main.ts and the project's own domain/draw code bundled for the browser
// with esbuild, node:crypto replaced by node-crypto.ts) and, for file://, verify-data.js. The
// bundle is built once per process; esbuild's output is deterministic, so packages stay
// byte-identical for the same input.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sha256Hex } from '../../../domain/draw/digest';
import { VERIFY_DATA_FILE, VERIFY_PAGE_FILE, VERIFY_SCRIPT_FILE, carriedInVerifyData, sumsLine, verifyDataScript } from './data-file';

const ROOT = path.resolve(__dirname, '..', '..', '..');

let bundled: Promise<Buffer> | null = null;

/** verify.js prebuilt by `npm run build` beside the compiled module (dist/), so production needs no bundler. */
const PREBUILT = path.join(__dirname, VERIFY_SCRIPT_FILE);

/** verify.js: the browser bundle (prebuilt in dist/, bundled from the TypeScript otherwise). */
export function verifyScript(): Promise<Buffer> {
  if (!bundled && fs.existsSync(PREBUILT)) bundled = Promise.resolve(fs.readFileSync(PREBUILT));
  // esbuild is a development dependency: loaded only where there is no prebuilt script.
  bundled ??= (require('esbuild') as typeof import('esbuild')).build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(__dirname, 'main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: ['chrome100', 'firefox100', 'safari15'],
    alias: { 'node:crypto': path.join(__dirname, 'node-crypto.ts') },
    charset: 'utf8',
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'silent',
  }).then((r) => Buffer.from(`// verify.html 的复核程序（shuangsuiji，Apache-2.0）。\n${r.outputFiles[0]!.text}`, 'utf8'));
  bundled.catch(() => (bundled = null)); // a failed build is retried next time
  return bundled;
}

/** Writes verify.js, bundled from the TypeScript, into `dir` (the compiled verifier's folder). */
export async function writePrebuiltVerifyScript(dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, VERIFY_SCRIPT_FILE), await verifyScript());
}

/**
 * Adds verify.html, verify.js and verify-data.js to the package's files, then SHA256SUMS over
 * every file. Returns the files sorted by path (bytes), SHA256SUMS last.
 */
export async function withVerifier(files: ReadonlyMap<string, Buffer>): Promise<Map<string, Buffer>> {
  const all = new Map(files);
  all.set(VERIFY_PAGE_FILE, fs.readFileSync(path.join(__dirname, 'verify.html')));
  all.set(VERIFY_SCRIPT_FILE, await verifyScript());
  const sorted = [...all.entries()].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const sums = sorted.map(([p, b]) => sumsLine(sha256Hex(b), p)).join('');
  const carried = Object.fromEntries(sorted.filter(([p]) => carriedInVerifyData(p)).map(([p, b]) => [p, b.toString('base64')]));
  all.set(VERIFY_DATA_FILE, Buffer.from(verifyDataScript({ sums, files: carried }), 'utf8'));
  const out = new Map([...all.entries()].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
  out.set('SHA256SUMS', Buffer.from([...out.entries()].map(([p, b]) => sumsLine(sha256Hex(b), p)).join(''), 'utf8'));
  return out;
}
