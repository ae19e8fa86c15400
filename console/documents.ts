// An inspection's official documents (监察通知, 移交表, 移送函) in the console: the HTML as issued
// and its A4 PDF from the blob store (files/documents/document-pdf.ts). Who may open one: a
// manager, the detachment's leaders and administrators, and the inspection's own team; the
// document must be one the inspection issued (its status lists it). Every opening is audited.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { inspectionStatus } from '../client/temporal';
import { documentPdfFileName, storedDocumentPdf } from '../files/documents/document-pdf';
import { SqlBlobStore } from '../stores/blob-store';
import { SqlCampaignStore } from '../stores/campaign-store';
import type { SqlDatabase } from '../stores/sql';
import type { DocumentRef } from '../workflows/definitions';
import type { RouteContext } from './approvals';
import type { HandoverPreviewSource } from './handover-preview';
import { problemPage } from './views/auth-pages';

/** Where the console reads issued documents: the shared store the workers write them to. */
export interface ConsoleDocuments {
  /** The issued document `number` of the campaign, null when there is none. */
  html(campaignId: string, number: string): Promise<string | null>;
  /** Its stored PDF, null when none was made (PDFs off, or no Chromium on the worker's host). */
  pdf(number: string): Promise<Buffer | null>;
  /** The facts the hand-over approval's preview is built from (console/handover-preview.ts); without it, no preview. */
  handoverPreview?: HandoverPreviewSource;
}

export function storeDocuments(db: SqlDatabase): ConsoleDocuments {
  const store = new SqlCampaignStore(db);
  const blobs = new SqlBlobStore(db);
  return {
    async html(campaignId, number) {
      return (await store.issuedDocument(campaignId, number))?.html ?? null;
    },
    async pdf(number) {
      return (await storedDocumentPdf(blobs, number))?.pdf ?? null;
    },
  };
}

/**
 * A document page's policy: self-contained, its own inline print CSS, never a script. The approval
 * page frames its preview ('self', sandboxed); an issued document is opened on its own ('none').
 */
export function documentCsp(frameAncestors: "'none'" | "'self'"): string {
  return `${frameAncestors === "'self'" ? 'sandbox; ' : ''}default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors ${frameAncestors}; base-uri 'none'; form-action 'none'`;
}

/** Roles that see every inspection's documents; an inspector sees only their team's. */
export const DOCUMENT_READERS = ['manager', 'detachment-leader', 'admin'] as const;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;

/** The address of a document in HTML or PDF. */
export function documentHref(campaignId: string, unitId: string, number: string, format: 'html' | 'pdf'): string {
  return `/document${format === 'pdf' ? '.pdf' : ''}?${new URLSearchParams({ campaign: campaignId, unit: unitId, number }).toString()}`;
}

/** The documents the inspection issued, each with its two links (for the approval and inspection pages). */
export function documentLinks(campaignId: string, unitId: string, documents: readonly DocumentRef[]): { ref: DocumentRef; html: string; pdf: string }[] {
  return documents.map((ref) => ({ ref, html: documentHref(campaignId, unitId, ref.number, 'html'), pdf: documentHref(campaignId, unitId, ref.number, 'pdf') }));
}

export function registerDocuments(app: FastifyInstance, ctx: RouteContext, temporal: Client, documents: ConsoleDocuments): void {
  const notFound = (req: FastifyRequest, reply: FastifyReply, why: string) => ctx.html(reply, problemPage('文书不存在', why, ctx.viewerOf(req)), 404);

  /** The document named by the query, for a reader allowed to see it; else the answer is sent and null returned. */
  const readable = async (req: FastifyRequest, reply: FastifyReply): Promise<{ campaignId: string; unitId: string; number: string } | null> => {
    if (!(await ctx.requireRole(req, reply, [...DOCUMENT_READERS, 'inspector']))) return null;
    const q = req.query as Record<string, unknown>;
    const [campaignId, unitId, number] = [q.campaign, q.unit, q.number];
    if (typeof campaignId !== 'string' || typeof unitId !== 'string' || typeof number !== 'string' || !ID.test(campaignId) || !ID.test(unitId) || number.length > 60) {
      await notFound(req, reply, '找不到此文书，可能链接有误。');
      return null;
    }
    let status;
    try {
      status = await inspectionStatus(temporal, campaignId, unitId);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    const { account, roles } = req.signedIn!;
    const staff = roles.some((r) => (DOCUMENT_READERS as readonly string[]).includes(r));
    if (status && !staff && !status.team.includes(account.personId)) {
      await ctx.audit(req, 'document.refused', number, { reason: 'not-on-team', campaignId, unitId });
      await ctx.html(reply, problemPage('无权访问', '此文书仅限分管领导、支队长、系统管理员及本检查组成员查看。', ctx.viewerOf(req)), 403);
      return null;
    }
    if (!status || !status.documents.some((d) => d.number === number)) {
      await notFound(req, reply, '此检查事项没有这一文书，可能链接有误或文书尚未生成。');
      return null;
    }
    return { campaignId, unitId, number };
  };

  app.get('/document', async (req, reply) => {
    const d = await readable(req, reply);
    if (!d) return;
    const page = await documents.html(d.campaignId, d.number);
    if (page === null) return notFound(req, reply, '文书尚未写入，请稍后再试。');
    await ctx.audit(req, 'document.viewed', d.number, { format: 'html', campaignId: d.campaignId, unitId: d.unitId });
    // The document as issued: self-contained, its own inline print CSS, never a script.
    // An official document names units and findings: never kept by a shared cache or the browser.
    return reply
      .header('content-security-policy', documentCsp("'none'"))
      .header('cache-control', 'private, no-store')
      .type('text/html; charset=utf-8')
      .send(page);
  });

  app.get('/document.pdf', async (req, reply) => {
    const d = await readable(req, reply);
    if (!d) return;
    const pdf = await documents.pdf(d.number);
    if (!pdf) return notFound(req, reply, '此文书没有 PDF 版本（生成文书的服务器未安装 Chromium 或未开启 PDF），请查看 HTML 版本。');
    await ctx.audit(req, 'document.viewed', d.number, { format: 'pdf', campaignId: d.campaignId, unitId: d.unitId });
    const name = documentPdfFileName(d.number);
    return reply
      .type('application/pdf')
      .header('cache-control', 'private, no-store')
      .header('content-disposition', `attachment; filename="document.pdf"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .send(pdf);
  });
}
