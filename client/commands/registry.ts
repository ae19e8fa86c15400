// `ssj registry ...`: import the bureau's registry files, look at the registries on a date, trace
// one entity's history, and generate synthetic registries for demos and tests.
import { Command, Option } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isEligibleInspector, type RegistrySnapshot } from '../../domain/registry';
import { generateRegistry } from '../../domain/synthetic';
import { adoptLegacyRegistry } from '../../files/registry/adopt-legacy';
import { ImportRefused, importRegistryFile, type ImportResult } from '../../files/registry/import-file';
import { entityKinds, isCalendarDate, type EntityKind, type RegistryStore } from '../../stores/registry-store';
import type { StoreSettings } from '../../stores/open';
import { importKinds, TEMPLATES, type ImportKind } from '../../files/registry/templates';
import { writeSyntheticRegistry } from '../../files/registry/write-files';
import { ExitCode, UserError } from '../errors';
import { safeForTerminal } from '../format';
import { openCliRegistry, registryStoreSettings, settings, sqliteStoreFile } from '../session';

/** --data-dir, else the store the runtime settings name (the one the worker, the console and `--as` checks use). */
function storeOf(dataDir: string | undefined): StoreSettings {
  return registryStoreSettings(settings(), dataDir);
}

/** Today in Beijing (the registries' dates are Beijing days). */
function beijingToday(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}

function checkDate(flag: string, value: string | undefined): void {
  if (value !== undefined && !isCalendarDate(value)) throw new UserError(`${flag} ${value} is not a calendar date YYYY-MM-DD`);
}

async function withStore<T>(store: StoreSettings, fn: (registry: RegistryStore) => Promise<T>): Promise<T> {
  const registry = await openCliRegistry(store, true);
  try {
    return await fn(registry);
  } finally {
    await registry.close();
  }
}

/**
 * Imports any kind for the whole city: the command line is run by operations with access to the
 * server, so the console's limit on brigade leaders (console/registry-scope.ts) does not apply here.
 */
async function importOne(
  store: RegistryStore,
  file: string,
  opts: { kind: ImportKind; source?: string; reason?: string; date?: string; dryRun?: boolean },
): Promise<ImportResult> {
  if (!fs.existsSync(file)) throw new UserError(`${file}: no such file`);
  const hasRowDates = TEMPLATES[opts.kind].columns.some((c) => c.field === 'date');
  const date = opts.date ?? (hasRowDates ? undefined : beijingToday());
  try {
    return await importRegistryFile(store, file, {
      kind: opts.kind,
      ...(opts.source !== undefined ? { source: opts.source } : {}),
      ...(opts.reason !== undefined ? { reason: opts.reason } : {}),
      ...(date !== undefined ? { date } : {}),
      dryRun: opts.dryRun === true,
    });
  } catch (err) {
    if (err instanceof ImportRefused) {
      const rowsNamed = err.problems.some((p) => p.row > 0);
      throw new UserError(err.message, ExitCode.badInput, rowsNamed ? 'fix the rows listed and import the file again' : 'fix the file as described and import it again');
    }
    throw err;
  }
}

function describe(file: string, r: ImportResult): string {
  const name = path.basename(file);
  if (r.alreadyImported) {
    return `${name}: already imported as batch ${r.batch!.id} at ${r.batch!.recordedAt} (same kind and content): nothing changed`;
  }
  const readAs = r.encoding === 'gb18030' ? ' [read as GB18030: the file is not UTF-8]' : '';
  if (r.dryRun) return `${name}: ${r.rows} row(s) checked, no problems; would record ${r.changes} change(s) (${r.unchanged} row(s) unchanged)${readAs}`;
  const b = r.batch!;
  const carried = r.carried > 0 ? `; ${r.carried} more record(s) keep changes dated before later-recorded ones in force past them` : '';
  return `${name}: imported as batch ${b.id} (${b.kind}, effective ${b.effectiveDate}, source "${b.source}"): ${r.changes} change(s) recorded, ${r.unchanged} row(s) unchanged${carried}${readAs}`;
}

function countBy<T>(xs: T[], key: (x: T) => string): string {
  const m = new Map<string, number>();
  for (const x of xs) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k} ${n}`).join(', ') || '-';
}

function summary(s: RegistrySnapshot, where: string): string {
  const eligible = s.people.filter(isEligibleInspector);
  const lines = [
    `registry in ${where} at the end of ${s.asOf}`,
    `departments  ${s.departments.length}  (${countBy(s.departments, (d) => d.kind)})`,
    `units        ${s.units.length}  (${countBy(s.units, (u) => u.status)})`,
  ];
  for (const cat of ['key', 'general', 'special'] as const) {
    const us = s.units.filter((u) => u.category === cat && u.status === 'active');
    const extra =
      cat === 'key' ? `, positive list ${us.filter((u) => u.positiveList).length}` : cat === 'special' ? `, with problems ${us.filter((u) => u.specialProblem).length}` : `, local codes ${us.filter((u) => u.idKind === 'local').length}`;
    lines.push(`  ${cat.padEnd(8)} active ${String(us.length).padStart(6)}  by jurisdiction: ${countBy(us, (u) => u.jurisdiction)}${extra}`);
  }
  lines.push(
    `people       ${s.people.length}  (active ${s.people.filter((p) => p.active).length})`,
    `  eligible inspectors ${eligible.length}  by department: ${countBy(eligible, (p) => p.department)}`,
    `conflicts    ${s.conflicts.length}`,
  );
  return lines.join('\n');
}

/** Tab-separated, each cell made safe for the terminal (a name must not be able to retitle or erase it). */
function table(headings: string[], rows: string[][]): string {
  return [headings, ...rows].map((r) => r.map(safeForTerminal).join('\t')).join('\n');
}

function listing(s: RegistrySnapshot, kind: string): string {
  switch (kind) {
    case 'departments':
      return table(['id', 'kind', 'name', 'jurisdiction', 'email'], s.departments.map((d) => [d.id, d.kind, d.name, d.jurisdiction ?? '', d.email ?? '']));
    case 'units':
      return table(
        ['id', 'idKind', 'category', 'jurisdiction', 'status', 'statusDate', 'positive', 'special', 'name'],
        s.units.map((u) => [u.id, u.idKind, u.category, u.jurisdiction, u.status, u.statusDate, u.positiveList ? u.positiveKind ?? 'yes' : '', u.specialReason ? `${u.specialReason}${u.specialProblem ? '+problem' : ''}` : '', u.name]),
      );
    case 'people':
      return table(
        ['id', 'name', 'department', 'roles', 'certificate', 'onStaff', 'onPost', 'active', 'email'],
        s.people.map((p) => [p.id, p.name, p.department, p.roles.join(','), p.inspector?.certificateNo ?? '', p.inspector ? String(p.inspector.onStaff) : '', p.inspector ? String(p.inspector.onPost) : '', String(p.active), p.email ?? '']),
      );
    case 'conflicts':
      return table(['inspectorId', 'unitId', 'reason'], s.conflicts.map((c) => [c.inspectorId, c.unitId, c.reason]));
    default:
      throw new UserError(`--kind must be departments, units, people or conflicts, got ${kind}`);
  }
}

export function register(program: Command): void {
  const registry = program.command('registry').description('the registries of units, inspectors and conflicts (in the shared store)');
  const dbOption = (): Option =>
    new Option('--data-dir <dir>', 'the data folder whose ssj.db holds the registries (default: $SSJ_DATA_DIR, .data; not with SSJ_DATABASE_URL, which puts them in PostgreSQL)');

  registry
    .command('import')
    .description('import one registry file (.csv UTF-8/GB18030 or .xlsx); a file with any problem is refused whole')
    .addOption(dbOption())
    .addOption(new Option('--kind <kind>', 'what the file holds').choices([...importKinds]).makeOptionMandatory())
    .option('--source <text>', 'where the list came from, e.g. "2023Q1 quarterly list from 浉河大队" (default: the file name)')
    .option('--reason <text>', 'why it is recorded (default depends on the kind)')
    .option('--date <YYYY-MM-DD>', 'effective date for rows without a date of their own (default: the file\'s latest row date, or today for lists without dates)')
    .option('--dry-run', 'check the file and report, write nothing')
    .argument('<file>', 'the .csv or .xlsx file')
    .action(async (file: string, o: { dataDir?: string; kind: ImportKind; source?: string; reason?: string; date?: string; dryRun?: boolean }) => {
      checkDate('--date', o.date);
      const store = storeOf(o.dataDir);
      const storeFile = sqliteStoreFile(store);
      const isNew = storeFile !== null && !fs.existsSync(storeFile);
      const registry = await openCliRegistry(store, false);
      let imported = false;
      try {
        const r = await importOne(registry, file, o);
        imported = r.applied;
        process.stdout.write(describe(file, r) + '\n');
      } finally {
        await registry.close();
        // A refused import (or a dry run) into a store that did not exist leaves no empty file behind.
        if (storeFile !== null && isNew && !imported) for (const f of [storeFile, `${storeFile}-wal`, `${storeFile}-shm`]) fs.rmSync(f, { force: true });
      }
    });

  registry
    .command('import-all')
    .description('import the files listed in a folder\'s import-plan.json (as written by `ssj registry synth`), in order')
    .addOption(dbOption())
    .argument('<dir>', 'folder with import-plan.json')
    .action(async (dir: string, o: { dataDir?: string }) => {
      const planFile = path.join(dir, 'import-plan.json');
      if (!fs.existsSync(planFile)) throw new UserError(`${planFile}: no such file`);
      const plan = JSON.parse(fs.readFileSync(planFile, 'utf8')) as { files: { file: string; kind: ImportKind; date?: string; source: string }[] };
      const registry = await openCliRegistry(storeOf(o.dataDir), false);
      try {
        for (const f of plan.files) {
          const r = await importOne(registry, path.join(dir, f.file), { kind: f.kind, source: f.source, ...(f.date ? { date: f.date } : {}) });
          process.stdout.write(describe(f.file, r) + '\n');
        }
      } finally {
        await registry.close();
      }
    });

  registry
    .command('show')
    .description('the registries as they stood at the end of a date: counts, or one list as a table')
    .addOption(dbOption())
    .option('--at <YYYY-MM-DD>', 'date (default: today, Beijing)')
    .option('--kind <kind>', 'list departments, units, people or conflicts (tab-separated)')
    .option('--json', 'print the whole snapshot as JSON')
    .action(async (o: { dataDir?: string; at?: string; kind?: string; json?: boolean }) => {
      checkDate('--at', o.at);
      await withStore(storeOf(o.dataDir), async (registry) => {
        const snap = await registry.snapshotAt(o.at ?? beijingToday());
        const text = o.json ? JSON.stringify(snap, null, 2) : o.kind ? listing(snap, o.kind) : summary(snap, registry.description);
        process.stdout.write(text + '\n');
      });
    });

  registry
    .command('history')
    .description('every recorded change of one unit, person, department or conflict (INSPECTOR:UNIT)')
    .addOption(dbOption())
    .addOption(new Option('--kind <kind>', 'entity kind, if the id is ambiguous').choices([...entityKinds]))
    .option('--json', 'print as JSON')
    .argument('<id>', 'unit id (USCC or local code), person id, department code, or INSPECTOR:UNIT for a conflict')
    .action(async (id: string, o: { dataDir?: string; kind?: EntityKind; json?: boolean }) => {
      await withStore(storeOf(o.dataDir), async (registry) => {
        const entries = o.kind ? await registry.history(o.kind, id) : await registry.historyAnyKind(id);
        if (entries.length === 0) throw new UserError(`nothing recorded for ${id}`, ExitCode.refused);
        if (o.json) {
          process.stdout.write(JSON.stringify(entries, null, 2) + '\n');
          return;
        }
        for (const e of entries) {
          process.stdout.write(
            safeForTerminal(`${e.effectiveDate}  ${e.entityKind} ${e.entityId}  ${e.state === null ? 'REMOVED' : JSON.stringify(e.state)}`) + '\n' +
              safeForTerminal(`            source: ${e.source}; reason: ${e.reason}; batch ${e.batchId}; recorded ${e.recordedAt}`) + '\n',
          );
        }
      });
    });

  registry
    .command('batches')
    .description('every batch (import) recorded, in order')
    .addOption(dbOption())
    .action(async (o: { dataDir?: string }) => {
      await withStore(storeOf(o.dataDir), async (registry) => {
        // The key last: what a change list names (ssj changes submit --batch takes it, or the number).
        const rows = (await registry.batches()).map((b) => [String(b.id), b.recordedAt, b.kind, b.effectiveDate, String(b.changeCount), b.fileName ?? '', b.source, b.key]);
        process.stdout.write(table(['batch', 'recorded', 'kind', 'effective', 'changes', 'file', 'source', 'key'], rows) + '\n');
      });
    });

  registry
    .command('adopt')
    .description('carry a registry.db of an earlier release (the registries in their own file) over into the shared store, history and all')
    .addOption(dbOption())
    .argument('<registry.db>', 'the old registry file (SSJ_DB of the earlier release)')
    .action(async (file: string, o: { dataDir?: string }) => {
      if (!fs.existsSync(file)) throw new UserError(`${file}: no such file`);
      const registry = await openCliRegistry(storeOf(o.dataDir), false);
      try {
        const r = await adoptLegacyRegistry(file, registry);
        process.stdout.write(`${file}: ${r.batches} batch(es); ${r.adopted} carried over into ${registry.description} (${r.changes} change(s)), ${r.batches - r.adopted} already there\n`);
      } finally {
        await registry.close();
      }
    });

  registry
    .command('synth')
    .description('write synthetic registry files shaped like the 2023 Xinyang programme (reproducible from the seed)')
    .requiredOption('--out <dir>', 'folder to write into')
    .requiredOption('--seed <seed>', 'seed: the same seed gives the same files')
    .option('--scale <n>', 'size factor: 1 = 536 general and 17 special units; 136 ≈ 100k units', '1')
    .option('--xlsx', 'write .xlsx instead of .csv')
    .action(async (o: { out: string; seed: string; scale: string; xlsx?: boolean }) => {
      const scale = Number(o.scale);
      if (!Number.isFinite(scale) || scale <= 0 || scale > 1000) throw new UserError(`--scale must be a number in (0, 1000], got ${o.scale}`);
      const data = generateRegistry({ seed: o.seed, scale });
      const files = await writeSyntheticRegistry(data, o.out, { xlsx: o.xlsx === true });
      for (const f of files) process.stdout.write(`${path.join(o.out, f.file)}\t${f.kind}\t${f.rows} rows\n`);
      process.stdout.write(`import them with: ssj registry import-all ${o.out}\n`);
    });
}
