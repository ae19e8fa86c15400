// No raw codes on the console's screens: the fixture quarter (tests/console-quarter-fixture.ts) and
// one inspection written by the real projection code (activities/steps/projection-rows.ts, with the
// names the worker gives it) are rendered through the real server, page by page, for the roles
// that read them; the known codes (department ids, a recusal reason, a parking reason, handling,
// phases, task kinds) must not be visible text, their Chinese labels must. Screenshots at 1280 and
// 390 px go to test-output/console/.
import * as fs from 'node:fs';
import type { Client, Connection } from '@temporalio/client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectInspection, type InspectionProjection } from '../activities/steps/projection-rows';
import { departmentLabel, handlingLabel, parkedReasonLabel, reasonCodeLabel } from '../console/views/labels';
import { reasonLabel } from '../domain/programme';
import { launchChromium } from '../scripts/browser';
import { screenshotBoth, startConsole, type RunningConsole } from './helpers/browser-console';
import { createFixture, PEOPLE, type Fixture } from './helpers/campaign-fixture';
import { ConsoleClient } from './helpers/console-client';
import { devServerClient } from './helpers/temporal';
import { addAccounts, operationsOf, signedInPage, writeDemoQuarter } from './console-quarter-fixture';

const PASSWORD = 'labels password 1';
const DEPARTMENTS: Record<string, string> = { 'section-1': '执法一科', 'brigade-shihe': '浉河大队', 'county-xixian': '息县大队' };
let fx: Fixture;
let client: Client;
let connection: Connection;
let c: RunningConsole;
let browser: Browser;

/** The text a person reads: no tags, scripts, styles or attribute values; entities decoded. */
function visibleText(page: string): string {
  return page
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

beforeAll(async () => {
  fx = await createFixture('console-labels-2024');
  ({ client, connection } = await devServerClient());
  c = await startConsole({ personName: async (id) => `人员${id}`, temporal: client, operations: operationsOf(fx.programme, { taskQueue: 'console-labels-unused', dataDir: fx.dataDir }) });
  await addAccounts(c.store, PASSWORD, [
    ['leader', PEOPLE.detachmentLeader, ['detachment-leader']],
    ['mgr1', PEOPLE.managers[0]!, ['manager']],
    ['insp', PEOPLE.sectionInspectors[0]!, ['inspector']],
  ]);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await c?.stop();
  await connection?.close();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

describe('codes on the console pages', () => {
  it('falls back to the code for what it does not know, never failing', () => {
    expect(departmentLabel('section-9', {})).toBe('section-9');
    expect(departmentLabel('section-1', { departmentName: '执法一科' })).toBe('执法一科');
    expect(reasonCodeLabel(fx.programme.reasons, 'recusal', 'no-such-reason')).toBe('no-such-reason');
    expect(handlingLabel('something-new')).toBe('something-new');
    // The same words as the charts and the 公示 page (线索移送其他部门).
    expect(handlingLabel('referral')).toBe('移送其他部门');
    expect(parkedReasonLabel('the store refused it (SQLITE_CONSTRAINT)')).toBe('系统记录：the store refused it (SQLITE_CONSTRAINT)');
    // A real refusal message of the hand-over document step (activities/steps/documents.ts) is said in Chinese.
    expect(parkedReasonLabel("unit U07: no brigade covers its area 罗山县 (brigades of the frozen roster: county-xixian: 息县); correct the unit's area (jurisdiction) in the registry, then resume the inspection")).toBe(
      '名录中没有负责该单位所在区域（罗山县）的大队，请在名录中更正该单位的所属区域',
    );
  });

  it('shows department names, reason labels, parking reasons, handling and phases in Chinese', async () => {
    const demo = await writeDemoQuarter(c.store, { programmeId: fx.programme.id, year: 2024, quarter: 2 });
    // One more inspection as the worker projects it: a recusal asked of the managers (reason kinship).
    const workflowId = `${demo.campaignId}.unit.U20`;
    const p: InspectionProjection = {
      workflowId,
      campaignId: demo.campaignId,
      revision: 1,
      at: '2024-06-12T10:00:00+08:00',
      unitId: 'U20',
      department: 'section-1',
      team: [PEOPLE.sectionInspectors[0]!, PEOPLE.sectionInspectors[1]!],
      managers: [PEOPLE.managers[0]!],
      phase: 'inspection',
      due: '2024-06-28',
      overdue: false,
      parked: null,
      result: null,
      approval: null,
      handling: null,
      replacedBy: null,
      decisions: [{ kind: 'recusal', n: 1, inspectorId: PEOPLE.sectionInspectors[1]!, requestedBy: PEOPLE.sectionInspectors[1]!, reasonCode: 'kinship', on: '2024-06-11', decision: null }],
    };
    const kinship = reasonLabel(fx.programme.reasons, 'recusal', 'kinship');
    expect(kinship, 'the fixture programme labels kinship').toBeTruthy();
    await projectInspection(
      c.store,
      { unitName: () => '测试单位U20', departmentName: (id) => DEPARTMENTS[id] ?? id, reasonLabel: (kind, code) => reasonLabel(fx.programme.reasons, kind === 'recusal' ? 'recusal' : 'unitClosed', code) },
      p,
    );
    const recusalTask = (await c.store.listTasksOfCampaign(demo.campaignId, ['open'])).find((t) => t.kind === 'approve-recusal')!;
    const q = encodeURIComponent(demo.campaignId);

    const pages: Array<[login: string, url: string, shows: string[]]> = [
      ['insp', '/', ['执法一科', '提交检查结果']],
      ['mgr1', '/', ['执法一科', '回避审批']],
      ['mgr1', '/approvals', ['执法一科', '回避审批']],
      ['mgr1', `/approval?task=${encodeURIComponent(recusalTask.key)}`, ['执法一科', kinship!]],
      ['leader', '/quarters', ['实施检查']],
      ['leader', `/quarter?campaign=${q}`, ['执法一科', '浉河大队', '息县大队', '名录中没有负责该单位所在区域的大队']],
      ['leader', `/quarter/inspection?campaign=${q}&unit=U07`, ['息县大队', '移交文书制发', '名录中没有负责该单位所在区域的大队', '暂停待处理']],
      ['leader', `/quarter/inspection?campaign=${q}&unit=U05`, ['浉河大队', '以移交表移交', '已办结']],
      ['leader', `/quarter/inspection?campaign=${q}&unit=U04`, ['本大队立案查处']],
      ['leader', `/quarter/inspection?campaign=${q}&unit=U20`, ['执法一科', '回避审批', '待办']],
    ];
    const codes = ['section-1', 'brigade-shihe', 'county-xixian', 'kinship', 'no-brigade-for-area', 'handover-document', 'transfer-form', 'own-case', 'approve-recusal', 'handover-approval', 'problems-found', 'update-window'];
    const clients = new Map<string, ConsoleClient>();
    for (const [login, url, shows] of pages) {
      let u = clients.get(login);
      if (!u) {
        u = new ConsoleClient(c.app);
        expect((await u.login(login, PASSWORD)).statusCode, `sign-in of ${login}`).toBe(303);
        clients.set(login, u);
      }
      const res = await u.get(url);
      expect(res.statusCode, `${login} ${url}`).toBe(200);
      const text = visibleText(res.body);
      for (const code of codes) expect(text, `${url} shows the code ${code}`).not.toContain(code);
      for (const label of shows) expect(text, `${url} shows ${label}`).toContain(label);
      // Any other kebab-case word a person would read is a code that slipped through; the
      // campaign id (in its code span, named as such) is the one identifier pages show on purpose.
      const words = [...text.matchAll(/[a-z][a-z0-9]*(?:-[a-z0-9]+)+/g)].map((m) => m[0]).filter((w) => !demo.campaignId.includes(w));
      expect(words, `${url}: code-like words`).toEqual([]);
    }

    for (const [login, url, name] of [
      ['mgr1', `/approval?task=${encodeURIComponent(recusalTask.key)}`, 'labels-approval-recusal'],
      ['leader', `/quarter/inspection?campaign=${q}&unit=U07`, 'labels-quarter-inspection-parked'],
      ['leader', `/quarter?campaign=${q}`, 'labels-quarter'],
      ['insp', '/', 'labels-home'],
    ] as const) {
      const signed = await signedInPage(browser, c.url, login, PASSWORD);
      await screenshotBoth(browser, signed, `${c.url}${url}`, name);
      await signed.context().close();
    }
  }, 180_000);
});
