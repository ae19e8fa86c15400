// Two worker processes share one outbox (tests/helpers/mail-racer.ts) and send the same notices
// to a real SMTP server on loopback (mail/catcher.ts): every notice arrives exactly
// once, none is lost. And a process killed while it holds notices mid-SMTP: another host sends
// them after the lease, with the same Message-ID, counted as uncertain resends. On a real
// PostgreSQL 15 (several hosts) and on one SQLite ssj.db (several processes on one host).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startMailCatcher, type MailCatcher } from '../mail/catcher';
import { createMailer, MailBusyError, noticeMessageId } from '../mail/mailer';
import { openStoreDatabase } from '../stores/open';
import { MailOutbox } from '../stores/outbox';
import { raceNotice, RACE_MAIL_FROM, startMailRacer } from './helpers/mail-racer';
import { eventually } from './helpers/campaign-fixture';
import { storeBackends } from './setup/store-backends';

const KEYS = Array.from({ length: 200 }, (_, i) => `inspection-2024Q1-${String(i).padStart(4, '0')}/assigned`);
const backends = storeBackends('outbox_race');
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function catcher(smtp = {}): Promise<MailCatcher> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-outbox-race-'));
  const c = await startMailCatcher({ dir, smtp });
  cleanups.push(async () => {
    await c.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return c;
}

function racer(...args: Parameters<typeof startMailRacer>): ReturnType<typeof startMailRacer> {
  const r = startMailRacer(...args);
  cleanups.push(() => r.kill());
  return r;
}

describe.each(backends)('two processes sending through one outbox on $name', (backend) => {
  it('deliver each of 200 notices exactly once between them, none lost', async () => {
    const settings = await backend.fresh();
    await (await openStoreDatabase(settings)).close(); // migrate once, before the race
    const c = await catcher();
    const common = { keys: KEYS, smtpPort: c.port, leaseMs: 60_000, concurrency: 6 };
    const a = racer(settings, { name: 'a', ...common });
    const b = racer(settings, { name: 'b', ...common });
    await Promise.all([a.ready, b.ready]);
    a.go();
    b.go();
    const [ra, rb] = await Promise.all([a.done, b.done]);

    // What the SMTP server got: each key once, under its own Message-ID.
    const arrived = c.messages();
    expect(arrived.map((m) => m.noticeKey).sort()).toEqual(KEYS);
    for (const m of arrived) expect(m.messageId).toBe(noticeMessageId(m.noticeKey!, RACE_MAIL_FROM.address));
    // Each process sent its share and found the rest sent by the other: disjoint, complete.
    expect([...ra.sent, ...rb.sent].sort()).toEqual(KEYS);
    expect(ra.sent.length > 0 && rb.sent.length > 0, `both took part (a sent ${ra.sent.length}, b ${rb.sent.length})`).toBe(true);
    expect([...ra.alreadySent].sort()).toEqual([...rb.sent].sort());
    expect([...rb.alreadySent].sort()).toEqual([...ra.sent].sort());

    const db = await openStoreDatabase(settings);
    cleanups.push(() => db.close());
    const rows = await new MailOutbox(db).list();
    expect(rows.map((r) => [r.key, r.status, r.attempts, r.uncertainResends]).sort()).toEqual(KEYS.map((k) => [k, 'sent', 1, 0]));
  }, 240_000); // two tsx processes start on a busy 2-core machine

  it('a process killed mid-send: the other host sends its notices after the lease, counted uncertain', async () => {
    const settings = await backend.fresh();
    await (await openStoreDatabase(settings)).close();
    const keys = KEYS.slice(0, 4);
    // The server holds every MAIL FROM of the first process unanswered: it dies mid-conversation.
    let hold = true;
    const held: (() => void)[] = [];
    const c = await catcher({
      onMailFrom: (_a: unknown, _s: unknown, cb: (e?: Error) => void) => (hold ? held.push(() => cb(new Error('451 the sender died'))) : cb()),
    });
    const dying = racer(settings, { name: 'dying', keys, smtpPort: c.port, leaseMs: 60_000, concurrency: keys.length });
    await dying.ready;
    dying.go();
    await eventually(async () => held.length === keys.length, 'the first process mid-SMTP on every notice', 1200);
    await dying.kill();
    hold = false;
    for (const release of held) release();

    const db = await openStoreDatabase(settings);
    cleanups.push(() => db.close());
    const outbox = new MailOutbox(db);
    const stranded = await outbox.list({ status: 'sending' });
    expect(stranded.map((r) => r.key).sort()).toEqual(keys);
    // The other host, on its own clock: held off until the dead claim's lease ends, then it sends.
    const leaseEnds = stranded.map((r) => Date.parse(r.leaseExpiresAt!));
    let clock = Math.min(...leaseEnds) - 1;
    const other = createMailer({ smtp: { host: '127.0.0.1', port: c.port, secure: false, user: null, pass: null }, mailFrom: RACE_MAIL_FROM }, db, { now: () => clock });
    cleanups.push(() => other.close());
    for (const key of keys) await expect(other.sendNotice(raceNotice(key)), key).rejects.toBeInstanceOf(MailBusyError);
    expect(c.messages()).toEqual([]);

    clock = Math.max(...leaseEnds);
    for (const key of keys) expect(await other.sendNotice(raceNotice(key)), key).toMatchObject({ outcome: 'sent', attempts: 2, messageId: noticeMessageId(key, RACE_MAIL_FROM.address) });
    for (const key of keys) expect(await other.sendNotice(raceNotice(key)), key).toMatchObject({ outcome: 'already-sent' });
    expect(c.messages().map((m) => m.noticeKey).sort()).toEqual(keys);
    expect((await outbox.list()).map((r) => [r.key, r.status, r.attempts, r.uncertainResends]).sort()).toEqual(keys.map((k) => [k, 'sent', 2, 1]));
  }, 240_000);
});
