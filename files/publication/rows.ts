// The disclosure's rows: one per drawn unit in the draw's walk order, a replaced unit followed by
// the unit that replaced it (DRAW-SPEC section 6), with what the public may see of each.
import type { Manifest } from '../../domain/draw/manifest';
import type { DrawRecord, Replacement, UnitReplacement } from '../../domain/draw/record';
import type { HandlingKind } from '../../domain/outcomes';
import { reasonLabel, type ReasonCodes, type ReasonKind } from '../../domain/programme';
import { ROLE_LABELS } from '../../domain/registry';

export interface PublicUnit {
  id: string;
  name: string;
  address: string;
}
export type PublicResult =
  | { outcome: 'no-problem' }
  | { outcome: 'problems-found'; description: string; referTo?: string | null }
  /** Only the programme's code: a person's note never reaches the public rows. */
  | { outcome: 'could-not-inspect'; reasonCode: string | null };
export interface PublicOutcome {
  unitId: string;
  checkedOn: string | null;
  result: PublicResult | null;
  handling: HandlingKind;
  /** Who took the case over: the county or direct brigade, or the agency (names, not codes). */
  handledBy: string | null;
  documentNumber: string | null;
}

export type DrawStatus =
  | { kind: 'drawn' }
  | { kind: 'replaced'; seq: number; reason: string; label: string; by: string }
  | { kind: 'brought-in'; seq: number; replacing: string };

export interface PublicRow {
  no: number;
  unitId: string;
  unitName: string;
  address: string;
  category: string;
  poolId: string;
  department: string;
  method: 'onsite' | 'offsite';
  status: DrawStatus;
  outcome: PublicOutcome | null;
}

export class PublicationInputError extends Error {
  override name = 'PublicationInputError';
}

export const CATEGORY_LABELS: Record<string, string> = { key: '重点排污单位', general: '一般排污单位', special: '特殊监管对象' };
export const METHOD_LABELS = { onsite: '现场检查', offsite: '非现场检查' } as const;
/** Labels of the codes used before the programme listed its own (older quarters' records). */
export const REASON_LABELS: Record<string, string> = {
  closed: '关停',
  banned: '取缔',
  recusal: '回避',
  absence: '因故不能参加',
  'cannot-inspect': '无法检查',
  other: '其他原因',
};
const CODE_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** The witnesses' roles by the registry's names (domain ROLE_LABELS), as every other page and notice names them. */
export const WITNESS_ROLE_LABELS: Record<string, string> = { admin: ROLE_LABELS.admin, discipline: ROLE_LABELS.discipline };

/**
 * What the public reads for a reason: the programme's label of the code, else a known older label,
 * else the bare code. Anything that is not a code (an older record's free text) shows as 其他原因.
 */
export function publicReasonLabel(reasons: Partial<ReasonCodes> | undefined, kind: ReasonKind, code: string | null): string {
  if (!code || !CODE_RE.test(code)) return REASON_LABELS.other!;
  return reasonLabel(reasons, kind, code) ?? REASON_LABELS[code] ?? code;
}

/** The reason kind of a replacements-list entry: a unit closed, or an inspector's recusal. */
export function replacementReasonKind(kind: 'unit' | 'inspector'): ReasonKind {
  return kind === 'unit' ? 'unitClosed' : 'recusal';
}

/**
 * The reason as replacements.json publishes it: a bare code. Entries of older ssj-draw/1 quarters
 * carried `code: free text`; only the code before the colon is kept (`other` if there is none).
 * A verifier does not read the reason under ssj-draw/1, so the list still verifies.
 */
export function publicReasonCode(reason: string): string {
  if (CODE_RE.test(reason)) return reason;
  const head = reason.split(':')[0]!.trim();
  return CODE_RE.test(head) ? head : 'other';
}

/**
 * Builds the rows and checks that the input hangs together: every listed unit is named, every
 * unit still on the list has an outcome, no outcome is for a unit off the list.
 */
export function buildRows(
  record: DrawRecord,
  manifest: Manifest,
  replacements: readonly Replacement[],
  units: ReadonlyMap<string, PublicUnit>,
  outcomes: ReadonlyMap<string, PublicOutcome>,
  departmentNames: ReadonlyMap<string, string>,
  reasons?: Partial<ReasonCodes>,
): PublicRow[] {
  const manifestUnits = new Map(manifest.units.map((u) => [u.unitId, u]));
  const poolDepartment = new Map(record.pools.map((p) => [p.pool_id, p.department]));
  const unitReplacements = new Map<string, UnitReplacement>();
  for (const r of [...replacements].sort((a, b) => a.seq - b.seq)) {
    if (r.kind === 'unit' && !unitReplacements.has(`${r.pool_id}|${r.unit_id}`)) unitReplacements.set(`${r.pool_id}|${r.unit_id}`, r);
  }

  const problems: string[] = [];
  const rows: PublicRow[] = [];
  const seen = new Set<string>();
  const emit = (poolId: string, unitId: string, status: DrawStatus): void => {
    if (seen.has(unitId)) {
      problems.push(`unit ${unitId} appears twice in the list (pool ${poolId})`);
      return;
    }
    seen.add(unitId);
    const u = units.get(unitId);
    if (!u) problems.push(`units: no name and address for unit ${unitId} (on the list, pool ${poolId})`);
    const mu = manifestUnits.get(unitId);
    if (!mu) problems.push(`unit ${unitId} (pool ${poolId}) is not in the manifest's units.csv`);
    const department = poolDepartment.get(poolId) ?? '';
    const replaced = unitReplacements.get(`${poolId}|${unitId}`);
    const outcome = outcomes.get(unitId) ?? null;
    if (!replaced && !outcome) problems.push(`outcomes: unit ${unitId} (pool ${poolId}) is on the list but has no outcome`);
    rows.push({
      no: rows.length + 1,
      unitId,
      unitName: u?.name ?? '',
      address: u?.address ?? '',
      category: mu ? (CATEGORY_LABELS[mu.category] ?? mu.category) : '',
      poolId,
      department: departmentNames.get(department) ?? department,
      method: mu?.positive ? 'offsite' : 'onsite',
      status: replaced
        ? { kind: 'replaced', seq: replaced.seq, reason: replaced.reason, label: publicReasonLabel(reasons, 'unitClosed', replaced.reason), by: replaced.replacement }
        : status,
      outcome,
    });
    if (replaced) emit(poolId, replaced.replacement, { kind: 'brought-in', seq: replaced.seq, replacing: unitId });
  };
  for (const a of record.assignments) emit(a.pool_id, a.unit_id, { kind: 'drawn' });

  for (const r of replacements) {
    if (r.kind === 'unit' && !seen.has(r.unit_id)) problems.push(`replacements seq ${r.seq}: unit ${r.unit_id} is not on the list`);
    if (r.kind === 'inspector' && !seen.has(r.unit_id)) problems.push(`replacements seq ${r.seq}: unit ${r.unit_id} is not on the list`);
  }
  for (const id of outcomes.keys()) if (!seen.has(id)) problems.push(`outcomes: unit ${id} is not on the drawn list`);
  for (const [id, o] of outcomes) {
    if (o.result && !o.checkedOn && o.result.outcome !== 'could-not-inspect') problems.push(`outcomes: unit ${id} has a result but no checkedOn date`);
    if (['supervision-notice', 'transfer-form', 'referral'].includes(o.handling) && !o.handledBy) {
      problems.push(`outcomes: unit ${id} is handled by ${o.handling} but handledBy (the receiving brigade or agency) is missing`);
    }
  }
  if (problems.length) throw new PublicationInputError(`the disclosure package's input does not hang together:\n  ${problems.join('\n  ')}`);
  return rows;
}

export function resultText(o: PublicOutcome | null, status: DrawStatus, reasons?: Partial<ReasonCodes>): string {
  if (!o || !o.result) return status.kind === 'replaced' ? '未检查（已替换）' : '—';
  switch (o.result.outcome) {
    case 'no-problem':
      return '未发现问题';
    case 'problems-found':
      return `发现问题：${o.result.description}`;
    case 'could-not-inspect':
      return `未能检查（${publicReasonLabel(reasons, 'couldNotInspect', o.result.reasonCode)}）`;
  }
}

export function handlingText(o: PublicOutcome | null, status: DrawStatus): string {
  if (!o) return status.kind === 'replaced' ? '已按规则替换' : '—';
  const doc = o.documentNumber ? `（${o.documentNumber}）` : '';
  const to = o.handledBy ?? '';
  switch (o.handling) {
    case 'none':
      return '无需处理';
    case 'own-case':
      return `由${to || '检查大队'}依法查处${doc}`;
    case 'awaiting-approval':
      return '移交审批中';
    case 'handover-rejected':
      return '经审核不予移交';
    case 'supervision-notice':
      return `以监察通知移交${to}依法查处${doc}`;
    case 'transfer-form':
      return `以移交表移交${to}依法查处${doc}`;
    case 'referral':
      return `案件线索已移送${to}${doc}`;
    case 'not-inspected':
      return '未检查';
  }
}

export function statusText(s: DrawStatus, names: ReadonlyMap<string, string>): string {
  switch (s.kind) {
    case 'drawn':
      return '随机抽取';
    case 'replaced':
      return `已替换（第${s.seq}号替换，原因：${s.label}；替补：${names.get(s.by) ?? s.by}）`;
    case 'brought-in':
      return `替补抽取（第${s.seq}号替换，替换：${names.get(s.replacing) ?? s.replacing}）`;
  }
}
