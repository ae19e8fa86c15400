// A case document's recipient and input (监察通知, 移交表, 移送函) from an inspection's facts: ONE
// builder shared by the activity that issues it (activities/steps/documents.ts) and the console's
// preview on the hand-over approval page (console/handover-preview.ts), so the manager sees the
// very document the approval will issue, less its number and the approval line.
import { chineseQuarter, referralLetter, supervisionNotice, transferForm, type CaseDocumentInput, type OfficialDocument } from '../documents';
import { parseEvidenceRef, type ResultReport } from '../outcomes';

export type CaseDocumentKind = 'supervision-notice' | 'transfer-form' | 'referral';

/** A department as the campaign's roster holds it (stores/campaign-store.ts RosterDepartment). */
export interface CaseDepartment {
  id: string;
  kind: string;
  name: string;
  jurisdiction: string | null;
}
/** A person as the campaign's roster holds it. */
export interface CasePerson {
  id: string;
  name: string;
  certificateNo: string | null;
}

/** Why no recipient could be found: the registry lacks the agency, or no brigade covers the unit's area. */
export type RecipientProblem = { problem: 'unknown-agency'; agency: string | null } | { problem: 'no-brigade'; area: string | null; brigades: CaseDepartment[] };

const isBrigade = (d: CaseDepartment) => d.kind === 'county-brigade' || d.kind === 'direct-brigade';

/**
 * Who receives the document and so which document it is: a referral goes to the agency the
 * report names (移送函); a hand-over to the brigade covering the unit's area, a county brigade
 * by 监察通知, a direct brigade by 移交表.
 */
export function caseDocumentRecipient(what: 'handover' | 'referral', report: ResultReport, unitArea: string | null | undefined, departments: readonly CaseDepartment[]): { kind: CaseDocumentKind; recipient: CaseDepartment } | RecipientProblem {
  if (what === 'referral') {
    const agency = report.result.outcome === 'problems-found' ? report.result.referTo : null;
    const recipient = departments.find((d) => d.id === agency);
    return recipient ? { kind: 'referral', recipient } : { problem: 'unknown-agency', agency };
  }
  const recipient = departments.find((d) => isBrigade(d) && d.jurisdiction === unitArea);
  if (!recipient) return { problem: 'no-brigade', area: unitArea ?? null, brigades: departments.filter(isBrigade) };
  return { kind: recipient.kind === 'county-brigade' ? 'supervision-notice' : 'transfer-form', recipient };
}

/** A person's name from the roster, the id when the roster does not know them. */
export function rosterName(people: readonly CasePerson[], id: string): string {
  return people.find((p) => p.id === id)?.name ?? id;
}

export interface CaseDocumentFacts {
  kind: CaseDocumentKind;
  /** The allocated number, or PENDING_NUMBER in a preview. */
  number: string;
  /** The detachment issuing it (programme.detachment.name). */
  issuer: string;
  /** The section that found the problem (its name), when known. */
  office: string | undefined;
  recipient: { name: string };
  unit: { id: string; name: string; address: string };
  campaign: { year: number; quarter: number };
  report: ResultReport;
  method: 'onsite' | 'offsite';
  /** Who is who: the inspectors' names and certificates, the approver's name. */
  people: readonly CasePerson[];
  /** The leader in charge's approval (a person id), PENDING_APPROVAL in a preview, null for a section-less referral. */
  approval: { by: string; on: string } | 'pending' | null;
  issuedOn: string;
}

/** The document's input: everything but the number and the approval is the same in a preview and the issued document. */
export function caseDocumentInput(f: CaseDocumentFacts): CaseDocumentInput {
  return {
    number: f.number,
    issuer: { name: f.issuer, office: f.office },
    recipient: { name: f.recipient.name },
    unit: f.unit,
    campaign: `${f.campaign.year}年${chineseQuarter(f.campaign.quarter)}污染源日常监管“双随机、一公开”抽查`,
    checkedOn: f.report.checkedOn,
    method: f.method,
    inspectors: f.report.present.map((id) => {
      const p = f.people.find((x) => x.id === id);
      return { name: p?.name ?? id, certificateNo: p?.certificateNo ?? '（未登记）' };
    }),
    findings: f.report.result.outcome === 'problems-found' ? f.report.result.description : '',
    // The environmental statute grounds a hand-over; a referral is made because the matter falls
    // outside it, and the report names no other agency's statute to cite.
    legalBasis: f.kind === 'referral' ? [] : ['《中华人民共和国环境保护法》'],
    requestedAction: f.kind === 'referral' ? '请依法调查处理，并将处理结果函告我支队。' : '请依法调查处理，并于处理完毕后反馈结果。',
    replyBy: null,
    approval: f.approval === 'pending' || f.approval === null ? f.approval : { by: rosterName(f.people, f.approval.by), on: f.approval.on },
    // An uploaded file is named by its file name; its hash stays in the record, not the letter.
    evidence: f.report.evidence.map((e) => parseEvidenceRef(e)?.fileName ?? e),
    issuedOn: f.issuedOn,
  };
}

/** The document of its kind from its input. */
export function renderCaseDocument(kind: CaseDocumentKind, input: CaseDocumentInput): OfficialDocument {
  return kind === 'supervision-notice' ? supervisionNotice(input) : kind === 'transfer-form' ? transferForm(input) : referralLetter(input);
}
