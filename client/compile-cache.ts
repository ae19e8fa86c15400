// A V8 code cache for the command line's own modules: what Node 22's module.enableCompileCache()
// does, which Node 20 lacks. Each module's compiled code (the functions a run of that command
// compiled, taken as the process exits) is kept in a folder and given to V8 the next time, so the
// next run does not compile it again. Measured on `ssj draw` (200,000 units): ~16 ms less wall
// time and ~40 ms less CPU of ~230 ms, most of it functions compiled lazily as they first run.
//
// Safe by construction: an entry holds its module's source and is used only while the source is
// byte for byte the same (V8's own check compares lengths only), and the SHA-256 of its compiled
// code, checked before V8 sees it (V8 does not check that in release builds: damaged data would
// crash the process). V8 refuses data from another Node version or other flags (the module is
// then compiled as usual and the entry rewritten).
// Anything that goes wrong (a folder that cannot be written, a broken entry) only costs the
// compiling the cache would have saved. The folder belongs with the code (dist/.compile-cache):
// never a shared temporary folder, where another user could plant compiled code.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

const MAGIC = 'ssj-compile-cache/2\n';

export interface CompileCacheStats {
  /** Modules compiled from the cache. */
  hits: number;
  /** Modules compiled without it (no entry, another source, refused by V8). */
  misses: number;
  /** Entries written as the process exited. */
  written: number;
}

const stats: CompileCacheStats = { hits: 0, misses: 0, written: 0 };

export function compileCacheStats(): CompileCacheStats {
  return { ...stats };
}

interface InternalModule {
  exports: unknown;
  require(id: string): unknown;
  _compile(content: string, filename: string): unknown;
}
interface ModuleStatics {
  prototype: InternalModule;
  wrap(content: string): string;
  _resolveFilename(request: string, parent: InternalModule, isMain: boolean, options?: { paths?: string[] }): string;
  _resolveLookupPaths(request: string, parent: InternalModule): string[] | null;
  _extensions: unknown;
  _cache: unknown;
}

let enabled = false;

/**
 * From now on, CommonJS modules whose file `include` accepts are compiled with their entry in
 * `dir` (one a module), and entries missing or stale are written there as the process exits.
 */
export function enableCompileCache(dir: string, include: (filename: string) => boolean): void {
  if (enabled) return;
  enabled = true;
  const M = Module as unknown as ModuleStatics;
  const compile = M.prototype._compile;
  const fresh: { script: vm.Script; file: string; source: string }[] = [];
  // import() inside a module as Node's own loader would do it (Node >= 20.12).
  const dynamicImport = (vm as unknown as { constants?: { USE_MAIN_CONTEXT_DEFAULT_LOADER?: unknown } }).constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;

  M.prototype._compile = function cachedCompile(this: InternalModule, content: string, filename: string): unknown {
    if (!include(filename)) return compile.call(this, content, filename);
    const file = path.join(dir, entryName(filename));
    const cached = readEntry(file, content);
    // A first line `#!...` is not JavaScript: Node's loader blanks it too.
    const source = M.wrap(content.startsWith('#!') ? `//${content}` : content);
    const script = new vm.Script(source, {
      filename,
      cachedData: cached,
      ...(dynamicImport ? { importModuleDynamically: dynamicImport as never } : {}),
    });
    if (cached && !script.cachedDataRejected) stats.hits++;
    else {
      stats.misses++;
      fresh.push({ script, file, source: content });
    }
    const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    const mod = this;
    const localRequire = Object.assign((id: string) => mod.require(id), {
      resolve: Object.assign((request: string, options?: { paths?: string[] }) => M._resolveFilename(request, mod, false, options), {
        paths: (request: string) => M._resolveLookupPaths(request, mod),
      }),
      main: require.main,
      extensions: M._extensions,
      cache: M._cache,
    });
    return fn.call(mod.exports, mod.exports, localRequire, mod, filename, path.dirname(filename));
  };

  // At exit, what this run compiled, the functions it ran included.
  process.once('exit', () => {
    if (fresh.length === 0) return;
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch {
      return; // not writable (a read-only install): the next run compiles as usual
    }
    for (const { script, file, source } of fresh) {
      // Written aside, then renamed: a reader never sees half an entry, whoever else writes it.
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        const data = script.createCachedData();
        fs.writeFileSync(tmp, Buffer.concat([Buffer.from(MAGIC), u32(Buffer.byteLength(source)), Buffer.from(source), sha256(data), data]));
        fs.renameSync(tmp, file);
        stats.written++;
      } catch {
        // A full disk, say: no half-written file left behind, and no more tries this run.
        try {
          fs.rmSync(tmp, { force: true });
        } catch {
          // nothing more to do
        }
        return;
      }
    }
  });
}

/** One entry a module file: its path, made a file name. */
function entryName(filename: string): string {
  return `${filename.replace(/[^A-Za-z0-9._-]+/g, '_').slice(-180)}.bin`;
}

/** The cached data of `file` when it was made from exactly `content` and is whole, else undefined. */
function readEntry(file: string, content: string): Buffer | undefined {
  let entry: Buffer;
  try {
    entry = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const head = MAGIC.length;
  if (entry.length < head + 4 || entry.toString('latin1', 0, head) !== MAGIC) return undefined;
  const length = entry.readUInt32LE(head);
  const start = head + 4;
  if (entry.length < start + length + 32 || entry.toString('utf8', start, start + length) !== content) return undefined;
  const data = entry.subarray(start + length + 32);
  return sha256(data).equals(entry.subarray(start + length, start + length + 32)) ? data : undefined;
}

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}
