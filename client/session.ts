// What every quarter command needs: the runtime settings, a Temporal client, the check of `--as`
// against the registry, finding the campaign meant, and turning Temporal's errors into the exit
// codes of client/errors.ts with a message a clerk can act on.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, NamespaceNotFoundError, ServiceError, WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Connection } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { loadRuntimeSettings, SettingsError, type RuntimeSettings } from '../config/runtime';
import { connectTemporal, ssjClient, TemporalUnavailableError } from '../config/temporal';
import { CREATE_KEYRING_HINT, KeyringError, loadKeyring, type Keyring } from '../codec/keyring';
import { loadProgramme } from '../config/programme';
import { openRegistryStore, type RegistryStore } from '../stores/registry-store';
import { SQLITE_STORE_FILE, type StoreSettings } from '../stores/open';
import { beijingDate, isRealDate } from '../domain/calendar';
import { firstIssue } from '../domain/messages';
import type { Person, Role } from '../domain/registry';
import { WORKFLOW_TYPES } from '../workflows/definitions';
import { CampaignAmbiguousError, CampaignNotFoundError, findCampaign, type FoundCampaign } from './temporal';
import { ExitCode, UserError } from './errors';

export const START_TEMPORAL_HINT =
  'start Temporal with everything ssj needs: `npm run dev-server` in another terminal of this checkout (ssj then finds it ' +
  'by itself), or `npm run demo -- --keep-running`; or set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE) to a running server';

export function settings(): RuntimeSettings {
  try {
    return loadRuntimeSettings();
  } catch (err) {
    if (err instanceof SettingsError) throw new UserError(err.message, ExitCode.badInput, 'fix the environment variables (or $SSJ_ENV_FILE) named above');
    throw err;
  }
}

/** The payload keyring (codec/keyring.ts); without one the command line refuses, saying how to make one. */
export function keyring(): Keyring {
  try {
    return loadKeyring();
  } catch (err) {
    if (err instanceof KeyringError) throw new UserError(err.message, ExitCode.badInput, CREATE_KEYRING_HINT);
    throw err;
  }
}

export interface Session {
  settings: RuntimeSettings;
  client: Client;
  connection: Connection;
  close(): Promise<void>;
}

/** Connects to Temporal by the runtime settings; exit 4 with a hint when it cannot be reached. */
export async function openSession(s: RuntimeSettings = settings()): Promise<Session> {
  const keys = keyring();
  let connection: Connection;
  try {
    connection = await connectTemporal(s, { connectTimeoutMs: 5_000 });
  } catch (err) {
    if (err instanceof TemporalUnavailableError) throw new UserError(err.message, ExitCode.unavailable, START_TEMPORAL_HINT);
    throw err;
  }
  const client = ssjClient(connection, s.temporal.namespace, keys);
  return { settings: s, client, connection, close: () => connection.close() };
}

/** Runs `fn` with a session and always closes it. */
export async function withSession<T>(fn: (s: Session) => Promise<T>): Promise<T> {
  const session = await openSession();
  try {
    return await fn(session);
  } catch (err) {
    throw explainTemporalError(err, session.settings);
  } finally {
    await session.close().catch(() => undefined);
  }
}

/** Temporal's errors as UserErrors: rejections (exit 3) keep the workflow's message as is. */
export function explainTemporalError(err: unknown, s?: RuntimeSettings): unknown {
  if (err instanceof UserError) return err;
  if (err instanceof NamespaceNotFoundError) {
    return new UserError(
      `the namespace ${JSON.stringify(err.namespace)} does not exist on the Temporal server${s ? ` at ${s.temporal.address}` : ''}`,
      ExitCode.badInput,
      'check TEMPORAL_NAMESPACE (the development server has "default")',
    );
  }
  if (err instanceof WorkflowNotFoundError) {
    return new UserError(`no such workflow: ${err.workflowId ?? err.message}`, ExitCode.refused, 'list the quarters with: ssj quarter list');
  }
  if (err instanceof WorkflowUpdateFailedError) {
    const cause = err.cause;
    const msg = cause instanceof ApplicationFailure || cause instanceof Error ? cause.message : err.message;
    return new UserError(`refused: ${inCommandWords(msg)}`, ExitCode.refused);
  }
  if (err instanceof WorkflowFailedError) {
    return new UserError(`the workflow failed: ${err.cause?.message ?? err.message}`, ExitCode.failed);
  }
  if (err instanceof ServiceError || (err instanceof Error && 'code' in err)) {
    const code = (err as { code?: number }).code ?? ((err as { cause?: { code?: number } }).cause?.code);
    const text = err instanceof Error ? err.message : String(err);
    if (code === 14 /* UNAVAILABLE */ || code === 4 /* DEADLINE_EXCEEDED */ || /UNAVAILABLE|ECONNREFUSED/.test(text)) {
      return new UserError(`cannot reach Temporal${s ? ` at ${s.temporal.address}` : ''}: ${text}`, ExitCode.unavailable, START_TEMPORAL_HINT);
    }
    const causeText = String((err as { cause?: { message?: string } }).cause?.message ?? '');
    if (/search attribute/i.test(`${text} ${causeText}`) && /Ssj/.test(`${text} ${causeText}`)) {
      return new UserError(
        `the Temporal server${s ? ` at ${s.temporal.address}` : ''} lacks ssj's search attributes (${causeText || text})`,
        ExitCode.unavailable,
        'use a server made for ssj (`npm run dev-server`), or register them once: temporal operator search-attribute create --name SsjYear --type Int ' +
          '--name SsjQuarter --type Int --name SsjDepartment --type KeywordList --name SsjPhase --type Keyword',
      );
    }
    if (code === 5 /* NOT_FOUND */ || /not found/i.test(text)) return new UserError(`not found: ${text}`, ExitCode.refused, 'list the quarters with: ssj quarter list');
    if (code === 9 /* FAILED_PRECONDITION */ || /already completed/i.test(text)) return new UserError(`refused: ${text}`, ExitCode.refused);
  }
  return err;
}

/** The workflows name their Updates in refusals; a person knows the command they typed. */
const COMMAND_OF_UPDATE: Record<string, string> = {
  commitWitness: 'witness commit',
  revealWitness: 'witness reveal',
  giveEntropy: 'witness entropy',
  submitChangeList: 'changes submit',
  submitResult: 'report',
  declareRecusal: 'recuse',
  decideRecusal: 'recusal',
  reportUnitClosed: 'unit-closed',
  decideUnitReplacement: 'replacement',
  decideHandover: 'handover',
  resumeParkedStep: 'resume',
};

export function inCommandWords(message: string): string {
  const m = /^(\w+): /.exec(message);
  const command = m ? COMMAND_OF_UPDATE[m[1]!] : undefined;
  return command ? `${command}: ${message.slice(m![0].length)}` : message;
}

// --- flags ------------------------------------------------------------------------------------

export function parseYear(text: string | undefined, flag = '--year'): number {
  if (text === undefined) throw new UserError(`${flag} is required`, ExitCode.badInput);
  if (!/^\d{4}$/.test(text) || Number(text) < 2000 || Number(text) > 2100) throw new UserError(`${flag} must be a year such as 2023, got ${JSON.stringify(text)}`);
  return Number(text);
}

export function parseQuarter(text: string | undefined): 1 | 2 | 3 | 4 {
  if (text === undefined) throw new UserError('--quarter is required', ExitCode.badInput);
  const t = text.replace(/^q/i, '');
  if (!/^[1-4]$/.test(t)) throw new UserError(`--quarter must be 1, 2, 3 or 4, got ${JSON.stringify(text)}`);
  return Number(t) as 1 | 2 | 3 | 4;
}

export function parseDateFlag(flag: string, text: string): string {
  if (!isRealDate(text)) throw new UserError(`${flag} must be a calendar date YYYY-MM-DD, got ${JSON.stringify(text)}`);
  return text;
}

/** Parses a message with its zod schema; a bad field is bad input (exit 2), named as the flag would be. */
export function parseWith<T>(schema: z.ZodType<T>, input: unknown, what: string, flagOf: Record<string, string> = {}): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue ? issue.path.map(String).join('.') : '';
  const flag = flagOf[field] ?? flagOf[field.split('.')[0] ?? ''];
  throw new UserError(`${what}: ${flag ? `${flag}: ${issue?.message}` : firstIssue(r.error)}`, ExitCode.badInput);
}

// --- who is acting ----------------------------------------------------------------------------

/** Where the registries are: the shared store of the runtime settings, or an SQLite store in `--data-dir`. */
export function registryStoreSettings(s: Pick<RuntimeSettings, 'dataDir' | 'databaseUrl'>, dataDirFlag?: string): StoreSettings {
  if (dataDirFlag === undefined) return { dataDir: s.dataDir, databaseUrl: s.databaseUrl };
  if (s.databaseUrl !== null) {
    throw new UserError('--data-dir names an SQLite store, but SSJ_DATABASE_URL is set: the registries are in PostgreSQL', ExitCode.badInput, 'leave out --data-dir, or unset SSJ_DATABASE_URL');
  }
  return { dataDir: path.resolve(dataDirFlag), databaseUrl: null };
}

/** The SQLite store file of these settings; null on PostgreSQL. */
export function sqliteStoreFile(store: StoreSettings): string | null {
  return store.databaseUrl === null ? path.join(store.dataDir, SQLITE_STORE_FILE) : null;
}

/**
 * Opens the registry store. With `mustHoldRegistry`, refuses (exit 3) where no registry was ever
 * imported, naming the database, rather than creating an empty store to show nothing from.
 */
export async function openCliRegistry(store: StoreSettings, mustHoldRegistry: boolean, purpose = ''): Promise<RegistryStore> {
  const file = sqliteStoreFile(store);
  const hint = 'import the registries first (ssj registry import-all DIR), or set SSJ_DATA_DIR / SSJ_DATABASE_URL (or --data-dir)';
  if (mustHoldRegistry && file !== null && !fs.existsSync(file)) throw new UserError(`no registry database at ${file}${purpose}`, ExitCode.refused, hint);
  const registry = await openRegistryStore(store);
  if (mustHoldRegistry && (await registry.tableCounts()).batches === 0) {
    await registry.close();
    throw new UserError(`no registry imported yet in ${registry.description}${purpose}`, ExitCode.refused, hint);
  }
  return registry;
}

/**
 * Checks `--as` against the registry before anything is sent: the person exists, is active and
 * holds one of `allowed` roles. The workflow checks again (team membership, frozen roster).
 */
export async function checkActor(s: RuntimeSettings, personId: string | undefined, allowed: readonly Role[], action: string): Promise<Person> {
  if (!personId) throw new UserError(`--as is required: who ${action}`, ExitCode.badInput, 'give your person id, e.g. --as P0004 (ssj registry show --kind people)');
  const registry = await openCliRegistry(registryStoreSettings(s), true, `, so --as ${personId} cannot be checked`);
  let person: Person | null = null;
  let known = false;
  try {
    const today = beijingDate(Date.now());
    for (const h of await registry.history('person', personId)) {
      known = true;
      // Changes dated in the future (a registry prepared ahead) still count for a rehearsal.
      if (h.effectiveDate <= today || person === null) person = h.state as Person | null;
    }
  } finally {
    await registry.close();
  }
  if (!known) {
    throw new UserError(`--as ${personId}: no such person in the registry ${registry.description}`, ExitCode.badInput, 'check the id with: ssj registry show --kind people');
  }
  if (!person || !person.active) {
    throw new UserError(`--as ${personId}: this person is no longer active in the registry, so cannot ${action}`, ExitCode.refused, 'ask the registry clerk to record the person as active, or act as someone who is');
  }
  if (!person.roles.some((r) => allowed.includes(r))) {
    throw new UserError(
      `--as ${personId} (${person.name}, ${person.department}) holds the role(s) ${person.roles.join(', ')}; to ${action} one needs: ${allowed.join(' or ')}`,
      ExitCode.refused,
      'act as a person who holds that role, or ask the registry clerk to record the role',
    );
  }
  return person;
}

// --- which campaign ---------------------------------------------------------------------------

export function programmeId(): string {
  try {
    return loadProgramme().id;
  } catch (err) {
    throw new UserError(err instanceof Error ? err.message : String(err), ExitCode.badInput, 'fix config/programme.json or $SSJ_PROGRAMME');
  }
}

export interface CampaignFlags {
  campaign?: string;
  year?: string;
  quarter?: string;
}

/**
 * The campaign meant: `--campaign ID`, or `--year` and `--quarter`, or else the only campaign that
 * is still running (found through visibility).
 */
export async function resolveCampaignId(client: Client, f: CampaignFlags): Promise<string> {
  if (f.campaign) return f.campaign;
  if (f.year !== undefined || f.quarter !== undefined) return (await findQuarterCampaign(client, parseYear(f.year), parseQuarter(f.quarter))).workflowId;
  const running: string[] = [];
  for await (const wf of client.workflow.list({ query: `WorkflowType = '${WORKFLOW_TYPES.campaign}' AND ExecutionStatus = 'Running'` })) running.push(wf.workflowId);
  if (running.length === 1) return running[0]!;
  if (running.length === 0) throw new UserError('no quarter is running', ExitCode.refused, 'start one with: ssj quarter start --year Y --quarter Q --as PERSON, or name one with --year/--quarter');
  throw new UserError(`more than one quarter is running (${running.sort().join(', ')})`, ExitCode.badInput, 'name one with --year and --quarter, or --campaign ID');
}

/**
 * The campaign of `year` and `quarter` of this programme, started by hand or by its Schedule
 * (client/temporal.ts findCampaign: the campaign store first, then Temporal's visibility).
 */
export async function findQuarterCampaign(client: Client, year: number, quarter: number, s: RuntimeSettings = settings()): Promise<FoundCampaign> {
  const q = { programmeId: programmeId(), year, quarter };
  try {
    return await findCampaign(client, q, { dataDir: s.dataDir });
  } catch (err) {
    if (err instanceof CampaignNotFoundError) {
      throw new UserError(err.message, ExitCode.refused, `start it with: ssj quarter start --year ${year} --quarter ${quarter} --as PERSON; see the quarters with: ssj quarter list`);
    }
    if (err instanceof CampaignAmbiguousError) throw new UserError(err.message, ExitCode.badInput, 'name the one meant with --campaign ID');
    throw err;
  }
}
