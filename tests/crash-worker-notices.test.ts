// The worker process is SIGKILLed inside sendNotice while the quarter's notices go out, through
// the real outbox to a real SMTP server (in this test process). At the moment of the kill:
//   Y  one notice has been accepted by the server and marked sent in the outbox, but Temporal
//      never learnt it (the worker stops right after sendNotice returned: a crash point);
//   X  another notice's data is at the server, which holds its answer while the test kills the
//      worker and then refuses it: the kill lands inside X's SMTP conversation.
// A second worker finishes the quarter. Each notice must arrive exactly once, by Message-ID: Y is
// not sent again (the outbox knows it went), X and any other interrupted notice are sent again.
//
// The one window no system can close: after the server's 250 and before the outbox records
// `sent`. A worker dying there leaves a `sending` row whose fate is unknown; the next attempt
// sends again (better twice than never). Every attempt of a notice carries the same Message-ID,
// derived from its key (noticeMessageId), so a receiver, archive or mail client can recognise the
// second copy as the same message and drop it. This test keeps its kill out of that window on
// purpose (it waits for the outbox to record every accepted message before killing), so it can
// require "exactly once".
import { describe, expect, it } from 'vitest';
import { uniqueTaskQueue } from './helpers/temporal';
import { eventually } from './helpers/campaign-fixture';
import { startSmtpRecorder, type ArrivedMessage, type SmtpRecorder, type Verdict } from './helpers/smtp-recorder';
import {
  crashTest,
  expectQuarterIntact,
  finishInspections,
  holdDraw,
  outboxRows,
  PATIENT,
  sendNoticeAttempt,
  spawnWorker,
  startQuarter,
  workerConfig,
  type WorkerProcess,
} from './helpers/crash-quarter';

const t = crashTest('crash-notices-2024');

/** True once the outbox records every key as sent. */
function allSent(keys: string[]): boolean {
  const sent = new Set(outboxRows(t.fx.dataDir).filter((r) => r.status === 'sent').map((r) => r.key));
  return keys.every((k) => sent.has(k));
}

describe('a worker killed while notices go out', () => {
  it('is replaced by another; every notice reaches the SMTP server exactly once', async () => {
    let first: WorkerProcess | undefined;
    let stage: 'open' | 'hold' | 'killed' = 'open';
    let kill: Promise<void> | null = null;
    let deadConnections = 0;
    let trigger: ArrivedMessage | null = null;

    const smtp: SmtpRecorder = await startSmtpRecorder(async (m): Promise<Verdict> => {
      const refusal = { refuse: 'the sending worker died before this answer' };
      if (m.connection <= deadConnections) return refusal;
      if (stage === 'open') {
        // The first assignment notice goes through: the worker stops after it (crash point Y).
        if (/\/assigned$/.test(m.noticeKey ?? '')) stage = 'hold';
        return 'accept';
      }
      if (stage === 'hold') {
        // The next message is X: its answer waits while the worker is killed.
        kill ??= (async () => {
          trigger = m;
          await first!.paused;
          const accepted = smtp.accepted.map((a) => a.noticeKey!);
          await eventually(async () => allSent(accepted), 'the outbox to record every accepted notice');
          await first!.kill();
          deadConnections = smtp.connections();
          stage = 'killed';
        })();
        await kill;
        return refusal;
      }
      return 'accept';
    });
    t.onCleanup(() => smtp.close());

    const taskQueue = uniqueTaskQueue('crash-notices');
    const base = workerConfig(t.fx, t.address, taskQueue, { smtp: { host: smtp.host, port: smtp.port }, leaseMs: 5_000 });
    first = await spawnWorker(t.fx.dir, { ...base, pauseAfterSend: '/assigned$' });
    const { handle, campaignId } = await startQuarter(t.client, t.fx, taskQueue);
    const sealed = await holdDraw(t.client, campaignId);

    await eventually(async () => stage === 'killed', 'the kill inside an SMTP conversation', PATIENT.tries, PATIENT.everyMs);
    const y = (await first.paused).detail;
    const x = trigger as ArrivedMessage | null;
    expect(x?.noticeKey).toBeTruthy();
    expect(x!.noticeKey).not.toBe(y);
    await spawnWorker(t.fx.dir, base);

    const { units, handedOver } = await finishInspections(t.client, campaignId, t.fx.dataDir);
    const result = (await handle.result()) as { stats: Record<string, unknown> };
    expect(result.stats).toMatchObject({ drawn: units.length, inspected: units.length, handedOver: handedOver ? 1 : 0 });

    const audit = await expectQuarterIntact({ fx: t.fx, campaignId, sealed, smtp });
    expect(audit.due.filter((k) => k.endsWith('/assigned'))).toHaveLength(units.length);

    // Y: sent once, and its activity was run again after the crash (Temporal never saw it
    // complete), finding the outbox's `sent` and sending nothing.
    expect(audit.arrivals[y]).toBe(1);
    expect(await sendNoticeAttempt(t.client, y.replace(/\/assigned$/, ''), y)).toBeGreaterThanOrEqual(2);
    // X: refused while its worker died mid-conversation, then sent by the new worker, once, with
    // the same Message-ID; the outbox counts the resend as uncertain (its first attempt's fate
    // was unknown to the second worker).
    expect(smtp.refused.map((r) => r.noticeKey)).toContain(x!.noticeKey);
    expect(audit.arrivals[x!.noticeKey!]).toBe(1);
    expect(smtp.accepted.find((a) => a.noticeKey === x!.noticeKey)?.messageId).toBe(x!.messageId);
    expect(audit.outbox.find((r) => r.key === x!.noticeKey)?.uncertainResends).toBeGreaterThanOrEqual(1);
  }, 300_000);
});
