// A whole small quarter on the real dev server, everyone on time, in rehearsal time (a programme
// day per second): change lists, freeze, witnessed draw, inspections with own cases, a referral
// and an approved hand-over, publication, statistics. The draw record is then verified
// independently (DRAW-SPEC section 8) and visibility answers `SsjPhase='closed'`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Client, Connection } from '@temporalio/client';
import { devServerClient, uniqueTaskQueue } from './helpers/temporal';
import { createFixture, drawnUnits, eventually, PEOPLE, readNotices, recordingMail, report, saveHistory, type Fixture } from './helpers/campaign-fixture';
import { createActivities } from '../activities/campaign/activities';
import * as api from '../client/temporal';
import { readManifest } from '../domain/draw/read-manifest';
import { parseDrawRecord, parseReplacements } from '../domain/draw/record';
import { verifyDraw } from '../domain/draw/verify';
import { seedCommitment } from '../domain/draw/draw';
import { campaignWorkflowId } from '../workflows/definitions';

let bundle: WorkflowBundleWithSourceMap;
let fx: Fixture;
let client: Client;
let connection: Connection;
let native: NativeConnection;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  fx = createFixture('quarter-2024');
  ({ client, connection } = await devServerClient());
  native = await NativeConnection.connect({ address: (await devServerClient()).address });
});
afterAll(async () => {
  await native?.close();
  await connection?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('a quarter on the dev server', () => {
  it('runs from the update window to publication, on time, and the draw verifies', async () => {
    const taskQueue = uniqueTaskQueue('quarter');
    const mail = recordingMail(fx.mailDb);
    const activities = createActivities({ dataDir: fx.dataDir, registryDb: fx.registryDb, programme: fx.programme, mail });
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities });
    // Each test run uses its own programme id so the campaign id is new on the shared dev server.
    const programmeId = fx.programme.id;
    const campaignId = campaignWorkflowId(programmeId, 2024, 1);

    await worker.runUntil(async () => {
      const handle = await api.startCampaign(
        client,
        { programmeId, year: 2024, quarter: 1, clock: { mode: 'rehearsal', programmeStart: '2023-12-28', secondsPerDay: 1 } },
        { taskQueue },
      );
      await expect(api.startCampaign(client, { programmeId, year: 2024, quarter: 1 }, { taskQueue })).rejects.toThrow(api.WorkflowExecutionAlreadyStartedError);

      await eventually(async () => (await api.campaignStatus(client, campaignId)).updateWindow.waitingFor.length === 2, 'brigades loaded');
      await api.submitChangeList(client, campaignId, { brigade: 'brigade-shihe', by: PEOPLE.brigadeLeader, batchId: 'units:2023q4-shihe' });
      await api.submitChangeList(client, campaignId, { brigade: 'county-xixian', by: PEOPLE.countyClerk, batchId: null });

      const drawPhase = await eventually(async () => {
        const s = await api.campaignStatus(client, campaignId);
        return s.phase === 'draw' ? s : null;
      }, 'draw phase');
      expect(drawPhase.manifest).toMatchObject({ units: 16, inspectors: 7, pools: 4 });
      // Visibility: the campaign is listed under its phase.
      await eventually(async () => {
        for await (const wf of client.workflow.list({ query: `SsjPhase = 'draw' AND WorkflowId = '${campaignId}'` })) return wf.workflowId === campaignId;
        return false;
      }, "SsjPhase='draw' in visibility");

      await api.giveEntropy(client, campaignId, { role: 'discipline', personId: PEOPLE.discipline, entropy: '662514332166251401' });
      await api.giveEntropy(client, campaignId, { role: 'admin', personId: PEOPLE.admin, entropy: 'TypedByTheAdmin2024' });
      const sealed = await eventually(async () => {
        const s = await api.campaignStatus(client, campaignId);
        return s.phase === 'inspection' ? s.sealed : null;
      }, 'inspection phase');
      expect(sealed.drawn).toBe(7);

      const units = drawnUnits(fx.dataDir, campaignId);
      const section = units.find((u) => u.department === 'section-1')!;
      const brigade = units.filter((u) => u.department === 'brigade-shihe');
      for (const u of units) await eventually(async () => (await api.inspectionStatus(client, campaignId, u.unitId)).phase === 'inspection', u.unitId);

      // Brigade: one own case, one referral to the market agency, the rest without problems.
      const [own, referred] = brigade as [(typeof brigade)[number], (typeof brigade)[number]];
      const clean = brigade.slice(2);
      const t = (u: { team: string[] }) => u.team as [string, string];
      expect((await api.submitResult(client, campaignId, own.unitId, report(t(own)[0], t(own), { outcome: 'problems-found', description: '危废台账不全' }))).next).toBe('own-case');
      expect(
        (await api.submitResult(client, campaignId, referred.unitId, report(t(referred)[1], t(referred), { outcome: 'problems-found', description: '无照经营', referTo: 'agency-market' })))
          .next,
      ).toBe('referral');
      for (const u of clean) await api.submitResult(client, campaignId, u.unitId, report(t(u)[0], t(u)));

      // Section: findings, approved by the leader in charge, handed to the unit's area brigade.
      // (These witnesses' entropy draws K08 for the section: a unit in Xixian county.)
      expect(section.unitId).toBe('K08');
      await api.submitResult(client, campaignId, section.unitId, report(t(section)[0], t(section), { outcome: 'problems-found', description: '超标排放' }));
      await eventually(async () => (await api.inspectionStatus(client, campaignId, section.unitId)).phase === 'handover-approval', 'approval');
      const ho = await api.decideHandover(client, campaignId, section.unitId, { by: PEOPLE.managers[0]!, decision: 'approve' });
      expect(ho).toEqual({
        unitId: 'K08',
        decision: 'approve',
        handling: 'supervision-notice',
        documents: [{ kind: 'supervision-notice', number: '信环执监〔2024〕第001号', to: 'county-xixian' }],
      });

      const result = await handle.result();
      expect(result.stats).toEqual({
        drawn: 7,
        inspected: 7,
        onTime: 7,
        overdue: 0,
        escalated: 0,
        findings: 3,
        ownCases: 1,
        handedOver: 1,
        handoverRejected: 0,
        referred: 1,
        notInspected: 0,
        replacedUnits: 0,
        replacedInspectors: 0,
        failed: 0,
        drawOverdue: false,
        publishedOnTime: true,
        changeListsMissing: [],
      });
      expect(result.publication.late).toBe(false);

      // Anyone can recompute the published draw and check it against the commitment shown at draw time.
      const pub = result.publication.location;
      const record = parseDrawRecord(fs.readFileSync(path.join(pub, 'draw-record.json'), 'utf8'));
      const replacements = parseReplacements(fs.readFileSync(path.join(pub, 'replacements.json'), 'utf8'));
      expect(verifyDraw(readManifest(path.join(pub, 'manifest')), record, replacements)).toEqual({ ok: true });
      expect(seedCommitment(record.seed)).toBe(sealed.seedCommitment);
      for (const f of ['index.html', 'results.csv', 'results.xlsx', 'SHA256SUMS']) expect(fs.existsSync(path.join(pub, f)), f).toBe(true);
      const csv = fs.readFileSync(path.join(pub, 'results.csv'), 'utf8');
      expect(csv).toContain(`单位${own.unitId}`);

      // Notices: each once, the documents with their attachment.
      const notices = readNotices(fx.mailDb);
      expect(notices.filter((n) => n.key.endsWith('/assigned'))).toHaveLength(7);
      // The team's notice names the unit, not just its code.
      expect(notices.find((n) => n.key === `${campaignId}.unit.${own.unitId}/assigned`)?.subject).toContain(`单位${own.unitId}`);
      expect(notices.find((n) => n.key === `${campaignId}.unit.${referred.unitId}/referral`)).toMatchObject({ attachments: 1, to: ['agency-market@bureau.example.cn'] });
      expect(notices.find((n) => n.key === `${campaignId}.unit.${section.unitId}/handover`)).toMatchObject({
        attachments: 1,
        to: ['cc1@bureau.example.cn', 'county-xixian@bureau.example.cn'],
      });
      expect(notices.every((n) => n.calls === 1)).toBe(true);
      expect(notices.some((n) => /overdue|escalated|late|missing|reminder/.test(n.key))).toBe(false);

      await eventually(async () => {
        for await (const wf of client.workflow.list({ query: `SsjPhase = 'closed' AND WorkflowId = '${campaignId}'` })) return wf.workflowId === campaignId;
        return false;
      }, "SsjPhase='closed' in visibility");

      await saveHistory(handle, 'campaign-on-time-quarter');
      await saveHistory(client.workflow.getHandle(`${campaignId}.batch.0`), 'batch-on-time');
      await saveHistory(client.workflow.getHandle(`${campaignId}.unit.${referred.unitId}`), 'inspection-referral');
    });
    mail.close();
  });
});

function quiet() {
  const noop = () => undefined;
  return { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };
}
