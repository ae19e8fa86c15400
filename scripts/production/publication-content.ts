// "The same publication" across runs of one seed: every file that carries content must match.
// What differs between two honest runs is only when things happened and the witnesses' salts
// (fresh on each witness's device), so JSON files are compared without timestamps, commitments
// and salts, workbooks entry by entry without their creation dates (zip times, docProps/core.xml),
// and the files derived from them (SHA256SUMS, index.html, verify-data.js) are left out: they
// restate the same content with those instants. Everything else must match byte for byte.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { unzipEntries } from '../public-folder';

/** Derived from the compared files plus instants and salts. */
const DERIVED = new Set(['SHA256SUMS', 'index.html', 'verify-data.js']);
/** A workbook's entries, its document properties' dates blanked (the day it was published). */
function workbookContent(bytes: Buffer): string {
  return JSON.stringify(
    unzipEntries(bytes).map((e) => [e.name, e.data.toString('utf8').replace(/(<dcterms:(?:created|modified)[^>]*>)[^<]*/g, '$1')]),
  );
}

/** Keys whose values are instants or per-run secrets. */
const RUN_SPECIFIC = /(^at$|_at$|^reveal_by$|^commitment$|^salt$)/;

function files(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(dir, path.join(prefix, e.name)) : [path.join(prefix, e.name)]))
    .sort();
}

function withoutRunSpecific(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutRunSpecific);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !RUN_SPECIFIC.test(k)).map(([k, x]) => [k, withoutRunSpecific(x)]));
  return v;
}

export interface PublicationComparison {
  /** Files compared (content files). */
  compared: string[];
  /** One line per difference: a missing file, or a file whose content differs. */
  differences: string[];
}

export function comparePublications(actual: string, reference: string): PublicationComparison {
  const a = files(actual).filter((f) => !DERIVED.has(f));
  const b = files(reference).filter((f) => !DERIVED.has(f));
  const differences = [
    ...b.filter((f) => !a.includes(f)).map((f) => `${f}: missing (the reference has it)`),
    ...a.filter((f) => !b.includes(f)).map((f) => `${f}: not in the reference`),
  ];
  const compared = a.filter((f) => b.includes(f));
  for (const f of compared) {
    const x = fs.readFileSync(path.join(actual, f));
    const y = fs.readFileSync(path.join(reference, f));
    if (f.endsWith('.json')) {
      const [p, q] = [x, y].map((buf) => JSON.stringify(withoutRunSpecific(JSON.parse(buf.toString('utf8')))));
      if (p !== q) differences.push(`${f}: differs (beyond instants, commitments and salts)${firstDifference(p!, q!)}`);
    } else if (f.endsWith('.xlsx')) {
      const [p, q] = [x, y].map(workbookContent);
      if (p !== q) differences.push(`${f}: differs (beyond its creation dates)${firstDifference(p!, q!)}`);
    } else if (!x.equals(y)) {
      differences.push(`${f}: differs${f.endsWith('.csv') ? firstDifference(x.toString('utf8'), y.toString('utf8')) : ''}`);
    }
  }
  return { compared, differences };
}

function firstDifference(p: string, q: string): string {
  let i = 0;
  while (i < p.length && p[i] === q[i]) i++;
  return `; first at character ${i}: ${JSON.stringify(p.slice(Math.max(0, i - 40), i + 60))} vs ${JSON.stringify(q.slice(Math.max(0, i - 40), i + 60))}`;
}
