// Small, pure helpers shared by the official documents and the publication page.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for HTML element content and double- or single-quoted attribute values. */
const NEEDS_ESCAPE = /[&<>"']/;
export function escapeHtml(text: string): string {
  // Most values (names, dates, codes) hold none of the five: skip the replace and its callbacks.
  return NEEDS_ESCAPE.test(text) ? text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c) : text;
}

/** Tagged template that escapes every interpolated value unless it is already `Html`. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}
function render(v: unknown): string {
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}
/** Join already-built fragments. */
export function joinHtml(parts: Html[], separator = ''): Html {
  return new Html(parts.map((p) => p.value).join(separator));
}

/** '2023-01-12' → '2023年1月12日' (arabic numerals, as GB/T 9704-2012 has official documents date). */
export function chineseDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`"${date}" is not a date YYYY-MM-DD`);
  return `${m[1]}年${Number(m[2])}月${Number(m[3])}日`;
}

const INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;
/**
 * An instant with its offset ('2023-01-18T02:48:57+08:00', or …Z) → '2023年1月18日 02:48', read in
 * Beijing time (UTC+8, no daylight saving) whatever offset it was written with. The caller says
 * 北京时间 where the reader needs telling (a column head, or after the time).
 */
export function chineseDateTime(iso: string): string {
  const ms = INSTANT_RE.test(iso) ? Date.parse(iso) : NaN;
  if (Number.isNaN(ms)) throw new Error(`"${iso}" is not an instant YYYY-MM-DDThh:mm[:ss]±hh:mm`);
  const b = new Date(ms + 8 * 3_600_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${b.getUTCFullYear()}年${b.getUTCMonth() + 1}月${b.getUTCDate()}日 ${pad(b.getUTCHours())}:${pad(b.getUTCMinutes())}`;
}

const QUARTER_NAMES = ['一', '二', '三', '四'] as const;
/** 1 → '第一季度'. */
export function chineseQuarter(q: number): string {
  const n = QUARTER_NAMES[q - 1];
  if (!n) throw new Error(`${q} is not a quarter (1–4)`);
  return `第${n}季度`;
}

/**
 * CJK font stacks that work without web fonts: Windows (仿宋/宋体/黑体), macOS (STFangsong,
 * Songti SC, PingFang SC), Linux (Noto / Source Han, WenQuanYi), then the generic family.
 */
export const FONT_SERIF =
  '"仿宋_GB2312", "FangSong_GB2312", "FangSong", "仿宋", "STFangsong", "Songti SC", "SimSun", "宋体", "Noto Serif CJK SC", "Source Han Serif SC", "Noto Serif SC", serif';
export const FONT_TITLE =
  '"方正小标宋简体", "FZXiaoBiaoSong-B05S", "STZhongsong", "Songti SC", "SimSun", "宋体", "Noto Serif CJK SC", "Source Han Serif SC", "Noto Serif SC", serif';
export const FONT_SANS =
  '"Microsoft YaHei", "微软雅黑", "PingFang SC", "Hiragino Sans GB", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Heiti SC", "SimHei", sans-serif';

/** Plain text for e-mail: collapse a string to one paragraph per line, no HTML. */
export function wrapText(lines: Array<string | null | undefined | false>): string {
  return lines.filter((l): l is string => typeof l === 'string').join('\n') + '\n';
}

/** A whole HTML5 page in Chinese: the shell every page and document shares, around `body`. */
export function htmlPage(title: string, css: string, body: Html): string {
  return (
    '<!DOCTYPE html>\n' +
    html`<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new Html(css)}</style>
</head>
<body>
${body}
</body>
</html>
`.value
  );
}
