// `ssj draw` and `ssj verify`: the witnessed draw from a frozen manifest folder, and anyone's
// check of a published record. Neither needs a Temporal server. Both speak ssj-draw/1 and
// ssj-draw/2 (docs/draw-spec.md); the manifest's params.txt says which one a draw follows.
import { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DrawError, WitnessArg, bindWitnesses, drawPrecheck, parseWitness, runDraw, seedCommitment } from '../../domain/draw/draw';
import { ManifestError } from '../../domain/draw/manifest';
import { readDrawManifest, readManifest } from '../../domain/draw/read-manifest';
import type { DrawRecord, Replacement } from '../../domain/draw/record';
import { RecordFormatError, formatDrawRecord } from '../../domain/draw/record-json';
import { ExitCode, UserError } from '../errors';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Runs `fn`, turning the domain's input errors into UserErrors (exit 2, nothing written). */
function asUserErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ManifestError || err instanceof RecordFormatError) throw new UserError(err.message, ExitCode.badInput);
    if (err instanceof DrawError) throw new UserError(`the draw cannot be made: ${err.message}`, ExitCode.badInput);
    throw err;
  }
}

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: cannot read the ${what} (${code === 'ENOENT' ? 'no such file' : code ?? String(err)})`, ExitCode.badInput);
  }
}

/** Writes `text` to `out` atomically; refuses to replace an existing file unless `force`. */
function writeNew(out: string, text: string, force: boolean): void {
  const dir = path.dirname(path.resolve(out));
  if (!fs.existsSync(dir)) throw new UserError(`${out}: the folder ${dir} does not exist; nothing written`, ExitCode.badInput, `create it first (mkdir -p ${dir})`);
  const tmp = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, text, { flag: 'wx' });
  } catch (err) {
    throw new UserError(`${out}: cannot write (${(err as NodeJS.ErrnoException).code ?? String(err)})`, ExitCode.badInput);
  }
  try {
    if (force) {
      fs.renameSync(tmp, out);
    } else {
      fs.linkSync(tmp, out); // fails if `out` appeared meanwhile: never clobbers
      fs.unlinkSync(tmp);
    }
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UserError(`${out} already exists; nothing written`, ExitCode.refused, 'use --force to replace it');
    throw new UserError(`${out}: cannot write (${code ?? String(err)})`, ExitCode.badInput);
  }
}

function drawCommand(opts: { manifest: string; witness: string[]; out: string; force?: boolean }): void {
  if (!opts.force && fs.existsSync(opts.out)) {
    throw new UserError(`${opts.out} already exists; nothing written`, ExitCode.refused, 'use --force to replace it');
  }
  const args: WitnessArg[] = asUserErrors(() => opts.witness.map(parseWitness));
  const manifest = asUserErrors(() => readDrawManifest(opts.manifest));
  // The witness form must fit the manifest's spec; a v2 reveal gets its commitment computed here.
  const witnesses = asUserErrors(() => bindWitnesses(args, manifest));
  const record = asUserErrors(() => runDraw(manifest, witnesses));
  writeNew(opts.out, formatDrawRecord(record), opts.force === true);

  const lines = [
    `draw ${record.spec}, campaign ${record.campaign}`,
    `manifest digest:  ${record.manifest_digest}`,
    `seed commitment:  ${seedCommitment(record.seed)}  (SHA-256 of the seed; publish this, keep the record sealed)`,
    `witnesses:        ${record.witnesses.map((w) => `${w.role}:${w.person_id}`).join(', ')}`,
    ...(record.spec === 'ssj-draw/2'
      ? [`commitments:`, ...record.witnesses.map((w) => `  ${`${w.role}:${w.person_id}`.padEnd(32)} ${w.commitment}`)]
      : []),
    `pools:`,
    ...record.pools.map((p) => `  ${p.pool_id.padEnd(32)} ${String(p.selected.length).padStart(6)} of ${String(p.candidates).padStart(7)} candidates (quota ${p.quota})`),
    `units drawn: ${record.assignments.length}, team size ${record.team_size}`,
    `record written to ${opts.out}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function verifyCommand(opts: { manifest: string; record: string; replacements?: string }): void {
  // Loaded here, not at the top: reading records back takes zod, which `ssj draw` does without.
  const { parseDrawRecord, parseReplacements } = require('../../domain/draw/record') as typeof import('../../domain/draw/record');
  const { verifyDraw } = require('../../domain/draw/verify') as typeof import('../../domain/draw/verify');
  const manifest = asUserErrors(() => readManifest(opts.manifest));
  const record: DrawRecord = asUserErrors(() => parseDrawRecord(readText(opts.record, 'draw record'), opts.record));
  // The record's spec sets the replacements' rules (ssj-draw/2: every reason a code).
  const replacements: Replacement[] = opts.replacements
    ? asUserErrors(() => parseReplacements(readText(opts.replacements as string, 'replacements list'), opts.replacements, record.spec))
    : [];
  const result = verifyDraw(manifest, record, replacements);
  if (!result.ok) {
    throw new UserError(`NOT verified: ${result.difference}`, ExitCode.failed);
  }
  process.stdout.write('verified\n');
}

function digestCommand(opts: { manifest: string }): void {
  const manifest = asUserErrors(() => readManifest(opts.manifest));
  const cannot = drawPrecheck(manifest);
  if (cannot.length > 0) {
    throw new UserError(`${opts.manifest}: no draw can be made from this manifest:\n  ${cannot.join('\n  ')}`, ExitCode.badInput, 'fix the registry or the quotas and freeze again');
  }
  const lines = [
    `manifest digest: ${manifest.manifestDigest}`,
    `spec: ${manifest.params.spec}`,
    `campaign ${manifest.params.campaign}: ${manifest.units.length} units, ${manifest.inspectors.length} inspectors, ` +
      `${manifest.conflicts.length} conflicts, ${manifest.pools.length} pools, team size ${manifest.params.teamSize}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function register(program: Command): void {
  program
    .command('draw-digest')
    .summary('check a frozen manifest and print its digest, to show the witnesses before the draw')
    .description(
      'Check every rule of a manifest folder and print its manifest digest. ' +
        'Show the digest to the witnesses before they give their entropy: the draw is then bound to exactly these files.',
    )
    .requiredOption('--manifest <dir>', 'folder with the five manifest files')
    .addHelpText('after', '\nExit codes: 0 valid; 2 a rule is broken (file:line printed).')
    .action((opts: { manifest: string }) => digestCommand(opts));

  program
    .command('draw')
    .summary('make the witnessed random draw from a frozen manifest')
    .description(
      [
        'Make the draw (双随机 抽取): which units are inspected, and by which inspectors.',
        'Before the draw, show the witnesses the manifest digest (`ssj draw-digest --manifest DIR` prints it). ' +
          'Only then does each witness give an entropy string: 16 to 128 letters or digits, e.g. dice rolls written down. ' +
          'The same manifest and entropy always give the same record, so anyone can check it later with `ssj verify`.',
        'The manifest says its spec. ssj-draw/1 (no spec key in params.txt): --witness role:person:entropy. ' +
          'ssj-draw/2 (spec=ssj-draw/2): each witness first committed to a salt (32 lowercase hex characters) and their entropy, ' +
          'then revealed them; give --witness role:person:salt:entropy. The commitments are recomputed and printed: ' +
          'they must be the ones the witnesses gave before revealing. The specification: docs/draw-spec.md.',
        'The record written to --out must stay confidential until the inspections are done. ' +
          "Publish only the manifest digest, the witnesses' roles and the seed commitment printed here.",
      ].join('\n\n'),
    )
    .requiredOption('--manifest <dir>', 'folder with the five manifest files (params.txt, units.csv, inspectors.csv, conflicts.csv, pools.csv)')
    .requiredOption(
      '--witness <role:person[:salt]:entropy>',
      'one witness: role:person:salt:entropy on an ssj-draw/2 manifest, e.g. admin:ADM001:0f1e2d3c4b5a69788796a5b4c3d2e1f0:31415926535897932384; ' +
        'role:person:entropy on an ssj-draw/1 manifest. Give --witness at least twice (distinct roles, distinct persons)',
      collect,
    )
    .requiredOption('--out <file>', 'where to write the draw record (JSON); an existing file is not replaced')
    .option('--force', 'replace --out if it already exists')
    .addHelpText(
      'after',
      '\nExample (ssj-draw/2):\n  ssj draw --manifest campaigns/2024q1/manifest \\\n' +
        '           --witness admin:ADM001:0f1e2d3c4b5a69788796a5b4c3d2e1f0:31415926535897932384 \\\n' +
        '           --witness discipline:DIS007:a5a5a5a5c3c3c3c30123456789abcdef:27182818284590452353 \\\n' +
        '           --out campaigns/2024q1/draw-record.json\n\n' +
        'Exit codes: 0 done; 2 bad input (nothing written); 3 --out exists (nothing written).',
    )
    .action((opts: { manifest: string; witness: string[]; out: string; force?: boolean }) => drawCommand(opts));

  program
    .command('verify')
    .summary('check a published draw record against its manifest')
    .description(
      'Check a draw record (抽查结果核验): recompute the draw from the manifest and the witnesses\' entropy written in the record ' +
        '(ssj-draw/2: first every witness\'s commitment from their salt and entropy), ' +
        'compare everything, and check every replacement (a closed unit replaced, an inspector recused) against the rules. ' +
        'Verifies ssj-draw/1 and ssj-draw/2 records. ' +
        'Prints "verified", or the first difference.',
    )
    .requiredOption('--manifest <dir>', 'the published manifest folder (five files)')
    .requiredOption('--record <file>', 'the published draw record (draw-record.json)')
    .option('--replacements <file>', 'the published replacements list (replacements.json), if any')
    .addHelpText(
      'after',
      '\nExample:\n  ssj verify --manifest published/manifest --record published/draw-record.json \\\n' +
        '             --replacements published/replacements.json\n\n' +
        'Exit codes: 0 verified; 1 a difference was found (printed); 2 a file is malformed (file:line printed).',
    )
    .action((opts: { manifest: string; record: string; replacements?: string }) => verifyCommand(opts));
}
