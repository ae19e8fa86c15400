// Synthetic registries shaped like the 2023 Xinyang programme, reproducible from a seed: the
// departments of the detachment and its partners, key/general/special units with realistic Chinese
// names, inspectors and the people who run the draw, declared conflicts, and the first quarter's
// change lists. Pure: the writer (files/registry/write-files.ts) turns this into import files.
import seedrandom from 'seedrandom';
import type { Conflict, Department, Person, Role, Unit, UnitCategory } from './registry';
import { makeUscc, USCC_CHARSET } from './uscc';

export interface UnitClosure {
  unitId: string;
  name: string;
  status: 'closed' | 'banned';
  date: string;
  reason: string;
}

export type PersonnelChangeKind = 'move' | 'off-post' | 'on-post' | 'off-staff' | 'on-staff' | 'leave' | 'roles';

export interface PersonnelChange {
  personId: string;
  name: string;
  change: PersonnelChangeKind;
  /** New department id (move). */
  department?: string;
  /** Full new role list (roles). */
  roles?: Role[];
  certificateNo?: string;
  date: string;
  reason: string;
}

export interface ConflictDeclaration {
  conflict: Conflict;
  date: string;
}

export interface SyntheticRegistry {
  seed: string;
  scale: number;
  /** Effective date of the base lists (the registry as the year starts). */
  baseDate: string;
  departments: Department[];
  units: Unit[];
  people: Person[];
  conflicts: ConflictDeclaration[];
  /** The first quarter's lists from the brigades, dated inside the quarter. */
  quarter: {
    label: string;
    newUnits: Unit[];
    closures: UnitClosure[];
    personnelChanges: PersonnelChange[];
    conflicts: ConflictDeclaration[];
  };
}

export interface SyntheticOptions {
  seed: string | number;
  /** 1 = the 2023 programme's size (536 general units, 17 special); 136 ≈ 100k units. */
  scale?: number;
}

// --- the shape of the programme at scale 1 ---------------------------------------------------

export const CENTRAL = ['shihe', 'pingqiao', 'yangshan'] as const;
export const COUNTIES = ['luoshan', 'guangshan', 'xinxian', 'shangcheng', 'gushi', 'huangchuan', 'huaibin', 'xixian'] as const;

const PLACE: Record<string, { name: string; short: string; admin: string; local: string }> = {
  shihe: { name: '浉河区', short: '信阳', admin: '411502', local: 'SH' },
  pingqiao: { name: '平桥区', short: '信阳', admin: '411503', local: 'PQ' },
  yangshan: { name: '羊山新区', short: '信阳', admin: '411571', local: 'YS' },
  luoshan: { name: '罗山县', short: '罗山', admin: '411521', local: 'LS' },
  guangshan: { name: '光山县', short: '光山', admin: '411522', local: 'GS' },
  xinxian: { name: '新县', short: '新县', admin: '411523', local: 'XX' },
  shangcheng: { name: '商城县', short: '商城', admin: '411524', local: 'SC' },
  gushi: { name: '固始县', short: '固始', admin: '411525', local: 'GU' },
  huangchuan: { name: '潢川县', short: '潢川', admin: '411526', local: 'HC' },
  huaibin: { name: '淮滨县', short: '淮滨', admin: '411527', local: 'HB' },
  xixian: { name: '息县', short: '息县', admin: '411528', local: 'XI' },
};

/** Units per category and jurisdiction at scale 1. General: 536 in all; special: 17 (11 with problems). */
export const BASE_COUNTS: Record<UnitCategory, Record<string, number>> = {
  key: { shihe: 35, pingqiao: 35, yangshan: 32, luoshan: 10, guangshan: 10, xinxian: 8, shangcheng: 10, gushi: 12, huangchuan: 10, huaibin: 10, xixian: 10 },
  general: { shihe: 185, pingqiao: 195, yangshan: 156 },
  special: { shihe: 5, pingqiao: 7, yangshan: 5 },
};
const SPECIAL_WITH_PROBLEMS: Record<string, number> = { shihe: 3, pingqiao: 5, yangshan: 3 };
/** Departments whose people inspect (two sections city-wide, the three direct brigades). */
export const INSPECTING_DEPARTMENTS = ['section-1', 'section-2', 'brigade-shihe', 'brigade-pingqiao', 'brigade-yangshan'] as const;
const INSPECTORS_PER_DEPARTMENT = 8;

function departmentsList(): Department[] {
  const mail = (id: string): string => `${id}@example.org`;
  const deps: Department[] = [
    { id: 'section-1', kind: 'section', name: '执法一科', jurisdiction: null, email: mail('section-1') },
    { id: 'section-2', kind: 'section', name: '执法二科', jurisdiction: null, email: mail('section-2') },
    { id: 'section-3', kind: 'section', name: '办公室', jurisdiction: null, email: mail('section-3') },
    { id: 'brigade-shihe', kind: 'direct-brigade', name: '浉河大队', jurisdiction: 'shihe', email: mail('brigade-shihe') },
    { id: 'brigade-pingqiao', kind: 'direct-brigade', name: '平桥大队', jurisdiction: 'pingqiao', email: mail('brigade-pingqiao') },
    { id: 'brigade-yangshan', kind: 'direct-brigade', name: '羊山大队', jurisdiction: 'yangshan', email: mail('brigade-yangshan') },
  ];
  for (const c of COUNTIES) {
    deps.push({ id: `county-${c}`, kind: 'county-brigade', name: `${PLACE[c]!.name}生态环境综合行政执法大队`, jurisdiction: c, email: mail(`county-${c}`) });
  }
  deps.push(
    { id: 'agency-market', kind: 'agency', name: '信阳市市场监督管理局', jurisdiction: null, email: mail('agency-market') },
    { id: 'agency-emergency', kind: 'agency', name: '信阳市应急管理局', jurisdiction: null, email: mail('agency-emergency') },
    { id: 'agency-resources', kind: 'agency', name: '信阳市自然资源和规划局', jurisdiction: null, email: mail('agency-resources') },
    { id: 'agency-water', kind: 'agency', name: '信阳市水利局', jurisdiction: null, email: mail('agency-water') },
    { id: 'agency-bureau', kind: 'agency', name: '信阳市生态环境局', jurisdiction: null, email: mail('agency-bureau') },
  );
  return deps;
}

// --- word lists -----------------------------------------------------------------------------

const BRANDS = [
  '华丰', '鑫源', '宏达', '天润', '恒通', '金牛', '瑞祥', '豫信', '申城', '茗阳', '淮河', '南湾', '龙潭', '百花', '红星', '新港',
  '盛华', '中原', '博远', '汇丰', '永兴', '昌盛', '金山', '润泽', '华信', '嘉禾', '东方', '顺发', '富源', '正阳', '鸿运', '泰和',
  '明港', '柳林', '贤山', '震雷', '大别山', '鸡公山', '毛尖', '信达', '长江', '双井', '五星', '三和', '方圆', '安泰', '兴隆', '裕丰',
];
const INDUSTRIES: { industry: string; words: string[]; weight: number }[] = [
  { industry: '非金属矿物制品业', words: ['建材', '水泥制品', '新型墙材', '商品混凝土'], weight: 14 },
  { industry: '农副食品加工业', words: ['食品', '粮油', '米业', '饲料'], weight: 12 },
  { industry: '酒、饮料和精制茶制造业', words: ['茶业', '茶叶', '酒业', '饮品'], weight: 8 },
  { industry: '化学原料和化学制品制造业', words: ['化工', '精细化工', '涂料', '化肥'], weight: 8 },
  { industry: '金属制品业', words: ['金属制品', '钢构', '铸造', '五金'], weight: 8 },
  { industry: '纺织业', words: ['纺织', '棉业', '服饰'], weight: 6 },
  { industry: '医药制造业', words: ['制药', '生物科技', '药业'], weight: 4 },
  { industry: '造纸和纸制品业', words: ['纸业', '包装材料', '纸品'], weight: 4 },
  { industry: '电力、热力生产和供应业', words: ['热电', '能源', '新能源'], weight: 3 },
  { industry: '汽车修理与维护', words: ['汽车服务', '汽修'], weight: 8 },
  { industry: '牲畜饲养', words: ['养殖', '生猪养殖', '牧业'], weight: 8 },
  { industry: '污水处理及其再生利用', words: ['水务', '污水处理', '环保科技'], weight: 5 },
  { industry: '印刷和记录媒介复制业', words: ['印务', '印刷'], weight: 3 },
  { industry: '医疗卫生', words: ['医院', '卫生院'], weight: 3 },
];
const SUFFIXES = ['有限公司', '有限公司', '有限责任公司', '股份有限公司', '厂'];
const STREETS = [
  '新华路', '民权路', '胜利路', '中山路', '东方红大道', '新七大道', '工区路', '湖东大道', '羊山大道', '平桥大道', '南京大道', '长安路',
  '北京大街', '新二十四大街', '宋基路', '五星路', '向阳路', '浉河南路', '浉河北路', '茶韵路', '产业集聚区纬二路', '明港大道',
];
const TOWNS = ['城关镇', '产业集聚区', '工业园区', '高新区', '经济开发区', '新区'];
const PROJECT_TYPES = ['道路改造工程', '小区二期建设项目', '综合体建设项目', '污水管网工程', '安置房建设项目', '厂房建设项目', '学校新建工程', '桥梁改建工程'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '周', '吴', '徐', '孙', '胡', '朱', '高', '林', '何', '郭', '马', '罗', '余', '彭', '汪', '熊', '曹'];
const GIVEN = ['伟', '芳', '娜', '敏', '静', '磊', '洋', '勇', '军', '杰', '涛', '明', '超', '霞', '平', '刚', '桂英', '建华', '国强', '海燕', '志刚', '红梅', '永红', '晓东', '文博', '子涵', '思远', '雪梅'];
const SPECIALTIES = ['水污染', '大气污染', '固体废物', '噪声', '辐射', '建设项目'];
const SPECIAL_REASONS = ['penalised', 'supervised-handling', 'poor-credit', 'major-risk', 'complaints'];
const CONFLICT_REASONS = ['relative', 'former-employer', 'shareholder', 'declared'];
const CLOSURE_REASONS = ['企业自行停产关闭', '不符合产业政策依法关闭', '无证排污依法取缔', '项目竣工'];

// --- generator ------------------------------------------------------------------------------

class Rng {
  private readonly r: seedrandom.PRNG;
  constructor(seed: string) {
    this.r = seedrandom(seed);
  }
  next(): number {
    return this.r.quick();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  weighted<T extends { weight: number }>(xs: readonly T[]): T {
    let x = this.next() * xs.reduce((s, v) => s + v.weight, 0);
    for (const v of xs) if ((x -= v.weight) < 0) return v;
    return xs[xs.length - 1] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  date(fromYear: number, toYear: number): string {
    const from = Date.UTC(fromYear, 0, 1);
    const to = Date.UTC(toYear, 11, 31);
    return new Date(from + this.int(Math.floor((to - from) / 86_400_000) + 1) * 86_400_000).toISOString().slice(0, 10);
  }
  dateIn(from: string, to: string): string {
    const a = Date.parse(`${from}T00:00:00Z`);
    const b = Date.parse(`${to}T00:00:00Z`);
    return new Date(a + this.int((b - a) / 86_400_000 + 1) * 86_400_000).toISOString().slice(0, 10);
  }
}

function scaled(n: number, scale: number): number {
  return n === 0 ? 0 : Math.max(1, Math.round(n * scale));
}

export function generateRegistry(options: SyntheticOptions): SyntheticRegistry {
  const scale = options.scale ?? 1;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`scale must be a positive number, got ${scale}`);
  const seed = String(options.seed);
  const rng = new Rng(`ssj-synthetic|${seed}`);
  const baseDate = '2022-12-31';
  const departments = departmentsList();

  const usedIds = new Set<string>();
  const usedNames = new Set<string>();
  const localSerial = new Map<string, number>();

  const uscc = (place: string): string => {
    for (;;) {
      let body = '';
      for (let i = 0; i < 9; i++) body += rng.pick([...USCC_CHARSET]);
      const id = makeUscc(`91${PLACE[place]!.admin}${body}`);
      if (!usedIds.has(id)) {
        usedIds.add(id);
        return id;
      }
    }
  };
  const localCode = (place: string, year: number): string => {
    const n = (localSerial.get(place) ?? 0) + 1;
    localSerial.set(place, n);
    const id = `LOCAL-${PLACE[place]!.local}-${year}-${String(n).padStart(4, '0')}`;
    usedIds.add(id);
    return id;
  };
  const address = (place: string): string => {
    const p = PLACE[place]!;
    const town = (CENTRAL as readonly string[]).includes(place) ? '' : rng.pick(TOWNS);
    return `河南省信阳市${p.name}${town}${rng.pick(STREETS)}${1 + rng.int(300)}号`;
  };
  // Names are unique; when the word lists run out (large scales), a lot or branch number is added.
  const unique = (make: () => string, extend: (name: string, k: number) => string): string => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const name = make();
      if (!usedNames.has(name)) {
        usedNames.add(name);
        return name;
      }
    }
    const stem = make();
    for (let k = 2; ; k++) {
      const name = extend(stem, k);
      if (!usedNames.has(name)) {
        usedNames.add(name);
        return name;
      }
    }
  };
  const companyName = (place: string, words: string[]): string =>
    unique(
      () => `${PLACE[place]!.short}${rng.pick(BRANDS)}${rng.pick(words)}${rng.pick(SUFFIXES)}`,
      (name, k) => `${name}第${k}分厂`,
    );
  const projectName = (place: string): string =>
    unique(
      () => `${PLACE[place]!.name}${rng.pick(STREETS).replace(/路|大道|大街/, '')}${rng.pick(PROJECT_TYPES)}`,
      (name, k) => `${name}（${k}号地块）`,
    );
  const rating = (): Unit['creditRating'] => {
    const x = rng.next();
    return x < 0.25 ? 'a' : x < 0.5 ? 'b' : x < 0.7 ? 'c' : x < 0.8 ? 'd' : null;
  };

  const makeUnit = (category: UnitCategory, place: string, statusDate: string, year: number): Unit => {
    const project = category === 'general' && rng.chance(0.15);
    if (project) {
      const local = rng.chance(0.5);
      return {
        id: local ? localCode(place, year) : uscc(place),
        idKind: local ? 'local' : 'uscc',
        name: projectName(place),
        category,
        jurisdiction: place,
        industry: '建设项目',
        address: address(place),
        creditRating: null,
        positiveList: false,
        positiveKind: null,
        specialReason: null,
        specialProblem: false,
        status: 'active',
        statusDate,
      };
    }
    const ind = rng.weighted(INDUSTRIES);
    return {
      id: uscc(place),
      idKind: 'uscc',
      name: companyName(place, ind.words),
      category,
      jurisdiction: place,
      industry: ind.industry,
      address: address(place),
      creditRating: rating(),
      positiveList: false,
      positiveKind: null,
      specialReason: null,
      specialProblem: false,
      status: 'active',
      statusDate,
    };
  };

  const units: Unit[] = [];
  for (const category of ['key', 'general', 'special'] as const) {
    for (const [place, base] of Object.entries(BASE_COUNTS[category])) {
      const n = scaled(base, scale);
      const withProblems = category === 'special' ? Math.min(n, scaled(SPECIAL_WITH_PROBLEMS[place] ?? 0, scale)) : 0;
      for (let i = 0; i < n; i++) {
        const u = makeUnit(category, place, rng.date(2012, 2022), 2022);
        if (category === 'key' && rng.chance(0.08)) {
          u.positiveList = true;
          u.positiveKind = rng.weighted([
            { v: 'epidemic-supplies', weight: 2 },
            { v: 'livelihood', weight: 5 },
            { v: 'other', weight: 1 },
          ]).v;
        }
        if (category === 'special') {
          u.specialReason = rng.pick(SPECIAL_REASONS);
          u.specialProblem = i < withProblems;
          if (u.specialReason === 'poor-credit') u.creditRating = 'd';
        }
        units.push(u);
      }
    }
  }

  // People.
  const people: Person[] = [];
  let personSerial = 0;
  let certSerial = 0;
  const personName = (): string => rng.pick(SURNAMES) + rng.pick(GIVEN);
  const addPerson = (department: string, roles: Role[], inspector: Person['inspector'] = null, active = true): Person => {
    const id = `P${String(++personSerial).padStart(4, '0')}`;
    const p: Person = { id, name: personName(), department, roles, email: `${id.toLowerCase()}@example.org`, inspector, active };
    people.push(p);
    return p;
  };
  const certified = (onStaff = true, onPost = true): NonNullable<Person['inspector']> => ({
    certificateNo: `41150${String(++certSerial).padStart(5, '0')}`,
    onStaff,
    onPost,
    specialties: [rng.pick(SPECIALTIES), rng.pick(SPECIALTIES)].filter((s, i, a) => a.indexOf(s) === i),
  });

  addPerson('section-3', ['detachment-leader']);
  addPerson('section-3', ['manager']);
  addPerson('section-3', ['manager']);
  addPerson('section-3', ['admin']);
  addPerson('section-3', ['discipline']);
  addPerson('agency-bureau', ['superior-contact']);
  const perDepartment = Math.max(3, Math.round(INSPECTORS_PER_DEPARTMENT * scale));
  const extras = Math.max(1, Math.round(scale));
  for (const dep of INSPECTING_DEPARTMENTS) {
    if (dep.startsWith('brigade-')) addPerson(dep, ['brigade-leader']);
    for (let i = 0; i < perDepartment; i++) addPerson(dep, ['inspector'], certified());
  }
  for (let i = 0; i < extras; i++) {
    addPerson('brigade-shihe', ['inspector'], certified(true, false)); // off post (e.g. seconded)
    addPerson('section-2', ['inspector'], certified(false, true)); // not on staff (contract)
    addPerson('brigade-pingqiao', ['inspector'], certified(), false); // left the detachment
  }

  // Conflicts: about one for every two active inspectors, with a unit they could be sent to.
  const inspectors = people.filter((p) => p.inspector && p.active);
  const unitsByPlace = new Map<string, Unit[]>();
  for (const u of units) {
    const list = unitsByPlace.get(u.jurisdiction);
    if (list) list.push(u);
    else unitsByPlace.set(u.jurisdiction, [u]);
  }
  const keyUnits = units.filter((u) => u.category === 'key');
  const conflicts: ConflictDeclaration[] = [];
  const conflictKeys = new Set<string>();
  const declare = (into: ConflictDeclaration[], p: Person, from: string, to: string): void => {
    const dep = departments.find((d) => d.id === p.department)!;
    const pool = dep.jurisdiction ? unitsByPlace.get(dep.jurisdiction) ?? [] : keyUnits;
    const u = rng.pick(pool);
    const key = `${p.id}:${u.id}`;
    if (conflictKeys.has(key)) return;
    conflictKeys.add(key);
    into.push({ conflict: { inspectorId: p.id, unitId: u.id, reason: rng.pick(CONFLICT_REASONS) }, date: rng.dateIn(from, to) });
  };
  // Declared before the registry's start: they take effect with the base lists.
  for (const p of inspectors) if (rng.chance(0.5)) declare(conflicts, p, baseDate, baseDate);

  // The first quarter's change lists.
  const q = { from: '2023-01-01', to: '2023-03-31' };
  const newUnits: Unit[] = [];
  for (const place of CENTRAL) {
    const n = scaled(Math.round(BASE_COUNTS.general[place]! * 0.03), scale);
    for (let i = 0; i < n; i++) newUnits.push(makeUnit('general', place, rng.dateIn(q.from, q.to), 2023));
  }
  const closures: UnitClosure[] = [];
  const closable = units.filter((u) => u.category !== 'key');
  const closedIds = new Set<string>();
  for (let i = 0; i < scaled(8, scale); i++) {
    const u = rng.pick(closable);
    if (closedIds.has(u.id)) continue;
    closedIds.add(u.id);
    const banned = rng.chance(0.25);
    closures.push({
      unitId: u.id,
      name: u.name,
      status: banned ? 'banned' : 'closed',
      date: rng.dateIn(q.from, q.to),
      reason: banned ? CLOSURE_REASONS[2]! : u.industry === '建设项目' ? CLOSURE_REASONS[3]! : rng.pick(CLOSURE_REASONS.slice(0, 2)),
    });
  }
  closures.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.unitId < b.unitId ? -1 : 1));
  const onDuty = (dep: string): Person[] => inspectors.filter((p) => p.department === dep && p.inspector!.onPost && p.inspector!.onStaff);
  const mover = rng.pick(onDuty('brigade-yangshan'));
  const offPost = rng.pick(onDuty('section-1'));
  const leaderToInspector = people.find((p) => p.roles.includes('brigade-leader') && p.department === 'brigade-pingqiao')!;
  const personnelChanges: PersonnelChange[] = [
    { personId: mover.id, name: mover.name, change: 'move', department: 'brigade-shihe', date: rng.dateIn(q.from, q.to), reason: '工作调整' },
    { personId: offPost.id, name: offPost.name, change: 'off-post', date: rng.dateIn(q.from, q.to), reason: '借调' },
    {
      personId: leaderToInspector.id,
      name: leaderToInspector.name,
      change: 'roles',
      roles: ['brigade-leader', 'inspector'],
      certificateNo: `41150${String(++certSerial).padStart(5, '0')}`,
      date: rng.dateIn(q.from, q.to),
      reason: '取得执法证',
    },
  ];
  personnelChanges.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const quarterConflicts: ConflictDeclaration[] = [];
  for (let i = 0; i < scaled(3, scale); i++) declare(quarterConflicts, rng.pick(inspectors), q.from, q.to);

  // Each county brigade's leader: sends the county's quarterly change list and receives the
  // supervision notices. Added last, so that every draw of the generator above stays as it was.
  for (const dep of departments) if (dep.kind === 'county-brigade') addPerson(dep.id, ['brigade-leader']);

  return {
    seed,
    scale,
    baseDate,
    departments,
    units,
    people,
    conflicts,
    quarter: { label: '2023Q1', newUnits, closures, personnelChanges, conflicts: quarterConflicts },
  };
}
