// The public record of a campaign's ssj-draw/2 witness ceremonies (DRAW-SPEC section 11, rule 3):
// `ceremonies.json` in the disclosure package, and one line of the 公示 page. Every ceremony is
// listed, the void ones (commitments, who committed and revealed when, who failed and why, when
// voided) and the one that drew. No salt or entropy of a void ceremony is ever in it: a void
// ceremony's reveals were never all in, and the drawn one's are in draw-record.json. Pure.
import { z } from 'zod';

const instant = z.iso.datetime({ offset: true });
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters');
const id = z.string().regex(/^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/, 'must be an id');

/** Reason codes of a failed witness, with the label published beside them. */
export const CEREMONY_FAILURE_LABELS = { 'no-reveal': '未在揭示期限内提交与承诺值一致的揭示' } as const;

/** A ceremony as the campaign workflow keeps it (workflows/definitions.ts Ceremony / VoidCeremony). */
export const ceremonySchema = z.object({
  number: z.number().int().positive(),
  startedAt: instant,
  witnesses: z.array(
    z.object({
      role: z.string(),
      personId: id,
      commitment: hex64,
      committedAt: instant,
      revealedAt: instant.nullable(),
    }),
  ),
  revealBy: instant.nullable(),
  voidedAt: instant.optional(),
  failed: z.array(z.object({ role: z.string(), personId: id, reason: z.enum(['no-reveal']) })).optional(),
});
export type CeremonyRecord = z.infer<typeof ceremonySchema>;

export interface CeremonyEntry {
  outcome: 'void' | 'drawn';
  ceremony: CeremonyRecord;
}

/** `ceremonies.json`: keys in a fixed order, snake_case like the draw record, 2-space indent, final LF. */
export function formatCeremonies(list: readonly CeremonyEntry[]): string {
  const out = [...list]
    .sort((a, b) => a.ceremony.number - b.ceremony.number)
    .map(({ outcome, ceremony: c }) => ({
      number: c.number,
      outcome,
      started_at: c.startedAt,
      witnesses: c.witnesses.map((w) => ({ role: w.role, person_id: w.personId, commitment: w.commitment, committed_at: w.committedAt, revealed_at: w.revealedAt })),
      reveal_by: c.revealBy,
      ...(outcome === 'void'
        ? {
            voided_at: c.voidedAt ?? null,
            failed: (c.failed ?? []).map((f) => ({ role: f.role, person_id: f.personId, reason: f.reason, reason_label: CEREMONY_FAILURE_LABELS[f.reason] })),
          }
        : {}),
    }));
  return `${JSON.stringify(out, null, 2)}\n`;
}

/** The 公示 page's sentence on the ceremonies, e.g. 抽取共举行2次见证仪式：第1次因……作废；第2次完成抽取。 */
export function ceremoniesSentence(list: readonly CeremonyEntry[], roleLabel: (role: string) => string): string {
  if (list.length === 0) return '';
  const parts = [...list]
    .sort((a, b) => a.ceremony.number - b.ceremony.number)
    .map(({ outcome, ceremony: c }) =>
      outcome === 'drawn'
        ? `第${c.number}次完成抽取`
        : `第${c.number}次因${(c.failed ?? []).map((f) => `${roleLabel(f.role)}（${f.personId}）`).join('、')}${CEREMONY_FAILURE_LABELS['no-reveal']}而作废`,
    );
  return `抽取共举行${list.length}次见证仪式（先提交承诺值、再揭示，作废仪式的承诺值一并公开，见 ceremonies.json）：${parts.join('；')}。`;
}
