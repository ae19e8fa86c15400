// Runtime settings of the worker and the command line: where Temporal is, where the data lives,
// how mail goes out. Read from environment variables, optionally backed by a .env-style file
// ($SSJ_ENV_FILE or an explicit path); a variable set in the environment wins over the file.
// Every problem is reported as `VARIABLE: rule (got "value")`, all of them at once.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`runtime settings are not valid:\n  ${problems.join('\n  ')}`);
    this.name = 'SettingsError';
  }
}

export interface TemporalTlsSettings {
  /** Client certificate and key (mTLS); both or neither. */
  certPath: string | null;
  keyPath: string | null;
  /** CA bundle that signed the server's certificate; the system roots when absent. */
  caPath: string | null;
  /** Overrides the name checked against the server certificate. */
  serverName: string | null;
}

export interface MailAddress {
  /** Display name, e.g. 信阳市生态环境综合行政执法支队 (may be empty). */
  name: string;
  address: string;
}

export interface RuntimeSettings {
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    /** null: plain TCP (the dev server, a cluster inside a private network). */
    tls: TemporalTlsSettings | null;
    apiKey: string | null;
  };
  dataDir: string;
  /** The console's public address (notice links); null: notices carry no link. */
  consolePublicUrl: string | null;
  /** The shared store (stores/open.ts): PostgreSQL URL; null: SQLite `ssj.db` in dataDir. */
  databaseUrl: string | null;
  /** The programme file; null: config/programme.ts's default (config/programme.json). */
  programmeFile: string | null;
  /** The working-day calendar file, read at each use; null: the calendar built into the code. */
  calendarFile: string | null;
  /** A prebuilt workflow bundle (worker/build-bundle.ts); null: bundle workflows/index.ts at start. */
  workflowBundle: string | null;
  smtp: {
    host: string;
    port: number;
    /** true: TLS from the first byte (port 465); false: plain, upgraded by STARTTLS when offered. */
    secure: boolean;
    user: string | null;
    pass: string | null;
  };
  mailFrom: MailAddress;
  logLevel: LogLevel;
  /** How long the worker lets running activities finish after SIGTERM before cancelling them. */
  shutdownGraceSeconds: number;
  /**
   * Whether this worker runs campaigns on a rehearsal clock (compressed programme days). Off in
   * production, so nobody can start a quarter whose deadlines pass in minutes; on for the demo,
   * the local development server's worker and training installations.
   */
  allowRehearsalClock: boolean;
  /**
   * Whether the worker sends official documents as A4 PDF beside the HTML, rendered by the host's
   * Chromium (files/documents/pdf.ts). On by default: a host without Chromium still sends the
   * HTML and records the missing PDF with the install hint; off, nothing is rendered or recorded.
   */
  documentPdf: boolean;
}

export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Every variable read, with its default and meaning: the docs' settings table is checked against this. */
export const SETTINGS_VARIABLES = {
  TEMPORAL_ADDRESS: { default: '127.0.0.1:7233', doc: 'Temporal frontend, host:port' },
  TEMPORAL_NAMESPACE: { default: 'default', doc: 'Temporal namespace' },
  TEMPORAL_TLS: { default: '(on when a certificate or an API key is set)', doc: 'use TLS to reach Temporal: true/false' },
  TEMPORAL_TLS_CERT: { default: '', doc: 'client certificate (PEM file) for mTLS' },
  TEMPORAL_TLS_KEY: { default: '', doc: 'client private key (PEM file) for mTLS' },
  TEMPORAL_TLS_CA: { default: '', doc: 'CA certificate (PEM file) of the server; system roots when empty' },
  TEMPORAL_TLS_SERVER_NAME: { default: '', doc: 'server name to check in the server certificate' },
  TEMPORAL_API_KEY: { default: '', doc: 'API key sent as a bearer token (e.g. Temporal Cloud)' },
  SSJ_TASK_QUEUE: { default: 'ssj', doc: 'task queue of the workflows and activities' },
  SSJ_DATA_DIR: { default: '.data', doc: 'folder of the SQLite files, documents and publications' },
  SSJ_DATABASE_URL: {
    default: '',
    doc: 'the shared store on PostgreSQL, postgres://user:password@host:5432/db (several hosts); empty: SQLite ssj.db in SSJ_DATA_DIR (one host)',
  },
  SSJ_PROGRAMME: { default: 'config/programme.json', doc: 'the programme (plan) file' },
  SSJ_CALENDAR: {
    default: '',
    doc: 'the working-day calendar file (format of config/calendar-cn.json), read at every use: a year added there counts without a restart; empty: the calendar built into the code',
  },
  SSJ_WORKFLOW_BUNDLE: { default: '', doc: 'prebuilt workflow bundle (npm run build:bundle); bundles at start when empty' },
  SMTP_HOST: { default: '127.0.0.1', doc: 'SMTP server' },
  SMTP_PORT: { default: '1025', doc: 'SMTP port (1025: the local mail catcher; 587 or 465 for a real server)' },
  SMTP_SECURE: { default: 'false', doc: 'true: TLS from the start (port 465); false: STARTTLS when offered' },
  SMTP_USER: { default: '', doc: 'SMTP user name (no authentication when empty)' },
  SMTP_PASS: { default: '', doc: 'SMTP password' },
  SSJ_MAIL_FROM: {
    default: '双随机抽查系统 <ssj@localhost>',
    doc: 'sender, e.g. 信阳市生态环境综合行政执法支队 <ssj@example.org>',
  },
  SSJ_LOG_LEVEL: { default: 'info', doc: 'debug, info, warn or error' },
  SSJ_SHUTDOWN_GRACE_SECONDS: { default: '30', doc: 'on SIGTERM, how long running activities may finish' },
  SSJ_ALLOW_REHEARSAL_CLOCK: {
    default: 'false',
    doc: 'true: the worker runs campaigns started with a rehearsal clock (ssj quarter start --rehearsal); keep false in production',
  },
  SSJ_CONSOLE_PUBLIC_URL: {
    default: '',
    doc: "the console's address as users open it, e.g. https://ssj.example.org; notices that ask something link to their page there (empty: no links)",
  },
  SSJ_DOCUMENT_PDF: {
    default: 'true',
    doc: 'true: official documents go as A4 PDF beside the HTML, rendered by the host\'s Chromium (CHROMIUM_PATH, or the usual places); false: HTML only',
  },
  SSJ_CODEC_KEYS_FILE: { default: '', doc: 'payload encryption key file (ssj keys init), mode 0600; the worker and ssj refuse to run without keys' },
  SSJ_CODEC_KEYS: { default: '', doc: "the key file's JSON itself, when no file can be mounted (SSJ_CODEC_KEYS_FILE wins)" },
  SSJ_ENV_FILE: { default: '', doc: 'a .env-style file read before the environment (the environment wins)' },
} as const;
export type SettingsVariable = keyof typeof SETTINGS_VARIABLES;

// --- schema: one field per variable, so every issue's path is the variable's name ------------

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === undefined || v === '' ? null : v));

const hostPort = z
  .string()
  .trim()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { error: 'must be host:port, e.g. 127.0.0.1:7233' })
  .refine((v) => Number(v.slice(v.lastIndexOf(':') + 1)) <= 65535, { error: 'port must be 1 to 65535' });

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no'].includes(v), { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const port = z
  .string()
  .trim()
  .regex(/^\d+$/, { error: 'must be a port number, 1 to 65535' })
  .transform(Number)
  .refine((n) => n >= 1 && n <= 65535, { error: 'must be a port number, 1 to 65535' });

const name = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: `must be a ${what}: letters, digits, '.', '_' or '-'` });

const envSchema = z.object({
  TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: name('namespace name').default('default'),
  TEMPORAL_TLS: bool.optional(),
  TEMPORAL_TLS_CERT: optionalText,
  TEMPORAL_TLS_KEY: optionalText,
  TEMPORAL_TLS_CA: optionalText,
  TEMPORAL_TLS_SERVER_NAME: optionalText,
  TEMPORAL_API_KEY: optionalText,
  SSJ_TASK_QUEUE: name('task queue name').default('ssj'),
  SSJ_DATA_DIR: z.string().trim().min(1, { error: 'must not be empty' }).default('.data'),
  SSJ_DATABASE_URL: optionalText.refine((v) => v === null || /^postgres(ql)?:\/\/[^\s]+$/.test(v), {
    error: 'must be a PostgreSQL URL, postgres://user:password@host:5432/database',
  }),
  SSJ_PROGRAMME: optionalText,
  SSJ_CALENDAR: optionalText,
  SSJ_WORKFLOW_BUNDLE: optionalText,
  SMTP_HOST: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.:[\]-]+$/, { error: 'must be a host name or IP address' })
    .default('127.0.0.1'),
  SMTP_PORT: port.default(1025),
  SMTP_SECURE: bool.default(false),
  SMTP_USER: optionalText,
  SMTP_PASS: optionalText,
  SSJ_MAIL_FROM: z.string().trim().default(SETTINGS_VARIABLES.SSJ_MAIL_FROM.default),
  SSJ_LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'),
  SSJ_SHUTDOWN_GRACE_SECONDS: z
    .string()
    .trim()
    .regex(/^\d+$/, { error: 'must be a whole number of seconds' })
    .transform(Number)
    .default(30),
  SSJ_ALLOW_REHEARSAL_CLOCK: bool.default(false),
  SSJ_DOCUMENT_PDF: bool.default(true),
  SSJ_CONSOLE_PUBLIC_URL: optionalText.refine((v) => v === null || /^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(v), {
    error: 'must be an http(s) URL, e.g. https://ssj.example.org',
  }),
});

/** `Name <address>` or a bare address; the display name may be Chinese and may be quoted. */
export function parseMailAddress(text: string): MailAddress | null {
  const m = /^\s*(?:"?([^"<]*?)"?\s*<([^<>\s]+)>|([^<>\s]+))\s*$/.exec(text);
  if (!m) return null;
  const address = (m[2] ?? m[3] ?? '').trim();
  if (!/^[^@\s]+@[^@\s]+$/.test(address)) return null;
  return { name: (m[1] ?? '').trim(), address };
}

export interface LoadSettingsOptions {
  /** Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** A .env-style file; defaults to $SSJ_ENV_FILE. A named file that does not exist is an error. */
  envFile?: string;
  /** Relative paths are resolved against this (default: the working directory). */
  cwd?: string;
}

/** Reads and checks the settings. Throws SettingsError listing every problem. */
export function loadRuntimeSettings(opts: LoadSettingsOptions = {}): RuntimeSettings {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const envFile = opts.envFile ?? nonEmpty(env.SSJ_ENV_FILE);
  const merged: Record<string, string> = {};
  if (envFile) Object.assign(merged, readEnvFile(path.resolve(cwd, envFile)));
  for (const key of Object.keys(SETTINGS_VARIABLES)) {
    const v = env[key];
    if (v !== undefined) merged[key] = v;
  }
  // An empty variable means "not set" (compose files often write `FOO: ""`), except where a default applies.
  for (const [k, v] of Object.entries(merged)) if (v.trim() === '') delete merged[k];

  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    throw new SettingsError(
      parsed.error.issues.map((i) => {
        const variable = String(i.path[0] ?? '?');
        const got = merged[variable];
        const shown = variable.endsWith('_PASS') || variable.endsWith('_API_KEY') ? '(hidden)' : JSON.stringify(got);
        return `${variable}: ${i.message}${got === undefined ? '' : ` (got ${shown})`}`;
      }),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  const abs = (p: string) => path.resolve(cwd, p);

  const mustRead = (variable: SettingsVariable, p: string | null): string | null => {
    if (p === null) return null;
    const full = abs(p);
    try {
      fs.accessSync(full, fs.constants.R_OK);
    } catch {
      problems.push(`${variable}: the file ${full} cannot be read`);
    }
    return full;
  };
  const certPath = mustRead('TEMPORAL_TLS_CERT', e.TEMPORAL_TLS_CERT);
  const keyPath = mustRead('TEMPORAL_TLS_KEY', e.TEMPORAL_TLS_KEY);
  const caPath = mustRead('TEMPORAL_TLS_CA', e.TEMPORAL_TLS_CA);
  if ((certPath === null) !== (keyPath === null)) {
    problems.push(
      certPath === null
        ? 'TEMPORAL_TLS_CERT: must be set when TEMPORAL_TLS_KEY is (a client certificate needs both)'
        : 'TEMPORAL_TLS_KEY: must be set when TEMPORAL_TLS_CERT is (a client certificate needs both)',
    );
  }
  const wantsTls = certPath !== null || caPath !== null || e.TEMPORAL_API_KEY !== null || e.TEMPORAL_TLS_SERVER_NAME !== null;
  if (e.TEMPORAL_TLS === false && certPath !== null) {
    problems.push('TEMPORAL_TLS: must not be false when TEMPORAL_TLS_CERT is set (a client certificate needs TLS)');
  }
  const useTls = e.TEMPORAL_TLS ?? wantsTls;

  if ((e.SMTP_USER === null) !== (e.SMTP_PASS === null)) {
    problems.push(e.SMTP_USER === null ? 'SMTP_USER: must be set when SMTP_PASS is' : 'SMTP_PASS: must be set when SMTP_USER is');
  }
  const mailFrom = parseMailAddress(e.SSJ_MAIL_FROM);
  if (!mailFrom) {
    problems.push(`SSJ_MAIL_FROM: must be "Name <address@domain>" or "address@domain" (got ${JSON.stringify(e.SSJ_MAIL_FROM)})`);
  }
  const programmeFile = mustRead('SSJ_PROGRAMME', e.SSJ_PROGRAMME);
  const calendarFile = mustRead('SSJ_CALENDAR', e.SSJ_CALENDAR);
  const workflowBundle = e.SSJ_WORKFLOW_BUNDLE === null ? null : mustRead('SSJ_WORKFLOW_BUNDLE', e.SSJ_WORKFLOW_BUNDLE);
  if (problems.length > 0 || !mailFrom) throw new SettingsError(problems);

  const dataDir = abs(e.SSJ_DATA_DIR);
  return {
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.SSJ_TASK_QUEUE,
      tls: useTls ? { certPath, keyPath, caPath, serverName: e.TEMPORAL_TLS_SERVER_NAME } : null,
      apiKey: e.TEMPORAL_API_KEY,
    },
    dataDir,
    databaseUrl: e.SSJ_DATABASE_URL,
    programmeFile,
    calendarFile,
    workflowBundle,
    smtp: { host: e.SMTP_HOST, port: e.SMTP_PORT, secure: e.SMTP_SECURE, user: e.SMTP_USER, pass: e.SMTP_PASS },
    mailFrom,
    logLevel: e.SSJ_LOG_LEVEL,
    shutdownGraceSeconds: e.SSJ_SHUTDOWN_GRACE_SECONDS,
    allowRehearsalClock: e.SSJ_ALLOW_REHEARSAL_CLOCK,
    consolePublicUrl: e.SSJ_CONSOLE_PUBLIC_URL,
    documentPdf: e.SSJ_DOCUMENT_PDF,
  };
}

/**
 * A .env-style file: `NAME=value` lines, `#` comments, optional `export `, optional single or
 * double quotes (double quotes understand \n, \" and \\). Unknown names are an error: a typo
 * must not silently fall back to a default.
 */
export function readEnvFile(file: string): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SettingsError([`SSJ_ENV_FILE: ${file} cannot be read (${code === 'ENOENT' ? 'no such file' : String(code)})`]);
  }
  const out: Record<string, string> = {};
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) {
      problems.push(`${file}:${i + 1}: must be NAME=value`);
      return;
    }
    const key = m[1] as string;
    let value = (m[2] as string).trim();
    if (!(key in SETTINGS_VARIABLES)) {
      problems.push(`${file}:${i + 1}: ${key} is not a setting (known: ${Object.keys(SETTINGS_VARIABLES).join(', ')})`);
      return;
    }
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1).replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
    } else if (value.startsWith("'") && value.endsWith("'") && value.length >= 2) {
      value = value.slice(1, -1);
    } else {
      value = value.replace(/\s+#.*$/, '');
    }
    out[key] = value;
  });
  if (problems.length > 0) throw new SettingsError(problems);
  return out;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}
