// Reads a campaign's histories the way anyone with namespace access can, through the real
// `temporal` CLI, and finds what they reveal: a payload that is not encrypted, a secret (witness
// entropy, salt, drawn unit id or name) in the raw JSON or in a payload's decoded bytes, a workflow
// id that names a unit.
import { spawn } from 'node:child_process';
import { temporalBinaries } from './temporal-binaries';
import { ENCRYPTED_ENCODING } from '../codec/encryption-codec';

export interface CliTarget {
  address: string;
  namespace?: string;
}

/**
 * Runs the real `temporal` CLI (absolute path from .tools/temporal-paths.json); never throws on
 * exit codes. Asynchronous: the CLI may call a codec server running in this very process.
 */
export function temporalCli(args: string[], target: CliTarget): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(temporalBinaries().cli, [...args, '--address', target.address, '--namespace', target.namespace ?? 'default'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** `temporal workflow list --query Q --output json`: the workflow ids. */
export async function listWorkflowIds(target: CliTarget, query: string): Promise<string[]> {
  const r = await temporalCli(['workflow', 'list', '--query', query, '--output', 'json'], target);
  if (r.status !== 0) throw new Error(`temporal workflow list failed (${r.status}): ${r.stderr}`);
  const text = r.stdout.trim();
  if (text === '' || text === 'null') return [];
  const parsed = JSON.parse(text) as unknown;
  const rows = Array.isArray(parsed) ? parsed : text.split('\n').map((l) => JSON.parse(l) as unknown);
  return (rows as { execution?: { workflowId?: string } }[]).map((w) => w.execution?.workflowId ?? '').filter(Boolean).sort();
}

/** `temporal workflow show -w ID --output json` (plus e.g. codec flags): the raw JSON text. */
export async function showHistory(target: CliTarget, workflowId: string, extra: string[] = []): Promise<{ status: number | null; json: string; stderr: string }> {
  const r = await temporalCli(['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', ...extra], target);
  return { status: r.status, json: r.stdout, stderr: r.stderr };
}

export interface Secrets {
  /** Each secret with a label for the report, e.g. ['entropy of discipline', '6625…']. */
  values: [label: string, value: string][];
  /** Drawn unit ids: no workflow id may contain one. */
  unitIds: string[];
}

export interface Finding {
  workflowId: string;
  problem: string;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const b64 = (s: string) => Buffer.from(s, 'base64');

/**
 * What one history (the CLI's JSON) reveals. Search attributes and patch markers are exempt from
 * "encrypted" (below) but not from the secret search. Inside an encrypted payload's random
 * bytes, secrets shorter than 8 bytes are not searched: a 3-byte unit id matches random bytes by
 * chance (about once in 5 MB); longer secrets and every unencrypted byte are searched.
 */
export function checkHistory(workflowId: string, json: string, secrets: Secrets): Finding[] {
  const findings: Finding[] = [];
  const add = (problem: string) => findings.push({ workflowId, problem });
  for (const u of secrets.unitIds) if (workflowId.includes(u)) add(`the workflow id names unit ${u}`);

  let payloads = 0;
  const doc = JSON.parse(json) as unknown;
  const walk = (node: unknown, where: string[]): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, [...where, String(i)]));
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (isPayload(o)) {
      payloads++;
      const p = o as JsonPayload;
      const encoding = b64(p.metadata?.encoding ?? '').toString('utf8');
      // Exempt from "encrypted" (still searched): search attributes, which the server indexes, and
      // patch markers, which the SDK's core writes itself and which hold only a patch id.
      const indexed = where.includes('searchAttributes') || where.includes('patch-data');
      const at = where.join('.');
      if (!indexed && encoding !== ENCRYPTED_ENCODING) add(`${at}: a payload with encoding ${JSON.stringify(encoding)}, not ${ENCRYPTED_ENCODING}`);
      const data = b64(p.data ?? '');
      const meta = Object.values(p.metadata ?? {}).map(b64);
      for (const [label, value] of secrets.values) {
        const v = Buffer.from(value, 'utf8');
        const searchData = encoding !== ENCRYPTED_ENCODING || v.length >= 8;
        if ((searchData && data.includes(v)) || meta.some((m) => m.includes(v))) add(`${at}: ${label} (${value}) in a payload's decoded bytes`);
      }
      // Blank the base64 so the raw-text search below does not match inside it by chance.
      p.data = '';
      p.metadata = {};
      return;
    }
    for (const [k, v] of Object.entries(o)) walk(v, [...where, k]);
  };
  walk(doc, []);
  const raw = JSON.stringify(doc);
  for (const [label, value] of secrets.values) if (raw.includes(value)) add(`${label} (${value}) in clear in the history's JSON`);
  if (payloads === 0) add('no payloads at all: not a history?');
  return findings;
}

function isPayload(o: Record<string, unknown>): boolean {
  const m = o.metadata;
  return m !== null && typeof m === 'object' && typeof (m as Record<string, unknown>).encoding === 'string' && ('data' in o || Object.keys(o).length === 1);
}

/**
 * Every workflow of a campaign (its id is the prefix of all of them), read through the CLI and
 * checked: the demo's last word on "no secret in clear", and the tests'.
 */
export async function auditCampaignHistories(target: CliTarget, campaignId: string, secrets: Secrets): Promise<{ workflows: string[]; findings: Finding[] }> {
  const workflows = await listWorkflowIds(target, `WorkflowId STARTS_WITH '${campaignId}'`);
  const findings: Finding[] = [];
  for (const id of workflows) {
    const shown = await showHistory(target, id);
    if (shown.status !== 0) {
      findings.push({ workflowId: id, problem: `temporal workflow show failed (${shown.status}): ${shown.stderr.trim()}` });
      continue;
    }
    findings.push(...checkHistory(id, shown.json, secrets));
  }
  return { workflows, findings };
}
