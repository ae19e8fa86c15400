// The demo's console (issue 10 §5): started beside the worker on the demo's data folder, so its
// task lists come from the projection the quarter's workflows write. With --keep-running the demo
// opens the next quarter with no simulated people, and these accounts are bound to the persons
// who hold its open tasks: the witnesses, a brigade leader and the detachment leader first, then,
// once drawn, the inspector with the most open results and a leader in charge. Each password is
// fresh and printed once.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { addAccount } from '../console/accounts';
import { serveConsole, type ServedConsole } from '../console/serve';
import { loadConsoleSettings } from '../console/settings';
import { roleLabel } from '../console/views/layout';
import type { RuntimeSettings } from '../config/runtime';
import type { Person } from '../domain/registry';
import type { TaskRow } from '../stores/console-store';
import { startCampaign } from '../client/temporal';
import { addDays, quarterStart } from '../domain/calendar';
import type { Quarter } from '../domain/programme';
import type { ResolvedClock } from '../domain/programme-clock';

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
  /** What this person can do in the console now (printed beside the account). */
  can: string;
}

/** `demo-` and 12 random URL-safe characters: printed once, stored only as its scrypt hash. */
const demoPassword = () => `demo-${randomBytes(9).toString('base64url')}`;

/** Whom an account is for: the role it stands for, the person, and what they can do now. */
export interface DemoPick {
  role: string;
  person: Person;
  can: string;
}

const holders = (people: readonly Person[], role: string) => people.filter((p) => p.active && (p.roles as string[]).includes(role));
/** The person the most ids name (ties: the smaller id), or null. */
function mostNamed(ids: readonly string[]): string | null {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
}

/**
 * The open quarter before its draw: the two witnesses (any active 系统管理员 and 纪检人员: the
 * ceremony takes the first of each role to commit), a brigade leader (its change list) and the
 * detachment leader (follows the quarter).
 */
export function picksBeforeDraw(people: readonly Person[], o: { brigadeName: (departmentId: string) => string }): DemoPick[] {
  const picks: DemoPick[] = [];
  const add = (role: string, person: Person | undefined, can: string) => {
    if (person && !picks.some((p) => p.person.id === person.id)) picks.push({ role, person, can });
  };
  const witness = '工作台 → “抽取见证：提交承诺”（名录冻结、进入随机抽取阶段后出现），双方提交后 → “抽取见证：揭示”';
  add('admin', holders(people, 'admin')[0], `见证人：${witness}`);
  add('discipline', holders(people, 'discipline')[0], `见证人：${witness}；另可查看审计日志`);
  const leader = holders(people, 'brigade-leader')[0];
  if (leader) {
    add('brigade-leader', leader, `报送${o.brigadeName(leader.department)}的变更清单：工作台 → “提交变更清单”（名录更新窗口内；名录管理 → 导入名录 可先导入本大队的名录）`);
  }
  add('detachment-leader', holders(people, 'detachment-leader')[0], '季度抽查：阶段、进度、逾期与暂停事项；年度统计；名录管理');
  return picks;
}

/**
 * The quarter once drawn, from its open tasks in the projection: the inspector with the most open
 * results, and a leader in charge (分管领导: the managers decide every inspection's approvals).
 */
export function picksAfterDraw(people: readonly Person[], openTasks: readonly TaskRow[]): DemoPick[] {
  const byId = new Map(people.map((p) => [p.id, p]));
  const results = openTasks.filter((t) => t.kind === 'result' && t.status === 'open');
  const inspectorId = mostNamed(results.flatMap((t) => t.assignees.filter((id) => byId.get(id)?.active)));
  const picks: DemoPick[] = [];
  const inspector = inspectorId ? byId.get(inspectorId) : undefined;
  if (inspector) {
    const mine = results.filter((t) => t.assignees.includes(inspector.id)).length;
    picks.push({ role: 'inspector', person: inspector, can: `工作台 → ${mine}项“提交检查结果”：检查表、证据、回避申请、报告单位关停` });
  }
  const approvals = openTasks.filter((t) => t.status === 'open' && t.kind.startsWith('approve-'));
  const managerId = mostNamed(approvals.flatMap((t) => t.assignees)) ?? holders(people, 'manager')[0]?.id ?? null;
  const manager = managerId ? byId.get(managerId) : undefined;
  if (manager && !picks.some((p) => p.person.id === manager.id)) {
    const open = approvals.filter((t) => t.assignees.includes(manager.id)).length;
    picks.push({ role: 'manager', person: manager, can: `审批：${open ? `${open}项待审批` : '检查人员报送发现问题或申请回避后出现移交、回避、替换审批'}；季度抽查` });
  }
  return picks;
}

/** One account per pick (login demo.<role>), with all the person's registry roles. */
export async function addDemoAccounts(served: ServedConsole, picks: readonly DemoPick[]): Promise<DemoAccount[]> {
  const accounts: DemoAccount[] = [];
  const now = new Date();
  for (const { role, person, can } of picks) {
    const login = `demo.${role}`;
    const password = demoPassword();
    // All the person's roles: a witness who is also a manager sees both in the console.
    await addAccount(served.store, { login, person, roles: [], password, oidc: null, now });
    accounts.push({ role, login, password, person, can });
  }
  return accounts;
}

/** The lines the demo prints: role, login, password, who. */
export function formatDemoAccounts(url: string, accounts: readonly DemoAccount[]): string {
  return [
    `console accounts (sign in at ${url}/login; passwords are made for this run):`,
    ...accounts.flatMap((a) => [
      `  ${roleLabel(a.role).padEnd(6, '　')} ${a.role.padEnd(18)} login ${a.login.padEnd(24)} password ${a.password}   (${a.person.id} ${a.person.name})`,
      `      now: ${a.can}`,
    ]),
  ].join('\n');
}

/** A programme day of the open quarter, in wall seconds: slow enough for people to act in the console. */
export const NEXT_QUARTER_SECONDS_PER_DAY = 300;

export interface NextQuarter {
  campaignId: string;
  programmeStart: string;
  /** Resolves with the quarter's open tasks once it is drawn and its inspections are projected; null if it stopped first. */
  drawn: Promise<TaskRow[] | null>;
}

/**
 * Starts quarter `quarter` of the programme on a slow rehearsal clock and no simulated people: its
 * start stands for two days before its update window closes, so the brigades can still submit,
 * then the freeze and the draw wait for the witnesses. `stopped()` ends the watch for the draw.
 */
export async function openNextQuarter(
  client: Client,
  served: ServedConsole,
  o: { programmeId: string; year: number; quarter: Quarter; taskQueue: string; stopped: () => boolean },
): Promise<NextQuarter> {
  const programmeStart = addDays(quarterStart(o.year, o.quarter), -2);
  const clock: ResolvedClock = { mode: 'rehearsal', programmeStart, secondsPerDay: NEXT_QUARTER_SECONDS_PER_DAY, startedAt: Date.now() };
  const handle = await startCampaign(client, { programmeId: o.programmeId, year: o.year, quarter: o.quarter, clock }, { taskQueue: o.taskQueue });
  const campaignId = handle.workflowId;
  // Drawn once results are open and their count held for one poll (the inspections start in batches).
  const drawn = (async (): Promise<TaskRow[] | null> => {
    let before = 0;
    while (!o.stopped()) {
      const open = await served.store.listTasksOfCampaign(campaignId, ['open']).catch(() => []);
      const results = open.filter((t) => t.kind === 'result').length;
      if (results > 0 && results === before) return open;
      before = results;
      await new Promise((r) => setTimeout(r, 5_000));
    }
    return null;
  })();
  return { campaignId, programmeStart, drawn };
}
