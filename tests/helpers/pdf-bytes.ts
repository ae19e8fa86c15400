// What a rendered PDF's raw bytes say, for the document tests: page sizes, fonts (embedded or
// not) and the characters their ToUnicode maps name.
import * as zlib from 'node:zlib';

/**
 * What a PDF's raw bytes say: pages' MediaBoxes, its fonts and whether each is embedded, and the
 * characters its ToUnicode maps name (streams inflated). Chromium (Skia) writes TrueType fonts as
 * Type0/CIDFontType2 with a FontFile2 and CFF-based OpenType (Noto CJK) as Type3 fonts whose glyph
 * outlines are in the file (CharProcs): both are embedded; a font with neither is not.
 */
export function inspectPdf(pdf: Buffer) {
  const raw = pdf.toString('latin1');
  const boxes = [...raw.matchAll(/\/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]/g)].map((m) => [Number(m[3]) - Number(m[1]), Number(m[4]) - Number(m[2])]);
  const pages = (raw.match(/\/Type\s*\/Page[^s]/g) ?? []).length;
  // Each object's dictionary: from "N 0 obj" to its stream or endobj.
  const objects = new Map<string, string>();
  for (const m of raw.matchAll(/(\d+) 0 obj/g)) {
    const start = m.index! + m[0].length;
    const ends = [raw.indexOf('endobj', start), raw.indexOf('stream', start)].filter((i) => i >= 0);
    objects.set(m[1]!, raw.slice(start, Math.min(...ends)));
  }
  const ref = (dict: string, key: string) => new RegExp(`/${key}\\s*\\[?\\s*(\\d+) 0 R`).exec(dict)?.[1];
  const fonts = [...objects.values()].filter((d) => /\/Type\s*\/Font[\s/>]/.test(d));
  const described = (d: string): string | undefined => {
    const desc = ref(d, 'FontDescriptor');
    if (desc) return objects.get(desc);
    const child = ref(d, 'DescendantFonts');
    return child ? described(objects.get(child) ?? '') : undefined;
  };
  const fontInfo = fonts
    .filter((d) => !/\/Subtype\s*\/CIDFontType/.test(d)) // descendants are checked through their Type0 parent
    .map((d) => {
      const subtype = /\/Subtype\s*\/(\w+)/.exec(d)?.[1] ?? '?';
      const descriptor = described(d) ?? '';
      const name = /\/FontName\s*\/([^\s/<>\[\]]+)/.exec(descriptor)?.[1] ?? /\/BaseFont\s*\/([^\s/<>\[\]]+)/.exec(d)?.[1] ?? '?';
      const embedded = subtype === 'Type3' ? /\/CharProcs/.test(d) : /\/FontFile[23]?\s+\d+ 0 R/.test(descriptor);
      return { subtype, name, embedded };
    });
  const unicode = new Set<number>();
  for (const m of raw.matchAll(/stream\r?\n/g)) {
    const start = m.index! + m[0].length;
    let s: string;
    try {
      s = zlib.inflateSync(pdf.subarray(start, raw.indexOf('endstream', start))).toString('latin1');
    } catch {
      continue; // not flate
    }
    if (!s.includes('begincmap')) continue;
    // bfchar: <code> <unicode>; bfrange: <lo> <hi> <first unicode> (lo..hi map to consecutive characters)
    for (const block of s.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
      for (const c of block[1]!.matchAll(/<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]{4,})>/g)) unicode.add(parseInt(c[1]!.slice(0, 4), 16));
    }
    for (const block of s.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
      for (const c of block[1]!.matchAll(/<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]{4})>/g)) {
        for (let i = 0; i <= parseInt(c[2]!, 16) - parseInt(c[1]!, 16); i++) unicode.add(parseInt(c[3]!, 16) + i);
      }
    }
  }
  return { raw, boxes, pages, fontInfo, unicode };
}
