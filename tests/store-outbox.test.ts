// The mail outbox and the notice-problem log on the shared store (stores/outbox.ts,
// stores/notice-problems.ts), the same contract on SQLite and on a real PostgreSQL 15: one holder
// per notice until its lease ends, a sent notice final and never sent again, a dead attempt's
// notice resent after its lease and counted as uncertain (so is one whose reply was lost after
// sending, at once), a problem recorded once per key.
import { describe, expect, it } from 'vitest';
import { NoticeProblemLog, type NoticeProblem } from '../stores/notice-problems';
import { openStoreDatabase } from '../stores/open';
import { MailOutbox, type NewNotice } from '../stores/outbox';
import type { SqlDatabase } from '../stores/sql';
import { storeBackends } from './setup/store-backends';

const backends = storeBackends('outbox');
const T0 = new Date('2024-01-08T01:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const LEASE = 60_000;

const notice = (key: string): NewNotice => ({ key, messageId: `<ssj.${key}@example.org>`, contentDigest: 'd1', recipients: ['a@example.org', 'b@example.org'], subject: '【抽查任务通知】' });
const answer = { response: '250 queued', accepted: ['a@example.org'], rejected: ['b@example.org'], refused: [{ address: 'b@example.org', reason: '550 5.1.1 No such user' }] };

describe.each(backends)('the outbox on $name', (backend) => {
  const open = async (): Promise<SqlDatabase> => openStoreDatabase(await backend.fresh());

  it('lets one attempt hold a notice, records the answer, and never sends a sent notice again', async () => {
    const db = await open();
    const outbox = new MailOutbox(db);
    const first = await outbox.claim(notice('k/1'), 'host-a/1', at(0), LEASE);
    expect(first).toMatchObject({ kind: 'send', uncertain: false, row: { status: 'sending', attempts: 1, leaseHolder: 'host-a/1', leaseExpiresAt: at(60).toISOString() } });
    expect(first.row).toMatchObject({ messageId: '<ssj.k/1@example.org>', recipients: ['a@example.org', 'b@example.org'], subject: '【抽查任务通知】' });
    // Another attempt, another host, while the lease runs: busy, and the row unchanged.
    expect(await outbox.claim(notice('k/1'), 'host-b/1', at(59), LEASE)).toMatchObject({ kind: 'busy', row: { leaseHolder: 'host-a/1', attempts: 1 } });

    const sent = await outbox.markSent('k/1', at(1), answer);
    expect(sent.duplicate).toBe(false);
    expect(sent.row).toMatchObject({ status: 'sent', sentAt: at(1).toISOString(), leaseHolder: null, leaseExpiresAt: null, smtpResponse: '250 queued', accepted: answer.accepted, rejected: answer.rejected, refused: answer.refused });
    // Sent is final: no later claim sends, also long after any lease.
    expect(await outbox.claim(notice('k/1'), 'host-b/2', at(3600), LEASE)).toMatchObject({ kind: 'already-sent', row: { status: 'sent', attempts: 1, refused: answer.refused } });
    await outbox.markFailed('k/1', 'host-a/1', at(2), 'late error');
    expect(await outbox.get('k/1')).toMatchObject({ status: 'sent', lastError: null });
    expect(await outbox.get('k/none')).toBeNull();
    await db.close();
  });

  it('sends a failed notice again on the next attempt, not counted as uncertain', async () => {
    const db = await open();
    const outbox = new MailOutbox(db);
    await outbox.claim(notice('k/2'), 'a/1', at(0), LEASE);
    // An attempt that no longer holds the notice cannot mark it failed.
    await outbox.markFailed('k/2', 'someone-else', at(1), 'ECONNREFUSED');
    expect(await outbox.get('k/2')).toMatchObject({ status: 'sending', leaseHolder: 'a/1' });
    await outbox.markFailed('k/2', 'a/1', at(1), 'ECONNREFUSED: connect');
    expect(await outbox.get('k/2')).toMatchObject({ status: 'failed', lastError: 'ECONNREFUSED: connect', leaseHolder: null });
    const again = await outbox.claim({ ...notice('k/2'), contentDigest: 'd2' }, 'a/2', at(2), LEASE);
    expect(again).toMatchObject({ kind: 'send', uncertain: false, row: { attempts: 2, uncertainResends: 0, contentDigest: 'd2', leaseHolder: 'a/2' } });
    await db.close();
  });

  it("resends a dead attempt's notice after its lease, counted as uncertain; the late answer of the dead one still counts", async () => {
    const db = await open();
    const outbox = new MailOutbox(db);
    await outbox.claim(notice('k/3'), 'dead/1', at(0), LEASE);
    expect((await outbox.claim(notice('k/3'), 'b/1', at(59.999), LEASE)).kind).toBe('busy');
    const taken = await outbox.claim(notice('k/3'), 'b/1', at(60), LEASE);
    expect(taken).toMatchObject({ kind: 'send', uncertain: true, row: { attempts: 2, uncertainResends: 1, leaseHolder: 'b/1' } });
    // The first attempt was only slow: it cannot fail the notice the second now holds ...
    await outbox.markFailed('k/3', 'dead/1', at(61), 'timeout');
    expect(await outbox.get('k/3')).toMatchObject({ status: 'sending', leaseHolder: 'b/1' });
    // ... but its message did go out, so its answer is recorded; the second's copy is a duplicate.
    expect(await outbox.markSent('k/3', at(62), answer)).toMatchObject({ duplicate: false, row: { status: 'sent' } });
    expect(await outbox.markSent('k/3', at(63), { ...answer, response: '250 second copy' })).toMatchObject({ duplicate: true, row: { smtpResponse: '250 queued' } });
    // A fresh claim after an uncertain one is not itself uncertain.
    await outbox.claim(notice('k/4'), 'x/1', at(0), LEASE);
    await outbox.claim(notice('k/4'), 'x/2', at(60), LEASE);
    await outbox.markFailed('k/4', 'x/2', at(61), 'EPIPE');
    expect(await outbox.claim(notice('k/4'), 'x/3', at(62), LEASE)).toMatchObject({ kind: 'send', uncertain: false, row: { attempts: 3, uncertainResends: 1 } });
    await db.close();
  });

  it('gives back the lease of an attempt that lost its reply after sending, so the next one resends at once, counted as uncertain', async () => {
    const db = await open();
    const outbox = new MailOutbox(db);
    await outbox.claim(notice('k/5'), 'a/1', at(0), LEASE);
    // Only the holder can say so.
    await outbox.markUncertain('k/5', 'someone-else', at(1), 'ECONNECTION after the end of the message');
    expect(await outbox.get('k/5')).toMatchObject({ status: 'sending', leaseHolder: 'a/1', leaseExpiresAt: at(60).toISOString(), lastError: null });
    await outbox.markUncertain('k/5', 'a/1', at(1), 'ECONNECTION after the end of the message');
    expect(await outbox.get('k/5')).toMatchObject({ status: 'sending', leaseExpiresAt: at(1).toISOString(), lastError: 'ECONNECTION after the end of the message' });
    expect(await outbox.claim(notice('k/5'), 'a/2', at(2), LEASE)).toMatchObject({ kind: 'send', uncertain: true, row: { attempts: 2, uncertainResends: 1, leaseHolder: 'a/2' } });
    await db.close();
  });

  it('refuses to reopen a sent notice or to delete any, in the database itself', async () => {
    const db = await open();
    const outbox = new MailOutbox(db);
    await outbox.claim(notice('k/5'), 'a/1', at(0), LEASE);
    await outbox.markSent('k/5', at(1), answer);
    await expect(db.run("UPDATE mail_outbox SET status = 'failed' WHERE notice_key = 'k/5'")).rejects.toThrow(/a sent notice is final/);
    await expect(db.run("DELETE FROM mail_outbox WHERE notice_key = 'k/5'")).rejects.toThrow(/mail_outbox/);
    await outbox.claim(notice('k/6'), 'a/1', at(0), LEASE);
    await expect(db.run("DELETE FROM mail_outbox WHERE notice_key = 'k/6'")).rejects.toThrow(/mail_outbox/);
    expect((await outbox.list()).map((r) => [r.key, r.status])).toEqual([
      ['k/5', 'sent'],
      ['k/6', 'sending'],
    ]);
    expect((await outbox.list({ status: 'sending' })).map((r) => r.key)).toEqual(['k/6']);
    await db.close();
  });

  it('gives a notice to exactly one of many attempts racing on separate connections', async () => {
    const settings = await backend.fresh();
    const dbs = await Promise.all([1, 2, 3].map(() => openStoreDatabase(settings)));
    const keys = Array.from({ length: 40 }, (_, i) => `race/${i}`);
    const winners = new Map<string, string[]>();
    await Promise.all(
      dbs.flatMap((db, d) =>
        [0, 1].map(async (n) => {
          const outbox = new MailOutbox(db);
          for (const key of keys) {
            const holder = `db${d}/attempt${n}`;
            if ((await outbox.claim(notice(key), holder, at(0), LEASE)).kind === 'send') winners.set(key, [...(winners.get(key) ?? []), holder]);
          }
        }),
      ),
    );
    expect([...winners.keys()].sort()).toEqual([...keys].sort());
    for (const [key, w] of winners) expect(w, key).toHaveLength(1);
    for (const db of dbs) await db.close();
  });
});

describe.each(backends)('the notice-problem log on $name', (backend) => {
  const problem = (key: string, campaignId: string, at: string): Omit<NoticeProblem, 'alert'> => ({
    key,
    campaignId,
    kind: 'draw-overdue',
    unitId: null,
    status: 'partly-sent',
    subject: '【抽取逾期告警】',
    sentTo: ['mgr1@example.org'],
    refused: [{ address: 'mgr2@example.org', person: { id: 'MGR2', name: '张三' }, code: 'smtp-refused', reason: '550 5.1.1 Mailbox unavailable' }],
    at,
  });

  it('records a problem once per key, keeps its alert, and lists a campaign oldest first', async () => {
    const db = await openStoreDatabase(await backend.fresh());
    const log = new NoticeProblemLog(db);
    expect(await log.record(problem('c1/late', 'c1', '2024-01-16T09:00:00+08:00'))).toBe(true);
    expect(await log.record({ ...problem('c1/late', 'c1', '2024-01-16T09:00:00+08:00'), status: 'refused' })).toBe(false);
    expect(await log.record(problem('c1/early', 'c1', '2024-01-15T09:00:00+08:00'))).toBe(true);
    expect(await log.record(problem('c2/other', 'c2', '2024-01-15T09:00:00+08:00'))).toBe(true);
    await log.setAlert('c1/late', { key: 'c1/late/problem-alert', status: 'sent', sentTo: ['dl1@example.org'] });

    expect(await log.get('c1/late')).toEqual({ ...problem('c1/late', 'c1', '2024-01-16T09:00:00+08:00'), alert: { key: 'c1/late/problem-alert', status: 'sent', sentTo: ['dl1@example.org'] } });
    expect((await log.list('c1')).map((p) => [p.key, p.status, p.alert?.status ?? null])).toEqual([
      ['c1/early', 'partly-sent', null],
      ['c1/late', 'partly-sent', 'sent'],
    ]);
    expect(await log.list('c3')).toEqual([]);
    expect(await log.get('c3/none')).toBeNull();
    await db.close();
  });
});
