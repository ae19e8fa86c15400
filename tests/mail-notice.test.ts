// Notices over a real SMTP server on loopback (the catcher, built on smtp-server): delivery with
// Chinese text and attachments, once per key across retries, outages and restarts. The outbox is
// the shared store's (SQLite ssj.db here; tests/store-outbox*.test.ts run it on PostgreSQL too).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../scripts/dev-server';
import { startMailCatcher, type MailCatcher } from '../mail/catcher';
import {
  createMailer,
  MailBusyError,
  MailRejectedError,
  MailUnavailableError,
  noticeMessageId,
  type MailSettings,
  type Notice,
} from '../mail/mailer';
import { openStoreDatabase } from '../stores/open';
import { MailOutbox, type OutboxRow } from '../stores/outbox';
import type { SqlDatabase } from '../stores/sql';
import { readMessage } from '../mail/mime-read';
import { teamAssignedNotice } from '../mail/templates';

let tmp: string;
let db: SqlDatabase;
const opened: { close(): unknown }[] = [];

/** The store in the test's data folder (a worker, or the same host after a restart, opens it so). */
const openStore = () => openStoreDatabase({ dataDir: path.join(tmp, 'data'), databaseUrl: null });

beforeEach(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-mail-'));
  db = await openStore();
});
afterEach(async () => {
  for (const o of opened.splice(0)) await o.close();
  await db.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function settings(port: number): MailSettings {
  return {
    smtp: { host: '127.0.0.1', port, secure: false, user: null, pass: null },
    mailFrom: { name: '信阳市生态环境综合行政执法支队', address: 'ssj@example.org' },
  };
}

async function catcher(port = 0, smtp = {}): Promise<MailCatcher> {
  const c = await startMailCatcher({ dir: path.join(tmp, 'caught'), port, smtp });
  opened.push(c);
  return c;
}

function mailer(port: number, opts = {}) {
  const m = createMailer(settings(port), db, opts);
  opened.push(m);
  return m;
}

const rendered = teamAssignedNotice({
  issuer: '信阳市生态环境综合行政执法支队',
  periodLabel: '2023年第一季度',
  department: '直属一大队',
  unit: { code: '91411500MA44XXXX1K', name: '信阳市某某化工有限公司', address: '信阳市浉河区工业园路8号' },
  team: [
    { name: '王建国', certificate: '豫环执1501001' },
    { name: '李秀英', certificate: '豫环执1501002' },
  ],
  checkItems: ['排污许可制度执行情况', '污染防治设施运行情况'],
  offSite: false,
  dueDate: '2023-03-31',
  reportHow: 'ssj report 91411500MA44XXXX1K --as <本人编号>',
});

/** The bare address of `Name <a@b>` or `a@b`. */
function bareAddress(value: string): string {
  const m = /<([^>]+)>/.exec(value);
  return (m ? (m[1] as string) : value).trim().toLowerCase();
}

/** The outbox row of a key, as the mailer recorded it. */
function outboxRow(key: string): Promise<OutboxRow | null> {
  return new MailOutbox(db).get(key);
}

function notice(key: string): Notice {
  return {
    key,
    to: ['wangjg@example.org', 'lixy@example.org'],
    cc: ['dadui1@example.org'],
    ...rendered,
    attachments: [{ filename: '检查表-2023Q1-0001.txt', content: '现场检查记录：正常。\n', contentType: 'text/plain' }],
  };
}

describe('sendNotice', () => {
  it('delivers a Chinese notice with its recipients, body and attachment', async () => {
    const c = await catcher();
    const m = mailer(c.port);
    const result = await m.sendNotice(notice('inspection-2023Q1-0001/assigned'));
    expect(result.outcome).toBe('sent');
    expect(result.accepted.sort()).toEqual(['dadui1@example.org', 'lixy@example.org', 'wangjg@example.org']);

    const caught = c.messages();
    expect(caught).toHaveLength(1);
    const entry = caught[0]!;
    expect(entry.envelope.to.sort()).toEqual(['dadui1@example.org', 'lixy@example.org', 'wangjg@example.org']);
    expect(entry.envelope.from).toBe('ssj@example.org');
    expect(entry.subject).toBe('【抽查任务通知】2023年第一季度信阳市某某化工有限公司现场检查任务');
    expect(entry.noticeKey).toBe('inspection-2023Q1-0001/assigned');

    const raw = fs.readFileSync(path.join(c.dir, entry.file));
    // The subject travels encoded (RFC 2047), never as raw UTF-8 in the header.
    const rawSubject = /^Subject: (.*(?:\r\n[ \t].*)*)/m.exec(raw.toString('latin1'))?.[1] ?? '';
    expect(rawSubject).toMatch(/=\?UTF-8\?[BQ]\?/i);
    const msg = readMessage(raw);
    expect(msg.subject).toBe(rendered.subject);
    expect(msg.from).toContain('信阳市生态环境综合行政执法支队');
    expect(msg.to.map(bareAddress)).toEqual(['wangjg@example.org', 'lixy@example.org']);
    expect(msg.cc.map(bareAddress)).toEqual(['dadui1@example.org']);
    expect(msg.messageId).toBe(noticeMessageId('inspection-2023Q1-0001/assigned', 'ssj@example.org'));
    expect(msg.text).toContain('王建国、李秀英同志：');
    expect(msg.text).toContain('完成期限：2023年3月31日');
    expect(msg.html).toContain('信阳市某某化工有限公司');
    expect(msg.attachments).toHaveLength(1);
    expect(msg.attachments[0]!.filename).toBe('检查表-2023Q1-0001.txt');
    expect(msg.attachments[0]!.content.toString('utf8')).toBe('现场检查记录：正常。\n');
  });

  it('sends one message for one key, however often it is called', async () => {
    const c = await catcher();
    const m = mailer(c.port);
    const first = await m.sendNotice(notice('k/once'));
    const second = await m.sendNotice(notice('k/once'));
    expect(first.outcome).toBe('sent');
    expect(second.outcome).toBe('already-sent');
    expect(second.messageId).toBe(first.messageId);
    expect(c.messages()).toHaveLength(1);
    // Two attempts at once (an activity retried while the first still runs): one sends, one waits.
    const both = await Promise.allSettled([m.sendNotice(notice('k/other')), m.sendNotice(notice('k/other'))]);
    expect(both[0].status).toBe('fulfilled');
    expect(both[1].status === 'rejected' && both[1].reason instanceof MailBusyError).toBe(true);
    expect(c.messages()).toHaveLength(2);
  });

  it('does not resend after a restart on the same store', async () => {
    const c = await catcher();
    const earlier = await openStore();
    const before = createMailer(settings(c.port), earlier);
    await before.sendNotice(notice('k/restart'));
    await before.close();
    await earlier.close();
    const after = mailer(c.port);
    const again = await after.sendNotice(notice('k/restart'));
    expect(again.outcome).toBe('already-sent');
    expect((await outboxRow('k/restart'))?.status).toBe('sent');
    expect(c.messages()).toHaveLength(1);
  });

  it('throws a retryable error while the server is down, records nothing as sent, then sends once', async () => {
    const port = await freePort();
    const m = mailer(port);
    const err = await m.sendNotice(notice('k/outage')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailUnavailableError);
    expect((err as MailUnavailableError).nonRetryable).toBe(false);
    expect((err as MailUnavailableError).type).toBe('MailUnavailable');
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect((await outboxRow('k/outage'))?.status).toBe('failed');

    const c = await catcher(port);
    expect((await m.sendNotice(notice('k/outage'))).outcome).toBe('sent');
    expect((await m.sendNotice(notice('k/outage'))).outcome).toBe('already-sent');
    expect(c.messages()).toHaveLength(1);
    expect((await outboxRow('k/outage'))?.attempts).toBe(2);
  });

  it.each([
    ['refusing connections with 421', 'onConnect'],
    ['answering MAIL FROM with 421', 'onMailFrom'],
  ] as const)('treats a server %s as down, then delivers exactly once', async (_label, hook) => {
    let down = true;
    const tempFail = () => Object.assign(new Error('Service not available, try again later'), { responseCode: 421 });
    const c = await catcher(0, {
      onConnect: (_s: unknown, cb: (e?: Error) => void) => cb(down && hook === 'onConnect' ? tempFail() : undefined),
      onMailFrom: (_a: unknown, _s: unknown, cb: (e?: Error) => void) => cb(down && hook === 'onMailFrom' ? tempFail() : undefined),
    });
    const m = mailer(c.port);
    const err = await m.sendNotice(notice(`k/${hook}`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailUnavailableError);
    expect(String((err as Error).message)).toContain('421');
    expect((await outboxRow(`k/${hook}`))?.status).toBe('failed');
    expect(c.messages()).toHaveLength(0);

    down = false;
    expect((await m.sendNotice(notice(`k/${hook}`))).outcome).toBe('sent');
    expect((await m.sendNotice(notice(`k/${hook}`))).outcome).toBe('already-sent');
    expect(c.messages()).toHaveLength(1);
  });

  it('treats 451 after DATA as not delivered and sends again once the server recovers', async () => {
    let down = true;
    let stored = 0;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, cb) {
        stream.resume();
        stream.on('end', () => {
          if (down) return cb(Object.assign(new Error('Local error in processing'), { responseCode: 451 }));
          stored += 1;
          cb(null);
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    opened.push({ close: () => new Promise<void>((r) => server.close(() => r())) });
    const port = (server.server.address() as AddressInfo).port;
    const m = mailer(port);
    await expect(m.sendNotice(notice('k/451'))).rejects.toBeInstanceOf(MailUnavailableError);
    expect((await outboxRow('k/451'))?.status).toBe('failed');
    down = false;
    expect((await m.sendNotice(notice('k/451'))).outcome).toBe('sent');
    expect((await m.sendNotice(notice('k/451'))).outcome).toBe('already-sent');
    expect(stored).toBe(1);
  });

  it('treats a server that closes every connection as down', async () => {
    const sockets = net.createServer((sock) => sock.destroy());
    await new Promise<void>((r) => sockets.listen(0, '127.0.0.1', () => r()));
    const port = (sockets.address() as AddressInfo).port;
    const m = mailer(port);
    const err = await m.sendNotice(notice('k/closing')).catch((e: unknown) => e);
    await new Promise<void>((r) => sockets.close(() => r()));
    expect(err).toBeInstanceOf(MailUnavailableError);
    expect((await outboxRow('k/closing'))?.status).toBe('failed');
    const c = await catcher(port);
    expect((await m.sendNotice(notice('k/closing'))).outcome).toBe('sent');
    expect(c.messages()).toHaveLength(1);
  });

  /** An SMTP server that keeps every message it receives and, while `drop` says so, closes the connection instead of replying. */
  async function droppingServer(drop: (stream: NodeJS.ReadableStream) => 'at-first-bytes' | 'after-end' | 'no') {
    const kept: string[] = [];
    const sockets: net.Socket[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, cb) {
        const how = drop(stream);
        const chunks: Buffer[] = [];
        if (how === 'at-first-bytes') stream.once('data', () => sockets.at(-1)?.destroy());
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          kept.push(Buffer.concat(chunks).toString('latin1'));
          if (how === 'after-end') sockets.at(-1)?.destroy(); // the message is kept; the reply never goes
          else cb(null);
        });
      },
    });
    server.server.on('connection', (sock: net.Socket) => sockets.push(sock));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    opened.push({ close: () => new Promise<void>((r) => server.close(() => r())) });
    return { port: (server.server.address() as AddressInfo).port, kept };
  }

  it('counts a notice whose reply was lost after the whole message went out as uncertain, and sends it again under the same Message-ID', async () => {
    let first = true;
    const { port, kept } = await droppingServer(() => (first ? ((first = false), 'after-end') : 'no'));
    const logged: string[] = [];
    const m = mailer(port, { log: (level: string, msg: string) => logged.push(`${level}: ${msg}`) });
    const err = await m.sendNotice(notice('k/lost-reply')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailUnavailableError);
    expect((err as Error).message).toMatch(/gave no reply to notice k\/lost-reply once it was sent .*may have been delivered/);
    // Kept by the server, yet not a clean failure: still `sending`, its lease given back.
    expect(kept).toHaveLength(1);
    const row = await outboxRow('k/lost-reply');
    expect(row).toMatchObject({ status: 'sending', uncertainResends: 0 });
    expect(row?.lastError).toMatch(/after the end of the message/);
    expect(Date.parse(row?.leaseExpiresAt ?? '')).toBeLessThanOrEqual(Date.now());

    const result = await m.sendNotice(notice('k/lost-reply'));
    expect(result.outcome).toBe('sent');
    expect((await outboxRow('k/lost-reply'))?.uncertainResends).toBe(1);
    const messageId = noticeMessageId('k/lost-reply', 'ssj@example.org');
    expect(kept.map((raw) => /^Message-ID: (.*)$/im.exec(raw)?.[1]?.trim())).toEqual([messageId, messageId]);
    expect(logged.filter((l) => l.startsWith('warn: ')).join('\n')).toMatch(/lost after the whole notice was sent[\s\S]*earlier attempt died before recording/);
  });

  it('treats a connection lost before the end of the message as not delivered (a clean failure, nothing uncertain)', async () => {
    let first = true;
    const { port, kept } = await droppingServer(() => (first ? ((first = false), 'at-first-bytes') : 'no'));
    const m = mailer(port);
    // Larger than loopback's socket buffers, so the message cannot have been handed over whole.
    const big = { ...notice('k/cut'), attachments: [{ filename: 'big.bin', content: crypto.randomBytes(24 * 2 ** 20), contentType: 'application/octet-stream' }] };
    await expect(m.sendNotice(big)).rejects.toBeInstanceOf(MailUnavailableError);
    expect(await outboxRow('k/cut')).toMatchObject({ status: 'failed', uncertainResends: 0 });
    expect((await m.sendNotice(big)).outcome).toBe('sent');
    expect(await outboxRow('k/cut')).toMatchObject({ status: 'sent', uncertainResends: 0 });
    // One whole message (the first attempt's, cut short, never ended).
    expect(kept.filter((raw) => raw.length > 24 * 2 ** 20)).toHaveLength(1);
  });

  it('authenticates with SMTP_USER/SMTP_PASS; a wrong password delays (retryable) rather than drops', async () => {
    let stored = 0;
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true, // loopback only; a real server takes AUTH over TLS
      authMethods: ['PLAIN', 'LOGIN'],
      logger: false,
      onAuth(auth, _session, cb) {
        if (auth.username === 'ssj' && auth.password === '正确口令') return cb(null, { user: 'ssj' });
        cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onData(stream, _session, cb) {
        stream.resume();
        stream.on('end', () => {
          stored += 1;
          cb(null);
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    opened.push({ close: () => new Promise<void>((r) => server.close(() => r())) });
    const port = (server.server.address() as AddressInfo).port;
    const withPass = (pass: string) => {
      const m = createMailer({ ...settings(port), smtp: { ...settings(port).smtp, user: 'ssj', pass } }, db);
      opened.push(m);
      return m;
    };
    const wrong = await withPass('错误').sendNotice(notice('k/auth')).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(MailUnavailableError);
    expect(String((wrong as Error).message)).toContain('535');
    expect(stored).toBe(0);
    expect((await withPass('正确口令').sendNotice(notice('k/auth'))).outcome).toBe('sent');
    expect(stored).toBe(1);
  });

  it('gives up at once when the server refuses the recipients for good (550), naming each with its reply', async () => {
    const c = await catcher(0, {
      onRcptTo: (_a: unknown, _s: unknown, cb: (e?: Error) => void) =>
        cb(Object.assign(new Error('No such user here'), { responseCode: 550 })),
    });
    const m = mailer(c.port);
    const err = await m.sendNotice(notice('k/550')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailRejectedError);
    expect((err as MailRejectedError).nonRetryable).toBe(true);
    expect((err as MailRejectedError).refused.map((r) => r.address).sort()).toEqual(['dadui1@example.org', 'lixy@example.org', 'wangjg@example.org']);
    for (const r of (err as MailRejectedError).refused) expect(r.reason).toMatch(/^550 No such user here/);
    expect(c.messages()).toHaveLength(0);
  });

  it('sends to the others when the server refuses one recipient, and keeps the refusal for a retry', async () => {
    const c = await catcher(0, {
      onRcptTo: (a: { address: string }, _s: unknown, cb: (e?: Error) => void) =>
        cb(a.address === 'lixy@example.org' ? Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }) : undefined),
    });
    const m = mailer(c.port);
    const first = await m.sendNotice(notice('k/partly'));
    expect(first.outcome).toBe('sent');
    expect(first.rejected).toEqual(['lixy@example.org']);
    expect(first.refused).toEqual([{ address: 'lixy@example.org', reason: expect.stringMatching(/^550 Mailbox unavailable/) }]);
    expect(c.messages()[0]!.envelope.to.sort()).toEqual(['dadui1@example.org', 'wangjg@example.org']);
    const again = await m.sendNotice(notice('k/partly'));
    expect(again.outcome).toBe('already-sent');
    expect(again.refused).toEqual(first.refused);
    expect(c.messages()).toHaveLength(1);
  });

  it('rejects a malformed notice, naming the field, and records nothing', async () => {
    const c = await catcher();
    const m = mailer(c.port);
    const err = await m.sendNotice({ ...notice('k/bad'), to: ['not an address'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailRejectedError);
    expect((err as Error).message).toContain('notice.to.0: must be an e-mail address');
    expect(await outboxRow('k/bad')).toBeNull();
  });

  it('makes a crash between sending and recording detectable, and resends under the same Message-ID', async () => {
    const c = await catcher();
    let clock = Date.parse('2023-03-01T08:00:00Z');
    const m = mailer(c.port, { now: () => clock, leaseMs: 60_000 });
    // An attempt that claimed the notice and died before recording the server's answer.
    const messageId = noticeMessageId('k/crash', 'ssj@example.org');
    await new MailOutbox(db).claim({ key: 'k/crash', messageId, contentDigest: 'x', recipients: ['wangjg@example.org'], subject: 's' }, 'dead-host/1', new Date(clock), 60_000);

    // While its lease runs, a second attempt must not send in parallel.
    await expect(m.sendNotice(notice('k/crash'))).rejects.toBeInstanceOf(MailBusyError);
    expect(await outboxRow('k/crash')).toMatchObject({ status: 'sending', attempts: 1 });

    clock += 61_000;
    const result = await m.sendNotice(notice('k/crash'));
    expect(result.outcome).toBe('sent');
    expect(result.messageId).toBe(messageId);
    expect((await outboxRow('k/crash'))?.uncertainResends).toBe(1);
    expect(c.messages().map((x) => x.messageId)).toEqual([messageId]);
  });
});
