// 文书预览: before a manager decides a hand-over, the approval page shows the 监察通知 or 移交表 (or
// 移送函) the approval will issue, built by the activity's own builder (domain/documents/
// case-document.ts) from the same facts: the campaign's frozen roster and the stored result (the
// shared store), the unit from the console's registry cache, the issue date the inspection's own
// clock shows (InspectionStatus.today). The number reads （审批后编号） and the approval line
// （审批后填写）. A fact that cannot be found is named on the page; it never makes an error page.
import { DocumentInputError, PENDING_APPROVAL, PENDING_NUMBER } from '../domain/documents';
import { caseDocumentInput, caseDocumentRecipient, renderCaseDocument, type CaseDocumentKind } from '../domain/documents/case-document';
import type { ResultReport } from '../domain/outcomes';
import { SqlCampaignStore, type Roster } from '../stores/campaign-store';
import type { SqlDatabase } from '../stores/sql';
import type { InspectionStatus } from '../workflows/definitions';

/** Where the preview's facts come from. */
export interface HandoverPreviewSource {
  /** The campaign's year, quarter and frozen roster; null when the store does not know it. */
  campaign(campaignId: string): Promise<{ year: number; quarter: number; roster: Roster | null } | null>;
  /** The result as the team submitted it (who was present, the findings, the evidence). */
  result(campaignId: string, unitId: string): Promise<ResultReport | null>;
  /** The unit as the registry stands (the console's cache). */
  unit(unitId: string): { name: string; address: string; jurisdiction: string | null } | null;
  /** The detachment issuing documents (programme.detachment.name); null when not configured. */
  issuer: string | null;
}

/** The source on the shared store the workers write to, with the registry cache's units. */
export function storeHandoverPreview(db: SqlDatabase, o: { unit: HandoverPreviewSource['unit']; issuer: string | null }): HandoverPreviewSource {
  const store = new SqlCampaignStore(db);
  return {
    async campaign(campaignId) {
      const c = await store.campaign(campaignId);
      return c ? { year: c.year, quarter: c.quarter, roster: c.roster } : null;
    },
    async result(campaignId, unitId) {
      return (await store.result(campaignId, unitId))?.report ?? null;
    },
    unit: o.unit,
    issuer: o.issuer,
  };
}

export interface HandoverPreview {
  kind: CaseDocumentKind | null;
  /** The receiving brigade or agency, when found. */
  recipient: string | null;
  /** The document page, null when the facts do not allow one. */
  html: string | null;
  /** What could not be found, in Chinese, for the page to say. */
  missing: string[];
}

const ISSUER_PLACEHOLDER = '（发文机关未配置）';

/** The document the approval of this hand-over would issue, or what keeps it from being shown. */
export async function handoverPreview(source: HandoverPreviewSource | null, status: InspectionStatus): Promise<HandoverPreview> {
  const none = (why: string): HandoverPreview => ({ kind: null, recipient: null, html: null, missing: [why] });
  if (!source) return none('本控制台未连接文书数据，无法预览拟发文书。');
  const [campaign, report] = await Promise.all([source.campaign(status.campaignId), source.result(status.campaignId, status.unitId)]);
  if (!report || report.result.outcome !== 'problems-found') return none('未找到本单位的检查结果记录，无法预览拟发文书。');
  if (!campaign?.roster) return none('未找到本季度冻结的人员及部门名单，无法确定接收单位。');
  const missing: string[] = [];
  const unit = source.unit(status.unitId);
  if (!unit) missing.push(`名录中找不到该单位（${status.unitId}），无法确定其所属区域及地址。`);
  else if (!unit.address.trim()) missing.push('名录中该单位没有地址：批准后文书将暂缓生成，须先在名录中补录地址。');
  const what = report.result.referTo ? 'referral' : 'handover';
  const found = caseDocumentRecipient(what, report, unit?.jurisdiction, campaign.roster.departments);
  if ('problem' in found) {
    missing.push(
      found.problem === 'unknown-agency'
        ? `名单中没有拟移送的部门（${found.agency ?? '未指定'}），无法确定接收单位。`
        : `没有负责该单位所在区域（${found.area ?? '未知'}）的大队，无法确定接收单位及文书种类；请核对名录中该单位的所属区域。`,
    );
    return { kind: null, recipient: null, html: null, missing };
  }
  if (!source.issuer) missing.push('未配置发文机关名称（方案 detachment.name）。');
  try {
    const input = caseDocumentInput({
      kind: found.kind,
      number: PENDING_NUMBER,
      issuer: source.issuer ?? ISSUER_PLACEHOLDER,
      office: campaign.roster.departments.find((d) => d.id === status.department)?.name,
      recipient: found.recipient,
      unit: { id: status.unitId, name: unit?.name ?? status.unitId, address: unit?.address ?? '' },
      campaign,
      report,
      method: status.method,
      people: campaign.roster.people,
      approval: PENDING_APPROVAL,
      issuedOn: status.today,
    });
    return { kind: found.kind, recipient: found.recipient.name, html: renderCaseDocument(found.kind, input).html, missing };
  } catch (err) {
    if (!(err instanceof DocumentInputError)) throw err;
    return { kind: found.kind, recipient: found.recipient.name, html: null, missing: [...missing, `文书内容不完整，无法生成预览（${err.message}）。`] };
  }
}
