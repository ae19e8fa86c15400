// Text that people type (names, addresses, notes) is checked where it enters: normalised to NFC,
// and refused when it holds control characters (which can retitle or erase a terminal, or hide in
// a CSV), bidirectional overrides (which make 司公限有 display as 有限公司), or nothing visible.
import { z } from 'zod';

// C0 controls but tab? No: a name has no tab either. C0, DEL, C1.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
// Bidi embeddings, overrides and isolates, and the invisible direction marks.
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
// Characters that show nothing: zero-width spaces and joiners, word joiner, BOM, and white space.
const INVISIBLE = /[\s\u200b-\u200d\u2060\ufeff\u3000]/gu;

const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `text` may not be a name or free text, or null when it may. Multi-line text allows LF. */
export function textProblem(text: string, opts: { multiline?: boolean } = {}): string | null {
  const body = opts.multiline ? text.replace(/\r?\n/g, '') : text;
  const control = CONTROL.exec(body);
  if (control) return `holds the control character ${codePoint(control[0])}, which is not allowed in text`;
  const bidi = BIDI.exec(body);
  if (bidi) return `holds the text-direction character ${codePoint(bidi[0])}, which can make text display other than it reads`;
  if (text.length > 0 && text.replace(INVISIBLE, '') === '') return 'holds nothing visible (only spaces or zero-width characters)';
  return null;
}

/** NFC, trimmed. */
export function normaliseText(text: string): string {
  return text.normalize('NFC').trim();
}

/** A zod string that is normalised and checked by `textProblem`. */
export function cleanText(opts: { multiline?: boolean } = {}) {
  return z
    .string()
    .transform(normaliseText)
    .superRefine((s, ctx) => {
      const p = textProblem(s, opts);
      if (p) ctx.addIssue({ code: 'custom', message: p });
    });
}
