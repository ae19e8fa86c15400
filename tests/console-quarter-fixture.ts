// Projection rows of a quarter in mid-inspection, as the workflows' projector writes them
// (activities/steps/projection-rows.ts), for the operations pages' tests: every state the page
// counts (done on time and late, handed over, referred, own case, awaiting approval, overdue,
// parked, replaced and its replacement, could not inspect), in three departments, with the figures
// they must give. Written straight into the console's store: what the page reads is the store.
// Also the operations tests' shared setup: the pages' dependencies, accounts, a signed-in browser.
import type { Browser, Page } from 'playwright-core';
import { hashPassword } from '../console/passwords';
import type { OperationsDeps } from '../console/quarter';
import type { Programme } from '../domain/programme';
import type { CampaignRow, ConsoleStore, InspectionRow, TaskRow } from '../stores/console-store';

export const DEMO_DATES = { windowCloses: '2024-03-31', drawDue: '2024-04-10', inspectionDue: '2024-06-28', escalateAfter: '2024-07-05', publicationDue: '2024-07-26' };
const DEPARTMENTS: Record<string, string> = { 'section-1': '执法一科', 'brigade-shihe': '浉河大队', 'county-xixian': '息县大队' };

type Spec = [unit: string, department: string, phase: string, outcome: string | null, handling: string | null, overdue: boolean, extra?: { parked?: string; replacedBy?: string; resultOn?: string }];
const SPECS: Spec[] = [
  ['U01', 'section-1', 'done', 'no-problem', 'none', false, { resultOn: '2024-04-22' }],
  ['U02', 'section-1', 'done', 'problems-found', 'supervision-notice', false, { resultOn: '2024-05-06' }],
  ['U03', 'section-1', 'handover-approval', 'problems-found', 'awaiting-approval', false, { resultOn: '2024-05-20' }],
  ['U04', 'brigade-shihe', 'done', 'problems-found', 'own-case', false, { resultOn: '2024-05-20' }],
  ['U05', 'brigade-shihe', 'done', 'problems-found', 'transfer-form', true, { resultOn: '2024-07-02' }],
  ['U06', 'brigade-shihe', 'inspection', null, null, true],
  ['U07', 'county-xixian', 'parked', null, null, false, { parked: 'no-brigade-for-area' }],
  ['U08', 'county-xixian', 'done', 'problems-found', 'referral', false, { resultOn: '2024-06-11' }],
  ['U09', 'county-xixian', 'replaced', null, null, false, { replacedBy: 'U10' }],
  ['U10', 'county-xixian', 'inspection', null, null, false],
  ['U11', 'section-1', 'done', 'could-not-inspect', 'not-inspected', false, { resultOn: '2024-06-03' }],
  ['U12', 'section-1', 'notify', null, null, false],
];

/** What the page must show for these rows (see console/quarter-figures.ts). */
export const DEMO_COUNTS = { drawn: 11, resultIn: 7, overdue: 1, parked: 1, handedOver: 3, done: 6 };
/** Their year-table counts (a quarter not closed: the projection's). */
export const DEMO_YEAR = { drawn: 11, inspected: 6, onTime: 6, findings: 5, handedOver: 2, referred: 1 };

/** Writes a campaign row and its inspections and result tasks; returns the campaign. */
export async function writeDemoQuarter(store: ConsoleStore, o: { programmeId: string; year: number; quarter: number; phase?: string; units?: number }): Promise<CampaignRow> {
  const campaignId = `campaign-${o.programmeId}-${o.year}q${o.quarter}-fixture`;
  const at = new Date('2024-06-12T02:00:00Z');
  const campaign: CampaignRow = {
    campaignId,
    programmeId: o.programmeId,
    year: o.year,
    quarter: o.quarter,
    phase: o.phase ?? 'inspection',
    detail: { dates: DEMO_DATES, parked: null },
    revision: 1,
    updatedAt: at,
  };
  await store.upsertCampaign(campaign);
  for (const [unit, department, phase, outcome, handling, overdue, extra] of SPECS.slice(0, o.units ?? SPECS.length)) {
    const workflowId = `${campaignId}.unit.${unit}`;
    const row: InspectionRow = {
      campaignId,
      workflowId,
      unitId: unit,
      unitName: `测试单位${unit}`,
      department,
      team: ['S1', 'S2'],
      phase,
      deadline: DEMO_DATES.inspectionDue,
      overdue,
      parked: extra?.parked !== undefined,
      parkedReason: extra?.parked ?? null,
      outcome,
      detail: { departmentName: DEPARTMENTS[department], phase, handling, replacedBy: extra?.replacedBy ?? null, approvalDue: null, parkedStep: extra?.parked ? 'handover-document' : null },
      revision: 1,
      updatedAt: at,
    };
    await store.upsertInspection(row);
    const task: TaskRow = {
      key: `${workflowId}/result`,
      kind: 'result',
      campaignId,
      inspectionWorkflowId: workflowId,
      unitId: unit,
      unitName: row.unitName,
      department,
      assignees: row.team,
      role: null,
      roleDepartment: null,
      deadline: DEMO_DATES.inspectionDue,
      status: extra?.resultOn ? 'done' : phase === 'replaced' ? 'cancelled' : 'open',
      decidedBy: extra?.resultOn ? 'S1' : null,
      decidedAt: extra?.resultOn ? new Date(`${extra.resultOn}T03:00:00Z`) : null,
      detail: { departmentName: DEPARTMENTS[department], phase },
      revision: 1,
      updatedAt: at,
    };
    await store.upsertTask(task);
  }
  return campaign;
}

/** The operations pages' dependencies for a test programme. */
export function operationsOf(programme: Programme, o: { taskQueue: string; dataDir: string | null }): OperationsDeps {
  return {
    programme: { id: programme.id, name: programme.name, year: programme.year, rehearsalSecondsPerDay: 2, publisher: programme.detachment.name },
    taskQueue: o.taskQueue,
    dataDir: o.dataDir,
  };
}

/** Accounts with one password: [login, person, roles]. */
export async function addAccounts(store: ConsoleStore, password: string, accounts: ReadonlyArray<readonly [string, string, string[]]>): Promise<void> {
  const passwordHash = await hashPassword(password);
  for (const [login, personId, roles] of accounts) await store.createAccount({ login, personId, roles, passwordHash, now: new Date() });
}

/** A browser page signed in through the sign-in form. */
export async function signedInPage(browser: Browser, url: string, login: string, password: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${url}/login`);
  await page.fill('#login', login);
  await page.fill('#password', password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${url}/`);
  return page;
}
