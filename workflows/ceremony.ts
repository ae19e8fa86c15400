// The ssj-draw/2 witness ceremony inside the campaign workflow (DRAW-SPEC section 11, rule 3):
// every witness commits, then every witness reveals; a reveal counts only if it reproduces the
// commitment. A ceremony whose reveals are not all in by the deadline is voided and a new one,
// with fresh commitments, begins. Deterministic workflow code: no I/O, no clock of its own
// (the campaign passes programme instants), the commitment is checked with the pure SHA-256.
import { witnessCommitment } from '../domain/draw/commitment';
import { firstIssue, witnessCommitSchema, witnessRevealSchema, witnessRoles, type WitnessCommit, type WitnessReveal, type WitnessRole } from '../domain/messages';
import { reject } from './common';
import type { Ceremony, CommitAck, RevealAck, VoidCeremony } from './definitions';

interface Open {
  number: number;
  startedAt: string;
  commits: Map<WitnessRole, { personId: string; commitment: string; committedAt: string }>;
  reveals: Map<WitnessRole, { salt: string; entropy: string; revealedAt: string }>;
  revealBy: string | null;
  revealByMs: number | null;
}

/** What the validators need from the campaign: the frozen manifest digest and roster, or why not yet. */
export type CeremonyGate = { open: true; manifestDigest: string; roster: Record<WitnessRole, string[]> } | { open: false; why: string };

/** A witness entry for the draw activity (DRAW-SPEC section 11, rule 5). */
export interface RevealedWitness {
  role: WitnessRole;
  personId: string;
  commitment: string;
  salt: string;
  entropy: string;
}

export class WitnessCeremonies {
  private current: Open | null = null;
  private readonly voided: VoidCeremony[] = [];
  /** Every commitment ever recorded in this campaign → its ceremony: a new ceremony needs fresh ones. */
  private readonly used = new Map<string, number>();

  constructor(
    private readonly clock: {
      /** The programme instant (ISO, +08:00) now. */
      nowIso: () => string;
      /** Epoch ms now (workflow time). */
      nowMs: () => number;
      /** The reveal window after the last commitment, in wall ms. */
      revealMs: () => number;
      /** The programme instant of an epoch ms. */
      isoAt: (ms: number) => string;
    },
  ) {}

  /** Opens the next ceremony (1 at the start of the draw phase, then after each void). */
  start(): void {
    this.current = { number: (this.current?.number ?? 0) + 1, startedAt: this.clock.nowIso(), commits: new Map(), reveals: new Map(), revealBy: null, revealByMs: null };
  }

  allCommitted(): boolean {
    return !!this.current && witnessRoles.every((r) => this.current!.commits.has(r));
  }
  allRevealed(): boolean {
    return !!this.current && witnessRoles.every((r) => this.current!.reveals.has(r));
  }
  /** Epoch ms of the reveal deadline (set when the last commitment came in). */
  revealByMs(): number | null {
    return this.current?.revealByMs ?? null;
  }
  /** Roles whose next step is awaited: a commitment, or (once all committed) a reveal. */
  waitingFor(): WitnessRole[] {
    const c = this.current;
    if (!c) return [...witnessRoles];
    return witnessRoles.filter((r) => (this.allCommitted() ? !c.reveals.has(r) : !c.commits.has(r)));
  }
  /** In words, for the status's `waitingOn`. */
  waitingOn(): string[] {
    const step = this.allCommitted() ? 'reveal' : 'commitment';
    const n = this.current?.number ?? 1;
    return this.waitingFor().map((r) => `witness ${r} (${step}, ceremony ${n}${step === 'reveal' && this.current?.revealBy ? `, by ${this.current.revealBy}` : ''})`);
  }

  validateCommit(msg: unknown, gate: CeremonyGate): void {
    const p = witnessCommitSchema.safeParse(msg);
    if (!p.success) reject(`commitWitness: ${firstIssue(p.error)}`);
    const w = p.data;
    const c = this.openFor('commitWitness', gate);
    const roster = (gate as Extract<CeremonyGate, { open: true }>).roster;
    if (!roster[w.role].includes(w.personId)) reject(`commitWitness: ${w.personId} does not hold the role ${w.role} in the frozen roster`);
    const prior = c.commits.get(w.role);
    if (prior) reject(`commitWitness: the ${w.role} witness has already committed in ceremony ${c.number} (${prior.personId})`);
    for (const [role, other] of c.commits) {
      if (other.personId === w.personId) reject(`commitWitness: ${w.personId} is already the ${role} witness of ceremony ${c.number}; the two witnesses must be different persons`);
    }
    const seen = this.used.get(w.commitment);
    if (seen !== undefined) {
      reject(`commitWitness: this commitment was already given in ceremony ${seen}; every ceremony needs a fresh one (a new salt: run ssj witness commit again)`);
    }
  }

  commit(msg: WitnessCommit): CommitAck {
    const w = witnessCommitSchema.parse(msg);
    const c = this.current!;
    c.commits.set(w.role, { personId: w.personId, commitment: w.commitment, committedAt: this.clock.nowIso() });
    this.used.set(w.commitment, c.number);
    if (this.allCommitted()) {
      c.revealByMs = this.clock.nowMs() + this.clock.revealMs();
      c.revealBy = this.clock.isoAt(c.revealByMs);
    }
    return {
      ceremony: c.number,
      role: w.role,
      personId: w.personId,
      commitment: w.commitment,
      manifestDigest: '', // filled in by the campaign, which knows the manifest
      committed: witnessRoles.filter((r) => c.commits.has(r)),
      waitingFor: witnessRoles.filter((r) => !c.commits.has(r)),
      revealBy: c.revealBy,
    };
  }

  validateReveal(msg: unknown, gate: CeremonyGate): void {
    const p = witnessRevealSchema.safeParse(msg);
    if (!p.success) reject(`revealWitness: ${firstIssue(p.error)}`);
    const w = p.data;
    const c = this.openFor('revealWitness', gate);
    const manifestDigest = (gate as Extract<CeremonyGate, { open: true }>).manifestDigest;
    const mine = c.commits.get(w.role);
    if (mine && mine.personId !== w.personId) reject(`revealWitness: ${w.personId} is not the ${w.role} witness of ceremony ${c.number} (${mine.personId} committed)`);
    if (!this.allCommitted()) {
      const missing = witnessRoles.filter((r) => !c.commits.has(r));
      reject(`revealWitness: reveals are taken only once every witness has committed; ceremony ${c.number} still awaits the commitment of: ${missing.join(', ')}`);
    }
    if (c.reveals.has(w.role)) reject(`revealWitness: the ${w.role} witness has already revealed in ceremony ${c.number}`);
    if (c.revealByMs !== null && this.clock.nowMs() >= c.revealByMs) reject(`revealWitness: the reveals of ceremony ${c.number} were due by ${c.revealBy}; it is being voided, commit afresh for the next ceremony`);
    if (witnessCommitment(manifestDigest, w.role, w.personId, w.salt, w.entropy) !== mine!.commitment) {
      reject(
        `revealWitness: the salt and entropy do not reproduce the ${w.role} witness's commitment ${mine!.commitment} of ceremony ${c.number}; nothing was recorded (reveal with the secret file made at commit time before ${c.revealBy})`,
      );
    }
  }

  reveal(msg: WitnessReveal): RevealAck {
    const w = witnessRevealSchema.parse(msg);
    const c = this.current!;
    c.reveals.set(w.role, { salt: w.salt, entropy: w.entropy, revealedAt: this.clock.nowIso() });
    return {
      ceremony: c.number,
      role: w.role,
      personId: w.personId,
      revealed: witnessRoles.filter((r) => c.reveals.has(r)),
      waitingFor: witnessRoles.filter((r) => !c.reveals.has(r)),
      revealBy: c.revealBy!,
    };
  }

  /** Voids the current ceremony (a reveal missing at the deadline), keeps it, and opens the next. */
  voidAndRestart(): VoidCeremony {
    const c = this.current!;
    const v: VoidCeremony = {
      ...this.view(c),
      voidedAt: this.clock.nowIso(),
      failed: witnessRoles.filter((r) => !c.reveals.has(r)).map((r) => ({ role: r, personId: c.commits.get(r)!.personId, reason: 'no-reveal' as const })),
    };
    this.voided.push(v);
    this.start();
    return v;
  }

  /** The revealed witnesses of the current ceremony, for the draw (only once all are revealed). */
  revealed(): RevealedWitness[] {
    const c = this.current!;
    return witnessRoles.map((r) => {
      const k = c.commits.get(r)!;
      const v = c.reveals.get(r)!;
      return { role: r, personId: k.personId, commitment: k.commitment, salt: v.salt, entropy: v.entropy };
    });
  }

  /** The current ceremony as the status shows it: who committed and revealed when, never a secret. */
  status(): Ceremony | null {
    return this.current ? this.view(this.current) : null;
  }
  voids(): VoidCeremony[] {
    return this.voided.map((v) => ({ ...v, witnesses: v.witnesses.map((w) => ({ ...w })), failed: v.failed.map((f) => ({ ...f })) }));
  }
  /** Who takes part in the current ceremony (the status's `witnesses`). */
  participants(): { role: WitnessRole; personId: string }[] {
    return [...(this.current?.commits ?? new Map())].map(([role, k]) => ({ role, personId: k.personId }));
  }

  private view(c: Open): Ceremony {
    return {
      number: c.number,
      startedAt: c.startedAt,
      witnesses: witnessRoles
        .filter((r) => c.commits.has(r))
        .map((r) => {
          const k = c.commits.get(r)!;
          return { role: r, personId: k.personId, commitment: k.commitment, committedAt: k.committedAt, revealedAt: c.reveals.get(r)?.revealedAt ?? null };
        }),
      revealBy: c.revealBy,
    };
  }

  private openFor(update: string, gate: CeremonyGate): Open {
    if (!gate.open) reject(`${update}: ${gate.why}`);
    const c = this.current;
    if (!c) reject(`${update}: the ceremony has not begun yet`);
    if (this.allRevealed()) reject(`${update}: every witness of ceremony ${c.number} has revealed; the draw is running or done`);
    return c;
  }
}
