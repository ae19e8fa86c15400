// A host upgraded from per-host mail files (outbox.db, notice-problems.db) to the shared store:
// their rows are copied once, so a notice sent before the upgrade is not sent again after it, and
// the files are kept as *.imported. On SQLite and on a real PostgreSQL 15.
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMailer } from '../mail/mailer';
import { importLegacyMailFiles, LEGACY_HOLDER } from '../mail/legacy-files';
import { freePort } from '../scripts/dev-server';
import { NoticeProblemLog } from '../stores/notice-problems';
import { openStoreDatabase } from '../stores/open';
import { MailOutbox } from '../stores/outbox';
import { storeBackends } from './setup/store-backends';

const backends = storeBackends('mail_legacy');

/** The files as the mailer and the campaign activities wrote them before the shared store (an outbox from before `refused`). */
function writeLegacyFiles(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const outbox = new Database(path.join(dataDir, 'outbox.db'));
  outbox.exec(`CREATE TABLE notices (key TEXT PRIMARY KEY, message_id TEXT NOT NULL, content_digest TEXT NOT NULL, recipients TEXT NOT NULL,
    subject TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, uncertain_resends INTEGER NOT NULL DEFAULT 0,
    lease_until INTEGER, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, sent_at TEXT, smtp_response TEXT,
    accepted TEXT NOT NULL DEFAULT '[]', rejected TEXT NOT NULL DEFAULT '[]', last_error TEXT)`);
  const insert = outbox.prepare(`INSERT INTO notices (key, message_id, content_digest, recipients, subject, status, attempts, lease_until, created_at, updated_at, sent_at, rejected)
    VALUES (?, ?, 'd', '["a@example.org"]', '【抽查任务通知】', ?, 1, ?, '2024-01-08T01:00:00.000Z', '2024-01-08T01:00:00.000Z', ?, '["b@example.org"]')`);
  insert.run('k/sent', '<m1@example.org>', 'sent', null, '2024-01-08T01:00:01.000Z');
  insert.run('k/sending', '<m2@example.org>', 'sending', Date.parse('2024-01-08T01:03:00.000Z'), null);
  insert.run('k/in-store', '<m3@example.org>', 'failed', null, null);
  outbox.close();
  const problems = new Database(path.join(dataDir, 'notice-problems.db'));
  problems.exec(`CREATE TABLE notice_problems (key TEXT PRIMARY KEY, campaign_id TEXT NOT NULL, kind TEXT NOT NULL, unit_id TEXT,
    status TEXT NOT NULL, subject TEXT NOT NULL, sent_to TEXT NOT NULL, refused TEXT NOT NULL, at TEXT NOT NULL, alert TEXT)`);
  problems
    .prepare(`INSERT INTO notice_problems VALUES ('k/sent', 'c1', 'team-assigned', 'U1', 'partly-sent', '【抽查任务通知】', '["a@example.org"]', ?, '2024-01-08T09:00:00+08:00', ?)`)
    .run(JSON.stringify([{ address: 'b@example.org', code: 'smtp-refused', reason: '550 No such user' }]), JSON.stringify({ key: 'k/sent/problem-alert', status: 'sent', sentTo: ['dl@example.org'] }));
  problems.close();
}

describe.each(backends)('old mail files imported into the store on $name', (backend) => {
  it('copies every row once, keeps what the store already has, and renames the files', async () => {
    const settings = await backend.fresh();
    writeLegacyFiles(settings.dataDir);
    const db = await openStoreDatabase(settings);
    const outbox = new MailOutbox(db);
    // A row the store already has wins over the file's.
    await outbox.claim({ key: 'k/in-store', messageId: '<m3@example.org>', contentDigest: 'd', recipients: ['a@example.org'], subject: 's' }, 'host-a/1', new Date('2024-01-09T00:00:00Z'), 60_000);

    expect(await importLegacyMailFiles(db, settings.dataDir)).toEqual({ notices: 2, problems: 1 });
    expect(await outbox.get('k/sent')).toMatchObject({ status: 'sent', attempts: 1, rejected: ['b@example.org'], refused: [], leaseHolder: null });
    expect(await outbox.get('k/sending')).toMatchObject({ status: 'sending', leaseHolder: LEGACY_HOLDER, leaseExpiresAt: '2024-01-08T01:03:00.000Z' });
    expect(await outbox.get('k/in-store')).toMatchObject({ status: 'sending', leaseHolder: 'host-a/1' });
    expect(await new NoticeProblemLog(db).list('c1')).toEqual([
      {
        key: 'k/sent',
        campaignId: 'c1',
        kind: 'team-assigned',
        unitId: 'U1',
        status: 'partly-sent',
        subject: '【抽查任务通知】',
        sentTo: ['a@example.org'],
        refused: [{ address: 'b@example.org', code: 'smtp-refused', reason: '550 No such user' }],
        at: '2024-01-08T09:00:00+08:00',
        alert: { key: 'k/sent/problem-alert', status: 'sent', sentTo: ['dl@example.org'] },
      },
    ]);
    expect(fs.readdirSync(settings.dataDir).filter((f) => /outbox|problems/.test(f)).sort()).toEqual(['notice-problems.db.imported', 'outbox.db.imported']);
    expect(await importLegacyMailFiles(db, settings.dataDir)).toEqual({ notices: 0, problems: 0 });

    // A notice sent before the upgrade is not sent again: no SMTP server is even listening.
    const mailer = createMailer({ smtp: { host: '127.0.0.1', port: await freePort(), secure: false, user: null, pass: null }, mailFrom: { name: '支队', address: 'ssj@example.org' } }, db);
    expect(await mailer.sendNotice({ key: 'k/sent', to: ['a@example.org'], subject: '【抽查任务通知】', text: '正文' })).toMatchObject({ outcome: 'already-sent' });
    await mailer.close();
    await db.close();
  });
});
