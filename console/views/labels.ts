// The Chinese names of the codes the console's pages would otherwise show raw: one function per
// kind of code, each reusing the map that already exists where the code is defined (the
// programme's reason-code lists, the notices' step names, the projection's department names).
// An unknown code falls back to the code itself, never to an error.
import { reasonLabel, type ReasonCodeEntry, type ReasonKind } from '../../domain/programme';
import { STEP_NAMES } from '../../mail/notices';
import { parkedReasonLabel } from '../../domain/parking';

/** The department's name as the projection recorded it (detail.departmentName), else its id. */
export function departmentLabel(id: string | null | undefined, detail?: Readonly<Record<string, unknown>> | null): string {
  const name = detail?.departmentName;
  return typeof name === 'string' && name !== '' ? name : (id ?? '');
}

/** A reason code (recusal, unitClosed, couldNotInspect, rejection) by the programme's label. */
export function reasonCodeLabel(reasons: Partial<Record<ReasonKind, readonly ReasonCodeEntry[]>> | undefined, kind: ReasonKind, code: string | null | undefined): string {
  if (!code) return '';
  return reasonLabel(reasons as Partial<Record<ReasonKind, ReasonCodeEntry[]>> | undefined, kind, code) ?? code;
}

/** The quarter's phases in order (the timeline), with their names. */
export const CAMPAIGN_PHASES: ReadonlyArray<{ phase: string; label: string }> = [
  { phase: 'update-window', label: '名录更新' },
  { phase: 'freeze', label: '名录冻结' },
  { phase: 'draw', label: '随机抽取' },
  { phase: 'inspection', label: '实施检查' },
  { phase: 'publication', label: '结果公示' },
  { phase: 'closed', label: '已结束' },
];
export const campaignPhaseLabel = (p: string): string => (p === 'parked' ? '暂停待处理' : (CAMPAIGN_PHASES.find((x) => x.phase === p)?.label ?? p));

const INSPECTION_PHASES: Record<string, string> = {
  notify: '告知中',
  inspection: '检查中',
  'unit-replacement': '替换审批中',
  'handover-approval': '移交审批中',
  handover: '移交办理中',
  done: '已办结',
  replaced: '已替换',
  parked: '暂停待处理',
};
export const inspectionPhaseLabel = (p: string): string => INSPECTION_PHASES[p] ?? p;

/** How a finding was handled (domain/outcomes.ts handlingKinds), in the console's short words. */
const HANDLING_LABELS: Record<string, string> = {
  none: '无需处理',
  'own-case': '本大队立案查处',
  'awaiting-approval': '移交审批中',
  'handover-rejected': '经审核不予移交',
  'supervision-notice': '以监察通知移交',
  'transfer-form': '以移交表移交',
  referral: '移送其他部门',
  'not-inspected': '未检查',
};
export const handlingLabel = (h: string | null | undefined): string => (h ? (HANDLING_LABELS[h] ?? h) : '—');

export const taskStatusLabel = (s: string): string => (s === 'open' ? '待办' : s === 'done' ? '已处理' : s === 'cancelled' ? '已取消' : s);

/** A parked step by the name the 【待处理】 notice gives it. */
export const parkedStepLabel = (step: string | null | undefined): string => (step ? (STEP_NAMES[step] ?? step) : '—');

// Why a step is parked: the domain's translation, shared with the 【待处理】 notice.
export { parkedReasonLabel };

/** “<step>”已暂停，<why>: a parked step in one sentence, without its full stop (callers go on after it). */
export const parkedText = (step: string | null | undefined, reason: string | null | undefined): string =>
  `“${parkedStepLabel(step)}”已暂停${reason ? `，${parkedReasonLabel(reason).replace(/。$/, '')}` : ''}`;

/** An inspection result's conclusion (检查结论), in the result form's order. */
export const RESULT_OUTCOMES = [
  { value: 'no-problem', label: '未发现问题' },
  { value: 'problems-found', label: '发现问题' },
  { value: 'could-not-inspect', label: '未能检查' },
] as const;
export const outcomeLabel = (o: string): string => RESULT_OUTCOMES.find((x) => x.value === o)?.label ?? o;
