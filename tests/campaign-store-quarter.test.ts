// One campaign per programme quarter, kept by the campaign store (real SQLite files): the first
// campaign prepared claims the quarter, the same campaign again is a no-op, another one is refused
// with a typed non-retryable failure naming the holder (through the real prepareCampaign activity
// too), files from before the rule open and keep their first campaign, and the command line reads
// the claim without writing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import Database from 'better-sqlite3';
import { CAMPAIGN_QUARTER_TAKEN, CampaignQuarterTakenError, campaignStorePath, openCampaignStore, readCampaignOfQuarter } from '../activities/campaign/store';
import { createActivities } from '../activities/campaign/activities';
import { createFixture, recordingMail, type Fixture } from './helpers/campaign-fixture';

let fx: Fixture;
beforeAll(() => {
  fx = createFixture('store-quarter-2024');
});
afterAll(() => {
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

const Q1 = { programmeId: 'p', year: 2024, quarter: 1 };

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('the campaign store claims each programme quarter once', () => {
  it('same campaign again: a no-op; another campaign of the quarter: refused, typed, nothing written', () => {
    const dir = path.join(fx.dir, 'claims');
    const store = openCampaignStore(dir);
    try {
      store.ensureCampaign({ campaignId: 'campaign-p-2024q1', ...Q1 });
      store.ensureCampaign({ campaignId: 'campaign-p-2024q1', ...Q1 });
      expect(store.campaignOfQuarter('p', 2024, 1)).toBe('campaign-p-2024q1');

      const err = thrown(() => store.ensureCampaign({ campaignId: 'campaign-p-2024q1-2024-03-17T00:00:00Z', ...Q1 }));
      expect(err).toBeInstanceOf(CampaignQuarterTakenError);
      expect(err).toBeInstanceOf(ApplicationFailure);
      const f = err as CampaignQuarterTakenError;
      expect(f.type).toBe(CAMPAIGN_QUARTER_TAKEN);
      expect(f.nonRetryable).toBe(true);
      expect(f.existingCampaignId).toBe('campaign-p-2024q1');
      expect(f.details).toEqual([{ existingCampaignId: 'campaign-p-2024q1' }]);
      expect(f.message).toBe(
        'campaign campaign-p-2024q1-2024-03-17T00:00:00Z: programme p 2024 Q1 already has its campaign campaign-p-2024q1; ' +
          'a programme quarter is drawn once, so this campaign stops before its freeze and draw',
      );
      expect(store.campaign('campaign-p-2024q1-2024-03-17T00:00:00Z')).toBeUndefined();

      // Other quarters, years and programmes are their own.
      store.ensureCampaign({ campaignId: 'campaign-p-2024q2', ...Q1, quarter: 2 });
      store.ensureCampaign({ campaignId: 'campaign-p-2025q1', ...Q1, year: 2025 });
      store.ensureCampaign({ campaignId: 'campaign-other-2024q1', ...Q1, programmeId: 'other' });
      expect(store.campaignOfQuarter('p', 2024, 2)).toBe('campaign-p-2024q2');
      expect(store.campaignOfQuarter('p', 2024, 3)).toBeUndefined();
      // A claim never moves.
      expect(() => store.db.prepare("UPDATE quarter_campaigns SET campaign_id = 'x' WHERE quarter = 1 AND programme_id = 'p'").run()).toThrow(
        'a programme quarter, once claimed by a campaign, keeps it',
      );
    } finally {
      store.close();
    }
    expect(readCampaignOfQuarter(dir, Q1)).toBe('campaign-p-2024q1');
    expect(readCampaignOfQuarter(dir, { ...Q1, quarter: 4 })).toBeNull();
    expect(readCampaignOfQuarter(path.join(fx.dir, 'nowhere'), Q1)).toBeUndefined();
    expect(fs.existsSync(path.join(fx.dir, 'nowhere'))).toBe(false); // reading creates nothing
  });

  it('a file from before the rule (two campaigns of one quarter) still opens; its first campaign holds the quarter', () => {
    const dir = path.join(fx.dir, 'old');
    // The schema as it stood (user_version 3), with a quarter started twice.
    openCampaignStore(dir).close();
    const raw = new Database(campaignStorePath(dir));
    raw.exec('DROP TABLE quarter_campaigns; DELETE FROM campaigns;');
    raw.pragma('user_version = 3');
    const insert = raw.prepare('INSERT INTO campaigns (campaign_id, programme_id, year, quarter) VALUES (?, ?, ?, ?)');
    insert.run('campaign-p-2024q1-2024-03-17T00:00:00Z', 'p', 2024, 1);
    insert.run('campaign-p-2024q1', 'p', 2024, 1);
    insert.run('annual-plan-p-2024', 'p', 2024, 0);
    raw.close();

    // The command line reads an unmigrated file as it is.
    expect(readCampaignOfQuarter(dir, Q1)).toBe('campaign-p-2024q1-2024-03-17T00:00:00Z');

    const store = openCampaignStore(dir);
    try {
      expect(store.db.pragma('user_version', { simple: true })).toBe(4);
      expect(store.campaignOfQuarter('p', 2024, 1)).toBe('campaign-p-2024q1-2024-03-17T00:00:00Z');
      expect(store.campaign('campaign-p-2024q1')).toMatchObject({ quarter: 1 }); // nothing lost
      expect(store.campaignOfQuarter('p', 2024, 0)).toBe('annual-plan-p-2024');
      store.ensureCampaign({ campaignId: 'campaign-p-2024q1-2024-03-17T00:00:00Z', ...Q1 });
      expect(() => store.ensureCampaign({ campaignId: 'campaign-p-2024q1-2024-03-18T00:00:00Z', ...Q1 })).toThrow(CampaignQuarterTakenError);
    } finally {
      store.close();
    }
  });
});

describe('prepareCampaign', () => {
  it('refuses a second campaign of the quarter with the typed failure; the first, retried, is prepared again', async () => {
    const mail = recordingMail(fx.mailDb);
    const acts = createActivities({ dataDir: fx.dataDir, registryDb: fx.registryDb, programme: fx.programme, mail });
    try {
      const first = 'campaign-store-quarter-2024-2024q1';
      const args = { programmeId: fx.programme.id, year: 2024, quarter: 1 as const, rosterAsOf: '2023-12-31' };
      const prep = await acts.prepareCampaign({ campaignId: first, ...args });
      expect(prep.brigades.map((b) => b.id)).toEqual(['brigade-shihe', 'county-xixian']);
      expect(await acts.prepareCampaign({ campaignId: first, ...args })).toEqual(prep);

      const second = `${first}-2023-12-17T00:00:00Z`;
      const err = await acts.prepareCampaign({ campaignId: second, ...args }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect((err as ApplicationFailure).type).toBe(CAMPAIGN_QUARTER_TAKEN);
      expect((err as ApplicationFailure).nonRetryable).toBe(true);
      expect((err as Error).message).toContain(`programme ${fx.programme.id} 2024 Q1 already has its campaign ${first}`);
    } finally {
      acts.close();
      mail.close();
    }
    const store = openCampaignStore(fx.dataDir);
    try {
      expect(store.campaign(`campaign-store-quarter-2024-2024q1-2023-12-17T00:00:00Z`)).toBeUndefined();
    } finally {
      store.close();
    }
  });
});
