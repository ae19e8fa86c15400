#!/usr/bin/env node
// The `ssj` command line: `npm run --silent ssj -- <command> [options]`.
// Every module in ./commands registers its own sub-commands, so each area of the programme
// (registry, draw, quarter, ...) keeps its command-line code beside nothing else.
import { Command, CommanderError } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ExitCode, UserError } from './errors';

export function buildProgram(): Command {
  const program = new Command('ssj')
    .description('shuangsuiji: 双随机、一公开 pollution-source inspections on Temporal')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  const dir = path.join(__dirname, 'commands');
  for (const file of fs.readdirSync(dir).sort()) {
    if (!/\.(ts|js)$/.test(file) || file.endsWith('.d.ts')) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(path.join(dir, file)) as { register?: (p: Command) => void };
    if (typeof mod.register !== 'function') throw new Error(`client/commands/${file} exports no register(program)`);
    mod.register(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
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
    process.stderr.write(`ssj: unexpected error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return ExitCode.failed;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
