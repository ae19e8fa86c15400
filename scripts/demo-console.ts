// The demo's console (issue 10 §5): started beside the worker on the demo's data folder, so its
// task lists come from the projection the quarter's workflows write; with --keep-running, one
// account per role, each bound to the registry person who did that part of the demo quarter
// (the witnesses who drew, the manager who decided the most hand-overs, an inspector who led
// inspections), with a fresh password printed once.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { addAccount } from '../console/accounts';
import { serveConsole, type ServedConsole } from '../console/serve';
import { loadConsoleSettings } from '../console/settings';
import { ROLE_LABELS } from '../console/views/layout';
import type { RuntimeSettings } from '../config/runtime';
import type { Person } from '../domain/registry';
import type { CampaignStatus } from '../workflows/definitions';

/** Starts the console on `port` (the runtime's data folder and database). */
export async function startDemoConsole(runtime: RuntimeSettings, client: Client, port: number): Promise<ServedConsole> {
  const settings = loadConsoleSettings({
    env: { SSJ_DATA_DIR: runtime.dataDir, ...(runtime.databaseUrl ? { SSJ_DATABASE_URL: runtime.databaseUrl } : {}), SSJ_CONSOLE_HOST: '127.0.0.1', SSJ_CONSOLE_PORT: String(port) },
  });
  return serveConsole({ runtime, settings, client });
}

export interface DemoAccount {
  role: string;
  login: string;
  password: string;
  person: Person;
}

/** `demo-` and 12 random URL-safe characters: printed once, stored only as its scrypt hash. */
const demoPassword = () => `demo-${randomBytes(9).toString('base64url')}`;

/** The people (the demo's registry) who played each role in the quarter `final` describes, one account each. */
export async function addDemoAccounts(served: ServedConsole, final: CampaignStatus, people: readonly Person[]): Promise<DemoAccount[]> {
  const byId = new Map(people.map((p) => [p.id, p]));
  const holding = (role: string) => people.filter((p) => p.active && (p.roles as string[]).includes(role));
  const tasks = await served.store.listTasksOfCampaign(final.campaignId, ['open', 'done', 'cancelled']);
  const mostOften = (ids: (string | null)[]) => {
    const counts = new Map<string, number>();
    for (const id of ids) if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
  };
  const witness = (role: string) => final.ceremony?.witnesses.find((w) => w.role === role)?.personId ?? null;
  const chosen: [string, string | null][] = [
    ['admin', witness('admin') ?? holding('admin')[0]?.id ?? null],
    ['discipline', witness('discipline') ?? holding('discipline')[0]?.id ?? null],
    ['manager', mostOften(tasks.filter((t) => t.kind === 'approve-handover').map((t) => t.decidedBy)) ?? holding('manager')[0]?.id ?? null],
    ['inspector', mostOften(tasks.filter((t) => t.kind === 'result').map((t) => t.assignees[0] ?? null)) ?? holding('inspector')[0]?.id ?? null],
    ['detachment-leader', holding('detachment-leader')[0]?.id ?? null],
  ];
  const accounts: DemoAccount[] = [];
  const now = new Date();
  for (const [role, id] of chosen) {
    const person = id ? byId.get(id) : undefined;
    if (!person || accounts.some((a) => a.person.id === person.id)) continue;
    const login = `demo.${role}`;
    const password = demoPassword();
    // All the person's roles: a witness who is also a manager sees both in the console.
    await addAccount(served.store, { login, person, roles: [], password, oidc: null, now });
    accounts.push({ role, login, password, person });
  }
  return accounts;
}

/** The lines the demo prints: role, login, password, who. */
export function formatDemoAccounts(url: string, accounts: readonly DemoAccount[]): string {
  return [
    `console accounts (sign in at ${url}/login; passwords are made for this run):`,
    ...accounts.map((a) => `  ${(ROLE_LABELS[a.role] ?? a.role).padEnd(6, '　')} ${a.role.padEnd(18)} login ${a.login.padEnd(24)} password ${a.password}   (${a.person.id} ${a.person.name})`),
  ].join('\n');
}
