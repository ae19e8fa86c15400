// Notices are best-effort: the campaign's sendNotice activity, with the real mailer and outbox, against
// a real SMTP server on loopback (smtp-server) that refuses some recipients. A refusal never fails
// the activity: it is recorded once per key (also when the activity is retried), operations are
// alerted once, and `campaignNoticeProblems` reads it back for `ssj quarter status`. An outage stays a
// retryable failure, and the notice then goes out once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createActivities } from '../activities';
import { startMailCatcher, type MailCatcher } from '../mail/catcher';
import { createMailer, MailUnavailableError, type Mailer, type MailerOptions } from '../mail/mailer';
import { readMessage } from '../mail/mime-read';
import { campaignNoticeProblems } from '../mail/problems';
import { freePort } from '../scripts/dev-server';
import { createFixture, withRegistry, PEOPLE, type Fixture } from './helpers/campaign-fixture';
import { devServerClient, quiet, uniqueTaskQueue } from './helpers/temporal';
import * as api from '../client/temporal';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';

const campaignId = 'campaign-notice-delivery-2024-2024q1';
const at = '2024-01-16T00:00:00+08:00';
const drawOverdue = {
  key: `${campaignId}/draw-overdue`,
  campaignId,
  kind: 'draw-overdue' as const,
  to: { roles: ['manager'] },
  params: { drawDue: '2024-01-15', waitingFor: ['discipline'] },
  at,
};
const mailOf = (id: string) => `${id.toLowerCase()}@bureau.example.cn`;
const operations = [PEOPLE.admin, PEOPLE.admin2, PEOPLE.detachmentLeader].map(mailOf).sort();

let fx: Fixture;
const opened: { close(): unknown }[] = [];

beforeEach(async () => {
  fx = await createFixture('notice-delivery-2024');
});
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
  fs.rmSync(fx.dir, { recursive: true, force: true });
});

/** A catcher whose server answers 550 to the addresses in `refuse`. */
async function catcher(refuse: string[] = [], port = 0): Promise<MailCatcher> {
  const c = await startMailCatcher({
    dir: path.join(fx.dir, 'caught'),
    port,
    smtp: {
      onRcptTo: (a: { address: string }, _s: unknown, cb: (e?: Error) => void) =>
        cb(refuse.includes(a.address) ? Object.assign(new Error('5.1.1 Mailbox unavailable'), { responseCode: 550 }) : undefined),
    },
  });
  opened.push(c);
  return c;
}

/** What `ssj quarter status` shows for the campaign: the problems on record in the store. */
const problemsOf = (id: string) => campaignNoticeProblems({ dataDir: fx.dataDir, databaseUrl: null }, id);

function realMailer(port: number, opts: MailerOptions = {}): Mailer {
  const mailer = createMailer(
    { smtp: { host: '127.0.0.1', port, secure: false, user: null, pass: null }, mailFrom: { name: '信阳市生态环境综合行政执法支队', address: 'ssj@example.org' } },
    fx.dataDir,
    opts,
  );
  opened.push(mailer);
  return mailer;
}

async function campaign(port: number, opts: MailerOptions = {}) {
  const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail: realMailer(port, opts) });
  opened.push({ close: () => acts.close() });
  await acts.prepareCampaign({ campaignId, programmeId: fx.programme.id, year: 2024, quarter: 1, rosterAsOf: '2023-12-31' });
  return acts;
}

describe('sendNotice is best-effort', () => {
  it('one recipient refused: the others get it, the refusal is recorded once and alerted once, also when retried', async () => {
    const c = await catcher([mailOf('MGR2')]);
    const acts = await campaign(c.port);

    const first = await acts.sendNotice(drawOverdue);
    expect(first.status).toBe('partly-sent');
    expect(first.sentTo).toEqual([mailOf('MGR1')]);
    expect(first.refused).toEqual([
      { address: mailOf('MGR2'), person: { id: 'MGR2', name: '人员MGR2' }, code: 'smtp-refused', reason: expect.stringMatching(/^550 5\.1\.1 Mailbox unavailable/) },
    ]);

    // The activity retried (a worker died after sending): same answer, nothing sent or recorded twice.
    const retried = await acts.sendNotice(drawOverdue);
    expect(retried).toEqual(first);

    const caught = c.messages();
    expect(caught.map((m) => m.noticeKey)).toEqual([drawOverdue.key, `${drawOverdue.key}/problem-alert`]);
    expect(caught[0]!.envelope.to).toEqual([mailOf('MGR1')]);
    expect(caught[1]!.envelope.to.sort()).toEqual(operations);
    const alert = readMessage(fs.readFileSync(path.join(c.dir, caught[1]!.file)));
    expect(alert.subject).toBe('【邮件未送达】【抽取逾期告警】2024年第一季度抽查对象尚未在2024年1月15日前抽取');
    expect(alert.text).toContain(`未送达：人员MGR2（${mailOf('MGR2')}，550 5.1.1 Mailbox unavailable`);
    expect(alert.text).toContain(`已送达：${mailOf('MGR1')}`);

    const problems = await problemsOf(campaignId);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      key: drawOverdue.key,
      kind: 'draw-overdue',
      status: 'partly-sent',
      sentTo: [mailOf('MGR1')],
      refused: first.refused,
      at,
      alert: { key: `${drawOverdue.key}/problem-alert`, status: 'sent', sentTo: operations },
    });
    expect(await problemsOf('another-campaign')).toEqual([]);
  });

  it('every recipient refused: the activity returns `refused`; a refused alert is only recorded', async () => {
    const c = await catcher([mailOf('MGR1'), mailOf('MGR2'), ...operations]);
    const acts = await campaign(c.port);
    const result = await acts.sendNotice(drawOverdue);
    expect(result.status).toBe('refused');
    expect(result.sentTo).toEqual([]);
    expect(result.refused.map((r) => r.address)).toEqual([mailOf('MGR1'), mailOf('MGR2')]);
    expect(c.messages()).toHaveLength(0);
    const problems = await problemsOf(campaignId);
    expect(problems.map((p) => [p.key, p.status, p.kind])).toEqual([
      [drawOverdue.key, 'refused', 'draw-overdue'],
      [`${drawOverdue.key}/problem-alert`, 'refused', 'notice-refused'],
    ]);
    expect(problems[0]!.alert).toEqual({ key: `${drawOverdue.key}/problem-alert`, status: 'refused', sentTo: [] });
    // No alert about the alert.
    expect(problems[1]!.alert).toBeNull();
    expect(await acts.sendNotice(drawOverdue)).toEqual(result);
    expect(await problemsOf(campaignId)).toHaveLength(2);
  });

  it('nobody with an address in the registry: `nobody-reachable`, who lacks one, and the alert', async () => {
    await withRegistry(fx.dataDir, async (reg) => {
    const snap = await reg.snapshotAt('2023-12-31');
    await reg.applyBatch({
      key: 'test:managers-without-mail',
      kind: 'test',
      source: 'test',
      reason: 'managers without a mail address',
      effectiveDate: '2023-06-01',
      changes: PEOPLE.managers.map((id) => ({ entityKind: 'person' as const, entityId: id, state: { ...snap.people.find((p) => p.id === id)!, email: null } })),
    });
    });
    const c = await catcher();
    const acts = await campaign(c.port);
    const result = await acts.sendNotice(drawOverdue);
    expect(result).toEqual({
      status: 'nobody-reachable',
      sentTo: [],
      refused: PEOPLE.managers.map((id) => ({ address: null, person: { id, name: `人员${id}` }, code: 'no-address', reason: '登记信息中没有邮箱地址' })),
    });
    expect(c.messages().map((m) => m.noticeKey)).toEqual([`${drawOverdue.key}/problem-alert`]);
    expect((await problemsOf(campaignId))[0]).toMatchObject({ status: 'nobody-reachable', alert: { status: 'sent' } });

    // A role nobody holds says so.
    const none = await acts.sendNotice({ ...drawOverdue, key: `${campaignId}/nobody`, to: { roles: ['no-such-role'] } });
    expect(none.refused).toEqual([{ address: null, role: 'no-such-role', code: 'no-holder', reason: '无人担任该角色' }]);
  });

  it('a recipient the server defers (4xx) while it takes the others gets the notice once the server takes it', async () => {
    let deferrals = 2;
    const c = await startMailCatcher({
      dir: path.join(fx.dir, 'caught'),
      smtp: {
        onRcptTo: (a: { address: string }, _s: unknown, cb: (e?: Error) => void) =>
          cb(a.address === mailOf('MGR2') && deferrals-- > 0 ? Object.assign(new Error('4.2.1 Mailbox busy, try later'), { responseCode: 450 }) : undefined),
      },
    });
    opened.push(c);
    const acts = await campaign(c.port);
    // First the others get it; the deferred recipient's own send is deferred again: retryable.
    await expect(acts.sendNotice(drawOverdue)).rejects.toBeInstanceOf(MailUnavailableError);
    expect(c.messages().map((m) => [m.noticeKey, m.envelope.to])).toEqual([[drawOverdue.key, [mailOf('MGR1')]]]);
    // The retry: the first send is not repeated; the deferred one goes out.
    expect(await acts.sendNotice(drawOverdue)).toEqual({ status: 'sent', sentTo: [mailOf('MGR1'), mailOf('MGR2')], refused: [] });
    expect(await acts.sendNotice(drawOverdue)).toEqual({ status: 'sent', sentTo: [mailOf('MGR1'), mailOf('MGR2')], refused: [] });
    expect(c.messages().map((m) => [m.noticeKey, m.envelope.to])).toEqual([
      [drawOverdue.key, [mailOf('MGR1')]],
      [`${drawOverdue.key}/deferred`, [mailOf('MGR2')]],
    ]);
    expect(await problemsOf(campaignId)).toEqual([]);
  });

  it('a recipient the server keeps deferring is retried for 4 hours, then recorded as refused and alerted: no notice waits for ever', async () => {
    const c = await startMailCatcher({
      dir: path.join(fx.dir, 'caught'),
      smtp: {
        onRcptTo: (a: { address: string }, _s: unknown, cb: (e?: Error) => void) =>
          cb(a.address === mailOf('MGR2') ? Object.assign(new Error('4.2.2 Mailbox full'), { responseCode: 452 }) : undefined),
      },
    });
    opened.push(c);
    let clock = Date.parse('2024-01-16T01:00:00Z');
    const acts = await campaign(c.port, { now: () => clock });
    // Within the 4 hours: retryable, and nothing recorded as a problem yet.
    await expect(acts.sendNotice(drawOverdue)).rejects.toBeInstanceOf(MailUnavailableError);
    clock += 4 * 3_600_000 - 60_000;
    await expect(acts.sendNotice(drawOverdue)).rejects.toBeInstanceOf(MailUnavailableError);
    expect(await problemsOf(campaignId)).toEqual([]);
    // Past them: the deferred recipient counts as refused, the activity completes, operations hear of it.
    clock += 60_000;
    const result = await acts.sendNotice(drawOverdue);
    expect(result.status).toBe('partly-sent');
    expect(result.sentTo).toEqual([mailOf('MGR1')]);
    expect(result.refused).toEqual([
      {
        address: mailOf('MGR2'),
        person: { id: 'MGR2', name: '人员MGR2' },
        code: 'smtp-refused',
        reason: expect.stringMatching(/^deferred since 2024-01-16T01:00:00\.000Z, given up after 240 min: 452 4\.2\.2 Mailbox full/),
      },
    ]);
    expect((await problemsOf(campaignId))[0]).toMatchObject({ status: 'partly-sent', alert: { status: 'sent' } });
    expect(c.messages().map((m) => [m.noticeKey, m.envelope.to])).toEqual([
      [drawOverdue.key, [mailOf('MGR1')]],
      [`${drawOverdue.key}/problem-alert`, operations],
    ]);
    // Retried again (a worker died after it): the same answer, nothing sent twice.
    expect(await acts.sendNotice(drawOverdue)).toEqual(result);
    expect(c.messages()).toHaveLength(2);
  });

  it('an SMTP outage stays retryable and records no problem; once the server is back the notice goes out once', async () => {
    const port = await freePort();
    const acts = await campaign(port);
    const err = await acts.sendNotice(drawOverdue).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailUnavailableError);
    expect((err as MailUnavailableError).nonRetryable).toBe(false);
    expect(await problemsOf(campaignId)).toEqual([]);

    const c = await catcher([], port);
    const result = await acts.sendNotice(drawOverdue);
    expect(result).toEqual({ status: 'sent', sentTo: [mailOf('MGR1'), mailOf('MGR2')], refused: [] });
    await acts.sendNotice(drawOverdue);
    expect(c.messages().map((m) => m.noticeKey)).toEqual([drawOverdue.key]);
    expect(await problemsOf(campaignId)).toEqual([]);
  });
});

describe('in a workflow', () => {
  it('the annual plan is filed although the superior office refuses its mail; the refusal is recorded and alerted', async () => {
    const c = await catcher([mailOf(PEOPLE.superior)]);
    const { client, connection, address } = await devServerClient();
    const native = await NativeConnection.connect({ address });
    opened.push({ close: () => connection.close() }, { close: () => native.close() });
    const taskQueue = uniqueTaskQueue('notice-refused');
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
    const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail: realMailer(c.port), allowRehearsalClock: true });
    opened.push({ close: () => acts.close() });
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle, activities: acts });
    const filed = await worker.runUntil(async () => {
      const input = { programmeId: fx.programme.id, year: 2024, clock: { mode: 'rehearsal' as const, programmeStart: '2024-01-08', secondsPerDay: 60 } };
      return (await api.startAnnualPlan(client, input, { taskQueue })).result();
    });
    expect(filed).toMatchObject({ number: '信环执计〔2024〕第001号', late: false });

    const planCampaign = `annual-plan-${fx.programme.id}-2024`;
    const [problem, ...more] = await problemsOf(planCampaign);
    expect(more).toEqual([]);
    expect(problem).toMatchObject({
      kind: 'annual-plan',
      status: 'refused',
      refused: [{ address: mailOf(PEOPLE.superior), person: { id: PEOPLE.superior }, code: 'smtp-refused' }],
      alert: { status: 'sent', sentTo: operations },
    });
    expect(problem!.subject).toBe(`【年度计划报送】${fx.programme.detachment.name}2024年度“双随机、一公开”抽查计划`);
    const caught = c.messages();
    expect(caught).toHaveLength(1);
    expect(caught[0]!.subject).toBe(`【邮件未送达】${problem!.subject}`);
    expect(caught[0]!.envelope.to.sort()).toEqual(operations);
  }, 120_000);
});
