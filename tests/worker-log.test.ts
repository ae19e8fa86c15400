// The worker's JSON log lines: one object per line with time, level, msg and fields; levels below
// the threshold dropped; errors and odd values still serialised.
import { describe, expect, it } from 'vitest';
import { createJsonLogger } from '../worker/log';

function capture(level: 'debug' | 'info' | 'warn' | 'error') {
  const lines: string[] = [];
  return { lines, log: createJsonLogger(level, (l) => lines.push(l)) };
}

describe('createJsonLogger', () => {
  it('writes one JSON object per line with time, level, msg and the fields', () => {
    const { lines, log } = capture('info');
    log.info('notice sent', { key: 'k/1', accepted: ['a@b.cn'], 收件人: '王建国' });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(lines[0]!.trimEnd()).not.toContain('\n');
    const o = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Date.parse(o.time as string)).not.toBeNaN();
    expect(o).toMatchObject({ level: 'info', msg: 'notice sent', key: 'k/1', accepted: ['a@b.cn'], 收件人: '王建国' });
  });

  it('drops levels below the threshold and maps Temporal levels', () => {
    const { lines, log } = capture('warn');
    log.debug('d');
    log.info('i');
    log.log('TRACE', 't');
    log.log('WARN', 'w');
    log.error('e');
    expect(lines.map((l) => (JSON.parse(l) as { level: string; msg: string }).level)).toEqual(['warn', 'error']);
  });

  it('serialises errors, bigints and cycles, and never lets a field overwrite time, level or msg', () => {
    const { lines, log } = capture('debug');
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    log.child({ component: 'mail' }).error('failed', { error: new Error('boom'), n: 10n, cyclic, level: 'fake', msg: 'fake' });
    const o = JSON.parse(lines[0]!) as Record<string, any>;
    expect(o.level).toBe('error');
    expect(o.msg).toBe('failed');
    expect(o['field.level']).toBe('fake');
    expect(o.component).toBe('mail');
    expect(o.error).toMatchObject({ name: 'Error', message: 'boom' });
    expect(o.n).toBe('10');
    expect(o.cyclic.self).toBe('[circular]');
  });
});
