#!/usr/bin/env node
// The `ssj` command line: `npm run --silent ssj -- <command> [options]`.
// Each module in ./commands registers its own sub-commands, so each area of the programme
// (registry, draw, quarter, ...) keeps its command-line code to itself. Modules load lazily: a
// run loads only the module of the command it runs (its Temporal client, SQLite, Excel...), and
// `ssj --help` loads none, listing the commands from COMMANDS below.
import './compile-cache-on'; // first: the modules below load through it
import { Command, CommanderError } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExitCode, UserError } from './errors';

/** Registers a module's commands on the program. */
type Register = (program: Command) => void;

/**
 * Every top-level command, in the order `ssj --help` lists them (the registries first, the public's
 * `verify` with the draw), with the module that registers it and its help line (term and summary)
 * for listings made without loading the module. tests/cli-startup.test.ts checks that these lines
 * are the ones the modules themselves give.
 */
export const COMMAND_MODULES: { load: () => Register; commands: [term: string, summary: string][] }[] = [
  {
    load: () => (require('./commands/registry') as typeof import('./commands/registry')).register,
    commands: [['registry', 'the registries of units, inspectors and conflicts (in the shared store)']],
  },
  {
    load: () => (require('./commands/programme') as typeof import('./commands/programme')).register,
    commands: [
      ['programme', 'the inspection programme (config/programme.json)'],
      ['quotas [options]', "the quarter's quota per draw pool, with the numbers each comes from"],
      ['freeze [options]', "freeze the registries into the quarter's draw manifest folder"],
    ],
  },
  {
    load: () => (require('./commands/draw') as typeof import('./commands/draw')).register,
    commands: [
      ['draw-digest [options]', 'check a frozen manifest and print its digest, to show the witnesses before the draw'],
      ['draw [options]', 'make the witnessed random draw from a frozen manifest'],
      ['verify [options]', 'check a published draw record against its manifest'],
    ],
  },
  {
    load: () => (require('./commands/quarter') as typeof import('./commands/quarter')).register,
    commands: [
      ['quarter', "one quarter's campaign: start, status, list (季度抽查)"],
      ['witness', "the draw's witnesses (见证人): commit, then reveal (ssj-draw/2); `entropy` for quarters started before ssj-draw/2"],
      ['changes', "the brigades' quarter-end registry change lists (变更清单)"],
      ['publish [options]', "where the quarter's disclosure package is, and whether it was on time (公示)"],
    ],
  },
  {
    load: () => (require('./commands/publication') as typeof import('./commands/publication')).register,
    commands: [['publication', "the quarter's disclosure package in the shared store (公示包)"]],
  },
  {
    load: () => (require('./commands/inspection') as typeof import('./commands/inspection')).register,
    commands: [
      ['inspection', 'the inspection of one drawn unit (抽查任务)'],
      ['report [options] <unit>', "the team submits the inspection's result (提交检查结果)"],
      [
        'recuse [options] <unit>',
        'an inspector declares a conflict of interest with a unit (回避); the leader in charge decides (ssj recusal approve|reject), then a replacement is drawn by the published rule. A manager recording a team member\'s recusal decides it at once.',
      ],
      [
        'recusal [options] <decision> <unit>',
        "the leader in charge approves or rejects an inspector's recusal (回避审批); approved, a replacement is drawn by the published rule",
      ],
      ['unit-closed [options] <unit>', 'report the drawn unit closed, banned or gone (对象已关停); a manager then decides on a replacement'],
      ['replacement [options] <decision> <unit>', 'a manager approves or rejects replacing a unit reported closed (替换审批)'],
      [
        'handover [options] <decision> <unit>',
        "a manager approves or rejects handing a section's findings to the brigade of the unit's area, or referring them (移交审批)",
      ],
    ],
  },
  {
    load: () => (require('./commands/plan') as typeof import('./commands/plan')).register,
    commands: [['plan', 'the annual plan filed with the superior office (年度抽查计划备案)']],
  },
  {
    load: () => (require('./commands/keys') as typeof import('./commands/keys')).register,
    commands: [['keys', 'payload encryption keys and codec endpoint tokens (see docs/operations.md)']],
  },
  {
    load: () => (require('./commands/user') as typeof import('./commands/user')).registerUser,
    commands: [['user', 'console accounts, bound to registry persons and roles (用户管理)']],
  },
];

const commandName = (term: string): string => term.split(' ')[0] as string;

/** The command `argv` runs: its first word that is not an option (`help X` runs X's help). */
function commandOf(argv: readonly string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/**
 * The program with every command's module registered (`load: 'all'`) or only the module of the
 * command `argv` runs, the others standing in as one-line entries for the help listing and for
 * "did you mean" suggestions.
 */
export function buildProgram(argv: readonly string[] = [], load: 'all' | 'used' = 'all'): Command {
  const program = new Command('ssj')
    .description('shuangsuiji: 双随机、一公开 pollution-source inspections on Temporal')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  const used = commandOf(argv);
  const terms = new Map<Command, string>();
  for (const mod of COMMAND_MODULES) {
    if (load === 'all' || mod.commands.some(([term]) => commandName(term) === used)) {
      mod.load()(program);
      continue;
    }
    for (const [term, summary] of mod.commands) terms.set(program.command(commandName(term)).summary(summary), term);
  }
  // A stand-in shows the term its module would give (with [options] and arguments).
  const help = program.createHelp();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd) ?? help.subcommandTerm(cmd) });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram(argv, 'used');
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

/** Commands that never reach a Temporal server. */
const OFFLINE_COMMANDS = new Set(['draw', 'draw-digest', 'verify']);

/** Runs the command line on this process's arguments and exits with its code. */
export function runCli(): void {
  const argv = process.argv.slice(2);
  // Before runWhereTheUserIs: the local server's data folder wins over the checkout's default.
  // (Loaded only when a command runs: it reads the settings, with zod; help needs neither.)
  // The draw's commands read and write local files only: no server settings (nor zod) to load.
  const command = commandOf(argv);
  if (command !== undefined && !OFFLINE_COMMANDS.has(command)) (require('./local-server') as typeof import('./local-server')).useLocalServer();
  runWhereTheUserIs();
  main(argv).then((code) => process.exit(code));
}

if (require.main === module) runCli();
