// One campaign per programme quarter, through the real prepareCampaign activity (the store's rule
// itself, on SQLite and PostgreSQL, is in store-campaign.test.ts): a second campaign of the
// quarter is refused with a typed non-retryable failure naming the holder and writes nothing, and
// the command line reads the claim from the shared store without creating one. And at
// publication, a document number whose document was never written is voided with its reason.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationFailure } from '@temporalio/common';
import { CAMPAIGN_QUARTER_TAKEN, readCampaignOfQuarter } from '../stores/campaign-store';
import { createActivities } from '../activities';
import { createFixture, recordingMail, withCampaignStore, type Fixture } from './helpers/campaign-fixture';
import { freezeAndDraw } from './helpers/drawn-quarter';
import { formatDocumentNumber } from '../domain/documents';
import { UNISSUED_AT_PUBLICATION } from '../activities/steps/publish';

let fx: Fixture;
beforeAll(async () => {
  fx = await createFixture('store-quarter-2024');
});
afterAll(() => {
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('prepareCampaign', () => {
  it('refuses a second campaign of the quarter with the typed failure; the first, retried, is prepared again', async () => {
    const mail = recordingMail(fx.mailDb);
    const acts = createActivities({ dataDir: fx.dataDir, programme: fx.programme, mail });
    const first = 'campaign-store-quarter-2024-2024q1';
    const second = `${first}-2023-12-17T00:00:00Z`;
    try {
      const args = { programmeId: fx.programme.id, year: 2024, quarter: 1 as const, rosterAsOf: '2023-12-31' };
      const prep = await acts.prepareCampaign({ campaignId: first, ...args });
      expect(prep.brigades.map((b) => b.id)).toEqual(['brigade-shihe', 'county-xixian']);
      expect(await acts.prepareCampaign({ campaignId: first, ...args })).toEqual(prep);

      const err = await acts.prepareCampaign({ campaignId: second, ...args }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect((err as ApplicationFailure).type).toBe(CAMPAIGN_QUARTER_TAKEN);
      expect((err as ApplicationFailure).nonRetryable).toBe(true);
      expect((err as Error).message).toContain(`programme ${fx.programme.id} 2024 Q1 already has its campaign ${first}`);
    } finally {
      await acts.close();
      mail.close();
    }
    expect(await withCampaignStore(fx.dataDir, (store) => store.campaign(second))).toBeUndefined();

    // The command line (no SSJ_DATABASE_URL: the data folder's ssj.db) reads the claim.
    const q = { programmeId: fx.programme.id, year: 2024, quarter: 1 };
    expect(await readCampaignOfQuarter(fx.dataDir, q, null)).toBe(first);
    expect(await readCampaignOfQuarter(fx.dataDir, { ...q, quarter: 4 }, null)).toBeNull();
    const nowhere = path.join(fx.dir, 'nowhere');
    expect(await readCampaignOfQuarter(nowhere, q, null)).toBeUndefined();
    expect(fs.existsSync(nowhere)).toBe(false); // reading creates nothing
  });
});

describe('publishCampaign', () => {
  it('voids the numbers of the campaign taken but never issued (a worker died between number and document), once', async () => {
    const gx = await createFixture('store-gap-2024');
    const mail = recordingMail(gx.mailDb);
    const published: string[] = [];
    const acts = createActivities({
      dataDir: gx.dataDir,
      programme: gx.programme,
      mail,
      // The package itself is tested elsewhere; here only the register matters.
      publish: async (args) => {
        published.push(args.campaignId);
        return { location: args.outDir };
      },
    });
    const campaignId = 'store-gap-2024-2024q1';
    try {
      await freezeAndDraw(acts, campaignId, gx.programme.id, { admin: 'GapEntropyAdmin0001', discipline: 'GapEntropyDiscipline1' });
      const fmt = (seq: number) => formatDocumentNumber('supervision-notice', 2024, seq);
      const address = { kind: 'supervision-notice' as const, year: 2024, campaignId, recipient: 'county-xixian' };
      const render = (number: string) => ({ title: '监察通知', html: `<p>${number}</p>`, text: number });
      await withCampaignStore(gx.dataDir, async (store) => {
        await store.allocateDocument(`${campaignId}/case/U1`, { ...address, unitId: 'U1' }, fmt, render, '2024-02-01T00:00:00.000Z');
        await store.reserveDocumentNumber(`${campaignId}/case/U2`, { ...address, unitId: 'U2' }, fmt, '2024-02-02T00:00:00.000Z'); // no document follows
      });
      const pub = await acts.publishCampaign({ campaignId, quarter: 1, publishedOn: '2024-03-25' });
      expect(await acts.publishCampaign({ campaignId, quarter: 1, publishedOn: '2024-03-26' })).toEqual(pub); // a retry: the first publication
      expect(published).toEqual([campaignId]);
      const register = await withCampaignStore(gx.dataDir, (store) => store.documentNumbers('supervision-notice', 2024));
      expect(register.map((n) => [n.number, n.status, n.key ?? n.voidedKey, n.voidReason])).toEqual([
        ['信环执监〔2024〕第001号', 'issued', `${campaignId}/case/U1`, null],
        ['信环执监〔2024〕第002号', 'voided', `${campaignId}/case/U2`, UNISSUED_AT_PUBLICATION],
      ]);
    } finally {
      await acts.close();
      mail.close();
      fs.rmSync(gx.dir, { recursive: true, force: true });
    }
  });
});
