// Structured logs: one JSON object per line, `{"time","level","msg",...fields}`, so a log
// collector (journald, Docker, Loki) can filter by field. Implements Temporal's Logger interface,
// so the SDK's own messages (workflow and activity loggers, the core bridge) come out the same way.
import type { Logger, LogLevel as TemporalLogLevel, LogMetadata } from '@temporalio/common';
import type { LogLevel } from '../config/runtime';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface JsonLogger extends Logger {
  /** A logger that adds these fields to every line. */
  child(fields: Record<string, unknown>): JsonLogger;
}

export function createJsonLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stdout.write(l),
  base: Record<string, unknown> = {},
): JsonLogger {
  const emit = (lvl: LogLevel, msg: string, meta?: LogMetadata) => {
    if (rank[lvl] < rank[level]) return;
    const line: Record<string, unknown> = { time: new Date().toISOString(), level: lvl, msg, ...base };
    if (meta) {
      for (const [k, v] of Object.entries(meta)) {
        if (k === 'time' || k === 'level' || k === 'msg') line[`field.${k}`] = plain(v);
        else line[k] = plain(v);
      }
    }
    write(`${safeStringify(line)}\n`);
  };
  const fromTemporal = (l: TemporalLogLevel): LogLevel => (l === 'TRACE' ? 'debug' : (l.toLowerCase() as LogLevel));
  return {
    log: (l, msg, meta) => emit(fromTemporal(l), msg, meta),
    trace: (msg, meta) => emit('debug', msg, meta),
    debug: (msg, meta) => emit('debug', msg, meta),
    info: (msg, meta) => emit('info', msg, meta),
    warn: (msg, meta) => emit('warn', msg, meta),
    error: (msg, meta) => emit('error', msg, meta),
    child: (fields) => createJsonLogger(level, write, { ...base, ...fields }),
  };
}

/** Errors become {name, message, stack}; bigint becomes text; everything else as JSON has it. */
function plain(v: unknown): unknown {
  if (v instanceof Error) return { name: v.name, message: v.message, stack: v.stack };
  if (typeof v === 'bigint') return v.toString();
  return v;
}

function safeStringify(o: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(o, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Error) return { name: v.name, message: v.message, stack: v.stack };
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[circular]';
      seen.add(v);
    }
    return v;
  });
}
