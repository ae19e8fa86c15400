// The importer's row problems (files/registry/import-rows.ts, read-table.ts: English, for the
// command line and logs) in Chinese for the upload preview. The common rules are translated; a
// rule without a translation here is shown as the importer wrote it, so nothing is ever hidden.
import type { ImportProblem } from '../files/registry/read-table';

type Rewrite = [RegExp, (m: RegExpExecArray) => string];

const q = (s: string | undefined) => `“${s ?? ''}”`;
const list = (s: string | undefined) => (s ?? '').replace(/\//g, '、');

const REWRITES: Rewrite[] = [
  [/^must not be empty; one of (.+)$/, (m) => `不得为空，应为${list(m[1])}之一`],
  [/^must not be empty: a date such as (.+)$/, (m) => `不得为空，应填写日期（如${m[1]}）`],
  [/^must not be empty$/, () => '不得为空'],
  [/^must be one of (.+), got "(.*)"$/, (m) => `应为${list(m[1])}之一，实为${q(m[2])}`],
  [/^must be A\/B\/C\/D or empty, got "(.*)"$/, (m) => `应为A、B、C、D或留空，实为${q(m[1])}`],
  [/^"(.*)" is not a calendar date \(write (.+)\)$/, (m) => `${q(m[1])}不是有效日期（日期格式如 ${m[2]}）`],
  [/^"(.*)" is not an e-mail address$/, (m) => `${q(m[1])}不是有效的电子邮箱地址`],
  [/^required column is missing$/, () => '缺少必填列'],
  [/^column (.+) appears twice$/, (m) => `列${q(m[1])}重复出现`],
  [/^unknown column for (.+?); the columns are (.+)$/, (m) => `不是${m[1]}的列；应有的列为：${m[2]}`],
  [/^the first row must hold the headings: (.+)$/, (m) => `第一行应为列标题：${m[1]}`],
  [/^duplicate (.+?) "(.*)": already on row (\d+) of this file$/, (m) => `重复：${q(m[2])}已在本文件第${m[3]}行出现`],
  [/^(unit id|person) (\S+) enters the registry only on (\S+), after this file's date (\S+)$/, (m) => `${m[1] === 'person' ? '人员' : '单位'}${m[2]}自${m[3]}起才纳入名录，晚于本文件的日期${m[4]}`],
  [/^unit id (\S+) is not in the registry(?: \((.*)\))?$/, (m) => `单位${m[1]}不在名录中${m[2] ? `（${problemInChinese(m[2])}）` : ''}`],
  [/^person (\S+) is not in the registry$/, (m) => `人员${m[1]}不在名录中`],
  [/^unit (\S+) is already in the registry \((.*), status (\w+)\); a new-units list may only add units$/, (m) => `单位${m[1]}（${m[2]}）已在名录中；新增污染源清单只能新增单位`],
  [/^does not match the registry: (\S+) is "(.*)"$/, (m) => `与名录不符：${m[1]}在名录中为${q(m[2])}`],
  [/^unknown department "(.*)": not in the registry.*$/, (m) => `部门${q(m[1])}不在名录中（请填写部门编码或完整的部门名称）`],
  [/^unknown role "(.*)"; roles are (.+?) \(separate several with 、\)$/, (m) => `角色${q(m[1])}无效，应为${list(m[2])}（多个角色用“、”分隔）`],
  [/^"(.*)" is neither a known district\/county .* nor a code$/, (m) => `${q(m[1])}既不是已知的区县名称，也不是区县代码`],
  [/^"(.*)" is no department's 辖区 in the registry .*$/, (m) => `${q(m[1])}不是名录中任何部门的辖区`],
  [/^an inspector \(执法人员\) must have an enforcement certificate number \(执法证号\)$/, () => '执法人员必须填写执法证号'],
  [/^certificate (\S+) already belongs to (.+)$/, (m) => `执法证号${m[1]}已属于${m[2]}`],
  [/^only 重点 units can be on the positive list \(正面清单\)$/, () => '只有重点单位可以列入正面清单'],
  [/^only for 特殊 units$/, () => '仅适用于特殊单位'],
  [/^the file has no data rows$/, () => '文件中没有数据行'],
  // CSV quoting (read-table.ts CSV_QUOTE_RULES)
  [/^text after the closing quote of a quoted field; .*$/, () => '引号内容的右引号之后还有文字：内容中的引号应写作两个引号（""）'],
  [/^a space after the closing quote of a quoted field; .*$/, () => '右引号之后有空格：右引号后应直接是逗号或换行'],
  [/^a space before the opening quote of a quoted field; .*$/, () => '左引号之前有空格：左引号应是该格的第一个字符'],
  [/^a quote inside a field that is not in quotes; .*$/, () => '未加引号的内容中含有引号：应将整格用引号括起，内容中的每个引号写作两个引号（""）'],
  [/^a quoted field starting on this row is never closed: .*$/, () => '从此行开始的引号直到文件末尾都没有闭合：缺少右引号，或内容中的引号没有写作两个引号（""）'],
  [/^unsupported file type .*$/, () => '不支持的文件类型：请使用 .csv（UTF-8 编码）或 .xlsx 文件'],
  [/^(.+) has no date column: give the effective date .*$/, (m) => `${m[1]}没有日期列：请填写生效日期`],
  [/^no effective date: give .*$/, () => '没有生效日期：请填写生效日期'],
  [/^the file has more than (\d+) data rows; .*$/, (m) => `文件的数据超过${m[1]}行，一个文件最多导入${m[1]}行：请拆分为几个较小的文件后分别导入`],
  [/^not a (?:valid|readable) \.xlsx workbook \((.*)\)$/, (m) => `不是可读取的 .xlsx 工作簿（${m[1]}）：请用 Excel 或 WPS 打开后重新另存为 .xlsx，或另存为 CSV`],
  [/^the workbook unpacks to (\S+ \S+) \((\S+) alone (\S+ \S+)\); at most (\S+ \S+) can be read: .*$/, (m) => `工作簿解压后为 ${m[1]}（其中 ${m[2]} 为 ${m[3]}），最多可读取 ${m[4]}：请拆分工作簿，或另存为 CSV`],
  [/^the workbook's part (\S+) unpacks (\d+) times its packed size \((\S+ \S+)\), more than (\d+) times: .*$/, (m) => `工作簿中的 ${m[1]} 解压后（${m[3]}）为压缩大小的 ${m[2]} 倍，超过允许的 ${m[4]} 倍：这不是表格软件正常保存的文件`],
  [/^the file is UTF-16 .*$/, () => '文件为 UTF-16 编码（“Unicode 文本”）：请另存为“CSV UTF-8（逗号分隔）”或 .xlsx'],
  [/^holds the control character (.+), which is not allowed in text$/, (m) => `含有控制字符${m[1]}，文本中不允许出现`],
  [/^holds the text-direction character (.+), which can .*$/, (m) => `含有文字方向控制字符${m[1]}，会使显示与实际内容不符`],
  [/^holds nothing visible .*$/, () => '只含空格或不可见字符'],
  [/^column (\d+) holds values but has no heading.*$/, (m) => `第${m[1]}列有数据但没有列标题（是否与左侧列标题合并了单元格？请取消合并并为每列填写标题）`],
  [/^these are the headings of (.+?) \(--kind .*$/, (m) => `这些是${m[1]}的列标题：是否选错了名录类型？`],
  [/^执法证号 is kept only for inspectors: .*$/, () => '执法证号只为执法人员登记：请在“角色”中加上执法人员，或将执法证号留空'],
  [/^执法证号 is only read for 角色调整 that adds 执法人员$/, () => '执法证号只在增加执法人员角色的角色调整中填写'],
  [/^调动 needs 新部门$/, () => '调动须填写新部门'],
  [/^角色调整 needs 新角色 .*$/, () => '角色调整须填写新角色（完整的新角色列表）'],
  [/^新部门 is only for 调动$/, () => '新部门只在调动时填写'],
  [/^新角色 is only for 角色调整$/, () => '新角色只在角色调整时填写'],
  [/^(\S+) is not an inspector \(执法人员\): 在编\/在岗 changes apply to inspectors only$/, (m) => `${m[1]}不是执法人员：在编、在岗变动只适用于执法人员`],
  [/^(\S+) \((.*)\) is not an inspector \(执法人员\)$/, (m) => `${m[1]}（${m[2]}）不是执法人员`],
  [/^no declared conflict between (\S+) and (\S+) to withdraw$/, (m) => `${m[1]}与${m[2]}之间没有已申报的回避关系，无法撤销`],
  [/^a brigade must have a 辖区 .*$/, () => '大队必须填写辖区（区或县）'],
  [/^(\S+) has already left .*$/, (m) => `${m[1]}已离职（在职为“否”）`],
  [/^(\S+) is already in (.+)$/, (m) => `${m[1]}已在${m[2]}`],
  [/^rows for (\S+) must be in date order: this one \((\S+)\) is before an earlier row's \((\S+)\)$/, (m) => `${m[1]}的各行须按日期先后排列：本行日期${m[2]}早于前面一行的${m[3]}`],
  [/^only for units with 正面清单 = (.+)$/, (m) => `仅适用于正面清单为“${m[1]}”的单位`],
  [/^only 特殊 units are marked 存在问题 = (.+)$/, (m) => `只有特殊单位可将“存在问题”标为“${m[1]}”`],
  [/^row 1 holds only "(.*)", which looks like a title: .*$/, (m) => `第一行只有${q(m[1])}，像是标题：列标题必须在第一行，请删除其上方的行`],
  [/^cell (\S+) holds "(.*)" beyond the last heading .*$/, (m) => `单元格${m[1]}在最后一个列标题之外有内容${q(m[2])}：请删除，或为该列补上列标题`],
  [/^cell holds a number or error that cannot be read exactly \((.*)\): .*$/, (m) => `单元格中是无法准确读取的数字或错误值（${m[1]}）：请将该列设为文本格式后重新输入`],
  [/^(\d+) more cells hold values beyond the last heading$/, (m) => `另有${m[1]}个单元格在最后一个列标题之外有内容`],
  [/^the file starts with a UTF-8 BOM but this row holds a byte that is not UTF-8 .*$/, () => '文件以 UTF-8 标记开头，但此行含有非 UTF-8 字节：请重新输入损坏的字符，并另存为“CSV UTF-8”'],
  // Unit ids (domain/uscc.ts), named after the id they are about: `"ID": why`.
  [/^check character is (\S+), expected (\S+) \(GB 32100-2015\)$/, (m) => `校验码为${m[1]}，按 GB 32100-2015 应为${m[2]}`],
  [/^a unified social credit code has 18 characters, this one has (\d+)$/, (m) => `统一社会信用代码应为18位，此代码为${m[1]}位`],
  [/^characters not allowed in a unified social credit code: (.+?) \(allowed.*$/, (m) => `含有统一社会信用代码不允许的字符：${m[1]}（只允许数字0-9和除I、O、S、V、Z以外的大写字母）`],
  [/^a local code is LOCAL- .*$/, () => '本地编码应为“LOCAL-”后接1至58位数字、大写字母或“-”'],
  [/^(\S+) is a number in scientific notation.*$/, (m) => `${m[1]}是科学计数法数字：表格软件已把代码转成数字并丢失了位数，请将该列设为文本格式后重新输入代码`],
  [/^"(.*)" is not a code: .*$/, (m) => `${q(m[1])}不是有效的编码：只能使用小写字母、数字和“._-”（如 brigade-shihe）`],
  [/^"(.*)" is not an id: .*$/, (m) => `${q(m[1])}不是有效的编号：只能使用字母、数字和“._-”（如 P0001）`],
  [/^"(.*)": (.+)$/, (m) => `${q(m[1])}：${problemInChinese(m[2]!)}`],
  // The record schemas' own messages (domain/registry.ts), as `field: message`.
  [/^must be a code: .*$/, () => '应为编码：小写字母、数字和“._-”'],
  [/^must be an id: .*$/, () => '应为编号：字母、数字和“._-”'],
  [/^must be a date YYYY-MM-DD$/, () => '应为日期（YYYY-MM-DD）'],
  [/^[A-Za-z.]+: (must be .+)$/, (m) => problemInChinese(m[1]!)],
];

/** The rule in Chinese, or as written when no translation is known. */
export function problemInChinese(rule: string): string {
  for (const [re, say] of REWRITES) {
    const m = re.exec(rule);
    if (m) return say(m);
  }
  return rule;
}

export interface ShownProblem {
  file: string;
  row: number;
  column: string;
  rule: string;
}

export function problemsInChinese(problems: readonly ImportProblem[]): ShownProblem[] {
  return problems.map((p) => ({ file: p.file, row: p.row, column: p.column, rule: problemInChinese(p.rule) }));
}
