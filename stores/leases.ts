// Claims with leases: how several hosts share work without doing it twice. A claim lasts until
// its lease runs out, so a host that dies mid-work only delays the work, never loses it; the
// holder renews (claims again) while it works and releases when done. Each claim is one
// statement whose WHERE re-checks the lease, so of concurrent claimers exactly one gets a row
// (PostgreSQL re-evaluates that condition on the row a concurrent claimer just updated).
//
// - claimLease: a named lease (leases table), for a job one host at a time should run.
// - claimRows: up to N rows of any table with lease_holder / lease_expires_at columns — the
//   primitive the mail outbox will use when it moves onto this store.
import type { SqlExecutor, SqlValue } from './sql';

export interface Lease {
  name: string;
  holder: string;
  expiresAt: Date;
}

/** The lease, taken or renewed by `holder`; null while another holder's lease runs. */
export async function claimLease(db: SqlExecutor, name: string, holder: string, now: Date, ttlMs: number): Promise<Lease | null> {
  const rows = await db.all<{ name: string; holder: string; expires_at: string }>(
    `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
     WHERE leases.expires_at <= ? OR leases.holder = excluded.holder
     RETURNING name, holder, expires_at`,
    [name, holder, new Date(now.getTime() + ttlMs).toISOString(), now.toISOString()],
  );
  const r = rows[0];
  return r ? { name: r.name, holder: r.holder, expiresAt: new Date(r.expires_at) } : null;
}

/** Gives the lease up early; false when `holder` did not hold it (any more). */
export async function releaseLease(db: SqlExecutor, name: string, holder: string): Promise<boolean> {
  return (await db.run('DELETE FROM leases WHERE name = ? AND holder = ?', [name, holder])).changes > 0;
}

export interface ClaimRows {
  /** A table with TEXT columns lease_holder and lease_expires_at (ISO-8601 UTC, null: never claimed). */
  table: string;
  /** Its primary key column. */
  key: string;
  /** Which rows are work at all, e.g. "sent_at IS NULL"; `?` placeholders take whereParams. */
  where: string;
  whereParams?: SqlValue[];
  /** Claim order, e.g. "created_at, id". */
  orderBy: string;
  limit: number;
  holder: string;
  now: Date;
  ttlMs: number;
}

/**
 * Claims up to `limit` rows that are work and free (never claimed, or their lease ran out) for
 * `holder`, and returns them. Rows claimed by a concurrent caller are skipped, never shared.
 */
export async function claimRows<T = Record<string, unknown>>(db: SqlExecutor, c: ClaimRows): Promise<T[]> {
  const now = c.now.toISOString();
  const free = '(lease_expires_at IS NULL OR lease_expires_at <= ?)';
  const limit = Math.max(1, Math.trunc(c.limit));
  return db.all<T>(
    `UPDATE ${c.table} SET lease_holder = ?, lease_expires_at = ?
     WHERE ${c.key} IN (SELECT ${c.key} FROM ${c.table} WHERE (${c.where}) AND ${free} ORDER BY ${c.orderBy} LIMIT ${limit})
       AND ${free}
     RETURNING *`,
    [c.holder, new Date(c.now.getTime() + c.ttlMs).toISOString(), ...(c.whereParams ?? []), now, now],
  );
}
