// The console's store: who may sign in (accounts, invitations, lockout, sessions), what they did
// (the append-only audit log) and the projections the workflows keep up to date through
// activities (open tasks, inspections, campaigns), so lists never depend on Temporal's
// eventually-consistent visibility. One implementation (stores/sql-console-store.ts) in portable
// SQL runs on two databases: SQLite (stores/sqlite.ts, the embedded default) and PostgreSQL
// (stores/postgres.ts, when SSJ_DATABASE_URL is set); openConsoleStore() in stores/open.ts picks.
//
// Conventions: every method is async (PostgreSQL is remote); times are Date in and out (stored as
// ISO-8601 UTC text, which sorts and compares the same in both databases); calendar dates such as
// deadlines are 'YYYY-MM-DD' strings as in domain/. Stable interface: extend it, never rename.

/** Registry role names (domain/registry.ts `roles`); plain strings here so the store has no domain rules. */
export type RoleName = string;

// ---- Accounts -----------------------------------------------------------------------------------

export interface Account {
  id: string;
  /** Unique, case-sensitive as given (normalise before calling if you want case-insensitive logins). */
  login: string;
  /** The registry person this account acts as: what the console sends names this person. */
  personId: string;
  roles: RoleName[];
  /** scrypt hash string (console/passwords.ts's format); null for an OIDC-only account. */
  passwordHash: string | null;
  /** Set together: the OIDC issuer URL and the `sub` claim this account is bound to. */
  oidcIssuer: string | null;
  oidcSubject: string | null;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewAccount {
  /** Generated (random UUID) when omitted. */
  id?: string;
  login: string;
  personId: string;
  roles: RoleName[];
  passwordHash: string | null;
  oidcIssuer?: string | null;
  oidcSubject?: string | null;
  disabled?: boolean;
  now: Date;
}

/** Fields that may change; undefined leaves a field as it is. */
export interface AccountChanges {
  roles?: RoleName[];
  passwordHash?: string | null;
  oidcIssuer?: string | null;
  oidcSubject?: string | null;
  disabled?: boolean;
  now: Date;
}

// ---- Invitations --------------------------------------------------------------------------------

export interface Invitation {
  /** sha256 (hex) of the token in the link: the token itself is never stored. */
  tokenHash: string;
  personId: string;
  roles: RoleName[];
  expiresAt: Date;
  createdAt: Date;
  /** Account id of whoever issued it, or null (the `ssj user` command). */
  createdBy: string | null;
  usedAt: Date | null;
  /** The account created with it. */
  usedByAccount: string | null;
}

export interface NewInvitation {
  tokenHash: string;
  personId: string;
  roles: RoleName[];
  expiresAt: Date;
  createdBy: string | null;
  now: Date;
}

/** The account to create from an invitation: person and roles come from the invitation. */
export interface InvitedAccount {
  id?: string;
  login: string;
  passwordHash: string | null;
  oidcIssuer?: string | null;
  oidcSubject?: string | null;
  now: Date;
}

export type ConsumeInvitationResult =
  /** `superseded`: the logins of the person's earlier accounts, disabled (and signed out) by this one. */
  | { ok: true; account: Account; invitation: Invitation; superseded: string[] }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' };

// ---- Login failures and lockout -----------------------------------------------------------------

export interface LoginThrottle {
  login: string;
  /** Failures since the last success or the end of the last lockout. */
  failures: number;
  lastFailedAt: Date;
  /** Refuse sign-in until then; null while under the limit. */
  lockedUntil: Date | null;
}

export interface LockoutPolicy {
  /** The failure that reaches this count locks the login. */
  maxFailures: number;
  lockoutMs: number;
}

// ---- Sessions -----------------------------------------------------------------------------------

export interface Session {
  /** The session key. Store a hash of the cookie value here if a database leak must not yield live sessions. */
  id: string;
  accountId: string;
  csrfSecret: string;
  createdAt: Date;
  lastSeenAt: Date;
  ip: string | null;
  userAgent: string | null;
}

// ---- Audit log ----------------------------------------------------------------------------------

export interface NewAuditEntry {
  /** Who: null for the system or an anonymous attempt (then say who was claimed in detail). */
  accountId: string | null;
  personId: string | null;
  /** What, as a dotted verb: 'login.ok', 'login.failed', 'approval.approve', 'registry.import', ... */
  action: string;
  /** What it was done to: a workflow id, unit id, account login, ...; null when nothing in particular. */
  target: string | null;
  /** Anything else worth keeping; stored as JSON text. */
  detail: Record<string, unknown>;
  at: Date;
  ip: string | null;
  userAgent: string | null;
}

export interface AuditEntry extends NewAuditEntry {
  /** Increasing with insertion order. */
  seq: number;
}

export interface AuditQuery {
  /** Newest first; at most this many (default 100, at most 1000). */
  limit?: number;
  /** Only entries with seq below this (paging backwards). */
  beforeSeq?: number;
  personId?: string;
  accountId?: string;
  /** Exact action, or a prefix ending in '.' ('login.' gives all login entries). */
  action?: string;
  target?: string;
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

// ---- Projections (written by activities, read by the console) -----------------------------------

/**
 * Every projection row carries `revision`: the writer's monotonically increasing counter (the
 * workflow's history length at the time is a good one). An upsert whose revision is lower than the
 * stored one is ignored, so a retried or late activity never puts back an older state.
 */
export type TaskStatus = 'open' | 'done' | 'cancelled';

export interface TaskRow {
  /** Stable key chosen by the workflow, e.g. `${inspectionWorkflowId}/result` or `${workflowId}/approve-handover`. */
  key: string;
  /** What to do: 'result', 'approve-handover', 'approve-replacement', 'witness-commit', 'change-list', ... */
  kind: string;
  campaignId: string;
  /** The workflow the console sends its Update to; null when the campaign workflow itself. */
  inspectionWorkflowId: string | null;
  unitId: string | null;
  unitName: string | null;
  /** The unit's (or the brigade's) department code, for display and grouping. */
  department: string | null;
  /** Persons who may act; may be empty when the task goes to a role. */
  assignees: string[];
  /** Anyone holding this role may act (e.g. 'manager'); null when only the assignees. */
  role: RoleName | null;
  /** When set, only holders of `role` in this department (the listing caller passes the person's department). */
  roleDepartment: string | null;
  /** 'YYYY-MM-DD' or null. */
  deadline: string | null;
  status: TaskStatus;
  /** Who decided it and when: what a stale click is told ("已处理"). */
  decidedBy: string | null;
  decidedAt: Date | null;
  /** Free display data (titles, reason codes...), JSON text in the database. */
  detail: Record<string, unknown>;
  revision: number;
  updatedAt: Date;
}

export interface TaskQuery {
  personId: string;
  roles: readonly RoleName[];
  /** The person's department, for tasks with roleDepartment set. */
  department?: string | null;
  /** Default ['open']. */
  statuses?: TaskStatus[];
  campaignId?: string;
  kinds?: string[];
  /** Default 500. */
  limit?: number;
}

export interface InspectionRow {
  campaignId: string;
  workflowId: string;
  unitId: string;
  unitName: string;
  department: string;
  /** The team's person ids. */
  team: string[];
  /** The inspection workflow's phase name, as the workflow reports it. */
  phase: string;
  /** 'YYYY-MM-DD' or null. */
  deadline: string | null;
  overdue: boolean;
  parked: boolean;
  /** Why it is parked (a reason code), null when not parked. */
  parkedReason: string | null;
  /** Outcome once known ('compliant', 'findings', 'closed', ...), for the charts. */
  outcome: string | null;
  detail: Record<string, unknown>;
  revision: number;
  updatedAt: Date;
}

export interface InspectionQuery {
  campaignId: string;
  phases?: string[];
  department?: string;
  overdue?: boolean;
  parked?: boolean;
  /** Default 10000. */
  limit?: number;
  offset?: number;
}

export interface InspectionCounts {
  total: number;
  overdue: number;
  parked: number;
  byPhase: Record<string, number>;
  byDepartment: Record<string, number>;
}

export interface CampaignRow {
  campaignId: string;
  programmeId: string;
  year: number;
  quarter: number;
  /** The campaign workflow's phase. */
  phase: string;
  /** Programme dates and anything else the operations page shows. */
  detail: Record<string, unknown>;
  revision: number;
  updatedAt: Date;
}

// ---- The interface ------------------------------------------------------------------------------

export interface ConsoleStore {
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;

  /** Throws StoreConflictError when the login or the OIDC issuer+subject is taken. */
  createAccount(a: NewAccount): Promise<Account>;
  getAccount(id: string): Promise<Account | null>;
  getAccountByLogin(login: string): Promise<Account | null>;
  getAccountByOidc(issuer: string, subject: string): Promise<Account | null>;
  listAccounts(filter?: { personId?: string }): Promise<Account[]>;
  /** Returns the updated account, or null when there is none with that id. */
  updateAccount(id: string, changes: AccountChanges): Promise<Account | null>;

  /** Throws StoreConflictError when the token hash exists. */
  createInvitation(i: NewInvitation): Promise<Invitation>;
  getInvitation(tokenHash: string): Promise<Invitation | null>;
  /** Invitations neither used nor expired at `now`, oldest first (用户管理 lists them). */
  listOpenInvitations(now: Date): Promise<Invitation[]>;
  /**
   * Ends an open invitation at once (its link then answers as expired). False when it was used,
   * expired or ended already, or does not exist: a repeat changes nothing.
   */
  revokeInvitation(tokenHash: string, now: Date): Promise<boolean>;
  /** Ends every open invitation account `accountId` issued (the account is disabled: what it sent goes with it); how many. */
  revokeInvitationsIssuedBy(accountId: string, now: Date): Promise<number>;
  /**
   * Atomically marks the invitation used and creates its account (one transaction): of any number
   * of concurrent calls, across processes, exactly one gets ok. A login conflict throws
   * StoreConflictError and leaves the invitation unused. An invitation whose issuing account is
   * disabled answers expired. On success the person's other open invitations end (a link sent
   * twice, one to a wrong mailbox, cannot later retire the account just made), and so do those
   * issued by the accounts it retires.
   */
  consumeInvitation(tokenHash: string, account: InvitedAccount): Promise<ConsumeInvitationResult>;
  /** The invitation account `accountId` was made from; null for an account made otherwise (`ssj user add`). */
  getInvitationUsedBy(accountId: string): Promise<Invitation | null>;

  getLoginThrottle(login: string): Promise<LoginThrottle | null>;
  /** Counts one failure atomically (concurrent failures are all counted) and locks when the policy says so. */
  recordLoginFailure(login: string, now: Date, policy: LockoutPolicy): Promise<LoginThrottle>;
  /** After a successful sign-in. */
  clearLoginFailures(login: string): Promise<void>;

  createSession(s: Session): Promise<void>;
  getSession(id: string): Promise<Session | null>;
  /** Updates last-seen; false when the session is gone. */
  touchSession(id: string, now: Date): Promise<boolean>;
  deleteSession(id: string): Promise<void>;
  /** Sign out everywhere (password change, account disabled); returns how many were deleted. */
  deleteSessionsOfAccount(accountId: string): Promise<number>;
  /** Housekeeping: deletes sessions last seen before the cutoff; returns how many. */
  deleteIdleSessions(lastSeenBefore: Date): Promise<number>;

  /** Append-only: the database itself refuses UPDATE and DELETE on the audit log. */
  appendAudit(e: NewAuditEntry): Promise<AuditEntry>;
  listAudit(q?: AuditQuery): Promise<AuditEntry[]>;

  /** Inserts or replaces by key unless the stored revision is higher; true when written. */
  upsertTask(t: TaskRow): Promise<boolean>;
  getTask(key: string): Promise<TaskRow | null>;
  /** Tasks assigned to the person, or to one of the roles (department-scoped ones only in their department); soonest deadline first. */
  listTasksFor(q: TaskQuery): Promise<TaskRow[]>;
  /**
   * The versions of the lists `listTasksFor` reads for this person and roles, as one opaque string:
   * it changes whenever a task on one of those lists changes (in the task's own transaction).
   */
  taskListVersion(q: Pick<TaskQuery, 'personId' | 'roles'>): Promise<string>;
  listTasksOfCampaign(campaignId: string, statuses?: TaskStatus[]): Promise<TaskRow[]>;
  /** The tasks of one unit of a campaign (an index lookup: a quarter has tens of thousands of tasks). */
  listTasksOfUnit(campaignId: string, unitId: string, statuses?: TaskStatus[]): Promise<TaskRow[]>;
  /** The tasks of one inspection workflow (an index lookup). */
  listTasksOfInspection(workflowId: string, statuses?: TaskStatus[]): Promise<TaskRow[]>;

  upsertInspection(r: InspectionRow): Promise<boolean>;
  getInspection(workflowId: string): Promise<InspectionRow | null>;
  listInspections(q: InspectionQuery): Promise<InspectionRow[]>;
  countInspections(campaignId: string): Promise<InspectionCounts>;

  upsertCampaign(r: CampaignRow): Promise<boolean>;
  getCampaign(campaignId: string): Promise<CampaignRow | null>;
  /** Newest first (year, quarter). */
  listCampaigns(filter?: { year?: number; programmeId?: string }): Promise<CampaignRow[]>;
}

/** A unique key is taken (login, OIDC subject, invitation token...). `constraint` names which. */
export class StoreConflictError extends Error {
  constructor(
    message: string,
    readonly constraint: string,
  ) {
    super(message);
    this.name = 'StoreConflictError';
  }
}
