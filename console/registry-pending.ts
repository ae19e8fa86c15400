// Checked uploads waiting for their 确认导入: the parsed batch stays in this console's memory,
// keyed by a random one-time token and bound to the session that previewed it, so the commit
// applies exactly the batch the clerk saw (never a re-read). A token is spent by its first
// confirm: a second (double click, back button) finds it spent and answers 已处理. Nothing here
// survives a console restart: the clerk then uploads the file again (its key stays the same, so
// an import that did go through is not applied twice: stores/registry-store.ts applyBatch).
import { randomToken } from './auth';
import type { PreparedImport } from '../files/registry/import-file';
import type { ImportKind } from '../files/registry/templates';
import type { BatchInfo } from '../stores/registry-store';
import type { ImportCounts } from './registry-counts';

/** How long a preview can be confirmed. */
export const PENDING_TTL_MS = 30 * 60_000;
/** Previews held per session, and in all: a batch of 20,000 units is a few MB. */
const PER_SESSION = 3;
const IN_ALL = 24;

export interface PendingImport {
  sessionId: string;
  kind: ImportKind;
  fileName: string;
  sha256: string;
  prepared: PreparedImport;
  counts: ImportCounts;
  /** Registry batches in the store when previewed: another import since makes the preview stale. */
  batchesAtPreview: number;
  createdAt: number;
  /** Set by the first confirm, before it writes: later confirms see the matter taken. */
  outcome: { state: 'committing' } | { state: 'committed'; batch: BatchInfo; by: string } | null;
}

export class PendingImports {
  private readonly byToken = new Map<string, PendingImport>();

  constructor(private readonly now: () => number) {}

  add(entry: Omit<PendingImport, 'createdAt' | 'outcome'>): string {
    this.prune();
    const open = [...this.byToken.entries()].filter(([, p]) => p.outcome === null);
    // Oldest previews go first: of this session beyond its share, then of anyone beyond the total.
    const mine = open.filter(([, p]) => p.sessionId === entry.sessionId);
    for (const [token] of mine.slice(0, Math.max(0, mine.length - PER_SESSION + 1))) this.byToken.delete(token);
    while (this.byToken.size >= IN_ALL) this.byToken.delete(this.byToken.keys().next().value!);
    const token = randomToken();
    this.byToken.set(token, { ...entry, createdAt: this.now(), outcome: null });
    return token;
  }

  /** The entry for this token and session (spent ones too, for 已处理); null when unknown, expired or another session's. */
  get(token: unknown, sessionId: string): PendingImport | null {
    this.prune();
    if (typeof token !== 'string') return null;
    const p = this.byToken.get(token);
    return p && p.sessionId === sessionId ? p : null;
  }

  private prune(): void {
    const t = this.now();
    for (const [token, p] of this.byToken) if (t - p.createdAt > PENDING_TTL_MS) this.byToken.delete(token);
  }
}
