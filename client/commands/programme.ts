// `ssj programme check`, `ssj quotas`, `ssj freeze`: the programme as data, the quarter's quotas,
// and the freeze of the registries into a draw manifest.
import type { Command } from 'commander';
import * as fs from 'node:fs';
import { z } from 'zod';
import { FreezeRefusedError, freezeToFolder } from '../../files/freeze';
import { loadProgramme } from '../../config/programme';
import { isRealDate } from '../../domain/calendar';
import { ManifestError } from '../../domain/draw/manifest';
import type { FreezeInputs, InspectedElsewhere, PastInspection } from '../../domain/eligibility';
import {
  campaignCode,
  isQuarter,
  ProgrammeError,
  programmeWarnings,
  quarterCalendar,
  type Programme,
  type Quarter,
} from '../../domain/programme';
import { computeQuotas, type QuotaReport } from '../../domain/quotas';
import { idSchema, type RegistrySnapshot } from '../../domain/registry';
import { ExitCode, UserError } from '../errors';
import { openCliRegistry, registryStoreSettings, settings } from '../session';


interface CommonOptions {
  dataDir?: string;
  year: string;
  quarter: string;
  at?: string;
  config?: string;
  inspectedElsewhere?: string;
  pastInspections?: string;
}

export function register(program: Command): void {
  const programme = program.command('programme').description('the inspection programme (config/programme.json)');
  programme
    .command('check')
    .description('check the programme file and show what it sets')
    .option('--config <file>', 'programme file (default: $SSJ_PROGRAMME or config/programme.json)')
    .action((opts: { config?: string }) => {
      const p = load(opts.config);
      process.stdout.write(describeProgramme(p));
      const warnings = programmeWarnings(p);
      for (const w of warnings) process.stdout.write(`warning: ${w}\n`);
      process.stdout.write(warnings.length === 0 ? 'programme OK\n' : `programme valid, with ${warnings.length} warning(s)\n`);
    });

  withCommon(program.command('quotas').description("the quarter's quota per draw pool, with the numbers each comes from"))
    .option('--json', 'print the quota report as JSON')
    .action(async (opts: CommonOptions & { json?: boolean }) => {
      const { programme: p, quarter, snapshot, inputs } = await prepare(opts);
      const report = computeQuotas(snapshot, p, quarter, inputs);
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : quotaTable(report));
    });

  withCommon(program.command('freeze').description("freeze the registries into the quarter's draw manifest folder"))
    .requiredOption('--out <dir>', 'folder to write (must not exist, be empty, or hold this same manifest)')
    .action(async (opts: CommonOptions & { out: string }) => {
      const { programme: p, quarter, snapshot, inputs } = await prepare(opts);
      let result;
      try {
        result = freezeToFolder({ snapshot, programme: p, quarter, dir: opts.out, inputs });
      } catch (err) {
        if (err instanceof FreezeRefusedError) throw new UserError(err.message, ExitCode.refused);
        if (err instanceof ManifestError) {
          throw new UserError(`the registry at ${snapshot.asOf} gives no valid manifest:\n${err.message}`, ExitCode.badInput);
        }
        throw err;
      }
      const c = result.counts;
      process.stdout.write(
        `${result.written ? 'frozen' : 'already frozen (unchanged)'}: ${result.dir}\n` +
          `campaign ${result.campaign}, registry as of ${result.asOf}\n` +
          `manifest_digest ${result.manifestDigest}\n` +
          `units ${c.units}, inspectors ${c.inspectors}, conflicts ${c.conflicts}, pools ${c.pools} (quota total ${c.quota}), excluded units ${c.exclusions}\n`,
      );
      for (const w of result.warnings) process.stdout.write(`warning: ${w}\n`);
    });
}

function withCommon(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'the data folder whose ssj.db holds the registries (default: $SSJ_DATA_DIR, .data; not with SSJ_DATABASE_URL)')
    .requiredOption('--year <year>', "the programme's year, e.g. 2023")
    .requiredOption('--quarter <q>', 'quarter 1-4')
    .option('--at <date>', 'registry date YYYY-MM-DD (end of day); default: the last day of the previous quarter')
    .option('--config <file>', 'programme file (default: $SSJ_PROGRAMME or config/programme.json)')
    .option('--inspected-elsewhere <file>', 'CSV unit_id,office: units already inspected this quarter by another office')
    .option('--past-inspections <file>', 'CSV unit_id,date: earlier inspections (used when exclusions.recentlyInspectedQuarters > 0)');
}

function load(file?: string): Programme {
  try {
    return loadProgramme(file);
  } catch (err) {
    if (err instanceof ProgrammeError) throw new UserError(err.problems.join('\n'), ExitCode.badInput, 'see docs/programme.md for every field');
    throw err;
  }
}

async function prepare(opts: CommonOptions): Promise<{ programme: Programme; quarter: Quarter; snapshot: RegistrySnapshot; inputs: FreezeInputs }> {
  const p = load(opts.config);
  const year = Number(opts.year);
  if (!/^\d{4}$/.test(opts.year)) throw new UserError(`--year ${opts.year}: must be a year such as 2023`);
  if (year !== p.year) {
    throw new UserError(`--year ${year}: the programme ${p.id} is for ${p.year}`, ExitCode.badInput, 'use the programme file of that year (--config)');
  }
  const q = Number(opts.quarter);
  if (!/^[1-4]$/.test(opts.quarter) || !isQuarter(q)) throw new UserError(`--quarter ${opts.quarter}: must be 1, 2, 3 or 4`);
  const at = opts.at ?? quarterCalendar(p, q).previousQuarterEnd;
  if (!isRealDate(at)) throw new UserError(`--at ${at}: must be a real date YYYY-MM-DD`);
  const inputs: FreezeInputs = {};
  if (opts.inspectedElsewhere) inputs.inspectedElsewhere = readInspectedElsewhere(opts.inspectedElsewhere);
  if (opts.pastInspections) inputs.pastInspections = readPastInspections(opts.pastInspections);
  const registry = await openCliRegistry(registryStoreSettings(settings(), opts.dataDir), true);
  try {
    return { programme: p, quarter: q, snapshot: await registry.snapshotAt(at), inputs };
  } finally {
    await registry.close();
  }
}

// --- input lists --------------------------------------------------------------------------

const dateSchema = z.string().refine(isRealDate, 'must be a real date YYYY-MM-DD');

function readInspectedElsewhere(file: string): InspectedElsewhere[] {
  return readCsv(file, ['unit_id', 'office'], { unit_id: idSchema, office: z.string().trim().min(1, 'must name the office') }).map((r) => ({
    unitId: r.unit_id,
    office: r.office,
  }));
}

function readPastInspections(file: string): PastInspection[] {
  return readCsv(file, ['unit_id', 'date'], { unit_id: idSchema, date: dateSchema }).map((r) => ({ unitId: r.unit_id, date: r.date }));
}

/** A small CSV (UTF-8, header row, RFC 4180 quotes), every cell checked; errors name file, line, column. */
function readCsv<K extends string>(file: string, header: readonly K[], schemas: Record<K, z.ZodType<string>>): Record<K, string>[] {
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    throw new UserError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const lines = content.split(/\r?\n/);
  const problems: string[] = [];
  const head = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  if (head.join(',') !== header.join(',')) {
    throw new UserError(`${file}:1: the header must be "${header.join(',')}", found "${head.join(',')}"`);
  }
  const rows: Record<K, string>[] = [];
  lines.slice(1).forEach((line, i) => {
    const lineNo = i + 2;
    if (line.trim() === '') return;
    const cells = splitCsvLine(line);
    if (cells.length !== header.length) {
      problems.push(`${file}:${lineNo}: expected ${header.length} fields (${header.join(',')}), found ${cells.length}`);
      return;
    }
    const row = {} as Record<K, string>;
    header.forEach((col, j) => {
      const r = schemas[col].safeParse(cells[j]!.trim());
      if (r.success) row[col] = r.data;
      else problems.push(`${file}:${lineNo}: column ${col}: ${r.error.issues[0]?.message ?? 'invalid'}`);
    });
    rows.push(row);
  });
  if (problems.length > 0) throw new UserError(problems.slice(0, 20).join('\n') + (problems.length > 20 ? `\n... and ${problems.length - 20} more` : ''));
  return rows;
}

function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') out.push(cur), (cur = '');
    else cur += ch;
  }
  out.push(cur);
  return out;
}

// --- output -------------------------------------------------------------------------------

function describeProgramme(p: Programme): string {
  const r = p.ratios;
  const lines = [
    `${p.name} (${p.id}, ${p.year}), ${p.issuer}; ${p.detachment.name}`,
    `ratios: sections ${r.key.sectionPercent}% of the city's key units; direct brigades ${r.key.brigadePercent}% of their key units, ` +
      `general units 1:${r.general.quarterly.join(', 1:')} (Q1–Q4; annual minimum 1:${r.general.annualUnitsPerInspector}), ` +
      `${r.special.problemPercent}% of special units with problems`,
    `draw: teams of ${p.draw.teamSize}, ${p.draw.exclusive ? 'exclusive (a unit is drawn by one pool at most)' : 'not exclusive'}`,
    `check items: ${p.checkItems.length}; quarterly tasks: ${p.quarterlyTasks.length}`,
  ];
  for (const q of [1, 2, 3, 4] as const) {
    const c = quarterCalendar(p, q);
    lines.push(`  Q${q} ${campaignCode(p, q)}: registry frozen as of ${c.previousQuarterEnd}, draw by ${c.drawDue}, checks end ${c.inspectionDue}`);
  }
  lines.push(
    `annual plan filed by ${p.year}-${pad2(p.deadlines.annualPlanBy.month)}-${pad2(p.deadlines.annualPlanBy.day)}; ` +
      `publication within ${p.deadlines.publicationWorkingDays} working days after the checks end`,
    `exclusions: recently inspected ${p.exclusions.recentlyInspectedQuarters === 0 ? 'off' : `within ${p.exclusions.recentlyInspectedQuarters} quarter(s)`}; ` +
      `fully exempt positive-list kinds: ${p.exclusions.fullyExemptPositiveKinds.join(', ') || 'none'}`,
  );
  return `${lines.join('\n')}\n`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function quotaTable(report: QuotaReport): string {
  const head = ['pool', 'department', 'candidates', 'rule', 'quota'];
  const rows = report.pools.map((q) => [
    q.poolId,
    `${q.department} ${q.departmentName}`,
    String(q.candidates),
    q.rule === 'percent' ? `${q.percent}% of ${q.candidates}, rounded up` : `1:${q.ratio} x ${q.inspectors} inspector(s)`,
    String(q.quota),
  ]);
  const widths = head.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i]!))));
  const fmt = (cells: string[]): string =>
    cells
      .map((c, i) => {
        const pad = ' '.repeat(widths[i]! - displayWidth(c));
        return i === 2 || i === 4 ? pad + c : c + pad;
      })
      .join('  ')
      .trimEnd();
  const total = report.pools.reduce((a, q) => a + q.quota, 0);
  const out = [
    `${report.campaign}: registry as of ${report.asOf}, teams of ${report.teamSize}, ${report.exclusive ? 'exclusive' : 'not exclusive'}`,
    fmt(head),
    ...rows.map(fmt),
    `total quota ${total}`,
  ];
  if (report.warnings.length === 0) out.push('warnings: none');
  else out.push(`warnings (${report.warnings.length}):`, ...report.warnings.map((w) => `  - ${w}`));
  return `${out.join('\n')}\n`;
}

/** Terminal columns: CJK and full-width characters take two. */
function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    w += (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) ? 2 : 1;
  }
  return w;
}
