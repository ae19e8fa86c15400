// Replays the saved histories (tests/histories/*.json, recorded by the workflow tests) against the
// current workflow code: a change that would break running quarters fails here (non-determinism).
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { loadHistory } from './helpers/campaign-fixture';
import { codecBundleOptions, quiet, testKeyring, testWorkerCodec } from './helpers/temporal';

const dir = path.join(__dirname, 'histories');
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];

describe('saved histories replay on the current workflow code', () => {
  it('has histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  it('keeps a history of each patched path (a patch without one is untested on replay)', () => {
    const marker = (f: string, patch: string) => fs.readFileSync(path.join(dir, f), 'utf8').includes(Buffer.from(`{"id":"${patch}"`).toString('base64').slice(0, 24));
    // fast-handlers-parking: notices from the queue, a hand-over parked twice then resumed; the replacement race.
    expect(marker('inspection-parked-resumed.json', 'fast-handlers-parking')).toBe(true);
    expect(marker('inspection-replacement-race.json', 'fast-handlers-parking')).toBe(true);
    // park-publication: a campaign whose publication was refused, parked, then resumed.
    expect(marker('campaign-publication-parked.json', 'park-publication')).toBe(true);
    // dates-from-activity: the calendar slice recorded at start.
    expect(marker('campaign-dates-from-activity.json', 'dates-from-activity')).toBe(true);
    // console-projection: the inspection and campaign rows the console lists.
    expect(marker('inspection-console-projection.json', 'console-projection')).toBe(true);
    expect(marker('inspection-console-approvals.json', 'console-projection-approvals')).toBe(true);
    expect(marker('campaign-console-projection.json', 'console-projection')).toBe(true);
    // batch-failure-counted: a batch refused at its start, counted as failed; the quarter published.
    expect(marker('campaign-batch-failed.json', 'batch-failure-counted')).toBe(true);
    // mutex-exclusive: two team changes released together by the inspection's lock, one at a time.
    expect(marker('inspection-mutex-exclusive.json', 'mutex-exclusive')).toBe(true);
    // calendar-parks: an approval due date and a quarter's deadlines in a year the recorded
    // calendar lacked, parked, resumed unfixed, then resumed once the year was recorded.
    expect(marker('inspection-calendar-parked.json', 'calendar-parks')).toBe(true);
    expect(marker('campaign-calendar-parked.json', 'calendar-parks')).toBe(true);
    // deadlines-when-needed: a Q4 quarter started without next year's holidays, its deadlines
    // pending; an overdue inspection parked on its escalation date, resumed once the year was
    // recorded, then escalated; the campaign parked at the quarter's end, resumed, published.
    expect(marker('campaign-deadlines-when-needed.json', 'deadlines-when-needed')).toBe(true);
    // replacement-refusal-keeps-request: a recusal approval and a unit replacement approval the
    // rules could not carry out, refused with the requests still pending, then rejected.
    expect(marker('inspection-replacement-refused.json', 'replacement-refusal-keeps-request')).toBe(true);
    // request-approval-limits: a recusal left undecided past its approval limit (the detachment
    // leaders told, the inspection overdue), then rejected, the result reported late.
    expect(marker('inspection-request-overdue.json', 'request-approval-limits')).toBe(true);
    // approval-reminders: the recusal above reminded to its deciders as its last day began, then
    // 督办; a hand-over reminded, left past its limit, then approved.
    expect(marker('inspection-request-reminded.json', 'approval-reminders')).toBe(true);
    expect(marker('inspection-handover-reminded.json', 'approval-reminders')).toBe(true);
  });

  it('replays every history without non-determinism', async () => {
    const workflowBundle = await bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quiet(), ...codecBundleOptions });
    async function* histories() {
      for (const f of files) yield await loadHistory(path.join(dir, f));
    }
    const results: { workflowId: string; error?: unknown }[] = [];
    // The production data converter: the codec passes the saved (unencrypted) payloads through.
    const { dataConverter } = testWorkerCodec(testKeyring().keyring);
    for await (const r of Worker.runReplayHistories({ workflowBundle, replayName: 'ssj-replay', dataConverter }, histories())) results.push(r);
    expect(results).toHaveLength(files.length);
    for (const r of results) expect(r.error, `${r.workflowId}: ${String(r.error)}`).toBeUndefined();
  });
});
