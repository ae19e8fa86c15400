// 工作台 and the 审批 list count a rehearsal quarter's deadlines on that quarter's own programme
// date: a 2023 rehearsal opened in 2026 must not show every task years overdue, while a quarter on
// the real calendar is counted on today's date as before.
import { describe, expect, it } from 'vitest';
import { rehearsalDate, rehearsalTodays } from '../console/quarter-figures';
import { approvalsPage } from '../console/views/approvals';
import { homePage } from '../console/views/home';
import type { CampaignRow, TaskRow } from '../stores/console-store';

const campaign = (id: string, programmeAt: string, recordedAt: string): CampaignRow => ({
  campaignId: id,
  programmeId: 'xinyang-2023',
  year: 2023,
  quarter: 2,
  phase: 'update-window',
  detail: { dates: {}, parked: null, clock: { programmeAt, recordedAt } },
  revision: 1,
  updatedAt: new Date(programmeAt),
});

const task = (campaignId: string, deadline: string): TaskRow => ({
  key: `${campaignId}/witness-commit`,
  kind: 'witness-commit',
  campaignId,
  inspectionWorkflowId: null,
  unitId: null,
  unitName: null,
  department: null,
  assignees: ['P0004'],
  role: null,
  roleDepartment: null,
  deadline,
  status: 'open',
  decidedBy: null,
  decidedAt: null,
  detail: {},
  revision: 1,
  updatedAt: new Date(),
});

const viewer = { name: '测试', personId: 'P0004', roles: ['admin' as const], csrfToken: 'x' };

describe('rehearsal quarters on 工作台', () => {
  it('tells a rehearsal by the distance between its programme clock and the real one', () => {
    expect(rehearsalDate(campaign('c-rehearsal', '2023-04-05T02:00:00.000Z', '2026-12-03T22:00:00.000Z'))).toBe('2023-04-05');
    expect(rehearsalDate(campaign('c-real', '2026-12-03T21:59:00.000Z', '2026-12-03T22:00:00.000Z'))).toBeNull();
    expect(rehearsalDate({ ...campaign('c-old', '2023-04-05T02:00:00.000Z', 'x'), detail: { dates: {} } })).toBeNull();
  });

  it('counts a rehearsal task on its programme date, a real one on today', () => {
    const rehearsal = 'campaign-xinyang-2023-2023q2';
    const real = 'campaign-xinyang-2026-2026q4';
    const page = homePage(viewer, [task(rehearsal, '2023-04-10'), task(real, '2026-12-01')], '2026-12-03', new Map([[rehearsal, '2023-04-06']]));
    const rows = page.split('<tr').slice(1);
    const rehearsalRow = rows.find((r) => r.includes(encodeURIComponent(rehearsal)))!;
    const realRow = rows.find((r) => r.includes(encodeURIComponent(real)))!;
    expect(rehearsalRow).toMatch(/剩余\d+个工作日/);
    expect(rehearsalRow).not.toContain('overdue');
    expect(realRow).toContain('class="overdue"');
    expect(realRow).toContain('已逾期');
    expect(page).toContain('演练季度的期限按其演练日期计算');
    // Without the map the rehearsal task is years overdue: what the map is for.
    expect(homePage(viewer, [task(rehearsal, '2023-04-10')], '2026-12-03')).toMatch(/已逾期\d{3,}个工作日/);
  });

  it('counts a rehearsal approval on its programme date in the 审批 list too', () => {
    const rehearsal = 'campaign-xinyang-2023-2023q2';
    const real = 'campaign-xinyang-2026-2026q4';
    const approval = (campaignId: string, deadline: string): TaskRow => ({ ...task(campaignId, deadline), key: `${campaignId}.unit.U1/approve-recusal/1`, kind: 'approve-recusal', unitId: 'U1' });
    const days = rehearsalTodays([campaign(rehearsal, '2023-04-06T02:00:00.000Z', '2026-12-03T02:00:00.000Z'), campaign(real, '2026-12-03T01:59:00.000Z', '2026-12-03T02:00:00.000Z')]);
    expect([...days]).toEqual([[rehearsal, '2023-04-06']]);
    const page = approvalsPage(viewer, [approval(rehearsal, '2023-04-10'), approval(real, '2026-12-01')], '2026-12-03', false, days);
    const rows = page.split('<tr').slice(2);
    expect(rows[0]).toMatch(/2023年4月10日（剩余2个工作日）/);
    expect(rows[0]).not.toContain('overdue');
    expect(rows[1]).toContain('class="overdue"');
    expect(rows[1]).toMatch(/2026年12月1日（已逾期2个工作日）/);
  });
});
