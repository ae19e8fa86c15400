// The worker process is SIGKILLed while it writes the quarter's disclosure package (公示): it
// stops at a crash point with some files of the staging folder written and the next not yet, and
// is killed there. A second worker finishes the quarter. The published folder must be byte for
// byte what an undisturbed run writes from the same inputs.
//
// The reference run: a whole second quarter cannot give the same bytes, because the ceremony's
// instants (ceremonies.json, draw-notice.json, the page) and the publication date are programme
// times read from the clock as the quarter runs. So the inputs are copied at the moment of the
// kill (campaign store, manifest, draw notice, registry) and the same publishCampaign activity,
// with the same arguments as the workflow recorded, runs undisturbed on the copy; every file of
// both folders is then compared.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { uniqueTaskQueue } from './helpers/temporal';
import { createActivities } from '../activities';
import { campaignWorkflowId } from '../workflows/definitions';
import { startSmtpRecorder } from './helpers/smtp-recorder';
import { crashTest, expectQuarterIntact, finishInspections, holdDraw, spawnWorker, startQuarter, workerConfig } from './helpers/crash-quarter';

const t = crashTest('crash-publication-2024');

function filesUnder(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    return e.isDirectory() ? filesUnder(path.join(dir, e.name), rel) : [rel];
  });
}

/** Every difference between two folders: files only in one, files whose bytes differ. */
function folderDifferences(a: string, b: string): string[] {
  const fa = new Set(filesUnder(a));
  const fb = new Set(filesUnder(b));
  const out: string[] = [];
  for (const f of [...new Set([...fa, ...fb])].sort()) {
    if (!fb.has(f)) out.push(`${f}: only in the crashed run's folder`);
    else if (!fa.has(f)) out.push(`${f}: only in the undisturbed run's folder`);
    else if (!fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f)))) out.push(`${f}: bytes differ`);
  }
  return out;
}

describe('a worker killed while it writes the publication', () => {
  it('is replaced by another whose package is byte for byte the undisturbed one', async () => {
    const { fx, client } = t;
    const smtp = await startSmtpRecorder();
    t.onCleanup(() => smtp.close());
    const taskQueue = uniqueTaskQueue('crash-publication');
    const base = workerConfig(fx, t.address, taskQueue, { smtp: { host: smtp.host, port: smtp.port }, leaseMs: 5_000 });
    const campaignId = campaignWorkflowId(fx.programme.id, 2024, 1);
    const publicationDir = path.join(fx.dataDir, 'publication');
    const NTH = 9;
    const first = await spawnWorker(fx.dir, { ...base, pauseWhenWriting: { under: path.join(publicationDir, `.${campaignId}.tmp-`), nth: NTH } });
    const { handle } = await startQuarter(client, fx, taskQueue);
    const sealed = await holdDraw(client, campaignId);
    const { units } = await finishInspections(client, campaignId, fx.dataDir);

    // The worker is inside the write: NTH - 1 files staged, the package not in place.
    const at = await first.paused;
    expect(at.what).toBe('writing');
    const staging = path.join(publicationDir, path.relative(publicationDir, at.detail).split(path.sep)[0]!);
    expect(filesUnder(staging)).toHaveLength(NTH - 1);
    expect(fs.existsSync(path.join(publicationDir, campaignId))).toBe(false);

    // The inputs as the activity saw them, for the undisturbed run.
    const refDir = path.join(fx.dir, 'reference');
    fs.cpSync(fx.dataDir, path.join(refDir, 'data'), { recursive: true, filter: (src) => src !== publicationDir });

    await first.kill();
    await spawnWorker(fx.dir, base);
    const result = (await handle.result()) as { stats: Record<string, unknown>; publication: { location: string; publishedOn: string } };
    expect(result.stats).toMatchObject({ drawn: units.length, inspected: units.length });
    expect(path.resolve(result.publication.location)).toBe(path.join(publicationDir, campaignId));

    const reference = createActivities({
      dataDir: path.join(refDir, 'data'),
      programme: fx.programme,
      mail: { sendNotice: () => Promise.reject(new Error('the publication sends no notice')) },
    });
    try {
      const ref: { location: string } = await new MockActivityEnvironment().run(reference.publishCampaign, { campaignId, quarter: 1 as const, publishedOn: result.publication.publishedOn });
      expect(ref.location).toBe(path.join(refDir, 'data', 'publication', campaignId));
      expect(folderDifferences(path.join(publicationDir, campaignId), ref.location)).toEqual([]);
    } finally {
      reference.close();
    }

    // Beside the package, at most the killed worker's hidden staging folder; nothing half-written in place.
    expect(fs.readdirSync(publicationDir).filter((e) => !e.startsWith(`.${campaignId}.tmp-`))).toEqual([campaignId]);
    await expectQuarterIntact({ fx, campaignId, sealed, smtp });
  }, 300_000);
});
