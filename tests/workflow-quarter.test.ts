// A whole small quarter on the real dev server, everyone on time, in rehearsal time (a programme
// day per second): change lists, freeze, the ssj-draw/2 witness ceremony (a first ceremony voided
// because one witness never reveals, then a second that draws), inspections with own cases, a
// referral and an approved hand-over, publication with the ceremonies, statistics. The draw record
// is then verified independently (DRAW-SPEC sections 8 and 11) and visibility answers
// `SsjPhase='closed'`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Client, Connection } from '@temporalio/client';
import { devServerClient, quiet, uniqueTaskQueue } from './helpers/temporal';
import { createFixture, drawnUnits, eventually, PEOPLE, readNotices, recordingMail, report, saveHistory, type Fixture } from './helpers/campaign-fixture';
import { createActivities } from '../activities';
import * as api from '../client/temporal';
import { readManifest } from '../domain/draw/read-manifest';
import { parseDrawRecord, parseReplacements } from '../domain/draw/record';
import { verifyDraw } from '../domain/draw/verify';
import { seedCommitment } from '../domain/draw/draw';
import { witnessCommitment } from '../domain/draw/commitment';
import { campaignWorkflowId } from '../workflows/definitions';

let bundle: WorkflowBundleWithSourceMap;
let fx: Fixture;
let client: Client;
let connection: Connection;
let native: NativeConnection;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  fx = await createFixture('quarter-2024');
  // 96 programme hours (4 s here) to reveal: time for the second ceremony's four messages.
  fx.programme = { ...fx.programme, deadlines: { ...fx.programme.deadlines, witnessRevealHours: 96 } };
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
    const activities = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail, allowRehearsalClock: true });
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

      // Ceremony 1: both commit, the admin reveals, the discipline officer never does: voided at the deadline.
      const digest = drawPhase.manifest!.digest;
      const salts = { admin: '0123456789abcdef0123456789abcdef', discipline: 'fedcba9876543210fedcba9876543210' };
      const c1 = {
        admin: witnessCommitment(digest, 'admin', PEOPLE.admin, salts.admin, 'FirstTryAdmin2024'),
        discipline: witnessCommitment(digest, 'discipline', PEOPLE.discipline, salts.discipline, '111122223333444455'),
      };
      await api.commitWitness(client, campaignId, { role: 'admin', personId: PEOPLE.admin, commitment: c1.admin });
      await api.commitWitness(client, campaignId, { role: 'discipline', personId: PEOPLE.discipline, commitment: c1.discipline });
      await api.revealWitness(client, campaignId, { role: 'admin', personId: PEOPLE.admin, salt: salts.admin, entropy: 'FirstTryAdmin2024' });
      const voided = await eventually(async () => (await api.campaignStatus(client, campaignId)).voidCeremonies[0], 'ceremony 1 voided');
      expect(voided).toMatchObject({ number: 1, failed: [{ role: 'discipline', personId: PEOPLE.discipline, reason: 'no-reveal' }] });
      // Ceremony 2: fresh commitments, both reveal: the draw.
      const second = await api.holdWitnessCeremony(client, campaignId, [
        { role: 'discipline', personId: PEOPLE.discipline, entropy: '662514332166251401' },
        { role: 'admin', personId: PEOPLE.admin, entropy: 'TypedByTheAdmin2024' },
      ]);
      expect(second.ceremony).toBe(2);
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

      // Section: findings, approved by the leader in charge, handed over to the unit's area brigade:
      // K05-K08 lie in Xixian county (a county brigade: 监察通知), K01-K04 in Shihe (a direct brigade: 移交表).
      const county = ['K05', 'K06', 'K07', 'K08'].includes(section.unitId);
      const handedTo = county
        ? { kind: 'supervision-notice', to: 'county-xixian', number: '信环执监〔2024〕第001号', mail: ['cc1@bureau.example.cn', 'county-xixian@bureau.example.cn'] }
        : { kind: 'transfer-form', to: 'brigade-shihe', number: '信环执交〔2024〕第001号', mail: ['bl1@bureau.example.cn', 'brigade-shihe@bureau.example.cn'] };
      await api.submitResult(client, campaignId, section.unitId, report(t(section)[0], t(section), { outcome: 'problems-found', description: '超标排放' }));
      await eventually(async () => (await api.inspectionStatus(client, campaignId, section.unitId)).phase === 'handover-approval', 'approval');
      const ho = await api.decideHandover(client, campaignId, section.unitId, { by: PEOPLE.managers[0]!, decision: 'approve' });
      // The decision answers at once; the document follows from the inspection's main loop.
      expect(ho).toEqual({ unitId: section.unitId, decision: 'approve', handling: null, documents: [], documentFollows: true });
      const handed = await eventually(async () => {
        const s = await api.inspectionStatus(client, campaignId, section.unitId);
        return s.phase === 'done' ? s : null;
      }, 'the hand-over document');
      expect(handed).toMatchObject({ handling: handedTo.kind, documents: [{ kind: handedTo.kind, number: handedTo.number, to: handedTo.to }], parked: null });

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
      expect(notices.find((n) => n.key === `${campaignId}.unit.${section.unitId}/handover`)).toMatchObject({ attachments: 1, to: handedTo.mail });
      expect(notices.find((n) => n.key === `${campaignId}/ceremony-void/1`)?.subject).toContain('第1次抽取见证仪式');
      expect(notices.every((n) => n.calls === 1)).toBe(true);
      expect(notices.some((n) => /overdue|escalated|late|missing|reminder/.test(n.key))).toBe(false);

      // The ceremonies are published: the void one (its commitments, who failed) and the one that drew.
      expect(record.spec).toBe('ssj-draw/2');
      expect(record.witnesses.map((w) => ('commitment' in w ? w.commitment : null))).toEqual([second.commitments.admin, second.commitments.discipline]);
      const ceremonies = JSON.parse(fs.readFileSync(path.join(pub, 'ceremonies.json'), 'utf8'));
      expect(ceremonies.map((c: { number: number; outcome: string }) => [c.number, c.outcome])).toEqual([
        [1, 'void'],
        [2, 'drawn'],
      ]);
      expect(ceremonies[0].witnesses.map((w: { commitment: string }) => w.commitment)).toEqual([c1.admin, c1.discipline]);
      expect(ceremonies[0].failed).toEqual([{ role: 'discipline', person_id: PEOPLE.discipline, reason: 'no-reveal', reason_label: '未在揭示期限内提交与承诺值一致的揭示' }]);
      expect(JSON.stringify(ceremonies)).not.toContain(salts.admin);
      expect(fs.readFileSync(path.join(pub, 'SHA256SUMS'), 'utf8')).toMatch(/^[0-9a-f]{64} {2}ceremonies\.json$/m);
      expect(fs.readFileSync(path.join(pub, 'index.html'), 'utf8')).toContain('抽取共举行2次见证仪式');

      await eventually(async () => {
        for await (const wf of client.workflow.list({ query: `SsjPhase = 'closed' AND WorkflowId = '${campaignId}'` })) return wf.workflowId === campaignId;
        return false;
      }, "SsjPhase='closed' in visibility");

      await saveHistory(handle, 'campaign-ceremony-quarter'); // ssj-draw/2; campaign-on-time-quarter.json keeps the ssj-draw/1 one
      await saveHistory(client.workflow.getHandle(`${campaignId}.batch.0`), 'batch-ceremony-quarter');
      await saveHistory(client.workflow.getHandle(`${campaignId}.unit.${referred.unitId}`), 'inspection-referral-v2');
    });
    mail.close();
  });
});
