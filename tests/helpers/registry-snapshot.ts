// Hand-built registry snapshots for tests of quotas and freeze: real RegistrySnapshot objects,
// no store involved. Defaults describe an ordinary active unit or an eligible inspector.
import type { Conflict, Department, Person, RegistrySnapshot, Unit } from '../../domain/registry';

export function department(id: string, kind: Department['kind'], jurisdiction: string | null, name = id): Department {
  return { id, kind, name, jurisdiction, email: null };
}

/** The central city of the tests: two sections, three direct brigades, one county brigade. */
export function cityDepartments(): Department[] {
  return [
    department('section-1', 'section', null, '执法一科'),
    department('section-2', 'section', null, '执法二科'),
    department('brigade-shihe', 'direct-brigade', 'shihe', '浉河大队'),
    department('brigade-pingqiao', 'direct-brigade', 'pingqiao', '平桥大队'),
    department('brigade-yangshan', 'direct-brigade', 'yangshan', '羊山大队'),
    department('county-xixian', 'county-brigade', 'xixian', '息县大队'),
  ];
}

export function unit(id: string, over: Partial<Unit> = {}): Unit {
  return {
    id,
    idKind: 'local',
    name: `单位${id}`,
    category: 'general',
    jurisdiction: 'shihe',
    industry: '制造业',
    address: '信阳市',
    creditRating: null,
    positiveList: false,
    positiveKind: null,
    specialReason: null,
    specialProblem: false,
    status: 'active',
    statusDate: '2020-01-01',
    ...over,
  };
}

/** `n` units with ids `${prefix}0001`…, all with the same fields. */
export function units(prefix: string, n: number, over: Partial<Unit> = {}): Unit[] {
  return Array.from({ length: n }, (_, i) => unit(`${prefix}${String(i + 1).padStart(4, '0')}`, over));
}

export function inspector(id: string, dept: string, over: Partial<Person> = {}, details: Partial<NonNullable<Person['inspector']>> = {}): Person {
  return {
    id,
    name: `执法人员${id}`,
    department: dept,
    roles: ['inspector'],
    email: null,
    inspector: { certificateNo: `C-${id}`, onStaff: true, onPost: true, specialties: [], ...details },
    active: true,
    ...over,
  };
}

export function inspectors(prefix: string, dept: string, n: number): Person[] {
  return Array.from({ length: n }, (_, i) => inspector(`${prefix}${String(i + 1).padStart(3, '0')}`, dept));
}

export function snapshot(parts: Partial<RegistrySnapshot>): RegistrySnapshot {
  return { asOf: '2022-12-31', departments: cityDepartments(), units: [], people: [], conflicts: [] as Conflict[], ...parts };
}
