// Step 5, documents: official documents with numbers of the bureau's yearly series — a section's
// findings handed over to the brigade of the unit's area (监察通知, 移交表) or referred to an agency
// (移送函), and the year's plan filed with the office above. The number is reserved once per key
// (a retry gets the same number, on any host), the document written with it, then sent: as HTML
// and, where the worker renders PDFs (SSJ_DOCUMENT_PDF, Chromium), as A4 PDF beside it, the PDF
// stored once per number in the blob store (files/documents/document-pdf.ts). A PDF that could not
// be made never holds the document back: it goes as HTML, and the gap is recorded for
// `ssj quarter status` in the notice-problem log.
import { annualPlan, annualPlanFromProgramme, formatDocumentNumber } from '../../domain/documents';
import { caseDocumentInput, caseDocumentRecipient, renderCaseDocument, rosterName } from '../../domain/documents/case-document';
import type { ResultReport } from '../../domain/outcomes';
import { NEEDS_DATA } from '../../domain/parking';
import type { ResolvedClock } from '../../domain/programme-clock';
import type { Roster } from '../../stores/campaign-store';
import { annualPlanNotice, handoverNotice, type HandoverFacts } from '../../mail/templates';
import { roleName } from '../../mail/notices';
import { documentPdf, documentPdfFileName } from '../../files/documents/document-pdf';
import { NoticeProblemLog } from '../../stores/notice-problems';
import { refuse } from './refusals';
import type { NoticeDelivery, StepContext } from './context';
import type { Deliver } from './notices';

export function documentActivities(ctx: StepContext, deliver: Deliver) {
  const { deps } = ctx;

  type IssuedDocument = { number: string; title: string | null; html: string | null };

  /** The document's HTML, and its A4 PDF when there is one. */
  function documentAttachments(doc: IssuedDocument, pdf: Buffer | null) {
    const attachments = [{ filename: `${doc.number}.html`, content: doc.html ?? '', contentType: 'text/html' }];
    return pdf ? [...attachments, { filename: documentPdfFileName(doc.number), content: pdf, contentType: 'application/pdf' }] : attachments;
  }

  /** The covering mail of a case document (监察通知, 移交表, 移送函), the document attached. */
  function caseDocumentMail(f: Omit<HandoverFacts, 'issuer' | 'documentNumber' | 'attachmentName'> & { doc: IssuedDocument; pdf: Buffer | null }) {
    return {
      ...handoverNotice({ ...f, issuer: deps.programme.detachment.name, documentNumber: f.doc.number, attachmentName: `${f.doc.number}.html` }),
      attachments: documentAttachments(f.doc, f.pdf),
    };
  }

  /** The covering mail of the annual plan to the office above (role superior-contact), the plan attached. */
  function annualPlanMail(roster: Roster, doc: IssuedDocument, pdf: Buffer | null) {
    const contact = roster.people.find((x) => x.roles.includes('superior-contact'));
    const superior = roster.departments.find((d) => d.id === contact?.department)?.name ?? roleName('superior-contact');
    return {
      ...annualPlanNotice({ issuer: deps.programme.detachment.name, year: deps.programme.year, superior, planName: doc.title ?? deps.programme.name, documentNumber: doc.number, attachmentName: `${doc.number}.html` }),
      attachments: documentAttachments(doc, pdf),
    };
  }

  /** The issued document's PDF: the stored one, else rendered now and stored (null when none could be made). */
  async function pdfOf(doc: IssuedDocument) {
    return documentPdf(await ctx.blobs(), doc, deps.documentPdf ?? null);
  }

  /**
   * Records, once per document, that it went without its PDF and why (the install hint): shown by
   * `ssj quarter status` with the notices that missed someone. The document itself went as HTML.
   */
  async function recordMissingPdf(a: { key: string; campaignId: string; unitId: string | null; kind: string; doc: IssuedDocument; subject: string; to: { id: string; name: string } | null; delivery: NoticeDelivery; at: string; problem: string }) {
    await new NoticeProblemLog(await ctx.database()).record({
      key: `${a.key}/pdf`,
      campaignId: a.campaignId,
      kind: `${a.kind}-pdf`,
      unitId: a.unitId,
      status: 'partly-sent',
      subject: a.subject,
      sentTo: a.delivery.sentTo,
      refused: [{ address: null, ...(a.to ? { department: a.to } : {}), code: 'pdf-missing', reason: `${a.doc.number}仅以HTML发出，未附PDF：${a.problem}` }],
      at: a.at,
    });
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
      const found = caseDocumentRecipient(a.what, a.report, unit.jurisdiction, roster.departments);
      if ('problem' in found) {
        if (found.problem === 'unknown-agency') {
          throw refuse(`unit ${a.unitId}: the agency ${String(found.agency)} to refer to is not in the registry's departments; add it to the registry, then resume the inspection`, NEEDS_DATA);
        }
        const covered = found.brigades.map((d) => `${d.id}: ${d.jurisdiction}`);
        throw refuse(
          `unit ${a.unitId}: no brigade covers its area ${String(found.area)} (brigades of the frozen roster: ${covered.join(', ') || 'none'}); correct the unit's area (jurisdiction) in the registry, then resume the inspection`,
          NEEDS_DATA,
        );
      }
      const { kind, recipient } = found;
      const year = Number(a.issuedOn.slice(0, 4));
      const doc = await store.allocateDocument(
        a.key,
        { kind, year, campaignId: a.campaignId, unitId: a.unitId, recipient: recipient.id },
        (seq) => formatDocumentNumber(kind, year, seq),
        (number) => {
          const d = renderCaseDocument(
            kind,
            caseDocumentInput({
              kind,
              number,
              issuer: deps.programme.detachment.name,
              office: roster.departments.find((d) => d.id === a.department)?.name,
              recipient,
              unit: { id: a.unitId, name: unit.name, address: unit.address },
              campaign: c,
              report: a.report,
              method: a.method,
              people: roster.people,
              approval: a.approval,
              issuedOn: a.issuedOn,
            }),
          );
          return { title: d.title, html: d.html, text: d.text };
        },
        new Date().toISOString(),
      );
      const pdf = await pdfOf(doc);
      const mail = caseDocumentMail({
        kind,
        doc,
        pdf: pdf.pdf,
        receiver: recipient.name,
        unit: { code: a.unitId, name: unit.name },
        findings: a.report.result.outcome === 'problems-found' ? a.report.result.description : '',
        approval: a.approval ? { by: rosterName(roster.people, a.approval.by), on: a.approval.on } : null,
      });
      const delivery = await deliver(
        a.key,
        a.campaignId,
        { departments: [recipient.id], departmentRoles: { department: recipient.id, roles: ['brigade-leader'] } },
        mail,
        a.unitId,
        a.issuedOn,
        kind,
      );
      if (pdf.problem) {
        const to = { id: recipient.id, name: recipient.name };
        await recordMissingPdf({ key: a.key, campaignId: a.campaignId, unitId: a.unitId, kind, doc, subject: mail.subject, to, delivery, at: a.issuedOn, problem: pdf.problem });
      }
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
      const pdf = await pdfOf(doc);
      const mail = annualPlanMail(await ctx.rosterOf(campaignId), doc, pdf.pdf);
      const sent = await deliver(a.key, campaignId, { roles: ['superior-contact'] }, mail, null, a.issuedOn, 'annual-plan');
      if (pdf.problem) await recordMissingPdf({ key: a.key, campaignId, unitId: null, kind: 'annual-plan', doc, subject: mail.subject, to: null, delivery: sent, at: a.issuedOn, problem: pdf.problem });
      return { number: doc.number, sentTo: sent.sentTo };
    },
  };
}
