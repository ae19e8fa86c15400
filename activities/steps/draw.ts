// Step 3, draw: the witnessed draw on the frozen manifest (DRAW-SPEC), its record and ceremonies in
// the campaign store, the draw-time notice, and the batches of inspections it starts.
import { Context as ActivityContext } from '@temporalio/activity';
import type { CeremonyRecord } from '../../domain/ceremonies';
import { runDraw, seedCommitment, DrawError } from '../../domain/draw/draw';
import { DRAW_SPEC_V2, type DrawRecord, type DrawSpec, type RecordWitness } from '../../domain/draw/record';
import type { WitnessEntropy } from '../../domain/messages';
import { heartbeat } from './heartbeat';
import { buildDrawNotice, drawNoticeDir, drawTime, writeDrawNotice, storeDrawNotice } from '../../files/publication/draw-notice';
import { refuse } from './refusals';
import type { StepContext } from './context';

/** A witness as the campaign hands them to the draw: ssj-draw/1 entropy, or an ssj-draw/2 reveal with its commitment. */
export type DrawWitness = WitnessEntropy | { role: WitnessEntropy['role']; personId: string; commitment: string; salt: string; entropy: string };

export interface BatchPlan {
  department: string;
  chunk: number;
  count: number;
}

export interface InspectionSeed {
  unitId: string;
  poolId: string;
  department: string;
  team: string[];
  method: 'onsite' | 'offsite';
  /** The opaque inspection workflow id (deps.keyring). */
  workflowId?: string;
}

/**
 * The record's witness entry for the manifest's spec. A ceremony's reveal on an ssj-draw/1 manifest
 * (or entropy alone on an ssj-draw/2 one) is refused: the campaign and its freeze disagree.
 */
function recordWitness(w: DrawWitness, spec: DrawSpec): RecordWitness {
  const v2 = 'commitment' in w;
  if (v2 !== (spec === DRAW_SPEC_V2)) {
    throw refuse(`witness ${w.role}:${w.personId}: the manifest is ${spec} but the witness came ${v2 ? 'from an ssj-draw/2 ceremony' : 'with ssj-draw/1 entropy'}`, 'DrawFailed');
  }
  return v2
    ? { role: w.role, person_id: w.personId, commitment: w.commitment, salt: w.salt, entropy: w.entropy }
    : { role: w.role, person_id: w.personId, entropy: w.entropy };
}

export function drawActivities(ctx: StepContext) {
  const { deps } = ctx;

  /**
   * The draw-time notice (files/publication/draw-notice.ts) in <dataDir>/notices/<campaignId>.
   * Its time is the draw's: the last reveal of the drawing ceremony, else (ssj-draw/1) when the
   * activity was first scheduled, so a retry computes the same notice.
   */
  async function writeNoticeOf(campaignId: string, record: DrawRecord, ceremony: CeremonyRecord | undefined): Promise<string> {
    const store = await ctx.store();
    const c = await store.requireCampaign(campaignId);
    let scheduledMs = Date.now();
    try {
      scheduledMs = ActivityContext.current().info.scheduledTimestampMs;
    } catch {
      // Called outside an activity (tests): the clock is all there is.
    }
    const voids = (await store.ceremonies(campaignId)).filter((x) => x.outcome === 'void').map((x) => x.ceremony as CeremonyRecord);
    const notice = buildDrawNotice({ workflowId: campaignId, year: c.year, quarter: c.quarter, drawnAt: drawTime(ceremony, scheduledMs), record, voidCeremonies: voids });
    await storeDrawNotice(await ctx.blobs(), campaignId, notice);
    return writeDrawNotice(drawNoticeDir(deps.dataDir, campaignId), notice).dir;
  }

  return {
    /**
     * The witnessed draw (DRAW-SPEC; ssj-draw/2 witnesses carry their commitment, salt and entropy,
     * and `ceremony` is the ceremony that drew, stored for publication). Deterministic: a retry
     * recomputes the same record.
     */
    async drawCampaign(a: { campaignId: string; witnesses: DrawWitness[]; batchSize: number; ceremony?: CeremonyRecord }): Promise<{
      seedCommitment: string;
      manifestDigest: string;
      drawn: number;
      departments: string[];
      batches: BatchPlan[];
    }> {
      const { manifest } = await ctx.manifestOf(a.campaignId);
      heartbeat('manifest read');
      let record: DrawRecord;
      try {
        record = runDraw(manifest, a.witnesses.map((w) => recordWitness(w, manifest.params.spec)));
      } catch (err) {
        if (err instanceof DrawError) throw refuse(`the draw cannot be made: ${err.message}`, 'DrawFailed');
        throw err;
      }
      heartbeat('drawn');
      const commitment = seedCommitment(record.seed);
      const store = await ctx.store();
      await store.setRecord(a.campaignId, record, commitment);
      if (a.ceremony) await store.recordCeremony(a.campaignId, 'drawn', a.ceremony);
      await writeNoticeOf(a.campaignId, record, a.ceremony);
      const perDept = new Map<string, number>();
      const deptOfPool = new Map(record.pools.map((p) => [p.pool_id, p.department]));
      for (const x of record.assignments) {
        const d = deptOfPool.get(x.pool_id)!;
        perDept.set(d, (perDept.get(d) ?? 0) + 1);
      }
      const batches: BatchPlan[] = [];
      for (const [department, n] of [...perDept].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
        for (let chunk = 0; chunk * a.batchSize < n; chunk++) batches.push({ department, chunk, count: Math.min(a.batchSize, n - chunk * a.batchSize) });
      }
      return { seedCommitment: commitment, manifestDigest: record.manifest_digest, drawn: record.assignments.length, departments: [...perDept.keys()].sort(), batches };
    },

    /** Keeps a voided ssj-draw/2 ceremony (commitments, who failed, when) for publication. */
    async recordCeremony(a: { campaignId: string; ceremony: CeremonyRecord; outcome: 'void' | 'drawn' }): Promise<void> {
      const store = await ctx.store();
      await store.requireCampaign(a.campaignId);
      await store.recordCeremony(a.campaignId, a.outcome, a.ceremony);
    },

    /** The inspections of one batch: the department's assignments in walk order, one chunk. */
    async loadBatch(a: { campaignId: string; department: string; chunk: number; batchSize: number }): Promise<InspectionSeed[]> {
      const c = await (await ctx.store()).requireCampaign(a.campaignId);
      if (!c.record) throw refuse(`campaign ${a.campaignId} has no draw record`);
      const deptOfPool = new Map(c.record.pools.map((p) => [p.pool_id, p.department]));
      const mine = c.record.assignments.filter((x) => deptOfPool.get(x.pool_id) === a.department);
      return mine.slice(a.chunk * a.batchSize, (a.chunk + 1) * a.batchSize).map((x) => ({
        unitId: x.unit_id,
        poolId: x.pool_id,
        department: a.department,
        team: [...x.inspectors],
        method: x.method,
        ...(deps.keyring ? { workflowId: deps.keyring.inspectionWorkflowId(a.campaignId, x.unit_id) } : {}),
      }));
    },
  };
}
