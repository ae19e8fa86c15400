// Writes the small example registry files in examples/registry/ (CSV for every kind, .xlsx for
// units and people, and one deliberately broken file). Run: npx tsx scripts/make-registry-examples.ts
// The files are committed; this script documents how they were made and re-makes them identically.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Person, Unit } from '../domain/registry';
import { generateRegistry, type ConflictDeclaration, type PersonnelChange, type UnitClosure } from '../domain/synthetic';
import { makeUscc } from '../domain/uscc';
import {
  closedUnitsSheet,
  conflictsSheet,
  departmentsSheet,
  newUnitsSheet,
  peopleSheet,
  personnelChangesSheet,
  sheetToCsv,
  sheetToXlsx,
  unitsSheet,
  type Sheet,
} from '../files/registry/write-files';

const OUT = path.join(__dirname, '..', 'examples', 'registry');

const base = {
  creditRating: null,
  positiveList: false,
  positiveKind: null,
  specialReason: null,
  specialProblem: false,
  status: 'active',
} as const;

const units: Unit[] = [
  { ...base, id: makeUscc('91411502MA44X0K1A'), idKind: 'uscc', name: '信阳华丰建材有限公司', category: 'key', jurisdiction: 'shihe', industry: '非金属矿物制品业', address: '河南省信阳市浉河区工区路88号', creditRating: 'b', statusDate: '2016-05-10' },
  { ...base, id: makeUscc('91411503MA45B7Q2C'), idKind: 'uscc', name: '信阳茗阳茶业有限公司', category: 'key', jurisdiction: 'pingqiao', industry: '酒、饮料和精制茶制造业', address: '河南省信阳市平桥区平桥大道16号', creditRating: 'a', positiveList: true, positiveKind: 'livelihood', statusDate: '2012-03-01' },
  { ...base, id: makeUscc('91411571MA46C8R3D'), idKind: 'uscc', name: '信阳天润热电有限公司', category: 'key', jurisdiction: 'yangshan', industry: '电力、热力生产和供应业', address: '河南省信阳市羊山新区新七大道201号', creditRating: 'c', statusDate: '2014-09-30' },
  { ...base, id: makeUscc('91411521MA47D9T4E'), idKind: 'uscc', name: '罗山鑫源食品有限公司', category: 'key', jurisdiction: 'luoshan', industry: '农副食品加工业', address: '河南省信阳市罗山县产业集聚区宋基路9号', creditRating: 'b', statusDate: '2018-11-12' },
  { ...base, id: makeUscc('91411502MA48E1U5F'), idKind: 'uscc', name: '信阳恒通汽车服务有限公司', category: 'general', jurisdiction: 'shihe', industry: '汽车修理与维护', address: '河南省信阳市浉河区民权路120号', statusDate: '2019-04-02' },
  { ...base, id: makeUscc('91411503MA49F2W6G'), idKind: 'uscc', name: '信阳金牛养殖有限公司', category: 'general', jurisdiction: 'pingqiao', industry: '牲畜饲养', address: '河南省信阳市平桥区明港大道66号', creditRating: 'c', statusDate: '2017-08-21' },
  { ...base, id: 'LOCAL-SH-2022-0001', idKind: 'local', name: '浉河区新华路道路改造工程', category: 'general', jurisdiction: 'shihe', industry: '建设项目', address: '河南省信阳市浉河区新华路', statusDate: '2022-06-01' },
  { ...base, id: makeUscc('91411571MA4AG3X7H'), idKind: 'uscc', name: '信阳瑞祥印务有限公司', category: 'general', jurisdiction: 'yangshan', industry: '印刷和记录媒介复制业', address: '河南省信阳市羊山新区长安路35号', creditRating: 'a', statusDate: '2020-01-15' },
  { ...base, id: makeUscc('91411503MA4BH4Y8J'), idKind: 'uscc', name: '信阳宏达化工有限公司', category: 'special', jurisdiction: 'pingqiao', industry: '化学原料和化学制品制造业', address: '河南省信阳市平桥区产业集聚区纬二路7号', creditRating: 'd', specialReason: 'penalised', specialProblem: true, statusDate: '2015-07-07' },
  { ...base, id: makeUscc('91411502MA4CJ5A9K'), idKind: 'uscc', name: '信阳南湾水务有限公司', category: 'special', jurisdiction: 'shihe', industry: '污水处理及其再生利用', address: '河南省信阳市浉河区浉河南路2号', creditRating: 'b', specialReason: 'complaints', statusDate: '2013-10-18' },
];

const newUnits: Unit[] = [
  { ...base, id: makeUscc('91411503MA4DK6B1L'), idKind: 'uscc', name: '信阳博远包装材料有限公司', category: 'general', jurisdiction: 'pingqiao', industry: '造纸和纸制品业', address: '河南省信阳市平桥区平桥大道300号', statusDate: '2023-02-14' },
  { ...base, id: 'LOCAL-YS-2023-0001', idKind: 'local', name: '羊山新区北京大街综合体建设项目', category: 'general', jurisdiction: 'yangshan', industry: '建设项目', address: '河南省信阳市羊山新区北京大街', statusDate: '2023-03-06' },
];

const closures: UnitClosure[] = [
  { unitId: units[5]!.id, name: units[5]!.name, status: 'closed', date: '2023-02-28', reason: '企业自行停产关闭' },
  { unitId: 'LOCAL-SH-2022-0001', name: '浉河区新华路道路改造工程', status: 'closed', date: '2023-03-20', reason: '项目竣工' },
];

const insp = (certificateNo: string, specialties: string[], onPost = true, onStaff = true): Person['inspector'] => ({ certificateNo, onStaff, onPost, specialties });
const mail = (id: string): string => `${id.toLowerCase()}@example.org`;
const people: Person[] = [
  { id: 'P0001', name: '周建华', department: 'section-3', roles: ['detachment-leader'], email: mail('P0001'), inspector: null, active: true },
  { id: 'P0002', name: '陈国强', department: 'section-3', roles: ['manager'], email: mail('P0002'), inspector: null, active: true },
  { id: 'P0003', name: '刘海燕', department: 'section-3', roles: ['admin'], email: mail('P0003'), inspector: null, active: true },
  { id: 'P0004', name: '孙红梅', department: 'section-3', roles: ['discipline'], email: mail('P0004'), inspector: null, active: true },
  { id: 'P0005', name: '王志刚', department: 'brigade-shihe', roles: ['brigade-leader', 'inspector'], email: mail('P0005'), inspector: insp('4115000001', ['水污染']), active: true },
  { id: 'P0006', name: '李晓东', department: 'brigade-shihe', roles: ['inspector'], email: mail('P0006'), inspector: insp('4115000002', ['大气污染', '噪声']), active: true },
  { id: 'P0007', name: '张静', department: 'brigade-shihe', roles: ['inspector'], email: mail('P0007'), inspector: insp('4115000003', ['固体废物']), active: true },
  { id: 'P0008', name: '杨磊', department: 'brigade-pingqiao', roles: ['inspector'], email: mail('P0008'), inspector: insp('4115000004', ['水污染']), active: true },
  { id: 'P0009', name: '黄文博', department: 'brigade-pingqiao', roles: ['inspector'], email: mail('P0009'), inspector: insp('4115000005', ['建设项目']), active: true },
  { id: 'P0010', name: '赵敏', department: 'brigade-yangshan', roles: ['inspector'], email: mail('P0010'), inspector: insp('4115000006', ['大气污染']), active: true },
  { id: 'P0011', name: '吴勇', department: 'brigade-yangshan', roles: ['inspector'], email: mail('P0011'), inspector: insp('4115000007', ['辐射'], false), active: true },
  { id: 'P0012', name: '徐思远', department: 'section-1', roles: ['inspector'], email: mail('P0012'), inspector: insp('4115000008', ['水污染', '大气污染']), active: true },
  { id: 'P0013', name: '郭雪梅', department: 'section-1', roles: ['inspector'], email: mail('P0013'), inspector: insp('4115000009', ['固体废物'], true, false), active: true },
  { id: 'P0014', name: '马超', department: 'section-2', roles: ['inspector'], email: mail('P0014'), inspector: insp('4115000010', ['噪声']), active: true },
  { id: 'P0015', name: '何平', department: 'agency-bureau', roles: ['superior-contact'], email: mail('P0015'), inspector: null, active: true },
];

const conflicts: ConflictDeclaration[] = [
  { conflict: { inspectorId: 'P0006', unitId: units[0]!.id, reason: 'relative' }, date: '2022-12-31' },
  { conflict: { inspectorId: 'P0008', unitId: units[8]!.id, reason: 'former-employer' }, date: '2022-12-31' },
];

const personnelChanges: PersonnelChange[] = [
  { personId: 'P0010', name: '赵敏', change: 'move', department: 'brigade-shihe', date: '2023-01-16', reason: '工作调整' },
  { personId: 'P0011', name: '吴勇', change: 'on-post', date: '2023-02-01', reason: '借调结束返岗' },
  { personId: 'P0014', name: '马超', change: 'off-post', date: '2023-03-01', reason: '脱产学习' },
  { personId: 'P0003', name: '刘海燕', change: 'roles', roles: ['admin', 'inspector'], certificateNo: '4115000011', date: '2023-03-10', reason: '取得执法证' },
];

async function main(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  const departments = generateRegistry({ seed: 'examples', scale: 1 }).departments;
  const write = async (name: string, sheet: Sheet, xlsx = false): Promise<void> => {
    fs.writeFileSync(path.join(OUT, `${name}.csv`), sheetToCsv(sheet));
    if (xlsx) fs.writeFileSync(path.join(OUT, `${name}.xlsx`), await sheetToXlsx(sheet));
  };
  await write('departments', departmentsSheet(departments));
  await write('units', unitsSheet(units), true);
  await write('people', peopleSheet(people, departments), true);
  await write('conflicts', conflictsSheet(conflicts));
  await write('new-units-2023Q1', newUnitsSheet(newUnits));
  await write('closed-units-2023Q1', closedUnitsSheet(closures));
  await write('personnel-changes-2023Q1', personnelChangesSheet(personnelChanges, departments));

  // A file with several problems, to show (and test) how a refused import reads.
  const broken = unitsSheet(units.slice(0, 4));
  const bad = (r: number, c: number, v: string): void => {
    broken.rows[r]![c] = v;
  };
  bad(0, 0, units[0]!.id.slice(0, 17) + (units[0]!.id[17] === '0' ? '1' : '0')); // wrong check character
  bad(1, 2, '重要'); // not a category
  bad(2, 3, '南湾区'); // unknown district
  bad(3, 12, '2023-02-30'); // no such date
  broken.rows.push([...broken.rows[1]!]); // duplicate id (row 2's, whose category is already wrong)
  fs.mkdirSync(path.join(OUT, 'broken'), { recursive: true });
  fs.writeFileSync(path.join(OUT, 'broken', 'units-with-errors.csv'), sheetToCsv(broken));
  process.stdout.write(`wrote ${fs.readdirSync(OUT).join(', ')} in ${OUT}\n`);
}

void main();
