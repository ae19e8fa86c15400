// What a signed-in person may import under 名录管理. Operations (admin) and the detachment leader
// keep the city-wide registries: any kind, the whole city. A brigade leader who is neither hands in
// the brigade's quarter-end lists only (DOMAIN.md: new units, closed or banned units, changes of
// its own staff), and only inside the brigade:
// - every unit changed lies in the brigade's area before and after the change: the unit's 所在辖区
//   is its department's 辖区 (a county brigade's county, a direct brigade's district);
// - every person changed is of the brigade before and after, and keeps every role but 执法人员.
//   A move between departments, and granting or taking away a leader's, witness's or
//   administrator's role, changes who may do what city-wide: that is for the detachment or
//   operations. The brigade reports what it sees of its own staff: 在岗/在编, 离职, and the
//   执法人员 role with its certificate.
// The brigade is the department of the registry person behind the account, as the registry stands
// today, read from the store (not the console's minute-old cache: this decides what is written).
// The command line (`ssj registry import`) is run by operations with server access and is not
// limited by any of this.
import type { Department, Person, Unit } from '../domain/registry';
import type { ImportProblem } from '../files/registry/read-table';
import { CHANGE_LIST_KINDS, importKinds, type ImportKind } from '../files/registry/templates';
import type { RegistryStore } from '../stores/registry-store';
import type { ClassifiedChange } from './registry-counts';
import { ENTITY_LABELS, jurisdictionLabel, rolesLabel } from './views/registries-labels';

/** Roles that import any kind for the whole city. */
export const CITY_WIDE_ROLES: readonly string[] = ['admin', 'detachment-leader'];
/** The brigades' quarter-end lists: all a brigade leader may import. */
export const BRIGADE_KINDS: readonly ImportKind[] = CHANGE_LIST_KINDS;

export const isCityWide = (roles: readonly string[]): boolean => roles.some((r) => CITY_WIDE_ROLES.includes(r));

/** The kinds these roles may import (and whose templates the page lists). */
export const importableKinds = (roles: readonly string[]): readonly ImportKind[] => (isCityWide(roles) ? importKinds : BRIGADE_KINDS);

/** A brigade leader's reach: their registry person and department today (null when the registry has none). */
export interface BrigadeScope {
  personId: string;
  person: Person | null;
  department: Department | null;
}

export async function brigadeScope(registry: RegistryStore, personId: string, today: string): Promise<BrigadeScope> {
  const found = (await registry.statesAt('person', [personId], today)).get(personId) ?? null;
  const person = found?.active ? found : null;
  const department = person ? ((await registry.statesAt('department', [person.department], today)).get(person.department) ?? null) : null;
  return { personId, person, department };
}

/** The area a department covers: a brigade's 辖区, else none. */
function areaOf(d: Department): string | null {
  return d.kind === 'direct-brigade' || d.kind === 'county-brigade' ? d.jurisdiction : null;
}

/** Why this brigade leader can import nothing at all (no person or department today), else null. */
export function scopeRefusal(scope: BrigadeScope): string | null {
  if (scope.department) return null;
  return scope.person
    ? `名录中没有您所在的部门（${scope.person.department}），无法确定您的大队，暂不能导入名录；请联系系统管理员。`
    : `今日名录中没有您（${scope.personId}）在职的人员记录，无法确定您的大队，暂不能导入名录；请联系系统管理员。`;
}

/** What the 名录管理 page tells a brigade leader they may hand in. */
export function scopeNote(scope: BrigadeScope): string | null {
  const d = scope.department;
  if (!d) return null;
  const area = areaOf(d);
  const others = '部门名录、监管对象名录、人员名录和回避关系，以及人员调动和执法人员以外的角色调整，由支队长或系统管理员办理。';
  return area
    ? `您可报送本大队（${d.name}，辖区${jurisdictionLabel(area)}）辖区的新增单位、注销单位和本大队人员变动。${others}`
    : `您所在的${d.name}没有辖区，只能报送本部门人员变动。${others}`;
}

/** A refused change: the column to look at and the rule, in Chinese. */
type Refusal = { column: string; rule: string } | null;

function unitRefusal(own: Department, kind: ImportKind, before: Unit | null, after: Unit | null): Refusal {
  const u = after ?? before;
  if (!u) return null;
  const column = kind === 'new-units' ? '所在辖区' : '统一社会信用代码';
  const label = `单位“${u.name}”（${u.id}）`;
  const area = areaOf(own);
  if (area === null) return { column, rule: `${label}：您所在的${own.name}没有辖区，不能报送新增或注销单位。` };
  const where =
    before && before.jurisdiction !== area
      ? `在名录中所在辖区为${jurisdictionLabel(before.jurisdiction)}`
      : after && after.jurisdiction !== area
        ? `所在辖区为${jurisdictionLabel(after.jurisdiction)}`
        : null;
  return where ? { column, rule: `${label}${where}，不属于您的大队（${own.name}）的辖区（${jurisdictionLabel(area)}），大队长只能报送本大队辖区的新增或注销单位。` } : null;
}

/** Roles other than 执法人员, sorted: what a brigade leader must leave as they are. */
const otherRoles = (p: Person): string[] => p.roles.filter((r) => r !== 'inspector').sort();

function personRefusal(own: Department, before: Person | null, after: Person | null, departmentName: (id: string) => string): Refusal {
  const p = after ?? before;
  if (!p) return null;
  const label = `人员“${p.name}”（${p.id}）`;
  const column = '人员编号';
  if (!before) return { column, rule: `${label}此前不在名录中，大队长只能报送本大队已登记人员的变动。` };
  if (before.department !== own.id) {
    return after?.department === own.id
      ? { column: '新部门', rule: `${label}现属于${departmentName(before.department)}：调入本大队（${own.name}）须由支队长或系统管理员办理，大队长只能报送本大队人员的变动。` }
      : { column, rule: `${label}属于${departmentName(before.department)}，不是本大队（${own.name}）的人员，大队长只能报送本大队人员的变动。` };
  }
  if (!after) return { column, rule: `${label}：删除人员记录须由支队长或系统管理员办理。` };
  if (after.department !== own.id) {
    return { column: '新部门', rule: `${label}将调往${departmentName(after.department)}：人员调动须由支队长或系统管理员办理，大队长只能报送本大队人员在本大队内的变动。` };
  }
  const [was, will] = [otherRoles(before), otherRoles(after)];
  if (was.join() !== will.join()) {
    return {
      column: '新角色',
      rule: `${label}的角色将由“${rolesLabel(before.roles)}”改为“${rolesLabel(after.roles)}”：大队长只能增减本大队人员的执法人员角色，其他角色的调整须由支队长或系统管理员办理。`,
    };
  }
  return null;
}

/**
 * The changes of a batch that lie outside a brigade leader's reach, as problems of the file's rows.
 * `classified` holds each change with the state before it, read from the store as it stands now
 * (console/registry-counts.ts classifyChanges): at preview, and again at commit.
 */
export async function outOfScope(
  registry: RegistryStore,
  scope: BrigadeScope & { department: Department },
  today: string,
  file: { fileName: string; kind: ImportKind; changeRows: readonly number[] },
  classified: readonly ClassifiedChange[],
): Promise<ImportProblem[]> {
  const own = scope.department;
  const departmentIds = new Set<string>();
  for (const c of classified) {
    if (c.change.entityKind !== 'person') continue;
    for (const p of [c.before, c.change.state] as (Person | null)[]) if (p) departmentIds.add(p.department);
  }
  const departments = await registry.statesAt('department', departmentIds, today);
  const departmentName = (id: string) => departments.get(id)?.name ?? id;
  const problems: ImportProblem[] = [];
  classified.forEach((c, i) => {
    const kind = c.change.entityKind;
    const refusal =
      kind === 'unit'
        ? unitRefusal(own, file.kind, c.before as Unit | null, c.change.state as Unit | null)
        : kind === 'person'
          ? personRefusal(own, c.before as Person | null, c.change.state as Person | null, departmentName)
          : { column: '', rule: `${ENTITY_LABELS[kind]}的变化须由支队长或系统管理员导入。` };
    if (refusal) problems.push({ file: file.fileName, row: file.changeRows[i] ?? 0, ...refusal });
  });
  return problems;
}
