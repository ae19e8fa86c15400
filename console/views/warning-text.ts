// The programme's and the quota report's warnings in Chinese, for the console. The domain writes
// them in English (they go into quotas.json and the command line's output, whose bytes stay as they
// are); each shape the domain writes has a Chinese twin here. tests/console-warning-text.test.ts
// makes every one of them through the domain functions, so a changed English text fails there
// instead of reaching an official as English.

type Rule = readonly [RegExp, (m: RegExpExecArray) => string];

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
    (m) => `抽取池 ${m[1]}：名额${m[2]}家，但候选单位只有${m[3]}家，将全部抽取，仍达不到计划的最低比例。`,
  ],
  [
    /^(\S+): (\d+) eligible inspector\(s\), fewer than the team size (\d+): the draw cannot form teams for its pools$/,
    (m) => `部门 ${m[1]}：符合条件的执法人员${m[2]}名，少于每组${m[3]}人，抽取时无法为其抽取池组成检查组。`,
  ],
  [
    /^(\S+): (\d+) general unit\(s\) for (\d+) inspector\(s\): fewer than the (\d+) the annual minimum 1:(\d+) needs$/,
    (m) => `抽取池 ${m[1]}：一般单位${m[2]}家、执法人员${m[3]}名，少于全年最低比例1：${m[5]}所需的${m[4]}家。`,
  ],
  [
    /^(\S+): no eligible inspector \(certified, on staff, on post, active\): its pools (.+) are left out of this draw$/,
    (m) => `部门 ${m[1]}：没有符合条件的执法人员（持证、在编、在岗、在职），其抽取池 ${m[2]} 不参加本次抽取。`,
  ],
  [/^inspected-elsewhere list: unit (\S+) \((.*)\) is not in the registry; ignored$/, (m) => `已由其他部门检查的名单中，单位 ${m[1]}（${m[2]}）不在名录中，已忽略。`],
  [/^past-inspections list: unit (\S+) \((.*)\) is not in the registry; ignored$/, (m) => `往期检查名单中，单位 ${m[1]}（${m[2]}）不在名录中，已忽略。`],
  [
    /^department (\S+) \((.*)\) is a direct brigade without a jurisdiction: it draws no pool until the registry gives it one$/,
    (m) => `部门${m[2]}（${m[1]}）是直属大队但没有辖区，在名录中补充辖区之前不设抽取池。`,
  ],
];

/** The Chinese text of a programme or quota warning; a shape not known here is shown as written. */
export function warningText(warning: string): string {
  for (const [re, zh] of RULES) {
    const m = re.exec(warning);
    if (m) return zh(m);
  }
  return warning;
}
