// Text typed into the console's forms, read the one way every route reads it. A browser sends a
// textarea's line breaks as CRLF (HTML's form encoding), and the messages' note rule refuses CR (a
// lone CR can hide what a terminal printed: domain/outcomes.ts), so line breaks are read as LF
// here, before any length is counted or any message is built. Nothing is cut: text over its limit
// is refused with the field's name (the form's maxlength counts the same code units, line breaks
// as one each).
import { MessageParseError, noteSchema, NOTE_MAX } from '../domain/messages';

/** A form field's text: a string (else ''), CRLF and lone CR read as LF, trimmed. */
export function formText(v: unknown): string {
  return typeof v === 'string' ? v.replace(/\r\n?/g, '\n').trim() : '';
}

/** Why `text` (the field `label`) is too long, in the words a user reads; null when it is not. */
export function tooLong(label: string, text: string, max: number): string | null {
  return text.length > max ? `“${label}”最多 ${max} 个字符，现有 ${text.length} 个，请删减后重新提交。` : null;
}

/** Why an internal note (the field `label`) may not be sent, in Chinese: too long, or a control character; null when it may. */
export function noteProblem(label: string, note: string): string | null {
  const long = tooLong(label, note, NOTE_MAX);
  if (long) return long;
  return noteSchema.safeParse(note).success ? null : `“${label}”含有不允许的字符（控制字符），请删除后重新提交。`;
}

/**
 * A message the client refused to send (its schema: parseMessage), in Chinese, naming the form's
 * field by `labels` (message field name → label); null for any other error.
 */
export function messageRefusal(err: unknown, labels: Readonly<Record<string, string>>): string | null {
  if (!(err instanceof MessageParseError)) return null;
  const fields = [...new Set(err.issues.map((i) => labels[String(i.path[0])] ?? String(i.path[0] ?? '')))].filter(Boolean);
  return `${fields.length ? fields.map((f) => `“${f}”`).join('、') : '提交的内容'}不符合要求，请修改后重新提交（${err.message}）。`;
}
