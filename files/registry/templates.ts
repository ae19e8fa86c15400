// The import templates: the exact Chinese column headings of each kind of registry file, and the
// Chinese values allowed in them. docs/registry-templates.md documents the same tables for users;
// the synthetic writer uses these headings so that generated files go through the real import.
import type { Role, UnitCategory } from '../../domain/registry';

export const importKinds = [
  'departments',
  'units',
  'people',
  'conflicts',
  'new-units',
  'closed-units',
  'personnel-changes',
] as const;
export type ImportKind = (typeof importKinds)[number];
/** The brigades' quarter-end lists (变更清单): what a brigade hands in, and what a change list names. */
export const CHANGE_LIST_KINDS: readonly ImportKind[] = ['new-units', 'closed-units', 'personnel-changes'];
/** Whether a registry batch of this kind can be named as a brigade's change list. */
export const isChangeListKind = (kind: string): boolean => (CHANGE_LIST_KINDS as readonly string[]).includes(kind);

export interface ColumnSpec {
  /** Field name used in code. */
  field: string;
  /** The heading in the file (exact, after trimming spaces). */
  heading: string;
  /** Other headings accepted for the same column. */
  aliases?: string[];
  required: boolean;
}

const unitColumns: ColumnSpec[] = [
  { field: 'id', heading: '统一社会信用代码', aliases: ['单位编码', '统一社会信用代码/单位编码'], required: true },
  { field: 'name', heading: '单位名称', required: true },
  { field: 'category', heading: '类别', required: true },
  { field: 'jurisdiction', heading: '所在辖区', required: true },
  { field: 'industry', heading: '行业', required: true },
  { field: 'address', heading: '地址', required: true },
  { field: 'creditRating', heading: '信用等级', required: false },
  { field: 'positiveList', heading: '正面清单', required: false },
  { field: 'positiveKind', heading: '正面清单类型', required: false },
  { field: 'specialReason', heading: '特殊监管原因', required: false },
  { field: 'specialProblem', heading: '存在问题', required: false },
];

export const TEMPLATES: Record<ImportKind, { title: string; defaultReason: string; columns: ColumnSpec[] }> = {
  departments: {
    title: '部门名录',
    defaultReason: '部门名录导入',
    columns: [
      { field: 'id', heading: '部门编码', required: true },
      { field: 'name', heading: '部门名称', required: true },
      { field: 'kind', heading: '部门类型', required: true },
      { field: 'jurisdiction', heading: '辖区', required: false },
      { field: 'email', heading: '电子邮箱', required: false },
    ],
  },
  units: {
    title: '监管对象名录',
    defaultReason: '监管对象名录导入',
    columns: [
      ...unitColumns,
      { field: 'status', heading: '状态', required: false },
      { field: 'statusDate', heading: '状态日期', required: false },
    ],
  },
  'new-units': {
    title: '新增污染源清单',
    defaultReason: '季度新增污染源',
    columns: [...unitColumns, { field: 'date', heading: '纳入日期', required: false }],
  },
  'closed-units': {
    title: '关停取缔污染源清单',
    defaultReason: '季度关停取缔污染源',
    columns: [
      { field: 'id', heading: '统一社会信用代码', aliases: ['单位编码', '统一社会信用代码/单位编码'], required: true },
      { field: 'name', heading: '单位名称', required: false },
      { field: 'status', heading: '状态', required: true },
      { field: 'date', heading: '日期', required: true },
      { field: 'reason', heading: '原因', required: false },
    ],
  },
  people: {
    title: '人员名录',
    defaultReason: '人员名录导入',
    columns: [
      { field: 'id', heading: '人员编号', required: true },
      { field: 'name', heading: '姓名', required: true },
      { field: 'department', heading: '部门', required: true },
      { field: 'roles', heading: '角色', required: true },
      { field: 'email', heading: '电子邮箱', required: false },
      { field: 'certificateNo', heading: '执法证号', required: false },
      { field: 'onStaff', heading: '在编', required: false },
      { field: 'onPost', heading: '在岗', required: false },
      { field: 'specialties', heading: '专长', required: false },
      { field: 'active', heading: '在职', required: false },
    ],
  },
  'personnel-changes': {
    title: '人员变动清单',
    defaultReason: '季度人员变动',
    columns: [
      { field: 'id', heading: '人员编号', required: true },
      { field: 'name', heading: '姓名', required: false },
      { field: 'change', heading: '变动类型', required: true },
      { field: 'department', heading: '新部门', required: false },
      { field: 'roles', heading: '新角色', required: false },
      { field: 'certificateNo', heading: '执法证号', required: false },
      { field: 'date', heading: '日期', required: true },
      { field: 'reason', heading: '原因', required: false },
    ],
  },
  conflicts: {
    title: '回避关系清单',
    defaultReason: '回避关系申报',
    columns: [
      { field: 'inspectorId', heading: '执法人员编号', aliases: ['人员编号'], required: true },
      { field: 'unitId', heading: '统一社会信用代码', aliases: ['单位编码', '统一社会信用代码/单位编码'], required: true },
      { field: 'reason', heading: '回避原因', required: true },
      { field: 'date', heading: '申报日期', required: false },
      { field: 'action', heading: '操作', required: false },
    ],
  },
};

/** Headings every template tolerates and ignores (row numbers and free notes bureaus keep). */
export const IGNORED_HEADINGS = ['序号', '备注'];

export const YES = '是';
export const NO = '否';

export const CATEGORY_VALUES: Record<string, UnitCategory> = { 重点: 'key', 一般: 'general', 特殊: 'special' };
export const STATUS_VALUES = { 在产: 'active', 关闭: 'closed', 取缔: 'banned' } as const;
export const DEPARTMENT_KIND_VALUES = {
  科室: 'section',
  直属大队: 'direct-brigade',
  县大队: 'county-brigade',
  其他部门: 'agency',
} as const;
export const POSITIVE_KIND_VALUES: Record<string, string> = { 疫情防控物资: 'epidemic-supplies', 民生保障: 'livelihood', 其他: 'other' };
export const SPECIAL_REASON_VALUES: Record<string, string> = {
  上年度受处罚: 'penalised',
  挂牌督办: 'supervised-handling',
  信用差: 'poor-credit',
  重大风险: 'major-risk',
  信访投诉多: 'complaints',
};
export const ROLE_VALUES: Record<string, Role> = {
  执法人员: 'inspector',
  分管领导: 'manager',
  大队长: 'brigade-leader',
  支队长: 'detachment-leader',
  系统管理员: 'admin',
  纪检人员: 'discipline',
  上级联系人: 'superior-contact',
};
export const CONFLICT_REASON_VALUES: Record<string, string> = {
  亲属: 'relative',
  曾任职: 'former-employer',
  持股: 'shareholder',
  本人申报: 'declared',
  其他: 'other',
};
export const CONFLICT_ACTION_VALUES = { 申报: 'declare', 撤销: 'withdraw' } as const;
export const PERSONNEL_CHANGE_VALUES = {
  调动: 'move', // 新部门 required
  离岗: 'off-post',
  返岗: 'on-post',
  离编: 'off-staff',
  入编: 'on-staff',
  离职: 'leave', // no longer works here: inactive
  角色调整: 'roles', // 新角色 required (the full new list)
} as const;

/** Xinyang's central-city districts and counties; a jurisdiction may be given by name or by code. */
export const JURISDICTION_NAMES: Record<string, string> = {
  浉河区: 'shihe',
  平桥区: 'pingqiao',
  羊山新区: 'yangshan',
  罗山县: 'luoshan',
  光山县: 'guangshan',
  新县: 'xinxian',
  商城县: 'shangcheng',
  固始县: 'gushi',
  潢川县: 'huangchuan',
  淮滨县: 'huaibin',
  息县: 'xixian',
};

/** Separators accepted inside a multi-value cell (角色, 专长). */
export const LIST_SEPARATORS = /[、,，;；/\s]+/;

export function reverseLookup<T extends string>(map: Record<string, T>, value: T): string {
  for (const [k, v] of Object.entries(map)) if (v === value) return k;
  throw new Error(`no Chinese term for ${value}`);
}
