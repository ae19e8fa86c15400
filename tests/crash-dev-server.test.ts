// The Temporal server itself is SIGKILLed mid-quarter, while a notice is at the SMTP server (so
// the worker's activity is in flight), and restarted on the same SQLite file and port. The quarter
// completes with the same draw (the seed commitment sealed before the crash is the record's), and
// no notice reaches the SMTP server twice.
// A dev server of this test's own (not the suite's shared one), persisted to a file.
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { eventually } from './helpers/campaign-fixture';
import { uniqueTaskQueue } from './helpers/temporal';
import { freePort, startDevServer, type DevServer } from '../scripts/dev-server';
import { startSmtpRecorder, type Verdict } from './helpers/smtp-recorder';
import { crashTest, expectQuarterIntact, finishInspections, holdDraw, outboxRows, PATIENT, sendNoticeAttempt, spawnWorker, startQuarter, workerConfig } from './helpers/crash-quarter';

const t = crashTest('crash-server-2024', { ownServer: true });

describe('the Temporal server killed mid-quarter', () => {
  it('restarts on the same SQLite file; the quarter completes with the same draw and no duplicate notice', async () => {
    const fx = t.fx;
    const dbFile = path.join(fx.dir, 'temporal.db');
    const logFile = path.join(fx.dir, 'temporal.log');
    const port = await freePort();
    const start = () => startDevServer({ dbFile, port, logFile, headless: true, readyTimeoutMs: 120_000 });
    let server: DevServer = await start();
    t.onCleanup(() => server.stop());
    const connection = await Connection.connect({ address: server.address });
    t.onCleanup(() => connection.close());
    const client = new Client({ connection });

    // The first assignment notice: the server is killed while its answer waits, then it is
    // accepted, so the worker records it sent but cannot tell Temporal until the restart.
    let held: string | null = null;
    let down: Promise<void> | null = null;
    const smtp = await startSmtpRecorder(async (m): Promise<Verdict> => {
      if (held === null && /\/assigned$/.test(m.noticeKey ?? '')) {
        held = m.noticeKey;
        down = server.kill();
        await down;
      }
      return 'accept';
    });
    t.onCleanup(() => smtp.close());

    const taskQueue = uniqueTaskQueue('crash-server');
    await spawnWorker(fx.dir, workerConfig(fx, server.address, taskQueue, { smtp: { host: smtp.host, port: smtp.port }, leaseMs: 5_000 }));
    const { handle, campaignId } = await startQuarter(client, fx, taskQueue);
    const sealed = await holdDraw(client, campaignId);

    await eventually(async () => down !== null && (await down, true), 'the server killed during a notice', PATIENT.tries, PATIENT.everyMs);
    const key = held as unknown as string;
    await eventually(async () => outboxRows(fx.dataDir).find((r) => r.key === key)?.status === 'sent', 'the held notice recorded as sent');
    server = await start();

    const { units } = await finishInspections(client, campaignId, fx.dataDir);
    const result = (await handle.result()) as { stats: Record<string, unknown> };
    expect(result.stats).toMatchObject({ drawn: units.length, inspected: units.length });

    const audit = await expectQuarterIntact({ fx, campaignId, sealed, smtp });
    expect(audit.arrivals[key]).toBe(1);
    // Either the worker's late completion reached the restarted server (attempt 1), or the
    // activity timed out and ran again (attempt 2) and the outbox said `sent`: once either way.
    expect(await sendNoticeAttempt(client, key.replace(/\/assigned$/, ''), key)).toBeGreaterThanOrEqual(1);
  }, 300_000);
});
