// Reading the programme file: the one side effect of the programme-as-data (the rules are in
// domain/programme.ts, which stays pure so workflow code can use it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseProgramme, ProgrammeError, type Programme } from '../domain/programme';

/** The shipped default: the 2023 Xinyang plan. */
export const DEFAULT_PROGRAMME_PATH = path.join(__dirname, '..', 'config', 'programme.json');

/**
 * Loads and checks the programme. Path order: the argument, $SSJ_PROGRAMME, the shipped default.
 * Throws ProgrammeError (every problem as `file: field.path: rule`) for a missing or bad file.
 */
export function loadProgramme(file?: string): Programme {
  const chosen = file ?? process.env.SSJ_PROGRAMME ?? DEFAULT_PROGRAMME_PATH;
  const shown = displayPath(chosen);
  let textContent: string;
  try {
    textContent = fs.readFileSync(chosen, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ProgrammeError(shown, [`${shown}: cannot be read (${code === 'ENOENT' ? 'no such file' : String(code ?? err)})`]);
  }
  return parseProgramme(textContent.replace(/^\uFEFF/, ''), shown);
}

/** A path as the user will recognise it: relative to the working directory when inside it. */
function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), path.resolve(p));
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}
