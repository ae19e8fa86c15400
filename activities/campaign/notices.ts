// The e-mail notices the quarter sends, in Chinese: subject and body for each kind. The workflows
// name the kind and its parameters; the activity resolves recipients and renders the text here.
// A reason appears as the programme's label and code only: a person's note stays in the campaign
// store (mail leaves the system, and may be forwarded).

export type NoticeKind =
  | 'change-list-reminder'
  | 'change-list-missing'
  | 'draw-overdue'
  | 'ceremony-void'
  | 'inspection-assigned'
  | 'inspection-reminder'
  | 'inspection-overdue'
  | 'inspection-escalated'
  | 'unit-replacement-requested'
  | 'recusal-decision-requested'
  | 'recusal-rejected'
  | 'handover-approval-requested'
  | 'handover-approval-overdue'
  | 'publication-late';

export type NoticeParams = Record<string, string | number | string[] | undefined>;

function list(v: NoticeParams[string]): string {
  return Array.isArray(v) ? v.join('、') : String(v ?? '');
}

/** `label（code）`, or the code alone when the programme gives no label. */
function reasonText(p: NoticeParams): string {
  const code = String(p.reasonCode ?? '');
  return p.reasonLabel ? `${p.reasonLabel}（${code}）` : code;
}

export function renderNotice(kind: NoticeKind, campaignId: string, p: NoticeParams): { subject: string; text: string } {
  const c = `（${campaignId}）`;
  switch (kind) {
    case 'change-list-reminder':
      return {
        subject: `提醒：请于${p.windowCloses}前报送本季度污染源名录变更清单${c}`,
        text: `${p.brigade}：\n本季度末污染源名录更新窗口将于${p.windowCloses}关闭。贵单位尚未报送新增、关停或取缔单位变更清单，请及时通过系统报送（无变更也请报送“无变更”）。`,
      };
    case 'change-list-missing':
      return {
        subject: `督办：${list(p.brigades)}未按期报送名录变更清单${c}`,
        text: `名录更新窗口已于${p.windowCloses}关闭，以下单位未报送变更清单：${list(p.brigades)}。名录已按现有数据冻结，请督促相关单位说明情况。`,
      };
    case 'draw-overdue':
      return {
        subject: `督办：本季度“双随机”抽取未在${p.drawDue}前完成${c}`,
        text: `本季度随机抽取应于${p.drawDue}前由系统管理员和纪检监察员共同完成。截至目前尚待：${list(p.waitingFor)}。请尽快组织抽取。`,
      };
    case 'ceremony-void':
      return {
        subject: `见证仪式作废：第${p.ceremony}次抽取见证仪式未在${p.revealBy}前完成揭示${c}`,
        text: `本季度第${p.ceremony}次随机抽取见证仪式中，以下见证人未在揭示期限（${p.revealBy}）前提交与承诺值一致的揭示：${list(p.failed)}。该次仪式已作废并将随抽查结果一并公示。请两名见证人重新生成随机数和盐值，参加第${p.next}次见证仪式（先提交承诺值，再揭示）。`,
      };
    case 'inspection-assigned':
      return {
        subject: `检查任务：${p.unitId}（${p.method === 'offsite' ? '非现场检查' : '现场检查'}），请于${p.due}前完成`,
        text: `您已被随机抽取为检查人员。\n检查对象：${p.unitId}\n检查组：${list(p.team)}（第一位为组长）\n检查方式：${p.method === 'offsite' ? '非现场检查（正面清单单位）' : '现场检查'}\n完成时限：${p.due}\n如与检查对象存在利害关系，请立即申请回避。抽查名单在检查完成前须保密。`,
      };
    case 'inspection-reminder':
      return {
        subject: `提醒：${p.unitId}的检查任务将于${p.due}到期（还有${p.daysLeft}天）`,
        text: `检查对象${p.unitId}的检查结果尚未提交，完成时限为${p.due}。请按时完成检查并录入结果。`,
      };
    case 'inspection-overdue':
      return {
        subject: `逾期：${p.unitId}的检查任务已超过时限${p.due}`,
        text: `${p.department}：检查对象${p.unitId}（检查组：${list(p.team)}）的检查结果未在时限${p.due}前提交，已标记为逾期。请督促检查组尽快完成；${p.escalateAfter}后仍未完成将报支队领导。`,
      };
    case 'inspection-escalated':
      return {
        subject: `督办：${p.unitId}的检查任务逾期未完成（${p.department}）`,
        text: `检查对象${p.unitId}（${p.department}，检查组：${list(p.team)}）的检查时限为${p.due}，宽限期至${p.escalateAfter}，仍未提交检查结果，特报支队领导督办。`,
      };
    case 'unit-replacement-requested':
      return {
        subject: `审批：抽中单位${p.unitId}报告关停，申请替换`,
        text: `${p.by}报告抽中单位${p.unitId}无法检查，原因：${reasonText(p)}。请分管领导审批是否按抽取规则替换（系统自动确定替换单位）。`,
      };
    case 'recusal-decision-requested':
      return {
        subject: `审批：${p.inspectorId}申请回避${p.unitId}的检查任务`,
        text: `${p.by === p.inspectorId ? `${p.inspectorId}` : `${p.by}为${p.inspectorId}`}申请回避检查对象${p.unitId}的检查任务，原因：${reasonText(p)}。请分管领导审批（ssj recusal approve|reject）；批准后系统按抽取规则重新选派一名执法人员，审批前不能提交检查结果。说明材料见系统内部记录。`,
      };
    case 'recusal-rejected':
      return {
        subject: `回避申请未获批准：${p.unitId}`,
        text: `${p.inspectorId}对检查对象${p.unitId}的回避申请经${p.by}审核未获批准，原因：${reasonText(p)}。请按原检查组完成检查任务。`,
      };
    case 'handover-approval-requested':
      return {
        subject: `审批：${p.unitId}检查发现问题，申请移交`,
        text: `${p.department}对${p.unitId}的检查发现问题：${p.description}\n请分管领导在${p.approvalDue}前审批是否移交属地大队处理。`,
      };
    case 'handover-approval-overdue':
      return {
        subject: `督办：${p.unitId}问题移交审批已超过时限${p.approvalDue}`,
        text: `${p.department}对${p.unitId}检查发现的问题应于${p.approvalDue}前由分管领导审批移交，至今未审批。`,
      };
    case 'publication-late':
      return {
        subject: `督办：本季度抽查结果未在${p.publicationDue}前公示${c}`,
        text: `本季度抽查结果应在检查结束后20个工作日内（${p.publicationDue}前）公示。尚有${p.open}项检查未结束，公示已逾期。`,
      };
  }
}
