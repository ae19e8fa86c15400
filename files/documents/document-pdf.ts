// An issued official document's A4 PDF, kept beside its HTML: rendered once per document number
// and stored content-addressed in the shared blob store as a one-file package
// `documents/<number>/pdf`. Chromium's PDFs carry their creation time, so two renderings of one
// document differ in bytes: the stored one is the document's PDF, and a retry (on any host) reuses
// it rather than rendering again, so a resent mail carries the same attachment bytes.
// A host without Chromium still issues the document, as HTML only: `documentPdf` says why no PDF
// came, and the caller records that (activities/steps/documents.ts) instead of failing.
import type { BlobStore } from '../../stores/blob-store';
import { PackageConflictError } from '../../stores/blob-store';

/** What renders a document's HTML page to PDF bytes (DocumentPdfRenderer: one browser per worker). */
export interface DocumentPdfRendering {
  render(html: string): Promise<Buffer>;
}

/** The blob-store package holding the PDF of the document `number`. */
export function documentPdfPackageName(number: string): string {
  return `documents/${number}/pdf`;
}

/** The attachment's file name, e.g. 信环执监〔2024〕第001号.pdf. */
export function documentPdfFileName(number: string): string {
  return `${number}.pdf`;
}

/** The PDF, or none: `problem` says why (null: PDFs are turned off on this worker, not a problem). */
export type DocumentPdf = { pdf: Buffer; digest: string; rendered: boolean; problem: null } | { pdf: null; problem: string | null };

/** The stored PDF of document `number`, or null when none was stored. */
export async function storedDocumentPdf(blobs: BlobStore, number: string): Promise<{ pdf: Buffer; digest: string } | null> {
  const pkg = await blobs.package(documentPdfPackageName(number));
  const entry = pkg?.entries.find((e) => e.path === documentPdfFileName(number));
  return entry ? { pdf: await blobs.get(entry.digest), digest: entry.digest } : null;
}

/**
 * The PDF of the issued document `doc`: the stored one, else rendered by `renderer` and stored
 * (the first stored stands: a concurrent attempt's PDF is taken over ours). Never throws for the
 * rendering: with no renderer (PDFs turned off) or a failed one (no Chromium, say) the answer is
 * `{ pdf: null, problem }`, naming what to install or fix.
 */
export async function documentPdf(blobs: BlobStore, doc: { number: string; html: string | null }, renderer: DocumentPdfRendering | null): Promise<DocumentPdf> {
  const stored = await storedDocumentPdf(blobs, doc.number);
  if (stored) return { ...stored, rendered: false, problem: null };
  if (!renderer) return { pdf: null, problem: null };
  let pdf: Buffer;
  try {
    pdf = await renderer.render(doc.html ?? '');
  } catch (err) {
    return { pdf: null, problem: (err as Error).message };
  }
  try {
    const pkg = await blobs.putPackage(documentPdfPackageName(doc.number), [[documentPdfFileName(doc.number), pdf]]);
    return { pdf, digest: pkg.entries[0]!.digest, rendered: true, problem: null };
  } catch (err) {
    if (!(err instanceof PackageConflictError)) throw err;
    const first = await storedDocumentPdf(blobs, doc.number);
    if (!first) throw err;
    return { ...first, rendered: false, problem: null };
  }
}
