#!/usr/bin/env node
// The `ssj` command line: `npm run --silent ssj -- <command> [options]`.
// Each module in ./commands registers its own sub-commands, so each area of the programme
// (registry, draw, quarter, ...) keeps its command-line code to itself.
import { Command, CommanderError } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as draw from './commands/draw';
import * as inspection from './commands/inspection';
import * as keys from './commands/keys';
import * as plan from './commands/plan';
import * as programme from './commands/programme';
import * as quarter from './commands/quarter';
import * as registry from './commands/registry';
import { ExitCode, UserError } from './errors';
import { useLocalServer } from './local-server';

/** In the order `ssj --help` lists them: the registries first, the public's `verify` with the draw. */
const COMMAND_MODULES: { register(program: Command): void }[] = [registry, programme, draw, quarter, inspection, plan, keys];

export function buildProgram(): Command {
  const program = new Command('ssj')
    .description('shuangsuiji: 双随机、一公开 pollution-source inspections on Temporal')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  for (const mod of COMMAND_MODULES) mod.register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  program.option('--debug', 'on an unexpected error, print the whole stack trace');
  program.commands.forEach(function exitOverrideAll(c: Command): void {
    c.exitOverride();
    c.commands.forEach(exitOverrideAll);
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? ExitCode.ok : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    }
    if (err instanceof UserError) {
      process.stderr.write(`ssj: ${err.message}\n`);
      if (err.hint) process.stderr.write(`ssj: ${err.hint}\n`);
      return err.exitCode;
    }
    return reportUnexpected(err, argv);
  }
}

/**
 * One line for the user, the stack trace in a log file (or on screen with --debug): a stack trace
 * helps the developer who reads the report, not the clerk who typed the command.
 */
function reportUnexpected(err: unknown, argv: string[]): number {
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
  const summary = err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]}` : String(err);
  if (argv.includes('--debug') || process.env.SSJ_DEBUG === '1') {
    process.stderr.write(`ssj: unexpected error: ${detail}\n`);
    return ExitCode.unexpected;
  }
  let logged = '';
  try {
    const dir = path.resolve(process.env.SSJ_DATA_DIR ?? '.data', 'logs');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'ssj-errors.log');
    fs.appendFileSync(file, `${new Date().toISOString()} ssj ${argv.join(' ')}\n${detail}\n\n`);
    logged = `; details in ${file}`;
  } catch {
    logged = '; run again with --debug for details';
  }
  process.stderr.write(`ssj: unexpected error (${summary})${logged}\n`);
  return ExitCode.unexpected;
}

/**
 * `npm run ssj` runs in the checkout's root; a file named on the command line means the folder the
 * user typed it in (npm's INIT_CWD), e.g. `verify --manifest manifest` inside a downloaded
 * disclosure folder. The default data folder stays the checkout's `.data`.
 */
function runWhereTheUserIs(): void {
  const userDir = process.env.INIT_CWD;
  if (process.env.npm_lifecycle_event !== 'ssj' || !userDir || path.resolve(userDir) === process.cwd()) return;
  if (!process.env.SSJ_DATA_DIR) process.env.SSJ_DATA_DIR = path.resolve('.data');
  process.chdir(userDir);
}

if (require.main === module) {
  // Before runWhereTheUserIs: the local server's data folder wins over the checkout's default.
  useLocalServer();
  runWhereTheUserIs();
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
