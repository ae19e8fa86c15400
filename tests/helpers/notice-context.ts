// A realistic NoticeContext and, for every notice kind, the parameters and recipients a workflow
// gives it: for the notice template and proofreading tests.
import type { NoticeContext, NoticeKind, NoticeParams, NoticeRecipients } from '../../mail/notices';

export const UNIT = { code: '91411500MA44XXXX1K', name: '信阳市某某化工有限公司', address: '信阳市浉河区工业园路8号' };

export const PEOPLE_NAMES: Record<string, { name: string; certificate?: string }> = {
  S1: { name: '王建国', certificate: '豫环执1501001' },
  S2: { name: '李秀英', certificate: '豫环执1501002' },
  S3: { name: '孙明', certificate: '豫环执1501003' },
  MGR1: { name: '陈志强' },
  MGR2: { name: '郑海燕' },
  ADM1: { name: '刘洋' },
  DIS1: { name: '周敏' },
  DL1: { name: '赵刚' },
};

export const DEPARTMENT_NAMES: Record<string, string> = {
  'section-1': '执法一科',
  'brigade-shihe': '浉河大队',
  'county-xixian': '息县生态环境综合行政执法大队',
};

/** Ids and codes that must never stand in for a name in a notice. */
export const CODES = [...Object.keys(PEOPLE_NAMES), ...Object.keys(DEPARTMENT_NAMES), 'detachment-leader', 'brigade-leader', 'superior-contact', 'discipline', 'manager'];

export const context: NoticeContext = {
  issuer: '信阳市生态环境综合行政执法支队',
  periodLabel: '2024年第一季度',
  unit: (id) => (id === UNIT.code ? UNIT : { code: id, name: id }),
  person: (id) => PEOPLE_NAMES[id] ?? { name: id },
  department: (id) => DEPARTMENT_NAMES[id] ?? id,
  inspectionDepartment: () => '执法一科',
  checkItems: ['污染源日常环境监管'],
  handoverOf: () => ({ kind: 'supervision-notice', receiver: '息县生态环境综合行政执法大队' }),
};

const unitId = UNIT.code;
const team = ['S1', 'S2'];

/** Every kind, as the workflows send it (a Record, so a new kind cannot go untested). */
export const NOTICE_CASES: Record<NoticeKind, { to: NoticeRecipients; params: NoticeParams }> = {
  'change-list-reminder': {
    to: { departments: ['brigade-shihe'], departmentRoles: { department: 'brigade-shihe', roles: ['brigade-leader'] } },
    params: { brigade: '浉河大队', windowCloses: '2024-03-29' },
  },
  'change-list-missing': { to: { roles: ['detachment-leader'] }, params: { brigades: ['brigade-shihe', 'county-xixian'], windowCloses: '2024-03-29' } },
  'draw-overdue': { to: { roles: ['manager'] }, params: { drawDue: '2024-01-15', waitingFor: ['discipline'] } },
  'ceremony-void': {
    to: { roles: ['manager'], persons: ['ADM1', 'DIS1'] },
    params: { ceremony: 1, revealBy: '2024-01-12T10:00:00+08:00', failed: ['discipline DIS1'], next: 2 },
  },
  'inspection-assigned': { to: { persons: team }, params: { unitId, team, method: 'onsite', due: '2024-03-15' } },
  'inspection-reminder': { to: { persons: team }, params: { unitId, due: '2024-03-15', daysLeft: 7 } },
  'inspection-overdue': {
    to: { departmentRoles: { department: 'section-1', roles: ['brigade-leader'] }, departments: ['section-1'] },
    params: { unitId, due: '2024-03-15', team, department: '执法一科', escalateAfter: '2024-03-20' },
  },
  'inspection-escalated': { to: { roles: ['detachment-leader'] }, params: { unitId, due: '2024-03-15', team, department: '执法一科', escalateAfter: '2024-03-20' } },
  'unit-replacement-requested': { to: { persons: ['MGR1', 'MGR2'] }, params: { unitId, by: 'S1', reasonCode: 'closed', reasonLabel: '关停' } },
  'recusal-decision-requested': { to: { persons: ['MGR1', 'MGR2'] }, params: { unitId, inspectorId: 'S2', by: 'S2', reasonCode: 'kinship', reasonLabel: '近亲属在该单位任职' } },
  'recusal-rejected': { to: { persons: ['S2'] }, params: { unitId, inspectorId: 'S2', by: 'MGR1', reasonCode: 'not-a-conflict', reasonLabel: '不构成利害关系' } },
  'handover-approval-requested': {
    to: { persons: ['MGR1', 'MGR2'] },
    params: { unitId, department: '执法一科', description: '破碎工段未密闭，除尘设施未运行', approvalDue: '2024-03-22' },
  },
  'handover-approval-overdue': { to: { roles: ['detachment-leader'] }, params: { unitId, department: '执法一科', approvalDue: '2024-03-22' } },
  'request-approval-overdue': { to: { roles: ['detachment-leader'] }, params: { unitId, request: 'recusal', inspectorId: 'S2', approvalDue: '2024-03-22' } },
  'approval-reminder': { to: { persons: ['MGR1', 'MGR2'] }, params: { unitId, request: 'handover', department: '执法一科', approvalDue: '2024-03-22' } },
  'publication-late': { to: { roles: ['detachment-leader'] }, params: { publicationDue: '2024-04-26', open: 3 } },
  'step-parked': {
    to: { roles: ['detachment-leader', 'admin'] },
    params: {
      workflowId: 'inspection-x',
      unitId,
      step: 'handover-document',
      reason: 'no brigade covers its area xixian; correct the unit\'s area (jurisdiction) in the registry, then resume the inspection',
      since: '2024-03-25T10:00:00+08:00',
      resumeHow: `ssj inspection resume ${unitId} --as <detachment-leader or admin>`,
    },
  },
  'notice-refused': {
    to: { roles: ['detachment-leader', 'admin'] },
    params: {
      subject: '【抽取逾期告警】2024年第一季度抽查对象尚未在2024年1月15日前抽取',
      sentTo: ['mgr1@bureau.example.cn'],
      refused: ['郑海燕（mgr2@bureau.example.cn，550 5.1.1 Mailbox unavailable）'],
    },
  },
};
