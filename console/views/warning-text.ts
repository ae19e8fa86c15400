// The programme's and the quota report's warnings in Chinese, for the console. The domain writes
// them in English (they go into quotas.json and the command line's output, whose bytes stay as they
// are); each shape the domain writes has a Chinese twin here. tests/console-warning-text.test.ts
// makes every one of them through the domain functions, so a changed English text fails there
// instead of reaching an official as English.

import { categoryLabel } from './registries-labels';

/** Department names, for warnings that name a department or a pool by its code; unknown: the code. */
export interface WarningNames {
  department(id: string): string | null;
}
const NO_NAMES: WarningNames = { department: () => null };

type Rule = readonly [RegExp, (m: RegExpExecArray, n: WarningNames) => string];

/** A department by its name (its code when the registry does not know it). */
const dept = (id: string, n: WarningNames) => n.department(id) ?? id;
/** A pool (`<category>.<department>`) as the page names it: 一般单位·平桥大队. */
export function poolLabel(poolId: string, n: WarningNames = NO_NAMES): string {
  const dot = poolId.indexOf('.');
  if (dot < 0) return poolId;
  return `${categoryLabel(poolId.slice(0, dot))}单位·${dept(poolId.slice(dot + 1), n)}`;
}
/** A list of pool codes (`key.section-3, general.section-3`) by their labels. */
const pools = (list: string, n: WarningNames) => list.split(', ').map((id) => poolLabel(id, n)).join('、');

const quarterOfTask = (i: string) => `第${'一二三四'[Number(i)] ?? Number(i) + 1}季度`;

const RULES: readonly Rule[] = [
  [
    /^ratios\.general\.quarterly: the quarterly ratios add up to (\d+) units per inspector a year, below the annual minimum 1:(\d+)$/,
    (m) => `一般单位四个季度的抽查比例合计为每名执法人员每年${m[1]}家，低于全年最低要求1：${m[2]}（ratios.general.quarterly）。`,
  ],
  [
    /^quarterlyTasks\[(\d+)\]\.ratioText does not mention 1：(\d+), the ratio ratios\.general\.quarterly\[\d+\] sets$/,
    (m) => `${quarterOfTask(m[1]!)}任务的抽查比例原文中没有“1：${m[2]}”，与系统使用的一般单位比例（ratios.general.quarterly[${m[1]}]）不一致。`,
  ],
  [
    /^quarterlyTasks\[(\d+)\]\.ratioText does not mention (\d+)%, the percentage (\S+) sets$/,
    (m) => `${quarterOfTask(m[1]!)}任务的抽查比例原文中没有“${m[2]}%”，与系统使用的比例（${m[3]}）不一致。`,
  ],
  [
    /^(\S+): quota (\d+) but only (\d+) candidate unit\(s\): every candidate will be drawn and the plan's minimum is not met$/,
    (m, n) => `抽取池 ${poolLabel(m[1]!, n)}：名额${m[2]}家，但候选单位只有${m[3]}家，将全部抽取，仍达不到计划的最低比例。`,
  ],
  [
    /^(\S+): (\d+) eligible inspector\(s\), fewer than the team size (\d+): the draw cannot form teams for its pools$/,
    (m, n) => `部门 ${dept(m[1]!, n)}：符合条件的执法人员${m[2]}名，少于每组${m[3]}人，抽取时无法为其抽取池组成检查组。`,
  ],
  [
    /^(\S+): (\d+) general unit\(s\) for (\d+) inspector\(s\): fewer than the (\d+) the annual minimum 1:(\d+) needs$/,
    (m, n) => `抽取池 ${poolLabel(m[1]!, n)}：一般单位${m[2]}家、执法人员${m[3]}名，少于全年最低比例1：${m[5]}所需的${m[4]}家。`,
  ],
  [
    /^(\S+): no eligible inspector \(certified, on staff, on post, active\): its pools (.+) are left out of this draw$/,
    (m, n) => `部门 ${dept(m[1]!, n)}：没有符合条件的执法人员（持证、在编、在岗、在职），其抽取池 ${pools(m[2]!, n)} 不参加本次抽取。`,
  ],
  [/^inspected-elsewhere list: unit (\S+) \((.*)\) is not in the registry; ignored$/, (m) => `已由其他部门检查的名单中，单位 ${m[1]}（${m[2]}）不在名录中，已忽略。`],
  [/^past-inspections list: unit (\S+) \((.*)\) is not in the registry; ignored$/, (m) => `往期检查名单中，单位 ${m[1]}（${m[2]}）不在名录中，已忽略。`],
  [
    /^department (\S+) \((.*)\) is a direct brigade without a jurisdiction: it draws no pool until the registry gives it one$/,
    (m) => `部门${m[2]}（${m[1]}）是直属大队但没有辖区，在名录中补充辖区之前不设抽取池。`,
  ],
];

/** The Chinese text of a programme or quota warning, departments and pools by name; a shape not known here is shown as written. */
export function warningText(warning: string, names: WarningNames = NO_NAMES): string {
  for (const [re, zh] of RULES) {
    const m = re.exec(warning);
    if (m) return zh(m, names);
  }
  return warning;
}
