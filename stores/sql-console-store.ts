// ConsoleStore in portable SQL over a SqlDatabase: the same statements run on SQLite and on
// PostgreSQL. Atomicity comes from single statements (INSERT ... ON CONFLICT, conditional
// UPDATE) or from one transaction, never from read-then-write in application code.
import { randomUUID } from 'node:crypto';
import type {
  Account,
  AccountChanges,
  AuditEntry,
  AuditQuery,
  CampaignRow,
  ConsoleStore,
  ConsumeInvitationResult,
  InspectionCounts,
  InspectionQuery,
  InspectionRow,
  Invitation,
  InvitedAccount,
  LockoutPolicy,
  LoginThrottle,
  NewAccount,
  NewAuditEntry,
  NewInvitation,
  Session,
  TaskQuery,
  TaskRow,
  TaskStatus,
} from './console-store';
import { mapConflicts, type Dialect, type SqlDatabase, type SqlExecutor, type SqlValue } from './sql';
import { NO_DEADLINE_ORDER, personListKey, roleListKey } from './schema/task-lists';

type Row = Record<string, unknown>;

const iso = (d: Date): string => d.toISOString();
const isoOrNull = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
const date = (v: unknown): Date => new Date(String(v));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(String(v)));
const str = (v: unknown): string => String(v);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const json = <T>(v: unknown): T => JSON.parse(String(v)) as T;
const flag = (b: boolean): number => (b ? 1 : 0);
/** `IN (?, ?, ...)` for a non-empty list. */
const inList = (n: number): string => `(${Array.from({ length: n }, () => '?').join(', ')})`;
/** The task lists' order: soonest deadline first, tasks without one last, then by key. */
const BY_DEADLINE = (alias: string): string => `(CASE WHEN ${alias}.deadline IS NULL THEN 1 ELSE 0 END), ${alias}.deadline, ${alias}.task_key`;

function toAccount(r: Row): Account {
  return {
    id: str(r.id),
    login: str(r.login),
    personId: str(r.person_id),
    roles: json<string[]>(r.roles_json),
    passwordHash: strOrNull(r.password_hash),
    oidcIssuer: strOrNull(r.oidc_issuer),
    oidcSubject: strOrNull(r.oidc_subject),
    disabled: Number(r.disabled) === 1,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

function toInvitation(r: Row): Invitation {
  return {
    tokenHash: str(r.token_hash),
    personId: str(r.person_id),
    roles: json<string[]>(r.roles_json),
    expiresAt: date(r.expires_at),
    createdAt: date(r.created_at),
    createdBy: strOrNull(r.created_by),
    usedAt: dateOrNull(r.used_at),
    usedByAccount: strOrNull(r.used_by_account),
  };
}

function toThrottle(r: Row): LoginThrottle {
  return { login: str(r.login), failures: Number(r.failures), lastFailedAt: date(r.last_failed_at), lockedUntil: dateOrNull(r.locked_until) };
}

function toSession(r: Row): Session {
  return {
    id: str(r.id),
    accountId: str(r.account_id),
    csrfSecret: str(r.csrf_secret),
    createdAt: date(r.created_at),
    lastSeenAt: date(r.last_seen_at),
    ip: strOrNull(r.ip),
    userAgent: strOrNull(r.user_agent),
  };
}

function toAudit(r: Row): AuditEntry {
  return {
    seq: Number(r.seq),
    accountId: strOrNull(r.account_id),
    personId: strOrNull(r.person_id),
    action: str(r.action),
    target: strOrNull(r.target),
    detail: json<Record<string, unknown>>(r.detail_json),
    at: date(r.at),
    ip: strOrNull(r.ip),
    userAgent: strOrNull(r.user_agent),
  };
}

function toTask(r: Row): TaskRow {
  return {
    key: str(r.task_key),
    kind: str(r.kind),
    campaignId: str(r.campaign_id),
    inspectionWorkflowId: strOrNull(r.inspection_workflow_id),
    unitId: strOrNull(r.unit_id),
    unitName: strOrNull(r.unit_name),
    department: strOrNull(r.department),
    assignees: json<string[]>(r.assignees_json),
    role: strOrNull(r.role),
    roleDepartment: strOrNull(r.role_department),
    deadline: strOrNull(r.deadline),
    status: str(r.status) as TaskStatus,
    decidedBy: strOrNull(r.decided_by),
    decidedAt: dateOrNull(r.decided_at),
    detail: json<Record<string, unknown>>(r.detail_json),
    revision: Number(r.revision),
    updatedAt: date(r.updated_at),
  };
}

function toInspection(r: Row): InspectionRow {
  return {
    campaignId: str(r.campaign_id),
    workflowId: str(r.workflow_id),
    unitId: str(r.unit_id),
    unitName: str(r.unit_name),
    department: str(r.department),
    team: json<string[]>(r.team_json),
    phase: str(r.phase),
    deadline: strOrNull(r.deadline),
    overdue: Number(r.overdue) === 1,
    parked: Number(r.parked) === 1,
    parkedReason: strOrNull(r.parked_reason),
    outcome: strOrNull(r.outcome),
    detail: json<Record<string, unknown>>(r.detail_json),
    revision: Number(r.revision),
    updatedAt: date(r.updated_at),
  };
}

function toCampaign(r: Row): CampaignRow {
  return {
    campaignId: str(r.campaign_id),
    programmeId: str(r.programme_id),
    year: Number(r.year),
    quarter: Number(r.quarter),
    phase: str(r.phase),
    detail: json<Record<string, unknown>>(r.detail_json),
    revision: Number(r.revision),
    updatedAt: date(r.updated_at),
  };
}

/**
 * INSERT ... ON CONFLICT (key) DO UPDATE every other column, unless the stored revision is
 * higher: the projections' "newest writer wins, retries are harmless" rule, in one statement.
 */
async function upsertByRevision(db: SqlExecutor, table: string, keyColumn: string, values: Record<string, SqlValue>): Promise<boolean> {
  const cols = Object.keys(values);
  const sets = cols.filter((c) => c !== keyColumn).map((c) => `${c} = excluded.${c}`);
  const rows = await db.all(
    `INSERT INTO ${table} (${cols.join(', ')}) VALUES ${inList(cols.length)}
     ON CONFLICT (${keyColumn}) DO UPDATE SET ${sets.join(', ')}
     WHERE ${table}.revision <= excluded.revision
     RETURNING ${keyColumn}`,
    Object.values(values),
  );
  return rows.length > 0;
}

export class SqlConsoleStore implements ConsoleStore {
  readonly dialect: Dialect;

  constructor(
    private readonly db: SqlDatabase,
    /** Close the database with the store (false when the database is shared with other stores). */
    private readonly ownsDatabase = true,
  ) {
    this.dialect = db.dialect;
  }

  async close(): Promise<void> {
    if (this.ownsDatabase) await this.db.close();
  }

  // ---- accounts ---------------------------------------------------------------------------------

  createAccount(a: NewAccount): Promise<Account> {
    return insertAccount(this.db, a);
  }

  async getAccount(id: string): Promise<Account | null> {
    const r = await this.db.get<Row>('SELECT * FROM accounts WHERE id = ?', [id]);
    return r ? toAccount(r) : null;
  }

  async getAccountByLogin(login: string): Promise<Account | null> {
    const r = await this.db.get<Row>('SELECT * FROM accounts WHERE login = ?', [login]);
    return r ? toAccount(r) : null;
  }

  async getAccountByOidc(issuer: string, subject: string): Promise<Account | null> {
    const r = await this.db.get<Row>('SELECT * FROM accounts WHERE oidc_issuer = ? AND oidc_subject = ?', [issuer, subject]);
    return r ? toAccount(r) : null;
  }

  async listAccounts(filter: { personId?: string } = {}): Promise<Account[]> {
    const rows = filter.personId
      ? await this.db.all<Row>('SELECT * FROM accounts WHERE person_id = ? ORDER BY login', [filter.personId])
      : await this.db.all<Row>('SELECT * FROM accounts ORDER BY login');
    return rows.map(toAccount);
  }

  async updateAccount(id: string, c: AccountChanges): Promise<Account | null> {
    const sets: string[] = ['updated_at = ?'];
    const params: SqlValue[] = [iso(c.now)];
    if (c.roles !== undefined) sets.push('roles_json = ?'), params.push(JSON.stringify(c.roles));
    if (c.passwordHash !== undefined) sets.push('password_hash = ?'), params.push(c.passwordHash);
    if (c.oidcIssuer !== undefined) sets.push('oidc_issuer = ?'), params.push(c.oidcIssuer);
    if (c.oidcSubject !== undefined) sets.push('oidc_subject = ?'), params.push(c.oidcSubject);
    if (c.disabled !== undefined) sets.push('disabled = ?'), params.push(flag(c.disabled));
    const rows = await mapConflicts(() => this.db.all<Row>(`UPDATE accounts SET ${sets.join(', ')} WHERE id = ? RETURNING *`, [...params, id]));
    return rows[0] ? toAccount(rows[0]) : null;
  }

  // ---- invitations ------------------------------------------------------------------------------

  async createInvitation(i: NewInvitation): Promise<Invitation> {
    const rows = await mapConflicts(() =>
      this.db.all<Row>(
        `INSERT INTO invitations (token_hash, person_id, roles_json, expires_at, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
        [i.tokenHash, i.personId, JSON.stringify(i.roles), iso(i.expiresAt), iso(i.now), i.createdBy],
      ),
    );
    return toInvitation(rows[0]!);
  }

  async getInvitation(tokenHash: string): Promise<Invitation | null> {
    const r = await this.db.get<Row>('SELECT * FROM invitations WHERE token_hash = ?', [tokenHash]);
    return r ? toInvitation(r) : null;
  }

  async getInvitationUsedBy(accountId: string): Promise<Invitation | null> {
    const r = await this.db.get<Row>('SELECT * FROM invitations WHERE used_by_account = ?', [accountId]);
    return r ? toInvitation(r) : null;
  }

  async listOpenInvitations(now: Date): Promise<Invitation[]> {
    const rows = await this.db.all<Row>('SELECT * FROM invitations WHERE used_at IS NULL AND expires_at > ? ORDER BY created_at, token_hash', [iso(now)]);
    return rows.map(toInvitation);
  }

  async revokeInvitation(tokenHash: string, now: Date): Promise<boolean> {
    // The same condition as consumeInvitation's claim: of a revoke and a use racing, one wins.
    const rows = await this.db.all<Row>('UPDATE invitations SET expires_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING token_hash', [iso(now), tokenHash, iso(now)]);
    return rows.length > 0;
  }

  async revokeInvitationsIssuedBy(accountId: string, now: Date): Promise<number> {
    const rows = await this.db.all<Row>('UPDATE invitations SET expires_at = ? WHERE created_by = ? AND used_at IS NULL AND expires_at > ? RETURNING token_hash', [iso(now), accountId, iso(now)]);
    return rows.length;
  }

  consumeInvitation(tokenHash: string, a: InvitedAccount): Promise<ConsumeInvitationResult> {
    const accountId = a.id ?? randomUUID();
    return this.db.transaction(async (tx) => {
      // The conditional UPDATE is the claim: concurrent callers queue on the row, and all but
      // the first find used_at set when they get it. An issuer disabled since takes its invitations with it.
      const claimed = await tx.all<Row>(
        `UPDATE invitations SET used_at = ?
         WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
           AND (created_by IS NULL OR created_by IN (SELECT id FROM accounts WHERE disabled = 0)) RETURNING *`,
        [iso(a.now), tokenHash, iso(a.now)],
      );
      const inv = claimed[0];
      if (!inv) {
        const r = await tx.get<Row>('SELECT used_at FROM invitations WHERE token_hash = ?', [tokenHash]);
        return { ok: false, reason: !r ? 'unknown' : r.used_at !== null ? 'used' : 'expired' } as const;
      }
      const invitation = toInvitation(inv);
      const account = await insertAccount(tx, { ...a, id: accountId, personId: invitation.personId, roles: invitation.roles });
      await tx.run('UPDATE invitations SET used_by_account = ? WHERE token_hash = ?', [accountId, tokenHash]);
      // One person, one working account: a new invitation (a forgotten or leaked password) retires
      // the earlier ones and ends their sessions, or the old password would still sign in.
      const superseded = await tx.all<Row>('UPDATE accounts SET disabled = 1, updated_at = ? WHERE person_id = ? AND id <> ? AND disabled = 0 RETURNING id, login', [
        iso(a.now),
        invitation.personId,
        accountId,
      ]);
      for (const s of superseded) {
        await tx.run('DELETE FROM sessions WHERE account_id = ?', [str(s.id)]);
        await tx.run('UPDATE invitations SET expires_at = ? WHERE created_by = ? AND used_at IS NULL AND expires_at > ?', [iso(a.now), str(s.id), iso(a.now)]);
      }
      // The person's other open links end: one sent twice (one to a wrong mailbox) cannot later retire this account.
      await tx.run('UPDATE invitations SET expires_at = ? WHERE person_id = ? AND token_hash <> ? AND used_at IS NULL AND expires_at > ?', [iso(a.now), invitation.personId, tokenHash, iso(a.now)]);
      return { ok: true, account, invitation: { ...invitation, usedByAccount: accountId }, superseded: superseded.map((s) => str(s.login)).sort() } as const;
    });
  }

  // ---- login failures ---------------------------------------------------------------------------

  async getLoginThrottle(login: string): Promise<LoginThrottle | null> {
    const r = await this.db.get<Row>('SELECT * FROM login_failures WHERE login = ?', [login]);
    return r ? toThrottle(r) : null;
  }

  async recordLoginFailure(login: string, now: Date, policy: LockoutPolicy): Promise<LoginThrottle> {
    const at = iso(now);
    const until = iso(new Date(now.getTime() + policy.lockoutMs));
    // One statement, so concurrent failures are all counted. SET expressions see the old row.
    // A lockout that has run out starts the count again at 1.
    const rows = await this.db.all<Row>(
      `INSERT INTO login_failures (login, failures, last_failed_at, locked_until)
       VALUES (?, 1, ?, CASE WHEN 1 >= CAST(? AS INTEGER) THEN CAST(? AS TEXT) ELSE NULL END)
       ON CONFLICT (login) DO UPDATE SET
         failures = CASE WHEN login_failures.locked_until IS NOT NULL AND login_failures.locked_until <= excluded.last_failed_at
                         THEN 1 ELSE login_failures.failures + 1 END,
         last_failed_at = excluded.last_failed_at,
         locked_until = CASE
           WHEN login_failures.locked_until IS NOT NULL AND login_failures.locked_until > excluded.last_failed_at THEN login_failures.locked_until
           WHEN (CASE WHEN login_failures.locked_until IS NOT NULL THEN 1 ELSE login_failures.failures + 1 END) >= CAST(? AS INTEGER)
             THEN CAST(? AS TEXT)
           ELSE NULL END
       RETURNING *`,
      [login, at, policy.maxFailures, until, policy.maxFailures, until],
    );
    return toThrottle(rows[0]!);
  }

  async clearLoginFailures(login: string): Promise<void> {
    await this.db.run('DELETE FROM login_failures WHERE login = ?', [login]);
  }

  // ---- sessions ---------------------------------------------------------------------------------

  async createSession(s: Session): Promise<void> {
    await mapConflicts(() =>
      this.db.run(
        `INSERT INTO sessions (id, account_id, csrf_secret, created_at, last_seen_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [s.id, s.accountId, s.csrfSecret, iso(s.createdAt), iso(s.lastSeenAt), s.ip, s.userAgent],
      ),
    );
  }

  async getSession(id: string): Promise<Session | null> {
    const r = await this.db.get<Row>('SELECT * FROM sessions WHERE id = ?', [id]);
    return r ? toSession(r) : null;
  }

  async touchSession(id: string, now: Date): Promise<boolean> {
    return (await this.db.run('UPDATE sessions SET last_seen_at = ? WHERE id = ?', [iso(now), id])).changes > 0;
  }

  async deleteSession(id: string): Promise<void> {
    await this.db.run('DELETE FROM sessions WHERE id = ?', [id]);
  }

  async deleteSessionsOfAccount(accountId: string): Promise<number> {
    return (await this.db.run('DELETE FROM sessions WHERE account_id = ?', [accountId])).changes;
  }

  async deleteIdleSessions(lastSeenBefore: Date): Promise<number> {
    return (await this.db.run('DELETE FROM sessions WHERE last_seen_at < ?', [iso(lastSeenBefore)])).changes;
  }

  // ---- audit log --------------------------------------------------------------------------------

  async appendAudit(e: NewAuditEntry): Promise<AuditEntry> {
    const rows = await this.db.all<Row>(
      `INSERT INTO audit_log (account_id, person_id, action, target, detail_json, at, ip, user_agent)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      [e.accountId, e.personId, e.action, e.target, JSON.stringify(e.detail), iso(e.at), e.ip, e.userAgent],
    );
    return toAudit(rows[0]!);
  }

  async listAudit(q: AuditQuery = {}): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (q.beforeSeq !== undefined) where.push('seq < ?'), params.push(q.beforeSeq);
    if (q.personId !== undefined) where.push('person_id = ?'), params.push(q.personId);
    if (q.accountId !== undefined) where.push('account_id = ?'), params.push(q.accountId);
    if (q.target !== undefined) where.push('target = ?'), params.push(q.target);
    if (q.from !== undefined) where.push('at >= ?'), params.push(iso(q.from));
    if (q.to !== undefined) where.push('at < ?'), params.push(iso(q.to));
    if (q.action !== undefined) {
      // A prefix compare, not LIKE: no escaping rules to get wrong, same in both databases.
      if (q.action.endsWith('.')) where.push('substr(action, 1, CAST(? AS INTEGER)) = ?'), params.push(q.action.length, q.action);
      else where.push('action = ?'), params.push(q.action);
    }
    const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 100)), 1000);
    const rows = await this.db.all<Row>(
      `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${limit}`,
      params,
    );
    return rows.map(toAudit);
  }

  // ---- projections ------------------------------------------------------------------------------

  upsertTask(t: TaskRow): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      // The role the task is offered to now, read under the row's lock (a no-op UPDATE: portable,
      // unlike SELECT ... FOR UPDATE), so a concurrent change of role cannot slip between the read and the write.
      const [before] = await tx.all<Row>('UPDATE projected_tasks SET role = role WHERE task_key = ? RETURNING role', [t.key]);
      const written = await upsertByRevision(tx, 'projected_tasks', 'task_key', {
        task_key: t.key,
        kind: t.kind,
        campaign_id: t.campaignId,
        inspection_workflow_id: t.inspectionWorkflowId,
        unit_id: t.unitId,
        unit_name: t.unitName,
        department: t.department,
        assignees_json: JSON.stringify(t.assignees),
        role: t.role,
        role_department: t.roleDepartment,
        deadline: t.deadline,
        status: t.status,
        decided_by: t.decidedBy,
        decided_at: isoOrNull(t.decidedAt),
        detail_json: JSON.stringify(t.detail),
        revision: t.revision,
        updated_at: iso(t.updatedAt),
      });
      // The task row is locked until commit, so its assignees are replaced by one writer at a time.
      // Each carries the task's list columns (stores/schema/task-lists.ts).
      if (written) {
        const removed = await tx.all<Row>('DELETE FROM projected_task_assignees WHERE task_key = ? RETURNING person_id', [t.key]);
        const people = [...new Set(t.assignees)];
        // Every list the task was or is on moves to a new version; in key order, so that two
        // writers raising the same counters (a manager's, on PostgreSQL) never wait on each other in a circle.
        const lists = new Set([...removed.map((r) => personListKey(str(r.person_id))), ...people.map(personListKey)]);
        for (const role of [before?.role, t.role]) if (typeof role === 'string') lists.add(roleListKey(role));
        for (const key of [...lists].sort()) {
          await tx.run('INSERT INTO task_list_versions (list_key, version) VALUES (?, 1) ON CONFLICT (list_key) DO UPDATE SET version = task_list_versions.version + 1', [key]);
        }
        if (people.length > 0) {
          const dueOrder = t.deadline ?? NO_DEADLINE_ORDER;
          await tx.run(
            `INSERT INTO projected_task_assignees (task_key, person_id, status, kind, campaign_id, due_order) VALUES ${people.map(() => inList(6)).join(', ')}`,
            people.flatMap((p) => [t.key, p, t.status, t.kind, t.campaignId, dueOrder]),
          );
        }
      }
      return written;
    });
  }

  async getTask(key: string): Promise<TaskRow | null> {
    const r = await this.db.get<Row>('SELECT * FROM projected_tasks WHERE task_key = ?', [key]);
    return r ? toTask(r) : null;
  }

  async listTasksFor(q: TaskQuery): Promise<TaskRow[]> {
    const statuses = q.statuses ?? ['open'];
    if (statuses.length === 0) return [];
    const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 500)), 5000);
    const kinds = q.kinds !== undefined && q.kinds.length > 0 ? q.kinds : null;
    /** The filters both halves share, on a table alias whose rows carry status, kind and campaign_id. */
    const filters = (alias: string): { sql: string; params: SqlValue[] } => {
      const sql = [`${alias}.status IN ${inList(statuses.length)}`];
      const params: SqlValue[] = [...statuses];
      if (q.campaignId !== undefined) sql.push(`${alias}.campaign_id = ?`), params.push(q.campaignId);
      if (kinds) sql.push(`${alias}.kind IN ${inList(kinds.length)}`), params.push(...kinds);
      return { sql: sql.join(' AND '), params };
    };
    // Each half picks its soonest `limit` keys, the assignee half by an ordered index range read
    // (projected_task_assignees_list) that stops at the LIMIT; only those keys' rows are read and
    // sorted. The derived tables let each half have its own ORDER BY and LIMIT in both databases.
    const mine = filters('a');
    let keys = `SELECT task_key FROM (SELECT a.task_key FROM projected_task_assignees a
         WHERE a.person_id = ? AND ${mine.sql} ORDER BY a.due_order, a.task_key LIMIT ${limit}) mine`;
    const params: SqlValue[] = [q.personId, ...mine.params];
    if (q.roles.length > 0) {
      const theirs = filters('r');
      keys += ` UNION SELECT task_key FROM (SELECT r.task_key FROM projected_tasks r
         WHERE r.role IN ${inList(q.roles.length)} AND (r.role_department IS NULL OR r.role_department = ?) AND ${theirs.sql}
         ORDER BY ${BY_DEADLINE('r')} LIMIT ${limit}) theirs`;
      params.push(...q.roles, q.department ?? null, ...theirs.params);
    }
    const rows = await this.db.all<Row>(`SELECT t.* FROM projected_tasks t WHERE t.task_key IN (${keys}) ORDER BY ${BY_DEADLINE('t')} LIMIT ${limit}`, params);
    return rows.map(toTask);
  }

  async taskListVersion(q: Pick<TaskQuery, 'personId' | 'roles'>): Promise<string> {
    const keys = [personListKey(q.personId), ...[...new Set(q.roles)].sort().map(roleListKey)];
    const rows = await this.db.all<Row>(`SELECT list_key, version FROM task_list_versions WHERE list_key IN ${inList(keys.length)}`, keys);
    const versions = new Map(rows.map((r) => [str(r.list_key), Number(r.version)]));
    return keys.map((k) => `${k}=${versions.get(k) ?? 0}`).join(' ');
  }

  listTasksOfCampaign(campaignId: string, statuses: TaskStatus[] = ['open']): Promise<TaskRow[]> {
    return this.tasksWhere({ campaign_id: campaignId }, statuses);
  }

  listTasksOfUnit(campaignId: string, unitId: string, statuses: TaskStatus[] = ['open']): Promise<TaskRow[]> {
    return this.tasksWhere({ campaign_id: campaignId, unit_id: unitId }, statuses);
  }

  listTasksOfInspection(workflowId: string, statuses: TaskStatus[] = ['open']): Promise<TaskRow[]> {
    return this.tasksWhere({ inspection_workflow_id: workflowId }, statuses);
  }

  /** Tasks whose columns equal `where` (code-given column names) with one of `statuses`, by key. */
  private async tasksWhere(where: Record<string, string>, statuses: TaskStatus[]): Promise<TaskRow[]> {
    if (statuses.length === 0) return [];
    const columns = Object.keys(where);
    const rows = await this.db.all<Row>(
      `SELECT * FROM projected_tasks WHERE ${columns.map((c) => `${c} = ?`).join(' AND ')} AND status IN ${inList(statuses.length)} ORDER BY task_key`,
      [...Object.values(where), ...statuses],
    );
    return rows.map(toTask);
  }

  upsertInspection(r: InspectionRow): Promise<boolean> {
    return upsertByRevision(this.db, 'projected_inspections', 'workflow_id', {
      workflow_id: r.workflowId,
      campaign_id: r.campaignId,
      unit_id: r.unitId,
      unit_name: r.unitName,
      department: r.department,
      team_json: JSON.stringify(r.team),
      phase: r.phase,
      deadline: r.deadline,
      overdue: flag(r.overdue),
      parked: flag(r.parked),
      parked_reason: r.parkedReason,
      outcome: r.outcome,
      detail_json: JSON.stringify(r.detail),
      revision: r.revision,
      updated_at: iso(r.updatedAt),
    });
  }

  async getInspection(workflowId: string): Promise<InspectionRow | null> {
    const r = await this.db.get<Row>('SELECT * FROM projected_inspections WHERE workflow_id = ?', [workflowId]);
    return r ? toInspection(r) : null;
  }

  async listInspections(q: InspectionQuery): Promise<InspectionRow[]> {
    const where = ['campaign_id = ?'];
    const params: SqlValue[] = [q.campaignId];
    if (q.phases !== undefined && q.phases.length > 0) where.push(`phase IN ${inList(q.phases.length)}`), params.push(...q.phases);
    if (q.department !== undefined) where.push('department = ?'), params.push(q.department);
    if (q.overdue !== undefined) where.push('overdue = ?'), params.push(flag(q.overdue));
    if (q.parked !== undefined) where.push('parked = ?'), params.push(flag(q.parked));
    const limit = Math.min(Math.max(1, Math.trunc(q.limit ?? 10000)), 100000);
    const offset = Math.max(0, Math.trunc(q.offset ?? 0));
    const rows = await this.db.all<Row>(
      `SELECT * FROM projected_inspections WHERE ${where.join(' AND ')} ORDER BY department, unit_id LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    return rows.map(toInspection);
  }

  async countInspections(campaignId: string): Promise<InspectionCounts> {
    const groups = await this.db.all<Row>(
      `SELECT phase, department, COUNT(*) AS n, SUM(overdue) AS overdue, SUM(parked) AS parked
       FROM projected_inspections WHERE campaign_id = ? GROUP BY phase, department`,
      [campaignId],
    );
    const counts: InspectionCounts = { total: 0, overdue: 0, parked: 0, byPhase: {}, byDepartment: {} };
    for (const g of groups) {
      const n = Number(g.n); // COUNT is a bigint (text) in PostgreSQL
      counts.total += n;
      counts.overdue += Number(g.overdue);
      counts.parked += Number(g.parked);
      counts.byPhase[str(g.phase)] = (counts.byPhase[str(g.phase)] ?? 0) + n;
      counts.byDepartment[str(g.department)] = (counts.byDepartment[str(g.department)] ?? 0) + n;
    }
    return counts;
  }

  upsertCampaign(r: CampaignRow): Promise<boolean> {
    return upsertByRevision(this.db, 'projected_campaigns', 'campaign_id', {
      campaign_id: r.campaignId,
      programme_id: r.programmeId,
      year: r.year,
      quarter: r.quarter,
      phase: r.phase,
      detail_json: JSON.stringify(r.detail),
      revision: r.revision,
      updated_at: iso(r.updatedAt),
    });
  }

  async getCampaign(campaignId: string): Promise<CampaignRow | null> {
    const r = await this.db.get<Row>('SELECT * FROM projected_campaigns WHERE campaign_id = ?', [campaignId]);
    return r ? toCampaign(r) : null;
  }

  async listCampaigns(filter: { year?: number; programmeId?: string } = {}): Promise<CampaignRow[]> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (filter.year !== undefined) where.push('year = ?'), params.push(filter.year);
    if (filter.programmeId !== undefined) where.push('programme_id = ?'), params.push(filter.programmeId);
    const rows = await this.db.all<Row>(
      `SELECT * FROM projected_campaigns ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY year DESC, quarter DESC, campaign_id`,
      params,
    );
    return rows.map(toCampaign);
  }
}

async function insertAccount(db: SqlExecutor, a: NewAccount): Promise<Account> {
  const rows = await mapConflicts(() =>
    db.all<Row>(
      `INSERT INTO accounts (id, login, person_id, roles_json, password_hash, oidc_issuer, oidc_subject, disabled, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      [
        a.id ?? randomUUID(),
        a.login,
        a.personId,
        JSON.stringify(a.roles),
        a.passwordHash,
        a.oidcIssuer ?? null,
        a.oidcSubject ?? null,
        flag(a.disabled ?? false),
        iso(a.now),
        iso(a.now),
      ],
    ),
  );
  return toAccount(rows[0]!);
}
