// The worker process is killed (SIGKILL) in the middle of a quarter; another takes over and
// finishes it: the same draw (the commitment shown before the crash matches the record), and no
// notice sent twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client, Connection } from '@temporalio/client';
import { devServerClient, uniqueTaskQueue } from './helpers/temporal';
import { createFixture, drawnUnits, eventually, PEOPLE, readNotices, report, type Fixture } from './helpers/campaign-fixture';
import * as api from '../client/temporal';
import { seedCommitment } from '../domain/draw/draw';
import { openCampaignStore } from '../activities/campaign/store';
import { campaignWorkflowId } from '../workflows/definitions';

let fx: Fixture;
let client: Client;
let connection: Connection;
let address: string;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  fx = createFixture('crash-2024');
  ({ client, connection, address } = await devServerClient());
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await connection?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

function startWorker(configFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'helpers', 'campaign-worker.ts'), configFile], {
    cwd: path.join(__dirname, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      if (String(d).includes('ssj-test-worker ready')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${err}`)));
  });
}

describe('a worker killed mid-quarter', () => {
  it('is replaced by another that finishes the quarter with the same draw and no duplicate notice', async () => {
    const taskQueue = uniqueTaskQueue('crash');
    const programmeFile = path.join(fx.dir, 'programme.json');
    fs.writeFileSync(programmeFile, JSON.stringify(fx.programme));
    const configFile = path.join(fx.dir, 'worker.json');
    fs.writeFileSync(configFile, JSON.stringify({ address, taskQueue, dataDir: fx.dataDir, registryDb: fx.registryDb, programmeFile, mailDb: fx.mailDb }));
    const programmeId = fx.programme.id;
    const campaignId = campaignWorkflowId(programmeId, 2024, 1);

    const first = await startWorker(configFile);
    const handle = await api.startCampaign(
      client,
      { programmeId, year: 2024, quarter: 1, clock: { mode: 'rehearsal', programmeStart: '2023-12-28', secondsPerDay: 2 } },
      { taskQueue },
    );
    await eventually(async () => (await api.campaignStatus(client, campaignId)).updateWindow.waitingFor.length === 2, 'brigades loaded');
    await api.submitChangeList(client, campaignId, { brigade: 'brigade-shihe', by: PEOPLE.brigadeLeader, batchId: null });
    await api.submitChangeList(client, campaignId, { brigade: 'county-xixian', by: PEOPLE.countyClerk, batchId: null });
    await eventually(async () => (await api.campaignStatus(client, campaignId)).phase === 'draw', 'draw phase');
    await api.holdWitnessCeremony(client, campaignId, [
      { role: 'admin', personId: PEOPLE.admin, entropy: 'CrashTestEntropy0001' },
      { role: 'discipline', personId: PEOPLE.discipline, entropy: '1122334455667788' },
    ]);
    const sealed = await eventually(async () => (await api.campaignStatus(client, campaignId)).sealed, 'sealed list');
    const units = drawnUnits(fx.dataDir, campaignId);
    for (const u of units) await eventually(async () => (await api.inspectionStatus(client, campaignId, u.unitId)).phase === 'inspection', u.unitId);
    const half = units.filter((u) => u.department !== 'section-1').slice(0, 3);
    for (const u of half) await api.submitResult(client, campaignId, u.unitId, report(u.team[0]!, u.team.slice(0, 2)));
    const noticesBefore = readNotices(fx.mailDb).length;

    // Kill the worker without warning; the quarter waits; a new worker picks it up.
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    await startWorker(configFile);

    const rest = units.filter((u) => !half.includes(u));
    for (const u of rest) {
      const team = (await api.inspectionStatus(client, campaignId, u.unitId)).team;
      const r = u.department === 'section-1' ? { outcome: 'problems-found', description: '超标排放' } : { outcome: 'no-problem' };
      await api.submitResult(client, campaignId, u.unitId, report(team[0]!, team.slice(0, 2), r));
    }
    const section = units.find((u) => u.department === 'section-1')!;
    await eventually(async () => (await api.inspectionStatus(client, campaignId, section.unitId)).phase === 'handover-approval', 'approval');
    // The leader in charge rejects the hand-over, with a reason: no document is issued.
    await expect(api.decideHandover(client, campaignId, section.unitId, { by: PEOPLE.managers[1]!, decision: 'reject' })).rejects.toThrow(/rejection needs a reason code/);
    const decision = await api.decideHandover(client, campaignId, section.unitId, { by: PEOPLE.managers[1]!, decision: 'reject', reasonCode: 'insufficient-evidence', note: '证据不足，退回补充调查' });
    expect(decision).toEqual({ unitId: section.unitId, decision: 'reject', handling: 'handover-rejected', documents: [] });
    const result = await handle.result();

    expect(result.stats).toMatchObject({ drawn: units.length, inspected: units.length, findings: 1, handedOver: 0, handoverRejected: 1, publishedOnTime: true });
    const store = openCampaignStore(fx.dataDir);
    try {
      const record = store.requireCampaign(campaignId).record!;
      expect(seedCommitment(record.seed)).toBe(sealed.seedCommitment);
      expect(record.assignments.map((a) => a.unit_id)).toEqual(units.map((u) => u.unitId));
      expect(store.documents(campaignId)).toEqual([]);
      expect(store.handlings(campaignId).find((h) => h.unitId === section.unitId)?.handling).toBe('handover-rejected');
    } finally {
      store.close();
    }
    const notices = readNotices(fx.mailDb);
    expect(notices.length).toBeGreaterThan(noticesBefore);
    expect(notices.filter((n) => n.key.endsWith('/assigned'))).toHaveLength(units.length);
    // Each notice was handed to the mailer once: nothing was re-sent after the crash.
    expect(notices.filter((n) => n.calls !== 1)).toEqual([]);
  });
});
