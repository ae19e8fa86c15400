// The ssj-draw/2 witness ceremony on the time-skipping test server: every refused message is
// refused with its reason before anything is recorded; a ceremony whose second reveal never comes
// is voided by the reveal deadline, kept, stored and announced; the draw-overdue alert still fires;
// a second ceremony with fresh commitments draws, and the record carries the commitments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createTimeSkippingEnv, quiet, uniqueTaskQueue } from './helpers/temporal';
import { createFixture, eventually, PEOPLE, readNotices, recordingMail, saveHistory, type Fixture, rejection } from './helpers/campaign-fixture';
import { createActivities } from '../activities';
import * as api from '../client/temporal';
import { witnessCommitment } from '../domain/draw/commitment';
import { campaignWorkflowId, commitWitnessUpdate, revealWitnessUpdate } from '../workflows/definitions';

let bundle: WorkflowBundleWithSourceMap;
let env: TestWorkflowEnvironment;
let fx: Fixture;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet() });
  env = await createTimeSkippingEnv();
  fx = await createFixture('ceremony-2024');
});
afterAll(async () => {
  await env?.teardown();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

const SALT = { a1: '0123456789abcdef0123456789abcdef', d1: 'fedcba9876543210fedcba9876543210', a2: '00112233445566778899aabbccddeeff', d2: 'ffeeddccbbaa99887766554433221100' };
const ENTROPY = { admin: 'AdminTypedThis2024', discipline: '66251433216625143321' };

describe('the ssj-draw/2 witness ceremony on the time-skipping server', () => {
  it('refuses every wrong message, voids a ceremony at its reveal deadline, then draws with fresh commitments', async () => {
    const taskQueue = uniqueTaskQueue('ceremony');
    const mail = recordingMail(fx.mailDb);
    const activities = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail, allowRehearsalClock: true });
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    const client = env.client;
    const programmeId = fx.programme.id;
    const campaignId = campaignWorkflowId(programmeId, 2024, 1);

    await worker.runUntil(async () => {
      const handle = await api.startCampaign(
        client,
        { programmeId, year: 2024, quarter: 1, clock: { mode: 'rehearsal', programmeStart: '2023-12-15', secondsPerDay: 86_400 }, searchAttributes: false },
        { taskQueue },
      );
      await eventually(async () => (await api.campaignStatus(client, campaignId)).updateWindow.waitingFor.length === 2, 'brigades loaded');
      const early = { role: 'admin', personId: PEOPLE.admin, commitment: 'a'.repeat(64) };
      expect(await rejection(api.commitWitness(client, campaignId, early))).toMatch(/^commitWitness: the campaign is in phase update-window; the witness ceremony is held only in phase draw/);

      // Past the window's close and the freeze: programme day 2024-01-04.
      await env.sleep('20 days');
      let st = await api.campaignStatus(client, campaignId);
      expect(st.phase).toBe('draw');
      expect(st.drawSpec).toBe('ssj-draw/2');
      expect(st.ceremony).toMatchObject({ number: 1, witnesses: [], revealBy: null });
      expect(st.waitingOn).toEqual(['witness admin (commitment, ceremony 1)', 'witness discipline (commitment, ceremony 1)']);
      const digest = st.manifest!.digest;
      const commit = (role: 'admin' | 'discipline', personId: string, salt: string) => witnessCommitment(digest, role, personId, salt, ENTROPY[role]);

      // ssj-draw/1's message is refused: entropy never travels in clear before every commitment is in.
      expect(await rejection(api.giveEntropy(client, campaignId, { role: 'admin', personId: PEOPLE.admin, entropy: ENTROPY.admin }))).toMatch(
        /^giveEntropy: this campaign draws by ssj-draw\/2: each witness commits, then reveals/,
      );
      // Bad fields: the client refuses before sending, and so does the workflow's own validator.
      await expect(api.commitWitness(client, campaignId, { role: 'admin', personId: PEOPLE.admin, commitment: 'xyz' })).rejects.toThrow(/commitment: commitment must be 64 lowercase hex/);
      expect(await rejection(handle.executeUpdate(commitWitnessUpdate, { args: [{ role: 'admin', personId: PEOPLE.admin, commitment: 'XYZ' }] }))).toMatch(
        /^commitWitness: commitment: commitment must be 64 lowercase hex/,
      );
      expect(await rejection(handle.executeUpdate(revealWitnessUpdate, { args: [{ role: 'admin', personId: PEOPLE.admin, salt: 'short', entropy: ENTROPY.admin }] }))).toMatch(
        /^revealWitness: salt: salt must be exactly 32 lowercase hex characters/,
      );
      expect(await rejection(api.commitWitness(client, campaignId, { role: 'discipline', personId: PEOPLE.admin, commitment: commit('discipline', PEOPLE.admin, SALT.d1) }))).toBe(
        'commitWitness: ADM1 does not hold the role discipline in the frozen roster',
      );
      // A reveal before every commitment is in.
      expect(await rejection(api.revealWitness(client, campaignId, { role: 'admin', personId: PEOPLE.admin, salt: SALT.a1, entropy: ENTROPY.admin }))).toBe(
        'revealWitness: reveals are taken only once every witness has committed; ceremony 1 still awaits the commitment of: admin, discipline',
      );

      const c1a = commit('admin', PEOPLE.admin2, SALT.a1);
      const ack = await api.commitWitness(client, campaignId, { role: 'admin', personId: PEOPLE.admin2, commitment: c1a });
      expect(ack).toEqual({ ceremony: 1, role: 'admin', personId: PEOPLE.admin2, commitment: c1a, manifestDigest: digest, committed: ['admin'], waitingFor: ['discipline'], revealBy: null });
      expect(await rejection(api.commitWitness(client, campaignId, { role: 'admin', personId: PEOPLE.admin, commitment: commit('admin', PEOPLE.admin, SALT.a2) }))).toBe(
        'commitWitness: the admin witness has already committed in ceremony 1 (ADM2)',
      );
      expect(await rejection(api.commitWitness(client, campaignId, { role: 'discipline', personId: PEOPLE.admin2, commitment: commit('discipline', PEOPLE.admin2, SALT.d1) }))).toBe(
        'commitWitness: ADM2 is already the admin witness of ceremony 1; the two witnesses must be different persons',
      );
      expect(await rejection(api.revealWitness(client, campaignId, { role: 'admin', personId: PEOPLE.admin2, salt: SALT.a1, entropy: ENTROPY.admin }))).toBe(
        'revealWitness: reveals are taken only once every witness has committed; ceremony 1 still awaits the commitment of: discipline',
      );
      const c1d = commit('discipline', PEOPLE.discipline, SALT.d1);
      const ack2 = await api.commitWitness(client, campaignId, { role: 'discipline', personId: PEOPLE.discipline, commitment: c1d });
      expect(ack2).toMatchObject({ ceremony: 1, committed: ['admin', 'discipline'], waitingFor: [] });
      // 48 programme hours after the last commitment (the programme's default).
      const revealBy = ack2.revealBy!;
      expect(revealBy).toMatch(/^2024-01-06T00:0\d:\d\d\+08:00$/);

      // Reveals: the wrong person, a salt that does not reproduce the commitment, then a good one.
      expect(await rejection(api.revealWitness(client, campaignId, { role: 'admin', personId: PEOPLE.admin, salt: SALT.a1, entropy: ENTROPY.admin }))).toBe(
        'revealWitness: ADM1 is not the admin witness of ceremony 1 (ADM2 committed)',
      );
      expect(await rejection(api.revealWitness(client, campaignId, { role: 'admin', personId: PEOPLE.admin2, salt: SALT.a2, entropy: ENTROPY.admin }))).toMatch(
        new RegExp(`^revealWitness: the salt and entropy do not reproduce the admin witness's commitment ${c1a} of ceremony 1; nothing was recorded`),
      );
      const rev = await api.revealWitness(client, campaignId, { role: 'admin', personId: PEOPLE.admin2, salt: SALT.a1, entropy: ENTROPY.admin });
      expect(rev).toEqual({ ceremony: 1, role: 'admin', personId: PEOPLE.admin2, revealed: ['admin'], waitingFor: ['discipline'], revealBy });
      expect(await rejection(api.revealWitness(client, campaignId, { role: 'admin', personId: PEOPLE.admin2, salt: SALT.a1, entropy: ENTROPY.admin }))).toBe(
        'revealWitness: the admin witness has already revealed in ceremony 1',
      );
      st = await api.campaignStatus(client, campaignId);
      expect(st.ceremony!.witnesses.map((w) => [w.role, w.personId, w.commitment, w.revealedAt !== null])).toEqual([
        ['admin', PEOPLE.admin2, c1a, true],
        ['discipline', PEOPLE.discipline, c1d, false],
      ]);
      expect(st.waitingOn).toEqual([`witness discipline (reveal, ceremony 1, by ${revealBy})`]);
      // The status shows commitments, never a salt or entropy.
      const shown = JSON.stringify(st);
      for (const secret of [SALT.a1, ENTROPY.admin, SALT.d1, ENTROPY.discipline]) expect(shown).not.toContain(secret);

      // The discipline witness never reveals: the deadline voids ceremony 1; ceremony 2 begins.
      await env.sleep('3 days');
      st = await api.campaignStatus(client, campaignId);
      expect(st.phase).toBe('draw');
      expect(st.voidCeremonies).toHaveLength(1);
      const v = st.voidCeremonies[0]!;
      expect(v).toMatchObject({ number: 1, revealBy, failed: [{ role: 'discipline', personId: PEOPLE.discipline, reason: 'no-reveal' }] });
      // Voided when the deadline's timer fired: at revealBy, or a moment after when the
      // time-skipping server runs on a loaded machine (seen: one second late).
      const lateMs = Date.parse(v.voidedAt) - Date.parse(revealBy);
      expect(lateMs).toBeGreaterThanOrEqual(0);
      expect(lateMs).toBeLessThan(60_000);
      expect(v.witnesses.map((w) => w.commitment)).toEqual([c1a, c1d]);
      expect(st.ceremony).toMatchObject({ number: 2, witnesses: [], revealBy: null });
      expect(JSON.stringify(st)).not.toContain(SALT.a1);
      const keys = () => readNotices(fx.mailDb).map((n) => n.key);
      expect(keys()).toContain(`${campaignId}/ceremony-void/1`);
      expect(await rejection(api.revealWitness(client, campaignId, { role: 'discipline', personId: PEOPLE.discipline, salt: SALT.d1, entropy: ENTROPY.discipline }))).toMatch(
        /ceremony 2 still awaits the commitment of: admin, discipline/,
      );
      // A commitment of the void ceremony is refused: the new ceremony needs fresh ones.
      expect(await rejection(api.commitWitness(client, campaignId, { role: 'admin', personId: PEOPLE.admin2, commitment: c1a }))).toBe(
        'commitWitness: this commitment was already given in ceremony 1; every ceremony needs a fresh one (a new salt: run ssj witness commit again)',
      );

      // Nobody commits until after the draw day (01-10): the draw-overdue alert fires as before.
      await env.sleep('6 days');
      st = await api.campaignStatus(client, campaignId);
      expect(st.overdue).toContain('draw not held by 2024-01-10');
      expect(keys()).toContain(`${campaignId}/draw-overdue`);

      const c2a = commit('admin', PEOPLE.admin2, SALT.a2);
      const c2d = commit('discipline', PEOPLE.discipline, SALT.d2);
      await api.commitWitness(client, campaignId, { role: 'discipline', personId: PEOPLE.discipline, commitment: c2d });
      await api.commitWitness(client, campaignId, { role: 'admin', personId: PEOPLE.admin2, commitment: c2a });
      await api.revealWitness(client, campaignId, { role: 'discipline', personId: PEOPLE.discipline, salt: SALT.d2, entropy: ENTROPY.discipline });
      await api.revealWitness(client, campaignId, { role: 'admin', personId: PEOPLE.admin2, salt: SALT.a2, entropy: ENTROPY.admin });
      st = await eventually(async () => {
        const s = await api.campaignStatus(client, campaignId);
        return s.phase === 'inspection' ? s : null;
      }, 'the draw');
      expect(st.sealed).toMatchObject({ manifestDigest: digest });
      expect(st.waitingOn.some((w) => w.startsWith('witness'))).toBe(false);
      expect(await rejection(api.commitWitness(client, campaignId, { role: 'admin', personId: PEOPLE.admin, commitment: commit('admin', PEOPLE.admin, SALT.a1) }))).toMatch(
        /^commitWitness: the campaign is in phase inspection/,
      );

      // The store keeps both ceremonies; the record is ssj-draw/2 with the commitments of ceremony 2.
      const db = new Database(path.join(fx.dataDir, 'ssj.db'), { readonly: true });
      try {
        const rows = db.prepare('SELECT number, outcome, ceremony_json FROM ceremonies WHERE campaign_id = ? ORDER BY number').all(campaignId) as {
          number: number;
          outcome: string;
          ceremony_json: string;
        }[];
        expect(rows.map((r) => [r.number, r.outcome])).toEqual([
          [1, 'void'],
          [2, 'drawn'],
        ]);
        expect(rows[0]!.ceremony_json).not.toContain(SALT.a1);
        const rec = JSON.parse((db.prepare('SELECT record_json FROM campaigns WHERE campaign_id = ?').get(campaignId) as { record_json: string }).record_json);
        expect(rec.spec).toBe('ssj-draw/2');
        expect(rec.witnesses).toEqual([
          { role: 'admin', person_id: PEOPLE.admin2, commitment: c2a, salt: SALT.a2, entropy: ENTROPY.admin },
          { role: 'discipline', person_id: PEOPLE.discipline, commitment: c2d, salt: SALT.d2, entropy: ENTROPY.discipline },
        ]);
      } finally {
        db.close();
      }
      await handle.terminate('ceremony test over');
      await saveHistory(handle, 'campaign-ceremony-void');
    });
    mail.close();
  });
});
