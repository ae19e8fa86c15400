// Where a Temporal server started on this machine for ssj (the demo, `npm run dev-server`) leaves
// its settings, so that `ssj` in another terminal of the same checkout reaches it with none of its
// own: `.data/local-server.env`, an env file (the same format as $SSJ_ENV_FILE) with the address,
// namespace, key file and data folder, and the pid of the process that wrote it. A file whose
// process is gone is ignored.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readEnvFile } from '../config/runtime';

export const LOCAL_SERVER_FILE = 'local-server.env';

export interface LocalServer {
  address: string;
  namespace: string;
  keyFile: string;
  /** The data folder ssj should use (the demo's registry and documents live there). */
  dataDir?: string;
  /** What wrote it, for the comment line: e.g. `npm run demo -- --keep-running`. */
  by: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function localServerFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), LOCAL_SERVER_FILE);
}

/** Writes the file (mode 0600: it names the key file) and returns a function that removes it. */
export function writeLocalServer(dataDir: string, s: LocalServer): () => void {
  const file = localServerFile(dataDir);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lines = [
    `# written by ${s.by}, pid=${process.pid}; removed when it stops. ssj reads it when TEMPORAL_ADDRESS is not set.`,
    `TEMPORAL_ADDRESS=${s.address}`,
    `TEMPORAL_NAMESPACE=${s.namespace}`,
    `SSJ_CODEC_KEYS_FILE=${path.resolve(s.keyFile)}`,
    ...(s.dataDir ? [`SSJ_DATA_DIR=${path.resolve(s.dataDir)}`] : []),
    // A development server: its worker (`npm run worker`) runs rehearsals (ssj quarter start --rehearsal).
    'SSJ_ALLOW_REHEARSAL_CLOCK=true',
  ];
  fs.writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return () => {
    try {
      if (fs.readFileSync(file, 'utf8').includes(`pid=${process.pid};`)) fs.rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}

/** The settings a live local server left, or null (no file, or its process is gone). */
export function readLocalServer(dataDir: string): { file: string; vars: Record<string, string> } | null {
  const file = localServerFile(dataDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const pid = Number(/pid=(\d+);/.exec(text)?.[1] ?? NaN);
  if (!Number.isInteger(pid) || !alive(pid)) return null;
  return { file, vars: readEnvFile(file) };
}

/**
 * For `ssj`: when no Temporal address is configured (environment or $SSJ_ENV_FILE), take the
 * settings of a local server started from this checkout. What is set already wins.
 */
export function useLocalServer(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.TEMPORAL_ADDRESS || env.SSJ_ENV_FILE) return null;
  const found = readLocalServer(env.SSJ_DATA_DIR ?? '.data');
  if (!found) return null;
  for (const [k, v] of Object.entries(found.vars)) if (env[k] === undefined || env[k] === '') env[k] = v;
  return found.file;
}
