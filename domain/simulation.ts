// Simulated people for the demo and tests: given the drawn inspections, decide (reproducibly, from a
// seed) what each team, witness and manager does and on which programme day. Every path of the
// quarter is covered at least once when the draw offers a unit that fits it: on-time and late
// reports, an escalation, a recusal, a closed unit replaced, a section's findings handed to a county
// brigade (监察通知) and to a direct brigade (移交表), a referral (移送), a rejected hand-over.
// Pure: the driver (scripts/demo.ts) turns steps into Updates when the programme clock reaches them.
import seedrandom from 'seedrandom';
import { addDays } from './calendar';
import type { ResultReport } from './outcomes';

export const scenarios = [
  'on-time',
  'late',
  'escalated',
  'recusal',
  'closed',
  'could-not-inspect',
  'own-finding',
  'handover-county',
  'handover-direct',
  'handover-rejected',
  'referral',
] as const;
export type Scenario = (typeof scenarios)[number];

/** One drawn inspection as the simulated people see it. */
export interface SimInspection {
  unitId: string;
  poolId: string;
  department: string;
  departmentKind: string;
  /** The unit's area (a central-city district or a county). */
  jurisdiction: string;
}

export interface SimContext {
  seed: string;
  /** Programme dates: the first day teams may act (the day after the draw), the time limit, the end of grace. */
  dates: { from: string; due: string; escalateAfter: string };
  managers: string[];
  /** Agencies a referral may go to (department ids of kind agency). */
  agencies: string[];
  /** Areas covered by county brigades (a section's findings there go by 监察通知). */
  countyAreas: string[];
}

/**
 * What a simulated person does. Team-dependent fields are filled in when the step runs, from the
 * team as it stands then (a recusal changes it): `lead` is the first of the team, `second` the next.
 */
export type SimAction =
  | { kind: 'report'; result: ResultReport['result']; evidence: string[] }
  | { kind: 'recuse'; reasonCode: string; note: string }
  | { kind: 'recusal-decision'; by: string; decision: 'approve' | 'reject'; reasonCode: string | null; note: string }
  | { kind: 'unit-closed'; reasonCode: string; note: string }
  | { kind: 'replacement-decision'; by: string; decision: 'approve' | 'reject'; reasonCode: string | null; note: string }
  | { kind: 'handover-decision'; by: string; decision: 'approve' | 'reject'; reasonCode: string | null; note: string };

export interface SimStep {
  /** Programme date on which the step is taken. */
  on: string;
  action: SimAction;
}

export interface UnitScript {
  unitId: string;
  scenario: Scenario;
  steps: SimStep[];
}

/** Which scenarios a unit can play: hand-overs need a section; a replacement needs a pool with spare units. */
export function fits(s: Scenario, x: SimInspection, ctx: Pick<SimContext, 'countyAreas'>): boolean {
  const section = x.departmentKind === 'section';
  switch (s) {
    case 'handover-county':
      return section && ctx.countyAreas.includes(x.jurisdiction);
    case 'handover-direct':
      return section && !ctx.countyAreas.includes(x.jurisdiction);
    case 'handover-rejected':
      return section;
    case 'referral':
    case 'own-finding':
      return !section;
    case 'closed':
    case 'recusal':
      // General pools are large, so a replacement unit or inspector is always there to draw.
      return x.poolId.startsWith('general.');
    default:
      return true;
  }
}

/** The paths every demo run must show, in the order they are given a unit. */
export const REQUIRED: Scenario[] = [
  'handover-county',
  'handover-direct',
  'handover-rejected',
  'referral',
  'closed',
  'recusal',
  'escalated',
  'late',
  'late',
  'own-finding',
  'could-not-inspect',
];

const FINDINGS = [
  '废气收集处理设施未正常运行，车间无组织排放明显',
  '危险废物贮存场所未按规范设置标识，台账记录不全',
  '污水处理设施运行记录缺失，排放口标志牌损坏',
  '未按排污许可证要求开展自行监测',
  '原料露天堆放，未采取防尘措施',
];
const REFERRAL_FINDINGS = [
  '企业无营业执照从事经营活动（属市场监管部门职责）',
  '厂区存在重大安全生产隐患（属应急管理部门职责）',
];
// Reasons as people give them: a code of the shipped programme (config/programme.json `reasons`)
// and a note in their words, which stays internal.
const RECUSAL_REASONS = [
  { reasonCode: 'kinship', note: '本人近亲属在该单位任职' },
  { reasonCode: 'former-employment', note: '本人曾在该单位工作未满三年' },
  { reasonCode: 'financial-interest', note: '与该单位负责人存在经济往来' },
];
const CLOSED_REASONS = [
  { reasonCode: 'closed', note: '现场核实该单位已停产关闭，厂房已拆除' },
  { reasonCode: 'banned', note: '该单位已依法取缔，现场无生产活动' },
];

class Rng {
  private readonly r: seedrandom.PRNG;
  constructor(seed: string) {
    this.r = seedrandom(seed);
  }
  int(n: number): number {
    return Math.floor(this.r.quick() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  between(from: string, to: string): string {
    const days = Math.max(0, Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000));
    return addDays(from, this.int(days + 1));
  }
  shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }
}

/**
 * Gives every drawn inspection a scenario: the required paths first (each to the first unit, in a
 * seeded shuffle, that fits), the rest mostly on time with some findings. Same seed and inspections,
 * same answer.
 */
export function assignScenarios(inspections: SimInspection[], ctx: SimContext): Map<string, Scenario> {
  const rng = new Rng(`ssj-simulation|${ctx.seed}|assign`);
  const sorted = [...inspections].sort((a, b) => (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0));
  const order = rng.shuffle(sorted);
  const out = new Map<string, Scenario>();
  for (const s of REQUIRED) {
    const x = order.find((i) => !out.has(i.unitId) && fits(s, i, ctx));
    if (x) out.set(x.unitId, s);
  }
  for (const x of order) {
    if (out.has(x.unitId)) continue;
    const roll = rng.int(100);
    const wanted: Scenario = roll < 8 ? 'own-finding' : roll < 12 ? 'handover-direct' : roll < 14 ? 'late' : 'on-time';
    out.set(x.unitId, fits(wanted, x, ctx) ? wanted : 'on-time');
  }
  return out;
}

/** The steps one unit's people take for `scenario`, starting no earlier than `from` (e.g. a replacement unit's start). */
export function scriptFor(x: SimInspection, scenario: Scenario, ctx: SimContext, from = ctx.dates.from): UnitScript {
  const rng = new Rng(`ssj-simulation|${ctx.seed}|${x.unitId}|${scenario}`);
  const { due, escalateAfter } = ctx.dates;
  // Keep a margin of two days on either side of a deadline, so a step taken a tick late still
  // lands on the intended side of it.
  const lastOnTime = addDays(due, -2) < from ? from : addDays(due, -2);
  const onTimeDay = (earliest = from): string => rng.between(earliest, lastOnTime < earliest ? earliest : lastOnTime);
  const manager = rng.pick(ctx.managers);
  const report = (on: string, result: ResultReport['result']): SimStep => ({
    on,
    action: { kind: 'report', result, evidence: [`现场检查笔录 ${x.unitId.slice(-6)}-${on.replace(/-/g, '')}`] },
  });
  const noProblem: ResultReport['result'] = { outcome: 'no-problem' };
  const finding = (referTo: string | null = null): ResultReport['result'] => ({
    outcome: 'problems-found',
    description: rng.pick(referTo ? REFERRAL_FINDINGS : FINDINGS),
    referTo,
  });
  const steps: SimStep[] = [];
  switch (scenario) {
    case 'on-time':
      steps.push(report(onTimeDay(), noProblem));
      break;
    case 'late': {
      const lateFrom = addDays(due, 2);
      const lateTo = addDays(escalateAfter, -1) < lateFrom ? lateFrom : addDays(escalateAfter, -1);
      steps.push(report(rng.between(lateFrom, lateTo), noProblem));
      break;
    }
    case 'escalated':
      steps.push(report(addDays(escalateAfter, 2 + rng.int(3)), noProblem));
      break;
    case 'recusal': {
      const d = onTimeDay();
      // The inspector declares; the leader in charge approves the next day; the new team reports.
      steps.push({ on: d, action: { kind: 'recuse', ...rng.pick(RECUSAL_REASONS) } });
      steps.push({ on: addDays(d, 1), action: { kind: 'recusal-decision', by: manager, decision: 'approve', reasonCode: null, note: '经核实属应当回避情形，同意回避' } });
      steps.push(report(onTimeDay(addDays(d, 3)), noProblem));
      break;
    }
    case 'closed': {
      const d = onTimeDay();
      steps.push({ on: d, action: { kind: 'unit-closed', ...rng.pick(CLOSED_REASONS) } });
      steps.push({ on: addDays(d, 2), action: { kind: 'replacement-decision', by: manager, decision: 'approve', reasonCode: null, note: '经核实确已关闭，同意按规则递补' } });
      break;
    }
    case 'could-not-inspect':
      steps.push(report(onTimeDay(), { outcome: 'could-not-inspect', reasonCode: 'suspended', note: '企业停产检修，现场无生产活动，无法开展检查' }));
      break;
    case 'own-finding':
      steps.push(report(onTimeDay(), finding()));
      break;
    case 'referral':
      steps.push(report(onTimeDay(), finding(rng.pick(ctx.agencies))));
      break;
    case 'handover-county':
    case 'handover-direct':
    case 'handover-rejected': {
      const d = onTimeDay();
      steps.push(report(d, finding()));
      const approve = scenario !== 'handover-rejected';
      steps.push({
        on: addDays(d, 1 + rng.int(3)),
        action: {
          kind: 'handover-decision',
          by: manager,
          decision: approve ? 'approve' : 'reject',
          reasonCode: approve ? null : 'rectified',
          note: approve ? '' : '问题已当场整改完毕，无需移交',
        },
      });
      break;
    }
  }
  return { unitId: x.unitId, scenario, steps };
}

/** Entropy a simulated witness types for a ceremony: letters and digits, from the seed (never shown by the demo). */
export function witnessEntropy(seed: string, role: string, ceremony = 1): string {
  const rng = new Rng(`ssj-simulation|${seed}|entropy|${role}${ceremony > 1 ? `|${ceremony}` : ''}`);
  const chars = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  let s = '';
  for (let i = 0; i < 32; i++) s += chars[rng.int(chars.length)];
  return s;
}

/** One step of a simulated witness in the ssj-draw/2 ceremonies, taken on programme day `on` or later. */
export interface WitnessStep {
  ceremony: number;
  role: 'admin' | 'discipline';
  action: 'commit' | 'reveal';
  on: string;
}

/**
 * What the demo's two witnesses do: ceremony 1, both commit early and only the admin reveals, so
 * the reveal deadline voids it; ceremony 2, the admin commits again at once, the discipline officer
 * only the day after the draw was due (the draw-overdue alert fires), then both reveal that day.
 * A step waits for its ceremony to be the current one, and a reveal for every commitment.
 */
export function witnessPlan(quarterStart: string, drawDue: string): WitnessStep[] {
  const late = addDays(drawDue, 1);
  return [
    { ceremony: 1, role: 'admin', action: 'commit', on: addDays(quarterStart, 1) },
    { ceremony: 1, role: 'discipline', action: 'commit', on: addDays(quarterStart, 2) },
    { ceremony: 1, role: 'admin', action: 'reveal', on: addDays(quarterStart, 2) },
    { ceremony: 2, role: 'admin', action: 'commit', on: addDays(quarterStart, 3) },
    { ceremony: 2, role: 'discipline', action: 'commit', on: late },
    { ceremony: 2, role: 'discipline', action: 'reveal', on: late },
    { ceremony: 2, role: 'admin', action: 'reveal', on: late },
  ];
}
