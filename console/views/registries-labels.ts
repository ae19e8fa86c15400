// The Chinese words for the registries' codes, taken from the import templates (the words a clerk
// writes in the files: files/registry/templates.ts) and the console's role names (layout.ts), so
// a page shows a value the way the file that set it wrote it.
import type { Department, Person, Unit } from '../../domain/registry';
import {
  CATEGORY_VALUES,
  CONFLICT_REASON_VALUES,
  DEPARTMENT_KIND_VALUES,
  JURISDICTION_NAMES,
  NO,
  POSITIVE_KIND_VALUES,
  SPECIAL_REASON_VALUES,
  STATUS_VALUES,
  TEMPLATES,
  YES,
  type ImportKind,
} from '../../files/registry/templates';
import type { EntityKind } from '../../stores/registry-store';
import { chineseDate } from '../../domain/documents/html';
import { beijingClock } from './audit';
import { roleLabel } from './layout';

/** Chinese word → code maps, read backwards; an unknown code shows as itself. */
function wordFor(map: Record<string, string>): (code: string | null | undefined) => string {
  const back = new Map(Object.entries(map).map(([word, code]) => [code, word]));
  return (code) => (code === null || code === undefined || code === '' ? '' : (back.get(code) ?? code));
}

export const categoryLabel = wordFor(CATEGORY_VALUES);
export const unitStatusLabel = wordFor(STATUS_VALUES);
export const departmentKindLabel = wordFor(DEPARTMENT_KIND_VALUES);
export const jurisdictionLabel = wordFor(JURISDICTION_NAMES);
export const positiveKindLabel = wordFor(POSITIVE_KIND_VALUES);
export const specialReasonLabel = wordFor(SPECIAL_REASON_VALUES);
export const conflictReasonLabel = wordFor(CONFLICT_REASON_VALUES);
export const yesNo = (b: boolean): string => (b ? YES : NO);
export const rolesLabel = (roles: readonly string[]): string => roles.map(roleLabel).join('、');

export const ENTITY_LABELS: Record<EntityKind, string> = { department: '部门', unit: '监管对象', person: '人员', conflict: '回避关系' };

/** The file kinds by their template titles (部门名录, 监管对象名录, ...). */
export const importKindLabel = (k: ImportKind): string => TEMPLATES[k].title;

/** One entity's fields as (Chinese heading, shown value) pairs, in the template's column order. */
export function entityFields(kind: EntityKind, state: unknown, departmentName: (id: string) => string = (id) => id): [string, string][] {
  if (state === null || typeof state !== 'object') return [];
  if (kind === 'unit') {
    const u = state as Unit;
    return [
      ['统一社会信用代码', u.id],
      ['单位名称', u.name],
      ['类别', categoryLabel(u.category)],
      ['所在辖区', jurisdictionLabel(u.jurisdiction)],
      ['行业', u.industry],
      ['地址', u.address],
      ['信用等级', u.creditRating ? u.creditRating.toUpperCase() : ''],
      ['正面清单', yesNo(u.positiveList)],
      ['正面清单类型', positiveKindLabel(u.positiveKind)],
      ['特殊监管原因', specialReasonLabel(u.specialReason)],
      ['存在问题', yesNo(u.specialProblem)],
      ['状态', unitStatusLabel(u.status)],
      ['状态日期', shownDate(u.statusDate)],
    ];
  }
  if (kind === 'person') {
    const p = state as Person;
    return [
      ['人员编号', p.id],
      ['姓名', p.name],
      ['部门', departmentName(p.department)],
      ['角色', rolesLabel(p.roles)],
      ['电子邮箱', p.email ?? ''],
      ['执法证号', p.inspector?.certificateNo ?? ''],
      ['在编', p.inspector ? yesNo(p.inspector.onStaff) : ''],
      ['在岗', p.inspector ? yesNo(p.inspector.onPost) : ''],
      ['专长', p.inspector?.specialties.join('、') ?? ''],
      ['在职', yesNo(p.active)],
    ];
  }
  if (kind === 'department') {
    const d = state as Department;
    return [
      ['部门编码', d.id],
      ['部门名称', d.name],
      ['部门类型', departmentKindLabel(d.kind)],
      ['辖区', jurisdictionLabel(d.jurisdiction)],
      ['电子邮箱', d.email ?? ''],
    ];
  }
  const c = state as { inspectorId: string; unitId: string; reason: string };
  return [
    ['执法人员编号', c.inspectorId],
    ['统一社会信用代码', c.unitId],
    ['回避原因', conflictReasonLabel(c.reason)],
  ];
}

/** A registry date (YYYY-MM-DD) as officials read it (2023年3月31日); anything else as it is. */
export const shownDate = (date: string | null | undefined): string => (date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? chineseDate(date) : (date ?? ''));

/**
 * An ISO-8601 UTC instant from the store as Beijing time to the second, dated as the registry
 * pages date everything (2023年3月1日 09:00:05); anything unreadable as it is.
 */
export function beijingRecorded(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  const [date, time] = beijingClock(new Date(ms)).split(' ') as [string, string];
  return `${chineseDate(date)} ${time}`;
}

/** What changed between two states, as "heading：old → new" lines (all fields for a new entity). */
export function fieldChanges(kind: EntityKind, before: unknown, after: unknown, departmentName?: (id: string) => string): string[] {
  if (after === null) return ['移除'];
  const now = entityFields(kind, after, departmentName);
  if (before === null) return now.filter(([, v]) => v !== '').map(([h, v]) => `${h}：${v}`);
  const then = new Map(entityFields(kind, before, departmentName));
  return now.filter(([h, v]) => then.get(h) !== v).map(([h, v]) => `${h}：${then.get(h) || '（空）'} → ${v || '（空）'}`);
}
