// Step 4, inspection: who may act on an inspection, the replacements of inspectors and units
// (DRAW-SPEC section 6, appended once per key to the campaign's append-only list), and the team's
// result, handling and internal notes.
import { DrawError } from '../../domain/draw/draw';
import { applyReplacements, proposeReplacement, ReplacementError, type ReplacementRequest } from '../../domain/draw/replacements';
import type { Replacement } from '../../domain/draw/record';
import type { ResultReport } from '../../domain/outcomes';
import { NEEDS_DATA, OPERATOR_ROLES } from '../../domain/parking';
import { referralAgencies } from '../../domain/registry';
import type { ReasonCodes } from '../../domain/programme';
import { refuse } from './refusals';
import type { StepContext } from './context';

/**
 * replacements.json is published as it stands (ssj verify needs it): its `reason` must be a bare
 * code from the programme, never a person's words.
 */
function requireReasonCode(reason: string, unitId: string): void {
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(reason)) {
    throw refuse(`replacement for ${unitId}: reason must be a bare reason code (it is published in replacements.json), got ${JSON.stringify(reason.slice(0, 40))}`, 'ReplacementFailed');
  }
}

export function inspectionActivities(ctx: StepContext) {
  const { deps } = ctx;

  /**
   * Appends the replacement the spec's rules give (once per key), then replays the list so the
   * caller sees the teams as they now stand. No candidate left is a refusal, not a retry.
   */
  async function appendReplacement(
    a: { key: string; campaignId: string; unitId: string; reason: string; approvedBy: string; at: string },
    req: ReplacementRequest,
    what: 'inspector' | 'unit',
  ): Promise<{ entry: Replacement; assignments: ReturnType<typeof applyReplacements>['assignments'] }> {
    const { manifest, record } = await ctx.manifestOf(a.campaignId);
    if (!record) throw refuse(`campaign ${a.campaignId} has no draw record`);
    const store = await ctx.store();
    try {
      const entry = await store.appendReplacement(a.campaignId, a.key, (previous) =>
        proposeReplacement(manifest, record, previous, { ...req, reason: a.reason, approved_by: a.approvedBy, at: a.at }),
      );
      return { entry, assignments: applyReplacements(manifest, record, await store.replacements(a.campaignId)).assignments };
    } catch (err) {
      if (err instanceof ReplacementError || err instanceof DrawError) throw refuse(`no replacement ${what} for ${a.unitId}: ${err.message}`, 'ReplacementFailed');
      throw err;
    }
  }

  return {
    /** Who may act on an inspection: managers, and the department's kind and leaders. */
    async inspectionContext(a: { campaignId: string; department: string }): Promise<{
      managers: string[];
      departmentKind: string;
      departmentName: string;
      agencies: string[];
      /** The programme's reason codes and labels: validators check messages against them. */
      reasons: ReasonCodes;
    }> {
      const roster = await ctx.rosterOf(a.campaignId);
      const dep = roster.departments.find((d) => d.id === a.department);
      return {
        managers: roster.people.filter((p) => p.roles.includes('manager')).map((p) => p.id),
        departmentKind: dep?.kind ?? 'section',
        departmentName: dep?.name ?? a.department,
        agencies: referralAgencies(roster.departments, deps.programme.issuer).map((d) => d.id),
        reasons: deps.programme.reasons,
      };
    },

    /** Who may resume a parked step: the frozen roster's detachment leaders and admins. */
    async operatorsOf(a: { campaignId: string }): Promise<string[]> {
      return (await ctx.rosterOf(a.campaignId)).people.filter((p) => p.roles.some((r) => (OPERATOR_ROLES as readonly string[]).includes(r))).map((p) => p.id);
    },

    /**
     * The leaders in charge (role manager) in the registry as of `asOf`: asked only when the
     * frozen roster has none, so an approval can be decided once the registry names one.
     */
    async managersAsOf(a: { campaignId: string; unitId: string; asOf: string }): Promise<string[]> {
      const managers = (await ctx.rosterAt(a.asOf)).people.filter((p) => p.roles.includes('manager')).map((p) => p.id);
      if (managers.length === 0) {
        throw refuse(
          `unit ${a.unitId}: no leader in charge (role manager) in the registry as of ${a.asOf} to decide the hand-over approval; give a person the role manager in the registry, then resume the inspection`,
          NEEDS_DATA,
        );
      }
      return managers;
    },

    /** DRAW-SPEC section 6, inspector kind: appended once per key. */
    async replaceInspector(a: { key: string; campaignId: string; poolId: string; unitId: string; inspectorId: string; reason: string; approvedBy: string; at: string }): Promise<{
      seq: number;
      replacement: string;
      team: string[];
    }> {
      requireReasonCode(a.reason, a.unitId);
      const { entry, assignments } = await appendReplacement(a, { kind: 'inspector', pool_id: a.poolId, unit_id: a.unitId, inspector_id: a.inspectorId }, 'inspector');
      const team = assignments.find((x) => x.unit_id === a.unitId)?.inspectors ?? [];
      return { seq: entry.seq, replacement: entry.replacement, team: [...team] };
    },

    /** DRAW-SPEC section 6, unit kind. */
    async replaceUnit(a: { key: string; campaignId: string; poolId: string; unitId: string; reason: string; approvedBy: string; at: string }): Promise<{
      seq: number;
      replacement: string;
      team: string[];
      method: 'onsite' | 'offsite';
      /** The replacement's opaque inspection workflow id (deps.keyring). */
      workflowId?: string;
    }> {
      requireReasonCode(a.reason, a.unitId);
      const { entry, assignments } = await appendReplacement(a, { kind: 'unit', pool_id: a.poolId, unit_id: a.unitId }, 'unit');
      const asg = assignments.find((x) => x.unit_id === entry.replacement);
      return {
        seq: entry.seq,
        replacement: entry.replacement,
        team: [...(asg?.inspectors ?? [])],
        method: asg?.method ?? 'onsite',
        ...(deps.keyring ? { workflowId: deps.keyring.inspectionWorkflowId(a.campaignId, entry.replacement) } : {}),
      };
    },

    async recordResult(a: { campaignId: string; unitId: string; report: ResultReport; onTime: boolean; at: string }): Promise<void> {
      await (await ctx.store()).recordResult(a.campaignId, a.unitId, a.report, a.onTime, a.at);
    },

    async recordHandling(a: { campaignId: string; unitId: string; handling: string; detail: unknown }): Promise<void> {
      await (await ctx.store()).setHandling(a.campaignId, a.unitId, a.handling, a.detail);
    },

    /** Keeps a person's internal note beside a reason code, once per key: staff only, never published. */
    async recordNote(a: { key: string; campaignId: string; unitId: string | null; kind: string; reasonCode: string | null; note: string; by: string; at: string }): Promise<void> {
      await (await ctx.store()).recordNote(a);
    },
  };
}
