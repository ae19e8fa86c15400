// Secrets out of Temporal's sight, checked as an outsider with namespace access would: a whole
// small quarter runs on the dev server with the encrypting codec, then the real `temporal` CLI
// lists every workflow of the campaign and prints each history as JSON. No payload may be in
// clear, no witness entropy, salt, drawn unit id or unit name may appear (raw JSON or decoded
// payload bytes), and no workflow id may name a unit. The codec endpoint decodes those same
// histories for the CLI with a staff token, and not without one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Client, Connection } from '@temporalio/client';
import { codecBundleOptions, devServerClient, quiet, testKeyring, testWorkerCodec, uniqueTaskQueue } from './helpers/temporal';
import { createFixture, drawnUnits, eventually, PEOPLE, recordingMail, report, type Fixture } from './helpers/campaign-fixture';
import { checkHistory, listWorkflowIds, showHistory, type Secrets } from '../scripts/history-audit';
import { createActivities } from '../activities';
import * as api from '../client/temporal';
import { witnessCommitment } from '../domain/draw/commitment';
import type { WitnessRole } from '../domain/messages';
import { campaignWorkflowId, commitWitnessUpdate, revealWitnessUpdate } from '../workflows/definitions';
import { startCodecServer, tokenDigest, type CodecServer } from '../codec/server';
import type { Keyring } from '../codec/keyring';

let bundle: WorkflowBundleWithSourceMap;
let fx: Fixture;
let keyring: Keyring;
let client: Client;
let connection: Connection;
let native: NativeConnection;
let address: string;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet(), ...codecBundleOptions });
  fx = await createFixture(`secrets-${process.pid}`);
  ({ keyring } = testKeyring());
  ({ client, connection, address } = await devServerClient(keyring));
  native = await NativeConnection.connect({ address });
});
afterAll(async () => {
  await native?.close();
  await connection?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

/**
 * The witnesses' part of the draw, kept in one place so it follows the ceremony in use (today
 * ssj-draw/2: every witness commits, then every witness reveals). Returns every secret a witness
 * sent, labelled, for the search.
 */
async function witnessTheDraw(campaignId: string, manifestDigest: string): Promise<Secrets['values']> {
  const witnesses: { role: WitnessRole; personId: string; entropy: string; salt: string }[] = [
    { role: 'discipline', personId: PEOPLE.discipline, entropy: `662514332166251401${crypto.randomInt(1e9)}`, salt: crypto.randomBytes(16).toString('hex') },
    { role: 'admin', personId: PEOPLE.admin, entropy: `TypedByTheAdmin${crypto.randomInt(1e9)}`, salt: crypto.randomBytes(16).toString('hex') },
  ];
  const h = client.workflow.getHandle(campaignId);
  for (const w of witnesses) {
    const commitment = witnessCommitment(manifestDigest, w.role, w.personId, w.salt, w.entropy);
    await h.executeUpdate(commitWitnessUpdate, { args: [{ role: w.role, personId: w.personId, commitment }] });
  }
  for (const w of witnesses) await h.executeUpdate(revealWitnessUpdate, { args: [{ role: w.role, personId: w.personId, salt: w.salt, entropy: w.entropy }] });
  return witnesses.flatMap((w): [string, string][] => [
    [`entropy of witness ${w.role}`, w.entropy],
    [`salt of witness ${w.role}`, w.salt],
  ]);
}

describe('histories hold no secret in clear', () => {
  it('a quarter run with the codec: every payload encrypted, no entropy, salt or unit in any history or workflow id; the codec endpoint decodes for staff only', async () => {
    const taskQueue = uniqueTaskQueue('secrets');
    const mail = recordingMail(fx.mailDb);
    const activities = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail, keyring, allowRehearsalClock: true });
    const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: bundle, activities, ...testWorkerCodec(keyring) });
    const programmeId = fx.programme.id;
    const campaignId = campaignWorkflowId(programmeId, 2024, 1);
    let secretValues: Secrets['values'] = [];
    let units: ReturnType<typeof drawnUnits> = [];

    await worker.runUntil(async () => {
      const handle = await api.startCampaign(
        client,
        { programmeId, year: 2024, quarter: 1, clock: { mode: 'rehearsal', programmeStart: '2023-12-28', secondsPerDay: 1 } },
        { taskQueue },
      );
      await eventually(async () => (await api.campaignStatus(client, campaignId)).updateWindow.waitingFor.length === 2, 'brigades loaded');
      await api.submitChangeList(client, campaignId, { brigade: 'brigade-shihe', by: PEOPLE.brigadeLeader, batchId: null });
      await api.submitChangeList(client, campaignId, { brigade: 'county-xixian', by: PEOPLE.countyClerk, batchId: null });
      const drawPhase = await eventually(async () => {
        const s = await api.campaignStatus(client, campaignId);
        return s.phase === 'draw' && s.manifest ? s.manifest : null;
      }, 'draw phase');

      secretValues = await witnessTheDraw(campaignId, drawPhase.digest);
      await eventually(async () => (await api.campaignStatus(client, campaignId)).phase === 'inspection', 'inspection phase');

      units = drawnUnits(fx.dataDir, campaignId);
      expect(units.length).toBeGreaterThan(0);
      for (const u of units) await eventually(async () => (await api.inspectionStatus(client, campaignId, u.unitId)).phase === 'inspection', u.unitId);
      // Results that name the unit's problems, and the section's findings handed over: failure-free paths with text in payloads.
      for (const u of units) {
        const team = u.team as [string, string];
        const findings = u.department === 'section-1';
        await api.submitResult(client, campaignId, u.unitId, report(team[0], team, findings ? { outcome: 'problems-found', description: `单位${u.unitId}超标排放` } : { outcome: 'no-problem' }));
        if (findings) {
          await eventually(async () => (await api.inspectionStatus(client, campaignId, u.unitId)).phase === 'handover-approval', 'approval');
          await api.decideHandover(client, campaignId, u.unitId, { by: PEOPLE.managers[0]!, decision: 'approve' });
        }
      }
      const result = await handle.result();
      expect(result.stats.drawn).toBe(units.length);
    });
    mail.close();

    // Everything the campaign ran, as visibility lists it to the CLI (it may lag a moment).
    const target = { address };
    const expected = 1 + units.length; // the campaign, its inspections, and at least one batch
    const ids = await eventually(async () => {
      const found = await listWorkflowIds(target, `WorkflowId STARTS_WITH '${campaignId}'`);
      return found.length > expected ? found : null;
    }, 'the campaign and its children in visibility');
    expect(ids.filter((id) => id.includes('.insp.'))).toHaveLength(units.length);
    expect(ids.some((id) => id.includes('.unit.'))).toBe(false);

    const secrets: Secrets = {
      values: [...secretValues, ...units.flatMap((u): [string, string][] => [[`drawn unit id`, u.unitId], [`drawn unit name`, `单位${u.unitId}`]])],
      unitIds: units.map((u) => u.unitId),
    };
    const findings = [];
    let campaignJson = '';
    for (const id of ids) {
      const shown = await showHistory(target, id);
      expect(shown.status, `temporal workflow show ${id}: ${shown.stderr}`).toBe(0);
      if (id === campaignId) campaignJson = shown.json;
      findings.push(...checkHistory(id, shown.json, secrets));
    }
    expect(findings).toEqual([]);
    // The check itself finds what it looks for: the same search over a decoded history does (below).

    // The codec endpoint, through the CLI: with a staff token the history decodes; without, it does not.
    const token = crypto.randomBytes(24).toString('base64url');
    const logLines: Record<string, unknown>[] = [];
    const codec: CodecServer = await startCodecServer({
      keyring,
      tokens: { tokens: [{ person: PEOPLE.discipline, sha256: tokenDigest(token) }] },
      corsOrigins: [],
      log: (e) => logLines.push(e),
    });
    try {
      const decoded = await showHistory(target, campaignId, ['--codec-endpoint', codec.url, '--codec-auth', `Bearer ${token}`]);
      expect(decoded.status, decoded.stderr).toBe(0);
      const leaks = checkHistory(campaignId, decoded.json, secrets).map((f) => f.problem);
      expect(leaks.some((p) => /encoding "json\/plain"/.test(p))).toBe(true);
      expect(leaks.some((p) => p.includes('entropy of witness discipline'))).toBe(true);
      expect(leaks.some((p) => p.includes('salt of witness admin'))).toBe(true);
      expect(logLines.some((l) => l.person === PEOPLE.discipline && l.msg === 'decode')).toBe(true);
      // The log says who and how many, never what.
      for (const [, v] of secretValues) expect(JSON.stringify(logLines)).not.toContain(v);

      const refused = await showHistory(target, campaignId, ['--codec-endpoint', codec.url]);
      const wrong = await showHistory(target, campaignId, ['--codec-endpoint', codec.url, '--codec-auth', 'Bearer not-a-staff-token']);
      for (const r of [refused, wrong]) {
        // The CLI (1.9) retries the refused codec call until its deadline, then fails without
        // printing the history; were it to print it, it would still be encrypted.
        if (r.status === 0) expect(checkHistory(campaignId, r.json, secrets)).toEqual([]);
        else for (const [, v] of secrets.values) expect(r.json + r.stderr).not.toContain(v);
      }
      expect(logLines.some((l) => l.msg === 'refused: no bearer token')).toBe(true);
      expect(logLines.some((l) => l.msg === 'refused: unknown token')).toBe(true);
      expect(campaignJson).not.toBe('');
    } finally {
      await codec.close();
    }
  }, 300_000);
});
