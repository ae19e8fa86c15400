// The official documents the programme issues, as data + HTML + plain text:
//  - 监察通知 (supervision notice): a section's findings handed to a county brigade;
//  - 移交表 (transfer form): a section's findings handed to a direct brigade;
//  - 移送函 (referral letter): a violation outside environmental law, to the competent agency;
//  - the annual plan with Annex 1 (check-item list) and Annex 2 (quarterly draw plan).
// Pure functions; the caller allocates document numbers (formatDocumentNumber defines the scheme)
// and stores/sends the result. Internal documents carry the inspectors' names and certificate
// numbers, as enforcement documents must; the public disclosure package never does.
import { z } from 'zod';
import { assertDate } from './calendar';
import type { Programme } from './programme';
import { FONT_SANS, FONT_SERIF, FONT_TITLE, Html, chineseDate, html, htmlPage, joinHtml, wrapText } from './documents/html';

export { escapeHtml, chineseDate, chineseDateTime, chineseQuarter } from './documents/html';

// ---------------------------------------------------------------------------------------------
// Numbering

export const documentKinds = ['supervision-notice', 'transfer-form', 'referral', 'annual-plan'] as const;
export type DocumentKind = (typeof documentKinds)[number];

/** The character after the issuer's abbreviation that tells the kinds' number series apart. */
export const DOCUMENT_KIND_MARKS: Record<DocumentKind, string> = {
  'supervision-notice': '监',
  'transfer-form': '交',
  referral: '移',
  'annual-plan': '计',
};
/** The default issuer abbreviation: 信(阳)环(境)执(法支队). */
export const DEFAULT_ISSUER_ABBREVIATION = '信环执';

/**
 * A preview's number: the document is numbered only when it is issued (the manager's approval
 * reserves the number), so the approval page shows this in its place.
 */
export const PENDING_NUMBER = '（审批后编号）';
/** A preview's approval line: the leader in charge has not yet decided. */
export const PENDING_APPROVAL = 'pending';

const NUMBER_RE = /^(\p{Script=Han}{1,12}?)(监|交|移|计)〔(\d{4})〕第(\d{3,6})号$/u;

/**
 * A document number: `<abbreviation><kind mark>〔<year>〕第<seq, at least 3 digits>号`, e.g.
 * 信环执监〔2023〕第001号. One series per issuer, kind and year, starting at 1 each year.
 */
export function formatDocumentNumber(kind: DocumentKind, year: number, seq: number, abbreviation = DEFAULT_ISSUER_ABBREVIATION): string {
  if (!Number.isInteger(year) || year < 2000 || year > 9999) throw new DocumentInputError(`document number: ${year} is not a year`);
  if (!Number.isInteger(seq) || seq < 1 || seq > 999_999) throw new DocumentInputError(`document number: sequence ${seq} must be a whole number 1–999999`);
  if (!/^\p{Script=Han}{1,12}$/u.test(abbreviation)) throw new DocumentInputError(`document number: abbreviation "${abbreviation}" must be 1–12 Chinese characters`);
  return `${abbreviation}${DOCUMENT_KIND_MARKS[kind]}〔${year}〕第${String(seq).padStart(3, '0')}号`;
}

export function parseDocumentNumber(number: string): { abbreviation: string; kind: DocumentKind; year: number; seq: number } | null {
  const m = NUMBER_RE.exec(number);
  if (!m) return null;
  const kind = documentKinds.find((k) => DOCUMENT_KIND_MARKS[k] === m[2]);
  if (!kind) return null;
  return { abbreviation: m[1] ?? '', kind, year: Number(m[3]), seq: Number(m[4]) };
}

// ---------------------------------------------------------------------------------------------
// Inputs

export class DocumentInputError extends Error {
  override name = 'DocumentInputError';
}

const realDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((d) => {
    try {
      assertDate(d);
      return true;
    } catch {
      return false;
    }
  }, 'must be a real calendar date');
const text = z.string().trim().min(1, 'must not be empty');

export const documentInspectorSchema = z.object({ name: text, certificateNo: text });

const caseDocumentBase = z.object({
  /** Allocated by the caller; must be of this document's kind and the issue year. */
  number: text,
  issuer: z.object({
    /** e.g. 信阳市生态环境综合行政执法支队 */
    name: text,
    /** The section that found the problem, e.g. 执法一科. */
    office: text.optional(),
    contact: text.optional(),
    phone: text.optional(),
  }),
  recipient: z.object({ name: text }),
  unit: z.object({ id: text, name: text, address: z.string().trim().default('') }),
  /** e.g. 2023年第一季度污染源日常监管“双随机、一公开”抽查 */
  campaign: text,
  checkedOn: realDate,
  /** onsite: 现场检查; offsite: positive-list units checked by remote means (非现场检查). */
  method: z.enum(['onsite', 'offsite']).default('onsite'),
  inspectors: z.array(documentInspectorSchema).min(2, 'at least two inspectors must be named'),
  findings: text,
  legalBasis: z.array(text).min(1, 'give at least one legal basis'),
  /** What the recipient is asked to do, as a verb phrase (依法调查处理…); a leading 请 and a final 。 are dropped. */
  requestedAction: text,
  /** Date by which the recipient is asked to report back; null: no deadline stated. */
  replyBy: realDate.nullable(),
  /** The leader in charge's approval of the hand-over (分管领导同意); `pending` in a preview before the decision. */
  approval: z.union([z.object({ by: text, on: realDate }), z.literal(PENDING_APPROVAL)]).nullable(),
  evidence: z.array(text).default([]),
  issuedOn: realDate,
});
const METHOD_NAMES = { onsite: '现场检查', offsite: '非现场检查' } as const;

export const supervisionNoticeInputSchema = caseDocumentBase;
export const transferFormInputSchema = caseDocumentBase;
// A referral's matter lies outside environmental law, so the letter cites a statute only when the
// caller names the other agency's own; it never needs one to state that the matter is not ours.
export const referralInputSchema = caseDocumentBase.extend({ legalBasis: z.array(text).default([]) });
export type CaseDocumentInput = z.input<typeof caseDocumentBase>;

export const checkItemRowSchema = z.object({
  department: text,
  item: text,
  basis: text,
  subject: text,
  /** 一般检查事项 or 重点检查事项 */
  itemClass: text,
  targets: text,
  ratio: text,
  frequency: text,
  method: text,
  remarks: z.string().default(''),
});
export const quarterPlanRowSchema = z.object({
  planName: text,
  taskName: text,
  /** 定向 (true) or 不定向 (false) */
  directed: z.boolean(),
  itemClass: text,
  /** 部门联合抽查 */
  joint: z.boolean(),
  item: text,
  scope: text,
  ratio: text,
  period: text,
  department: text,
});
/**
 * What the annual plan document needs. A minimal structural type: the programme config
 * (domain/programme.ts) maps onto it.
 */
export const annualPlanInputSchema = z.object({
  year: z.number().int().min(2000).max(9999),
  /** null: the plan is filed without a number. */
  number: text.nullable(),
  bureauName: text,
  issuer: text,
  recipients: text.default('各科室（大队）'),
  title: text.optional(),
  /** Body paragraphs; a paragraph starting with 一、 (etc.) is set as a heading. */
  body: z.array(text).default([]),
  checkItems: z.array(checkItemRowSchema).min(1, 'Annex 1 needs at least one check item'),
  quarterPlans: z.array(quarterPlanRowSchema).min(1, 'Annex 2 needs at least one row'),
  issuedOn: realDate,
});
export type AnnualPlanInput = z.input<typeof annualPlanInputSchema>;

export interface OfficialDocument {
  kind: DocumentKind;
  title: string;
  number: string;
  /** A complete, self-contained HTML page (no external resources), printable on A4. */
  html: string;
  /** Plain text for an e-mail body. */
  text: string;
}

function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`);
  throw new DocumentInputError(`${what}: ${lines.join('; ')}`);
}

function checkNumber(number: string, kind: DocumentKind, issuedOn: string, what: string): void {
  if (number === PENDING_NUMBER) return;
  const p = parseDocumentNumber(number);
  if (!p) throw new DocumentInputError(`${what}: number "${number}" does not follow the scheme, e.g. ${formatDocumentNumber(kind, 2023, 1)}`);
  if (p.kind !== kind) throw new DocumentInputError(`${what}: number "${number}" belongs to the ${p.kind} series, not ${kind}`);
  const year = Number(issuedOn.slice(0, 4));
  if (p.year !== year) throw new DocumentInputError(`${what}: number "${number}" is of ${p.year}, but the document is issued on ${issuedOn}`);
}

// ---------------------------------------------------------------------------------------------
// Page shell

const BASE_CSS = `
@page { size: A4; margin: 25mm 22mm 25mm 25mm; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; padding: 24px; font-family: ${FONT_SERIF}; font-size: 16pt; line-height: 1.75; color: #000; background: #fff; }
.doc { max-width: 820px; margin: 0 auto; }
.masthead { text-align: center; color: #c00; font-family: ${FONT_TITLE}; font-size: 26pt; letter-spacing: 2px; margin: 0; }
.docno { text-align: center; font-family: ${FONT_SERIF}; font-size: 16pt; margin: 8px 0 4px; }
.redline { border: 0; border-top: 2px solid #c00; margin: 4px 0 24px; }
h1 { text-align: center; font-family: ${FONT_TITLE}; font-size: 22pt; font-weight: normal; margin: 16px 0 20px; line-height: 1.4; }
h2 { font-family: ${FONT_SANS}; font-size: 16pt; margin: 18px 0 6px; }
p { margin: 0; text-indent: 2em; }
p.to { text-indent: 0; }
p.plain { text-indent: 0; }
ul.list { margin: 0 0 0 2em; padding: 0; }
.signoff { margin-top: 36px; text-align: right; }
.signoff div { margin-right: 2em; }
.seal { display: inline-block; border: 2px dashed #c00; color: #c00; border-radius: 50%; width: 120px; height: 120px; line-height: 116px; text-align: center; font-size: 12pt; margin: 8px 3em 0 0; }
table { border-collapse: collapse; width: 100%; font-size: 12pt; line-height: 1.5; }
th, td { border: 1px solid #000; padding: 6px 8px; vertical-align: top; text-align: left; }
th { font-family: ${FONT_SANS}; font-weight: bold; background: #f2f2f2; }
table.form th { width: 22%; }
.annex { page: landscape; break-before: page; max-width: 1240px; margin: 48px auto 0; }
.annex h1 { font-size: 18pt; }
.annex table { font-size: 10.5pt; table-layout: fixed; }
.annex th { text-align: center; }
.attachments { display: flex; text-indent: 0; }
.attachments > span { flex: none; }
.attachments ol { margin: 0; padding-left: 1.6em; }
.annex-label { font-family: ${FONT_SANS}; font-size: 14pt; }
@page landscape { size: A4 landscape; margin: 18mm 15mm; }
@media print {
  body { padding: 0; }
  .doc, .annex { max-width: none; margin: 0; }
  th { background: none; }
  tr { break-inside: avoid; }
}
`;

function page(title: string, body: Html, annexes: Html | null = null): string {
  return htmlPage(
    title,
    BASE_CSS,
    html`<div class="doc">
${body}
</div>
${annexes}`,
  );
}

function inspectorsLine(inspectors: Array<{ name: string; certificateNo: string }>): string {
  return inspectors.map((i) => `${i.name}（执法证号：${i.certificateNo}）`).join('、');
}

function signoff(issuer: string, issuedOn: string): Html {
  return html`<div class="signoff">
<div class="seal" aria-label="印章位置">（印章）</div>
<div>${issuer}</div>
<div>${chineseDate(issuedOn)}</div>
</div>`;
}

/**
 * The action asked of the recipient as a bare verb phrase: the documents write 请… and the final
 * 。 themselves, so a caller's 请依法调查处理。 must not come out as 请你大队请依法调查处理。。
 */
function actionPhrase(action: string): string {
  return action.trim().replace(/^请/, '').replace(/[。；;，,.\s]+$/, '');
}

/** A paragraph that ends as a sentence does (the findings are typed by inspectors, often without 。). */
function sentence(text: string): string {
  const t = text.trim();
  return /[。！？…”』）)]$/.test(t) ? t : `${t}。`;
}

function paragraphs(lines: string[]): Html {
  return joinHtml(lines.map((l) => html`<p>${l}</p>`), '\n');
}

/** The body of a letter-style document (notice, referral): masthead, number, red rule, addressee, paragraphs, closing, sign-off. */
function letter(
  d: { issuer: { name: string; contact?: string | null; phone?: string | null }; number: string; recipient: { name: string }; issuedOn: string },
  title: string,
  body: string[],
  closing: string,
  evidence: string | null,
  signer: string,
): { htmlBody: Html; textBody: string } {
  const contact = d.issuer.contact || d.issuer.phone ? `联系人：${d.issuer.contact ?? ''}　联系电话：${d.issuer.phone ?? ''}` : null;
  const htmlBody = html`<div class="masthead">${d.issuer.name}</div>
<div class="docno">${d.number}</div>
<hr class="redline">
<h1>${title}</h1>
<p class="to">${d.recipient.name}：</p>
${paragraphs(body)}
<p>${closing}</p>
${evidence ? html`<p class="plain">${evidence}</p>` : ''}
${contact ? html`<p class="plain">${contact}</p>` : ''}
${signoff(signer, d.issuedOn)}`;
  const textBody = wrapText([
    d.issuer.name,
    d.number,
    '',
    title,
    '',
    `${d.recipient.name}：`,
    ...body.map((l) => `　　${l}`),
    `　　${closing}`,
    evidence,
    contact,
    '',
    signer,
    chineseDate(d.issuedOn),
  ]);
  return { htmlBody, textBody };
}

// ---------------------------------------------------------------------------------------------
// 监察通知: to a county brigade

export function supervisionNotice(input: CaseDocumentInput): OfficialDocument {
  const d = parseInput(supervisionNoticeInputSchema, input, 'supervision notice');
  checkNumber(d.number, 'supervision-notice', d.issuedOn, 'supervision notice');
  const title = '环境监察通知';
  const who = d.issuer.office ? `${d.issuer.name}${d.issuer.office}` : d.issuer.name;
  const body = [
    `${chineseDate(d.checkedOn)}，我支队在${d.campaign}中，由执法人员${inspectorsLine(d.inspectors)}对${d.unit.name}（统一社会信用代码/编码：${d.unit.id}${d.unit.address ? `；地址：${d.unit.address}` : ''}）进行了${METHOD_NAMES[d.method]}，发现该单位存在以下问题：`,
    sentence(d.findings),
    `上述行为涉嫌违反${d.legalBasis.join('、')}的规定。`,
    d.approval === PENDING_APPROVAL
      ? '经分管领导（审批后填写）同意，现将该案件移交你大队依法查处。'
      : d.approval
        ? `经分管领导${d.approval.by}于${chineseDate(d.approval.on)}同意，现将该案件移交你大队依法查处。`
        : '现将该案件移交你大队依法查处。',
    `请你大队${actionPhrase(d.requestedAction)}${d.replyBy ? `，并于${chineseDate(d.replyBy)}前将查处结果书面报送我支队` : ''}。`,
  ];
  const evidence = d.evidence.length ? `附：证据材料（${d.evidence.join('；')}）` : null;
  const { htmlBody, textBody } = letter(d, title, body, '特此通知。', evidence, who);
  return { kind: 'supervision-notice', title, number: d.number, html: page(`${title} ${d.number}`, htmlBody), text: textBody };
}

// ---------------------------------------------------------------------------------------------
// 移交表: to a direct brigade (a form, one table)

export function transferForm(input: CaseDocumentInput): OfficialDocument {
  const d = parseInput(transferFormInputSchema, input, 'transfer form');
  checkNumber(d.number, 'transfer-form', d.issuedOn, 'transfer form');
  const title = '环境违法案件移交表';
  const who = d.issuer.office ? `${d.issuer.name}${d.issuer.office}` : d.issuer.name;
  const rows: Array<[string, string]> = [
    ['移交单位', who],
    ['接收单位', d.recipient.name],
    ['被检查单位名称', d.unit.name],
    ['统一社会信用代码/编码', d.unit.id],
    ['单位地址', d.unit.address || '—'],
    ['抽查任务', d.campaign],
    ['检查日期', chineseDate(d.checkedOn)],
    ['检查方式', METHOD_NAMES[d.method]],
    ['检查人员及执法证号', inspectorsLine(d.inspectors)],
    ['发现的问题', d.findings],
    ['涉嫌违反的规定', d.legalBasis.join('；')],
    ['处理建议', actionPhrase(d.requestedAction)],
    ['办结反馈期限', d.replyBy ? `${chineseDate(d.replyBy)}前` : '—'],
    ['证据材料', d.evidence.length ? d.evidence.join('；') : '—'],
    ['分管领导意见', d.approval === PENDING_APPROVAL ? '（审批后填写）' : d.approval ? `同意移交。${d.approval.by}　${chineseDate(d.approval.on)}` : '—'],
    ['移交人（签字）', ''],
    ['接收人（签字）', ''],
  ];
  const htmlBody = html`<div class="docno">${d.number}</div>
<h1>${title}</h1>
<table class="form">
${joinHtml(rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`), '\n')}
</table>
${signoff(who, d.issuedOn)}`;
  const textBody = wrapText([title, d.number, '', ...rows.filter(([, v]) => v !== '').map(([k, v]) => `${k}：${v}`), '', who, chineseDate(d.issuedOn)]);
  return { kind: 'transfer-form', title, number: d.number, html: page(`${title} ${d.number}`, htmlBody), text: textBody };
}

// ---------------------------------------------------------------------------------------------
// 移送函: to another agency

export function referralLetter(input: CaseDocumentInput): OfficialDocument {
  const d = parseInput(referralInputSchema, input, 'referral letter');
  checkNumber(d.number, 'referral', d.issuedOn, 'referral letter');
  const title = '案件线索移送函';
  const body = [
    `${chineseDate(d.checkedOn)}，我支队在${d.campaign}中，对${d.unit.name}（统一社会信用代码/编码：${d.unit.id}${d.unit.address ? `；地址：${d.unit.address}` : ''}）进行检查时发现以下问题：`,
    sentence(d.findings),
    `上述问题${d.legalBasis.length ? `涉嫌违反${d.legalBasis.join('、')}的规定，` : ''}不属于生态环境部门职责范围。根据“对检查中发现的不属于本部门职责范围的违法违规行为，应及时将案件线索移送相应监管部门依法处理”的要求，现将该案件线索移送贵单位，请${actionPhrase(d.requestedAction)}${d.replyBy ? `，并于${chineseDate(d.replyBy)}前将处理结果函告我支队` : ''}。`,
  ];
  const evidence = d.evidence.length ? `附：相关材料（${d.evidence.join('；')}）` : null;
  const { htmlBody, textBody } = letter(d, title, body, '特此函告。', evidence, d.issuer.name);
  return { kind: 'referral', title, number: d.number, html: page(`${title} ${d.number}`, htmlBody), text: textBody };
}

// ---------------------------------------------------------------------------------------------
// The annual plan, with Annex 1 and Annex 2

const ANNEX1_HEADERS = ['序号', '部门', '抽查事项', '抽查依据', '检查主体', '事项类别（一般检查事项/重点检查事项）', '检查对象', '抽查比例', '检查频次', '检查方式', '备注'];
const ANNEX2_HEADERS = ['序号', '抽查计划名称', '抽查任务名称', '抽查类型（定向或不定向）', '抽查事项类别（一般检查事项或重点检查事项）', '部门联合抽查（是或否）', '抽查事项', '抽查对象范围', '抽查对象比例', '抽查起止时间', '实施部门'];

// Column widths in percent, so the long texts (legal basis, ratios) get the room.
const ANNEX1_WIDTHS = [4, 8, 8, 20, 9, 8, 10, 19, 5, 5, 4];
const ANNEX2_WIDTHS = [4, 12, 11, 6, 8, 6, 8, 12, 17, 7, 9];

function table(headers: string[], rows: string[][], widths: number[]): Html {
  return html`<table>
<colgroup>${widths.map((w) => html`<col style="width:${w}%">`)}</colgroup>
<thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>
${joinHtml(rows.map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`), '\n')}
</tbody>
</table>`;
}

export function annualPlan(input: AnnualPlanInput): OfficialDocument {
  const d = parseInput(annualPlanInputSchema, input, 'annual plan');
  if (d.number !== null) checkNumber(d.number, 'annual-plan', d.issuedOn, 'annual plan');
  const title = d.title ?? `${d.year}年度污染源日常环境监管“双随机、一公开”抽查计划`;
  const annex1Title = `${d.bureauName}污染源日常环境监管${d.year}年“双随机、一公开”抽查事项清单`;
  const annex2Title = `${d.bureauName}${d.year}年度污染源日常环境监管“双随机、一公开”抽查计划表`;
  const annex1Rows = d.checkItems.map((c, i) => [String(i + 1), c.department, c.item, c.basis, c.subject, c.itemClass, c.targets, c.ratio, c.frequency, c.method, c.remarks]);
  const annex2Rows = d.quarterPlans.map((q, i) => [
    String(i + 1),
    q.planName,
    q.taskName,
    q.directed ? '定向' : '不定向',
    q.itemClass,
    q.joint ? '是' : '否',
    q.item,
    q.scope,
    q.ratio,
    q.period,
    q.department,
  ]);
  const isHeading = (p: string) => /^[一二三四五六七八九十]+、|^（[一二三四五六七八九十]+）/.test(p);
  const htmlBody = html`${d.number ? html`<div class="docno">${d.number}</div>` : ''}
<h1>${title}</h1>
<p class="to">${d.recipients}：</p>
${joinHtml(d.body.map((p) => (isHeading(p) ? html`<h2>${p}</h2>` : html`<p>${p}</p>`)), '\n')}
<div class="attachments"><span>附件：</span><ol><li>${annex1Title}</li><li>${annex2Title}</li></ol></div>
${signoff(d.issuer, d.issuedOn)}`;
  const annexes = html`<section class="annex">
<div class="annex-label">附件1</div>
<h1>${annex1Title}</h1>
${table(ANNEX1_HEADERS, annex1Rows, ANNEX1_WIDTHS)}
</section>
<section class="annex">
<div class="annex-label">附件2</div>
<h1>${annex2Title}</h1>
${table(ANNEX2_HEADERS, annex2Rows, ANNEX2_WIDTHS)}
</section>`;
  // A cell's own closing 。 would stand before the ； that joins the cells.
  const rowText = (headers: string[], row: string[]) => row.map((c, i) => `${headers[i] ?? ''}：${c.replace(/[。；;\s]+$/, '') || '—'}`).join('；');
  const textBody = wrapText([
    d.number,
    title,
    '',
    `${d.recipients}：`,
    ...d.body.map((p) => (isHeading(p) ? p : `　　${p}`)),
    '',
    d.issuer,
    chineseDate(d.issuedOn),
    '',
    `附件1　${annex1Title}`,
    ...annex1Rows.map((r) => rowText(ANNEX1_HEADERS, r)),
    '',
    `附件2　${annex2Title}`,
    ...annex2Rows.map((r) => rowText(ANNEX2_HEADERS, r)),
  ].filter((l) => l !== null) as string[]);
  return { kind: 'annual-plan', title, number: d.number ?? '', html: page(title, htmlBody, annexes), text: textBody };
}

/** One paragraph: the documents the plan follows, and where its annexes are. */
function planBody(year: number, basis: readonly string[]): string[] {
  const annexes = '抽查事项清单见附件1，各季度抽查计划见附件2。';
  if (basis.length === 0) return [`现将${year}年度污染源日常环境监管“双随机、一公开”抽查计划印发给你们，请认真贯彻执行。${annexes}`];
  return [`根据${basis.join('、')}的要求，结合工作实际，制定${year}年度污染源日常环境监管“双随机、一公开”抽查计划，现印发给你们，请认真贯彻执行。${annexes}`];
}

/**
 * The annual plan document's input from the programme config (domain/programme.ts): Annex 1 from
 * checkItems, Annex 2 from quarterlyTasks, and a body that cites the programme's basis (unless the
 * caller gives its own). The number is the caller's.
 */
export function annualPlanFromProgramme(
  programme: Pick<Programme, 'year' | 'name' | 'issuer' | 'detachment' | 'checkItems' | 'quarterlyTasks'> & Partial<Pick<Programme, 'basis'>>,
  options: { number: string | null; issuedOn: string; body?: string[]; recipients?: string },
): AnnualPlanInput {
  return {
    year: programme.year,
    number: options.number,
    bureauName: programme.issuer,
    issuer: programme.detachment.name,
    title: programme.name,
    recipients: options.recipients,
    body: options.body ?? planBody(programme.year, programme.basis ?? []),
    checkItems: [...programme.checkItems]
      .sort((a, b) => a.seq - b.seq)
      .map((c) => ({
        department: c.department,
        item: c.item,
        basis: c.basis,
        subject: c.checkingBody,
        itemClass: c.itemKind,
        targets: c.targets,
        ratio: c.ratio,
        frequency: c.frequency,
        method: c.method,
        remarks: c.remarks,
      })),
    quarterPlans: [...programme.quarterlyTasks]
      .sort((a, b) => a.seq - b.seq)
      .map((t) => ({
        planName: t.planName,
        taskName: t.taskName,
        directed: t.drawType === '定向',
        itemClass: t.itemKind,
        joint: t.jointDraw,
        item: t.item,
        scope: t.targetScope,
        ratio: t.ratioText,
        period: t.period.text,
        department: t.department,
      })),
    issuedOn: options.issuedOn,
  };
}
