// Unexpected errors (issue 13): one line and exit 5, the stack trace in a log file, or on screen
// with --debug; never exit 1, which means "the answer is no".
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-cli-errors-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function ssj(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync('npx', ['tsx', 'client/ssj.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('unexpected errors', () => {
  it('print one line, exit 5, and log the stack trace', () => {
    const bad = path.join(tmp, 'bad-store');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, 'ssj.db'), 'this is not a SQLite database, just text that is long enough to fill a header page'.repeat(4));
    const data = path.join(tmp, 'data');
    const r = ssj({ SSJ_DATA_DIR: data }, 'registry', 'show', '--data-dir', bad);
    expect(r.code).toBe(5);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ssj: unexpected error \(SqliteError: file is not a database\); details in .*ssj-errors\.log$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const log = fs.readFileSync(path.join(data, 'logs', 'ssj-errors.log'), 'utf8');
    expect(log).toMatch(/ssj registry show --data-dir/);
    expect(log).toMatch(/\n\s+at /);
  });

  it('--debug prints the stack trace instead', () => {
    const bad = path.join(tmp, 'bad-store-2');
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, 'ssj.db'), 'x'.repeat(512));
    const r = ssj({ SSJ_DATA_DIR: path.join(tmp, 'data2') }, 'registry', 'show', '--data-dir', bad, '--debug');
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^ssj: unexpected error: SqliteError: file is not a database\n\s+at /);
  });
});
