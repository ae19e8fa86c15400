// Through the real registry store (SQLite) and the command line: a unit closed during the quarter
// is in the freeze taken before it closed and out of the next one; `ssj quotas`, `ssj freeze` and
// `ssj programme check` print what they should and fail with the right exit codes.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freezeQuarterActivity } from '../files/freeze';
import { openRegistryStore, type RegistryChange, type RegistryStore } from '../stores/registry-store';
import { execFileSync } from 'node:child_process';
import { Command, CommanderError } from 'commander';
import { register } from '../client/commands/programme';
import { ExitCode, UserError } from '../client/errors';
import { readManifest } from '../domain/draw/read-manifest';
import { cityDepartments, inspectors, unit, units } from './helpers/registry-snapshot';

let dir: string;
/** The data folder whose shared store (ssj.db) the activity and the command line read. */
let dataDir: string;
let registry: RegistryStore;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ssj-freeze-store-'));
  dataDir = path.join(dir, 'data');
  const store = (registry = await openRegistryStore({ dataDir, databaseUrl: null }));
  {
    const initial: RegistryChange[] = [
      ...cityDepartments().map((d) => ({ entityKind: 'department' as const, entityId: d.id, state: d })),
      ...[
        ...units('KS', 12, { category: 'key', jurisdiction: 'shihe' }),
        ...units('GS', 40, { jurisdiction: 'shihe' }),
        ...units('SS', 4, { category: 'special', jurisdiction: 'shihe', specialProblem: true }),
      ].map((u) => ({ entityKind: 'unit' as const, entityId: u.id, state: u })),
      ...[...inspectors('BS', 'brigade-shihe', 3), ...inspectors('SA', 'section-1', 2)].map((p) => ({
        entityKind: 'person' as const,
        entityId: p.id,
        state: p,
      })),
    ];
    await store.applyBatch({ key: 'test:initial', kind: 'test', source: 'test', reason: 'initial registry', effectiveDate: '2022-12-01', changes: initial });
    const closed = unit('KS0001', { category: 'key', jurisdiction: 'shihe', status: 'closed', statusDate: '2023-02-15' });
    await store.applyBatch({
      key: 'test:closure',
      kind: 'test',
      source: 'brigade-shihe',
      reason: 'quarterly closures',
      effectiveDate: '2023-02-15',
      changes: [{ entityKind: 'unit', entityId: 'KS0001', state: closed }],
    });
  }
});

afterAll(async () => {
  await registry?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * The commands of client/commands/programme.ts, run in-process as client/ssj.ts's main runs them
 * (its loader `require`s .ts files, which vitest's module runner does not transform; one test
 * below runs the real entry point in a child process).
 */
async function run(args: string[]): Promise<number> {
  const program = new Command('ssj').exitOverride();
  register(program);
  program.commands.forEach(function exitOverrideAll(c: Command): void {
    c.exitOverride();
    c.commands.forEach(exitOverrideAll);
  });
  try {
    await program.parseAsync(args, { from: 'user' });
    return ExitCode.ok;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    if (e instanceof UserError) {
      process.stderr.write(`ssj: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}

async function ssj(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const ow = process.stdout.write.bind(process.stdout);
  const ew = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
  try {
    const code = await run(args);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = ow;
    process.stderr.write = ew;
    process.exitCode = undefined;
  }
}

describe('freeze through the registry store', () => {
  it('freezes each quarter from the registry as it stood at the end of the previous quarter', async () => {
    const q1 = await freezeQuarterActivity({ registry, year: 2023, quarter: 1, outDir: path.join(dir, 'q1') });
    expect(q1.asOf).toBe('2022-12-31');
    expect(q1.campaign).toBe('xinyang-2023q1');
    const m1 = readManifest(path.join(dir, 'q1'));
    expect(m1.manifestDigest).toBe(q1.manifestDigest);
    expect(m1.params.spec).toBe('ssj-draw/2'); // new campaigns freeze ssj-draw/2 manifests
    expect(m1.units.map((u) => u.unitId)).toContain('KS0001');

    const q2 = await freezeQuarterActivity({ registry, year: 2023, quarter: 2, outDir: path.join(dir, 'q2') });
    expect(q2.asOf).toBe('2023-03-31');
    expect(readManifest(path.join(dir, 'q2')).units.map((u) => u.unitId)).not.toContain('KS0001');
    expect(fs.readFileSync(path.join(dir, 'q2', 'exclusions.csv'), 'utf8')).toContain('KS0001,closed,status closed since 2023-02-15\n');

    const again = await freezeQuarterActivity({ registry, year: 2023, quarter: 1, outDir: path.join(dir, 'q1') });
    expect(again).toMatchObject({ written: false, manifestDigest: q1.manifestDigest });
  });

  it('ssj quotas prints a table of pools with their rules and quotas', async () => {
    const r = await ssj(['quotas', '--data-dir', dataDir, '--year', '2023', '--quarter', '2']);
    expect(r.err).toBe('');
    expect(r.code).toBe(ExitCode.ok);
    expect(r.out).toMatch(/^xinyang-2023q2: registry as of 2023-03-31/);
    // 3 inspectors x 3 (Q2); 11 key units after the closure: 25% -> 3, 5% -> 1; 4 special -> 2.
    expect(r.out).toMatch(/general\.brigade-shihe\s+brigade-shihe 浉河大队\s+40\s+1:3 x 3 inspector\(s\)\s+9\n/);
    expect(r.out).toMatch(/key\.brigade-shihe\s+brigade-shihe 浉河大队\s+11\s+25% of 11, rounded up\s+3\n/);
    expect(r.out).toMatch(/key\.section-1\s+section-1 执法一科\s+11\s+5% of 11, rounded up\s+1\n/);
    expect(r.out).toMatch(/special\.brigade-shihe\s+brigade-shihe 浉河大队\s+4\s+30% of 4, rounded up\s+2\n/);
    expect(r.out).toContain('total quota 15');
    expect(r.out).toContain('section-2: no eligible inspector');
  });

  it('ssj freeze prints the digest and counts, and refuses a different manifest with exit code 3', async () => {
    const out = path.join(dir, 'cli-q3');
    const r = await ssj(['freeze', '--data-dir', dataDir, '--year', '2023', '--quarter', '3', '--out', out]);
    expect(r.code).toBe(ExitCode.ok);
    const digest = fs.readFileSync(path.join(out, 'DIGEST'), 'utf8').trim();
    expect(r.out).toContain(`frozen: ${out}\n`);
    expect(r.out).toContain(`manifest_digest ${digest}\n`);
    expect(r.out).toContain('units 55, inspectors 5, conflicts 0, pools 4 (quota total ');
    const refused = await ssj(['freeze', '--data-dir', dataDir, '--year', '2023', '--quarter', '3', '--at', '2023-01-31', '--out', out]);
    expect(refused.code).toBe(ExitCode.refused);
    expect(refused.err).toContain('already holds a different manifest');
  });

  it('bad flags and files are refused with messages that name them', async () => {
    const wrongYear = await ssj(['quotas', '--data-dir', dataDir, '--year', '2024', '--quarter', '1']);
    expect(wrongYear.code).toBe(ExitCode.badInput);
    expect(wrongYear.err).toContain('--year 2024: the programme xinyang-2023 is for 2023');
    expect((await ssj(['quotas', '--data-dir', dataDir, '--year', '2023', '--quarter', '5'])).err).toContain('--quarter 5: must be 1, 2, 3 or 4');
    expect((await ssj(['quotas', '--data-dir', dataDir, '--year', '2023', '--quarter', '1', '--at', '2023-02-30'])).err).toContain('--at 2023-02-30: must be a real date');
    const noDb = await ssj(['quotas', '--data-dir', path.join(dir, 'none'), '--year', '2023', '--quarter', '1']);
    expect(noDb.code).toBe(ExitCode.refused);
    expect(noDb.err).toContain(`no registry database at ${path.join(dir, 'none', 'ssj.db')}`);
    expect(fs.existsSync(path.join(dir, 'none'))).toBe(false);
    const list = path.join(dir, 'elsewhere.csv');
    fs.writeFileSync(list, 'unit_id,office\nGS0001,省生态环境厅\nbad id!,市场监管局\n');
    const badList = await ssj(['quotas', '--data-dir', dataDir, '--year', '2023', '--quarter', '1', '--inspected-elsewhere', list]);
    expect(badList.code).toBe(ExitCode.badInput);
    expect(badList.err).toContain(`${list}:3: column unit_id: must be an id`);
  });

  it('ssj programme check accepts the shipped file and names the field in a broken one', async () => {
    const ok = await ssj(['programme', 'check']);
    expect(ok.code).toBe(ExitCode.ok);
    expect(ok.out).toContain('Q1 xinyang-2023q1: registry frozen as of 2022-12-31, draw by 2023-01-10, checks end 2023-03-31');
    expect(ok.out).toContain('programme OK');
    const broken = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'config', 'programme.json'), 'utf8'));
    broken.ratios.general.quarterly[2] = -1;
    const file = path.join(dir, 'programme.json');
    fs.writeFileSync(file, JSON.stringify(broken));
    const bad = await ssj(['programme', 'check', '--config', file]);
    expect(bad.code).toBe(ExitCode.badInput);
    expect(bad.err).toContain(': ratios.general.quarterly[2]: must be a positive integer');
  });

  it('the real entry point, client/ssj.ts, runs `programme check`', () => {
    const root = path.join(__dirname, '..');
    const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', path.join(root, 'client', 'ssj.ts'), 'programme', 'check'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(out).toContain('programme OK');
  });
});
