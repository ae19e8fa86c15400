// Step 5, documents: official documents with numbers of the bureau's yearly series — a section's
// findings handed over to the brigade of the unit's area (监察通知, 移交表) or referred to an agency
// (移送函), and the year's plan filed with the office above. The number is reserved once per key
// (a retry gets the same number, on any host), the document written with it, then sent.
import { annualPlan, annualPlanFromProgramme, chineseQuarter, formatDocumentNumber, referralLetter, supervisionNotice, transferForm, type CaseDocumentInput, type OfficialDocument } from '../../domain/documents';
import type { ResultReport } from '../../domain/outcomes';
import { NEEDS_DATA } from '../../domain/parking';
import type { ResolvedClock } from '../../domain/programme-clock';
import type { Roster } from '../../stores/campaign-store';
import { annualPlanNotice, handoverNotice, type HandoverFacts } from '../../mail/templates';
import { roleName } from '../../mail/notices';
import { refuse } from './refusals';
import type { StepContext } from './context';
import type { Deliver } from './notices';

export function documentActivities(ctx: StepContext, deliver: Deliver) {
  const { deps } = ctx;

  /** The covering mail of a case document (监察通知, 移交表, 移送函), the document attached. */
  function caseDocumentMail(f: Omit<HandoverFacts, 'issuer' | 'documentNumber' | 'attachmentName'> & { doc: { number: string; html: string | null } }) {
    const attachmentName = `${f.doc.number}.html`;
    return {
      ...handoverNotice({ ...f, issuer: deps.programme.detachment.name, documentNumber: f.doc.number, attachmentName }),
      attachments: [{ filename: attachmentName, content: f.doc.html ?? '', contentType: 'text/html' }],
    };
  }

  /** The covering mail of the annual plan to the office above (role superior-contact), the plan attached. */
  function annualPlanMail(roster: Roster, doc: { number: string; title: string | null; html: string | null }) {
    const contact = roster.people.find((x) => x.roles.includes('superior-contact'));
    const superior = roster.departments.find((d) => d.id === contact?.department)?.name ?? roleName('superior-contact');
    const attachmentName = `${doc.number}.html`;
    return {
      ...annualPlanNotice({ issuer: deps.programme.detachment.name, year: deps.programme.year, superior, planName: doc.title ?? deps.programme.name, documentNumber: doc.number, attachmentName }),
      attachments: [{ filename: attachmentName, content: doc.html ?? '', contentType: 'text/html' }],
    };
  }

  return {
    /**
     * Issues a case document once per key: a section's findings to the brigade of the unit's area
     * (county brigade: 监察通知; direct brigade: 移交表), or a referral (移送) to `report.result.referTo`.
     * Allocates the number in the store, then sends it (the notice key is the document key).
     */
    async issueCaseDocument(a: {
      key: string;
      campaignId: string;
      unitId: string;
      department: string;
      what: 'handover' | 'referral';
      report: ResultReport;
      method: 'onsite' | 'offsite';
      approval: { by: string; on: string } | null;
      issuedOn: string;
    }): Promise<{ kind: 'supervision-notice' | 'transfer-form' | 'referral'; number: string; to: string }> {
      const store = await ctx.store();
      const c = await store.requireCampaign(a.campaignId);
      const roster = await ctx.rosterOf(a.campaignId);
      if (a.report.result.outcome !== 'problems-found') throw refuse(`unit ${a.unitId}: only findings are handed over or referred`);
      // The unit as the registry stands on the issue date, so a corrected area or address counts
      // when a parked hand-over is resumed (the draw used the frozen registry; a document need not).
      const unit = (await ctx.unitAt(a.unitId, a.issuedOn)) ?? (await ctx.unitAt(a.unitId, c.frozenAsOf ?? a.issuedOn));
      if (!unit?.address?.trim()) {
        throw refuse(`unit ${a.unitId}: the registry has no address for it, which the ${a.what} document needs; add the unit's address in the registry, then resume the inspection`, NEEDS_DATA);
      }
      let recipient: Roster['departments'][number] | undefined;
      let kind: 'supervision-notice' | 'transfer-form' | 'referral';
      if (a.what === 'referral') {
        const to = a.report.result.referTo;
        recipient = roster.departments.find((d) => d.id === to);
        if (!recipient) throw refuse(`unit ${a.unitId}: the agency ${String(to)} to refer to is not in the registry's departments; add it to the registry, then resume the inspection`, NEEDS_DATA);
        kind = 'referral';
      } else {
        const area = unit?.jurisdiction;
        recipient = roster.departments.find((d) => (d.kind === 'county-brigade' || d.kind === 'direct-brigade') && d.jurisdiction === area);
        if (!recipient) {
          const covered = roster.departments.filter((d) => d.kind === 'county-brigade' || d.kind === 'direct-brigade').map((d) => `${d.id}: ${d.jurisdiction}`);
          throw refuse(
            `unit ${a.unitId}: no brigade covers its area ${String(area)} (brigades of the frozen roster: ${covered.join(', ') || 'none'}); correct the unit's area (jurisdiction) in the registry, then resume the inspection`,
            NEEDS_DATA,
          );
        }
        kind = recipient.kind === 'county-brigade' ? 'supervision-notice' : 'transfer-form';
      }
      const issuer = roster.departments.find((d) => d.id === a.department);
      const inspectors = a.report.present.map((id) => {
        const p = roster.people.find((x) => x.id === id);
        return { name: p?.name ?? id, certificateNo: p?.certificateNo ?? '（未登记）' };
      });
      const approver = a.approval ? (roster.people.find((p) => p.id === a.approval!.by)?.name ?? a.approval.by) : null;
      const year = Number(a.issuedOn.slice(0, 4));
      const doc = await store.allocateDocument(
        a.key,
        { kind, year, campaignId: a.campaignId, unitId: a.unitId, recipient: recipient.id },
        (seq) => formatDocumentNumber(kind, year, seq),
        (number) => {
          const input: CaseDocumentInput = {
            number,
            issuer: { name: deps.programme.detachment.name, office: issuer?.name },
            recipient: { name: recipient!.name },
            unit: { id: a.unitId, name: unit?.name ?? a.unitId, address: unit?.address ?? '' },
            campaign: `${c.year}年${chineseQuarter(c.quarter)}污染源日常监管“双随机、一公开”抽查`,
            checkedOn: a.report.checkedOn,
            method: a.method,
            inspectors,
            findings: a.report.result.outcome === 'problems-found' ? a.report.result.description : '',
            legalBasis: ['《中华人民共和国环境保护法》'],
            requestedAction: kind === 'referral' ? '请依法调查处理，并将处理结果函告我支队。' : '请依法调查处理，并于处理完毕后反馈结果。',
            replyBy: null,
            approval: a.approval && approver ? { by: approver, on: a.approval.on } : null,
            evidence: a.report.evidence,
            issuedOn: a.issuedOn,
          };
          const d: OfficialDocument = kind === 'supervision-notice' ? supervisionNotice(input) : kind === 'transfer-form' ? transferForm(input) : referralLetter(input);
          return { title: d.title, html: d.html, text: d.text };
        },
        new Date().toISOString(),
      );
      await deliver(
        a.key,
        a.campaignId,
        { departments: [recipient.id], departmentRoles: { department: recipient.id, roles: ['brigade-leader'] } },
        caseDocumentMail({
          kind,
          doc,
          receiver: recipient.name,
          unit: { code: a.unitId, name: unit?.name ?? a.unitId },
          findings: a.report.result.outcome === 'problems-found' ? a.report.result.description : '',
          approval: a.approval && approver ? { by: approver, on: a.approval.on } : null,
        }),
        a.unitId,
        a.issuedOn,
        kind,
      );
      return { kind, number: doc.number, to: recipient.id };
    },

    /** Files the year's plan (Annex 1 + 2) with the superior office, once per key. */
    async fileAnnualPlan(a: {
      key: string;
      programmeId: string;
      year: number;
      issuedOn: string;
      /** The plan workflow's clock (plans started before the rehearsal gate do not pass it). */
      clock?: ResolvedClock;
    }): Promise<{ number: string; sentTo: string[] }> {
      const p = deps.programme;
      if (a.programmeId !== p.id || a.year !== p.year) throw refuse(`this worker runs programme ${p.id} (${p.year}), not ${a.programmeId} (${a.year})`);
      ctx.refuseRehearsalUnlessAllowed(`annual plan ${a.programmeId} ${a.year}`, a.clock, 'start the plan on the real clock, or on a rehearsal worker');
      const campaignId = `annual-plan-${p.id}-${p.year}`;
      const store = await ctx.store();
      await store.ensureCampaign({ campaignId, programmeId: p.id, year: p.year, quarter: 0 });
      if (!(await store.campaign(campaignId))!.roster) await store.setRoster(campaignId, await ctx.rosterAt(a.issuedOn));
      const doc = await store.allocateDocument(
        a.key,
        { kind: 'annual-plan', year: a.year, campaignId, unitId: null, recipient: 'superior-contact' },
        (seq) => formatDocumentNumber('annual-plan', a.year, seq),
        (number) => {
          const d = annualPlan(annualPlanFromProgramme(p, { number, issuedOn: a.issuedOn }));
          return { title: d.title, html: d.html, text: d.text };
        },
        new Date().toISOString(),
      );
      const sent = await deliver(a.key, campaignId, { roles: ['superior-contact'] }, annualPlanMail(await ctx.rosterOf(campaignId), doc), null, a.issuedOn, 'annual-plan');
      return { number: doc.number, sentTo: sent.sentTo };
    },
  };
}
