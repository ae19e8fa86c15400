// Typed refusals: an activity failure that a retry cannot cure (bad input, a rule, the store's
// refusal, a broken manifest or publication input) becomes a non-retryable ApplicationFailure
// whose type says what kind and whose message names the activity, campaign and unit; the workflow
// stops or parks on it (workflows/parking.ts) instead of retrying every minute for ever.
// Transient failures (SQLITE_BUSY, a locked file, I/O; on PostgreSQL a lost connection, a
// deadlock or serialization failure, a server shutting down) are rethrown as they are, so they retry.
import Database from 'better-sqlite3';
import { DatabaseError as PostgresError } from 'pg';
import { ApplicationFailure } from '@temporalio/common';
import { ZodError } from 'zod';
import { CalendarError } from '../../domain/calendar';
import { DocumentInputError } from '../../domain/documents';
import { DrawError } from '../../domain/draw/draw';
import { ManifestError } from '../../domain/draw/manifest';
import { RecordFormatError } from '../../domain/draw/record';
import { ReplacementError } from '../../domain/draw/replacements';
import { firstIssue } from '../../domain/messages';
import { NEEDS_DATA } from '../../domain/parking';
import { ProgrammeError } from '../../domain/programme';
import { safeWorkflowId, UNSAFE_WORKFLOW_ID, UnsafeWorkflowIdError } from '../../domain/workflow-id';
import { FreezeRefusedError } from '../../files/freeze';
import { PublicationInputError } from '../../files/publication/rows';
import { StoreRefusal } from '../../stores/campaign-store';

/** The failure types activities refuse with (the workflow's proxies list them as non-retryable). */
export const REFUSAL_TYPES = [
  'CampaignRefused',
  'DrawFailed',
  'ReplacementFailed',
  'MailRejected',
  NEEDS_DATA,
  'InvalidInput',
  'StoreRefused',
  'CalendarRefused',
  'ManifestRefused',
  'PublicationRefused',
  'FreezeRefused',
  'ProgrammeRefused',
  'RehearsalClockRefused',
  'CampaignQuarterTaken',
  UNSAFE_WORKFLOW_ID,
] as const;

/** A failure the workflow must not retry: bad input or a rule that refuses. */
export function refuse(message: string, type: string = 'CampaignRefused'): ApplicationFailure {
  return ApplicationFailure.create({ message, type, nonRetryable: true });
}

/** Deterministic error classes, and the refusal type each becomes. */
const DETERMINISTIC: [new (...a: never[]) => Error, string][] = [
  [StoreRefusal, 'StoreRefused'],
  [CalendarError, 'CalendarRefused'],
  [DrawError, 'DrawFailed'],
  [RecordFormatError, 'DrawFailed'],
  [ReplacementError, 'ReplacementFailed'],
  [ManifestError, 'ManifestRefused'],
  [PublicationInputError, 'PublicationRefused'],
  [FreezeRefusedError, 'FreezeRefused'],
  [ProgrammeError, 'ProgrammeRefused'],
  // A document's input lacks something the registry should hold: fix it, then resume.
  [DocumentInputError, NEEDS_DATA],
  [UnsafeWorkflowIdError, UNSAFE_WORKFLOW_ID],
];

/** SQLite result codes that a retry can cure (another writer, a full or failing disk). */
const TRANSIENT_SQLITE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|PROTOCOL|NOMEM|INTERRUPT)/;

/**
 * PostgreSQL SQLSTATE classes a retry cannot cure: 22 data exception (a value the column
 * refuses), 23 integrity constraint violation (unique, foreign key, check), P0 raised by a
 * trigger (the append-only tables' ssj_refuse_change()). Everything else (08 connection,
 * 40 rollback: deadlock and serialization, 53 resources, 55P03 lock, 57 shutdown, 58 I/O, and
 * 42 statements a deployment fix cures) stays retryable.
 */
const REFUSING_POSTGRES = /^(22|23|P0)/;

/** The error as it should leave the activity: typed refusal, or unchanged (retryable). */
export function classifyFailure(err: unknown, where: string): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof ZodError) return refuse(`${where}: invalid input: ${firstIssue(err)}`, 'InvalidInput');
  if (err instanceof Database.SqliteError) {
    if (TRANSIENT_SQLITE.test(err.code)) return err;
    return refuse(`${where}: the store refused it (${err.code}): ${err.message}`, 'StoreRefused');
  }
  if (err instanceof PostgresError && typeof err.code === 'string') {
    if (!REFUSING_POSTGRES.test(err.code)) return err;
    return refuse(`${where}: the store refused it (SQLSTATE ${err.code}): ${err.message}`, 'StoreRefused');
  }
  for (const [cls, type] of DETERMINISTIC) if (err instanceof cls) return refuse(`${where}: ${err.message}`, type);
  return err;
}

/** "activity X (campaign C, unit U)": where a refusal happened, from the activity's first argument. */
function whereOf(name: string, arg: unknown): string {
  const a = (arg ?? {}) as { campaignId?: unknown; unitId?: unknown };
  const parts = [typeof a.campaignId === 'string' ? `campaign ${a.campaignId}` : '', typeof a.unitId === 'string' ? `unit ${a.unitId}` : ''].filter(Boolean);
  return `activity ${name}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/**
 * Wraps every activity: a `campaignId` argument is checked before it can reach a path, and
 * failures leave typed (classifyFailure). Names and arguments stay as they are.
 */
export function withTypedRefusals<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  const out: Record<string, (...args: never[]) => Promise<unknown>> = {};
  for (const [name, fn] of Object.entries(activities)) {
    out[name] = async (...args: never[]) => {
      const arg = args[0] as { campaignId?: unknown } | undefined;
      try {
        if (arg && typeof arg === 'object' && 'campaignId' in arg) safeWorkflowId(arg.campaignId as string);
        return await fn(...args);
      } catch (err) {
        throw classifyFailure(err, whereOf(name, arg));
      }
    };
  }
  return out as T;
}
