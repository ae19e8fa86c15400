// The demo's quarter, driven by its simulated people (domain/simulation.ts), on any Temporal
// server and any number of workers: the registry they know, the people who send the messages a
// real quarter gets (change lists, the witnesses' ssj-draw/2 ceremonies, results, recusals, closed
// units, hand-overs, referrals), and the loop that starts the campaign and waits for its result.
// `npm run demo` runs it on one machine (scripts/demo.ts); `npm run check:production` runs it on
// Temporal-on-PostgreSQL with two worker processes (scripts/check-production.ts).
import * as path from 'node:path';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { importRegistryFile } from '../files/registry/import-file';
import { openRegistryStore } from '../stores/registry-store';
import type { StoreSettings } from '../stores/open';
import { writeSyntheticRegistry } from '../files/registry/write-files';
import type { ImportKind } from '../files/registry/templates';
import type { Programme, Quarter } from '../domain/programme';
import { addDays, quarterStart } from '../domain/calendar';
import { programmeDate, type ResolvedClock } from '../domain/programme-clock';
import { generateRegistry } from '../domain/synthetic';
import { assignScenarios, scriptFor, witnessEntropy, witnessPlan, type SimContext, type SimInspection, type SimStep, type UnitScript } from '../domain/simulation';
import { referralAgencies, type RegistrySnapshot, type Role } from '../domain/registry';
import {
  batchStatus,
  campaignStatus,
  decideHandover,
  decideRecusal,
  decideUnitReplacement,
  declareRecusal,
  commitWitness,
  revealWitness,
  inspectionStatus,
  reportUnitClosed,
  startCampaign,
  submitChangeList,
  submitResult,
} from '../client/temporal';
import { batchWorkflowId, type CampaignResult, type CampaignStatus } from '../workflows/definitions';
import { newSalt } from '../client/witness-secret';
import { witnessCommitment } from '../domain/draw/commitment';
import { drawNoticeDir } from '../files/publication/draw-notice';

/** The county brigade that the demo leaves silent during the update window. */
const SILENT_BRIGADE = 'county-xixian';
/** The demo's programme year. */
export const DEMO_YEAR = 2023;

// --- registry ---------------------------------------------------------------------------------

/** Writes the synthetic registry's files under <opts.data>/registry-files and imports them into the store `into` names. */
export async function buildRegistry(opts: { seed: string; scale: number; data: string }, into: StoreSettings): Promise<{ snapshot: RegistrySnapshot; newUnitsBatch: string | null }> {
  const data = generateRegistry({ seed: opts.seed, scale: opts.scale });
  const filesDir = path.join(opts.data, 'registry-files');
  const files = await writeSyntheticRegistry(data, filesDir);
  const store = await openRegistryStore(into);
  let newUnitsBatch: string | null = null;
  try {
    for (const f of files) {
      const r = await importRegistryFile(store, path.join(filesDir, f.file), {
        kind: f.kind as ImportKind,
        source: f.source,
        ...(f.date ? { date: f.date } : {}),
        progress: false,
      });
      if (f.kind === 'new-units') newUnitsBatch = r.key;
    }
    return { snapshot: await store.snapshotAt(data.baseDate), newUnitsBatch };
  } finally {
    await store.close();
  }
}

// --- the simulated people -----------------------------------------------------------------------

interface Tracked {
  x: SimInspection;
  script: UnitScript;
  next: number;
  busy: boolean;
  failures: number;
}

export interface Tally {
  messages: number;
  refused: string[];
  handovers: Record<string, number>;
}

export class Driver {
  readonly units = new Map<string, Tracked>();
  readonly tally: Tally = { messages: 0, refused: [], handovers: {} };
  private inFlight = 0;
  /** Who declared a recusal on which unit, for the manager's decision that follows. */
  private readonly recusing = new Map<string, string>();
  ctx: SimContext | null = null;

  constructor(
    private readonly client: Client,
    private readonly campaignId: string,
    private readonly clock: ResolvedClock,
    private readonly snapshot: RegistrySnapshot,
    private readonly seed: string,
    private readonly say: (msg: string) => void,
  ) {}

  today(): string {
    return programmeDate(this.clock, Date.now());
  }

  simInspection(unitId: string, poolId: string, department: string): SimInspection {
    const unit = this.snapshot.units.find((u) => u.id === unitId);
    const dep = this.snapshot.departments.find((d) => d.id === department);
    return { unitId, poolId, department, departmentKind: dep?.kind ?? 'section', jurisdiction: unit?.jurisdiction ?? '' };
  }

  private readonly found = new Map<string, SimInspection>();

  /**
   * Learns the drawn units from the batches' status; once every drawn unit is known, gives each its
   * scenario in one go (so the same seed gives the same paths, however the discovery went).
   */
  async discover(st: CampaignStatus): Promise<boolean> {
    if (!st.sealed || !this.ctx) return false;
    let total = 0;
    for (let i = 0; i < st.inspections.batches; i++) {
      let b;
      try {
        b = await batchStatus(this.client, batchWorkflowId(this.campaignId, i));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
      total += b.total;
      for (const unitId of b.running) {
        if (this.found.has(unitId)) continue;
        try {
          const s = await inspectionStatus(this.client, this.campaignId, unitId);
          this.found.set(unitId, this.simInspection(unitId, s.poolId, s.department));
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
      }
    }
    if (total === 0 || total !== st.sealed.drawn || this.found.size < st.sealed.drawn) return false;
    const all = [...this.found.values()];
    const scenarios = assignScenarios(all, this.ctx);
    for (const x of all) this.track(x, scriptFor(x, scenarios.get(x.unitId) ?? 'on-time', this.ctx));
    return true;
  }

  track(x: SimInspection, script: UnitScript): void {
    this.units.set(x.unitId, { x, script, next: 0, busy: false, failures: 0 });
  }

  /** Takes every step whose day has come, one at a time per unit, a few units at once. */
  tick(): void {
    const today = this.today();
    for (const t of this.units.values()) {
      if (this.inFlight >= 6) return;
      const step = t.script.steps[t.next];
      if (!step || t.busy || step.on > today) continue;
      t.busy = true;
      this.inFlight++;
      this.take(t, step)
        .then(() => {
          t.next++;
          this.tally.messages++;
        })
        .catch((err: unknown) => {
          const msg = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
          // Some refusals are about timing (a handler still running): try again on a later tick.
          if (++t.failures >= 8) {
            this.tally.refused.push(`${t.x.unitId} ${step.action.kind}: ${msg}`);
            this.say(`  refused: ${t.x.unitId} ${step.action.kind}: ${msg}`);
            t.next++;
          }
        })
        .finally(() => {
          t.busy = false;
          this.inFlight--;
        });
    }
  }

  private async take(t: Tracked, step: SimStep): Promise<void> {
    const unitId = t.x.unitId;
    const a = step.action;
    const st = await inspectionStatus(this.client, this.campaignId, unitId);
    const [lead, second] = st.team;
    if (!lead || !second) throw new Error(`team of ${unitId} has fewer than two inspectors`);
    switch (a.kind) {
      case 'report':
        await submitResult(this.client, this.campaignId, unitId, { by: lead, present: [lead, second], checkedOn: step.on, result: a.result, evidence: a.evidence });
        return;
      case 'recuse': {
        const ack = await declareRecusal(this.client, this.campaignId, unitId, { by: second, inspectorId: second, reasonCode: a.reasonCode, note: a.note });
        this.recusing.set(unitId, second);
        if (ack.status === 'pending') this.say(`  ${unitId}: ${second} declared a recusal (${a.reasonCode}); awaiting ${ack.awaitingDecisionFrom.join(', ')}`);
        return;
      }
      case 'recusal-decision': {
        // The inspector who declared: remembered, since the team's order may have changed since.
        const inspectorId = this.recusing.get(unitId) ?? second;
        const ack = await decideRecusal(this.client, this.campaignId, unitId, { by: a.by, inspectorId, decision: a.decision, reasonCode: a.reasonCode, note: a.note });
        if (ack.status === 'approved') this.say(`  ${unitId}: ${a.by} approved the recusal of ${ack.left}; replacement ${ack.replacement} (entry ${ack.seq})`);
        return;
      }
      case 'unit-closed':
        await reportUnitClosed(this.client, this.campaignId, unitId, { by: lead, reasonCode: a.reasonCode, note: a.note });
        return;
      case 'replacement-decision': {
        const ack = await decideUnitReplacement(this.client, this.campaignId, unitId, { by: a.by, decision: a.decision, reasonCode: a.reasonCode, note: a.note });
        if (ack.decision === 'approve' && this.ctx) {
          const x = this.simInspection(ack.replacement, t.x.poolId, t.x.department);
          this.track(x, scriptFor(x, 'on-time', this.ctx, addDays(step.on, 2)));
          this.say(`  ${unitId} found closed; ${a.by} approved replacement ${ack.replacement} (entry ${ack.seq})`);
        }
        return;
      }
      case 'handover-decision': {
        if (st.phase !== 'handover-approval') throw new Error(`${unitId} is in phase ${st.phase}, not awaiting a hand-over decision yet`);
        const ack = await decideHandover(this.client, this.campaignId, unitId, { by: a.by, decision: a.decision, reasonCode: a.reasonCode, note: a.note });
        // Newer inspections answer before the document is issued: read it from the status once it is.
        let docs = ack.documents;
        for (let i = 0; ack.documentFollows && docs.length === 0 && i < 150; i++) {
          await new Promise((r) => setTimeout(r, 200));
          docs = (await inspectionStatus(this.client, this.campaignId, unitId)).documents;
        }
        for (const d of docs) this.tally.handovers[d.kind] = (this.tally.handovers[d.kind] ?? 0) + 1;
        if (ack.decision === 'reject') this.tally.handovers['rejected'] = (this.tally.handovers['rejected'] ?? 0) + 1;
        return;
      }
    }
  }
}

const maxDate = (a: string, b: string) => (a > b ? a : b);

// --- the quarter --------------------------------------------------------------------------------

export interface SimulatedQuarterOptions {
  client: Client;
  taskQueue: string;
  programme: Programme;
  quarter: Quarter;
  seed: string;
  secondsPerDay: number;
  snapshot: RegistrySnapshot;
  newUnitsBatch: string | null;
  /** Notices caught so far (for the progress lines). */
  mailCount: () => number;
  say: (msg: string) => void;
  /** Where to look when the campaign gets stuck (named in the error). */
  logHint: string;
  /** The worker's data folder, when there is one on this host (to name the draw-time notice's folder). */
  data?: string;
  /** Called on each tick with the campaign's status (it may throw to give up on the quarter). */
  onTick?: (status: CampaignStatus, driver: Driver) => void | Promise<void>;
}

export interface SimulatedQuarter {
  campaignId: string;
  programmeStart: string;
  result: CampaignResult;
  /** The campaign's status once closed. */
  final: CampaignStatus;
  driver: Driver;
  /** `ceremony/role` → the witness's salt and entropy, kept by the people (for the history audit). */
  witnessSecrets: Map<string, { salt: string; entropy: string }>;
}

/** Starts the quarter on a rehearsal clock and plays every simulated person until the campaign closes. */
export async function runSimulatedQuarter(o: SimulatedQuarterOptions): Promise<SimulatedQuarter> {
  const { client, programme, snapshot, newUnitsBatch, say } = o;
  const YEAR = DEMO_YEAR;
    // The campaign's start stands for a few days before the update window closes.
    const PROGRAMME_START = addDays(quarterStart(YEAR, o.quarter), -3);
    const clock: ResolvedClock = { mode: 'rehearsal', programmeStart: PROGRAMME_START, secondsPerDay: o.secondsPerDay, startedAt: Date.now() };
    const handle = await startCampaign(client, { programmeId: programme.id, year: YEAR, quarter: o.quarter, clock }, { taskQueue: o.taskQueue });
    const campaignId = handle.workflowId;
    say(`started ${campaignId}: programme day ${PROGRAMME_START}, the quarter runs to publication in about ${Math.round((105 * o.secondsPerDay) / 60 * 10) / 10} minutes`);
    let result: CampaignResult | null = null;
    let failure: unknown = null;
    const resultP = handle.result().then(
      (r: CampaignResult) => (result = r),
      (e: unknown) => (failure = e),
    );

    // 5. The people.
    const driver = new Driver(client, campaignId, clock, snapshot, o.seed, say);
    const holding = (role: Role) => snapshot.people.filter((p) => p.active && p.roles.includes(role)).map((p) => p.id);
    const admin = holding('admin')[0]!;
    const discipline = holding('discipline')[0]!;
    const brigades = snapshot.departments.filter((d) => d.kind === 'direct-brigade' || d.kind === 'county-brigade');
    const changeListsDone = new Set<string>();
    // The witnesses' ceremonies (domain/simulation.ts witnessPlan): each witness's salt is made
    // here, as on their own device, and kept in memory until the reveal; only commitments go first.
    const qStart = quarterStart(YEAR, o.quarter);
    const witnessSteps = witnessPlan(qStart, addDays(qStart, programme.deadlines.drawByDayOfFirstMonth - 1));
    const witnessDone = new Set<string>();
    const witnessSecrets = new Map<string, { salt: string; entropy: string }>();
    const witnessOf = { admin, discipline };
    let voidsSeen = 0;
    let lastPhase = '';
    let lastReport = '';
    let allKnown = false;
    const seenOverdue = new Set<string>();

    // A quarter spans about 125 programme days from the start to a late publication; past twice
    // that, something is stuck (see the worker log).
    const deadline = Date.now() + 250 * o.secondsPerDay * 1000 + 120_000;
    let lastGoodStatus = Date.now();
    while (result === null && failure === null) {
      await new Promise((r) => setTimeout(r, Math.max(150, Math.min(500, o.secondsPerDay * 250))));
      if (Date.now() > deadline) throw new Error(`the campaign did not close in time (phase ${lastPhase}); see ${o.logHint}`);
      let st: CampaignStatus;
      try {
        st = await campaignStatus(client, campaignId);
        lastGoodStatus = Date.now();
      } catch (err) {
        // The first workflow task may not have run yet; a minute without an answer is a failure.
        if (Date.now() - lastGoodStatus > 45_000) throw new Error(`the campaign does not answer its status query (${(err as Error).message}); see ${o.logHint}`);
        continue;
      }
      // The status's own `today` is the workflow's time at its last activation; the clock is ours.
      const today = driver.today();
      if (st.phase !== lastPhase) {
        lastPhase = st.phase;
        say(`[${today}] phase ${st.phase}`);
        if (st.phase === 'draw' && st.manifest) say(`  manifest ${st.manifest.digest.slice(0, 16)}…: ${st.manifest.units} units, ${st.manifest.inspectors} inspectors, ${st.manifest.pools} pools`);
        if (st.phase === 'inspection' && st.sealed) say(`  ${st.sealed.drawn} units drawn; seed commitment ${st.sealed.seedCommitment.slice(0, 16)}… (the list stays sealed until publication)`);
        if (st.phase === 'inspection' && st.sealed && o.data) say(`  draw-time notice (抽取公告): ${drawNoticeDir(o.data, campaignId)}`);
      }
      await o.onTick?.(st, driver);
      for (const o of st.overdue) {
        if (seenOverdue.has(o)) continue;
        seenOverdue.add(o);
        say(`  [${today}] overdue: ${o}`);
      }
      // Brigades' leaders send their change lists during the update window; one county brigade
      // never does, so the window's reminder and escalation are seen too.
      if (st.phase === 'update-window') {
        for (const b of brigades) {
          if (changeListsDone.has(b.id) || b.id === SILENT_BRIGADE) continue;
          const by = snapshot.people.find((p) => p.department === b.id && p.roles.includes('brigade-leader'));
          if (!by) continue;
          try {
            await submitChangeList(client, campaignId, { brigade: b.id, by: by.id, batchId: b.id === 'brigade-yangshan' ? null : newUnitsBatch });
            changeListsDone.add(b.id);
          } catch {
            // still starting: next tick
          }
        }
      }
      for (const v of st.voidCeremonies.slice(voidsSeen)) {
        say(`  [${today}] ceremony ${v.number} voided at ${v.voidedAt}: ${v.failed.map((f) => `${f.role} ${f.personId}`).join(', ')} did not reveal by ${v.revealBy}; a new ceremony with fresh commitments begins`);
        voidsSeen++;
      }
      if (st.phase === 'draw' && st.ceremony && st.manifest) {
        for (const w of witnessSteps) {
          const key = `${w.ceremony}/${w.role}/${w.action}`;
          // A step waits for its day, for its ceremony, and a reveal for every commitment.
          if (witnessDone.has(key) || today < w.on || st.ceremony.number !== w.ceremony || (w.action === 'reveal' && st.ceremony.revealBy === null)) continue;
          const personId = witnessOf[w.role];
          try {
            if (w.action === 'commit') {
              const secret = { salt: newSalt(), entropy: witnessEntropy(o.seed, w.role, w.ceremony) };
              const ack = await commitWitness(client, campaignId, { role: w.role, personId, commitment: witnessCommitment(st.manifest.digest, w.role, personId, secret.salt, secret.entropy) });
              witnessSecrets.set(`${w.ceremony}/${w.role}`, secret);
              say(`  [${today}] ceremony ${ack.ceremony}: witness ${w.role} ${personId} committed ${ack.commitment.slice(0, 16)}…${today > st.dates.drawDue ? ` (late: the draw was due by ${st.dates.drawDue})` : ''}`);
            } else {
              const secret = witnessSecrets.get(`${w.ceremony}/${w.role}`)!;
              const ack = await revealWitness(client, campaignId, { role: w.role, personId, ...secret });
              say(`  [${today}] ceremony ${ack.ceremony}: witness ${w.role} ${personId} revealed${ack.waitingFor.length ? `; awaiting ${ack.waitingFor.join(', ')} by ${ack.revealBy}` : ''}`);
            }
            witnessDone.add(key);
            driver.tally.messages++;
          } catch (err) {
            say(`  witness ${w.role} (${w.action}): ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`);
          }
        }
      }
      if (st.phase === 'inspection' || st.phase === 'publication') {
        if (!driver.ctx && st.sealed) {
          driver.ctx = {
            seed: o.seed,
            // Two days after the scripted draw (the last witness's reveal), not after the day this
            // loop happened to see the phase change: the same seed then dates every result alike
            // on any machine (check:production compares publications); later only if the draw was late.
            // An escalation date still pending (Q4 before next year's holidays): a week on, for the script only.
            dates: { from: maxDate(addDays(witnessSteps[witnessSteps.length - 1]!.on, 2), addDays(today, 1)), due: st.dates.inspectionDue, escalateAfter: st.dates.escalateAfter ?? addDays(st.dates.inspectionDue, 7) },
            managers: holding('manager'),
            agencies: referralAgencies(snapshot.departments, programme.issuer).map((d) => d.id),
            countyAreas: snapshot.departments.filter((d) => d.kind === 'county-brigade').map((d) => d.jurisdiction!).filter(Boolean),
          };
        }
        if (!allKnown) allKnown = await driver.discover(st);
        driver.tick();
        if (today.slice(0, 7) !== lastReport.slice(0, 7) || today >= addDays(lastReport, 14)) {
          lastReport = today;
          const done = [...driver.units.values()].filter((t) => t.next >= t.script.steps.length).length;
          say(`  [${today}] units done by their teams ${done}/${driver.units.size}; messages sent ${driver.tally.messages}; notices mailed ${o.mailCount()}`);
        }
      }
    }
    await resultP;
    if (failure) throw failure;
    const r = result as unknown as CampaignResult;
    const final = await campaignStatus(client, campaignId);
  return { campaignId, programmeStart: PROGRAMME_START, result: r, final, driver, witnessSecrets };
}
