// The demo's simulated people (domain/simulation.ts): reproducible from the seed, every required
// path given to a unit that can play it, and steps dated on the right side of each deadline.
import { describe, expect, it } from 'vitest';
import { assignScenarios, fits, REQUIRED, scenarios, scriptFor, witnessEntropy, type SimContext, type SimInspection } from '../domain/simulation';
import { loadProgramme } from '../config/programme';
import { reasonCodeProblem, type ReasonKind } from '../domain/programme';
import { entropySchema } from '../domain/messages';

const ctx: SimContext = {
  seed: 'test-seed',
  dates: { from: '2023-01-14', due: '2023-03-31', escalateAfter: '2023-04-06' },
  managers: ['M1', 'M2'],
  agencies: ['agency-market'],
  countyAreas: ['xixian', 'gushi'],
};

function inspections(): SimInspection[] {
  const out: SimInspection[] = [];
  for (let i = 0; i < 30; i++) out.push({ unitId: `G${String(i).padStart(3, '0')}`, poolId: 'general.brigade-shihe', department: 'brigade-shihe', departmentKind: 'direct-brigade', jurisdiction: 'shihe' });
  for (let i = 0; i < 6; i++) out.push({ unitId: `KC${i}`, poolId: 'key.section-1', department: 'section-1', departmentKind: 'section', jurisdiction: i % 2 ? 'xixian' : 'gushi' });
  for (let i = 0; i < 6; i++) out.push({ unitId: `KD${i}`, poolId: 'key.section-2', department: 'section-2', departmentKind: 'section', jurisdiction: 'pingqiao' });
  return out;
}

describe('simulated people', () => {
  it('give every required path to a unit that fits it, the same way for the same seed', () => {
    const xs = inspections();
    const a = assignScenarios(xs, ctx);
    // The order the driver learns the units in does not matter.
    expect(new Map([...assignScenarios([...xs].reverse(), ctx)])).toEqual(a);
    const counts = new Map<string, number>();
    for (const s of a.values()) counts.set(s, (counts.get(s) ?? 0) + 1);
    for (const s of new Set(REQUIRED)) expect(counts.get(s) ?? 0, s).toBeGreaterThanOrEqual(REQUIRED.filter((r) => r === s).length);
    for (const x of xs) expect(fits(a.get(x.unitId)!, x, ctx), `${x.unitId} ${a.get(x.unitId)}`).toBe(true);
    const county = xs.find((x) => a.get(x.unitId) === 'handover-county')!;
    expect(ctx.countyAreas).toContain(county.jurisdiction);
    expect(assignScenarios(xs, { ...ctx, seed: 'other' })).not.toEqual(a);
  });

  it('date steps on the right side of the time limit and the escalation', () => {
    const x = inspections()[0]!;
    const onTime = scriptFor(x, 'on-time', ctx);
    expect(onTime.steps).toHaveLength(1);
    expect(onTime.steps[0]!.on >= ctx.dates.from && onTime.steps[0]!.on <= '2023-03-29').toBe(true);
    const late = scriptFor(x, 'late', ctx).steps[0]!.on;
    expect(late > ctx.dates.due && late < ctx.dates.escalateAfter).toBe(true);
    expect(scriptFor(x, 'escalated', ctx).steps[0]!.on > ctx.dates.escalateAfter).toBe(true);
    const closed = scriptFor(x, 'closed', ctx).steps.map((s) => s.action.kind);
    expect(closed).toEqual(['unit-closed', 'replacement-decision']);
    const recusal = scriptFor(x, 'recusal', ctx).steps;
    // The inspector declares, the leader in charge decides, then the new team reports.
    expect(recusal.map((s) => s.action.kind)).toEqual(['recuse', 'recusal-decision', 'report']);
    expect(recusal[1]!.on > recusal[0]!.on && recusal[2]!.on > recusal[1]!.on).toBe(true);
    expect(recusal[1]!.action).toMatchObject({ kind: 'recusal-decision', decision: 'approve' });
    expect(ctx.managers).toContain((recusal[1]!.action as { by: string }).by);
    const referral = scriptFor(x, 'referral', ctx).steps[0]!.action;
    expect(referral).toMatchObject({ kind: 'report', result: { outcome: 'problems-found', referTo: 'agency-market' } });
    const rejected = scriptFor(inspections()[31]!, 'handover-rejected', ctx).steps[1]!.action;
    expect(rejected).toMatchObject({ kind: 'handover-decision', decision: 'reject' });
    expect(rejected.kind === 'handover-decision' && rejected.reasonCode !== null && rejected.note.length > 0).toBe(true);
    expect(scriptFor(x, 'late', ctx)).toEqual(scriptFor(x, 'late', ctx));
  });

  it("send only reason codes of the shipped programme, with notes beside them", () => {
    const reasons = loadProgramme().reasons;
    const xs = inspections();
    const used: [ReasonKind, string | null][] = [];
    for (const s of scenarios) {
      for (const step of scriptFor(s === 'handover-rejected' || s.startsWith('handover') ? xs[31]! : xs[0]!, s, ctx).steps) {
        const a = step.action;
        if (a.kind === 'recuse') used.push(['recusal', a.reasonCode]);
        if (a.kind === 'unit-closed') used.push(['unitClosed', a.reasonCode]);
        if (a.kind === 'report' && a.result.outcome === 'could-not-inspect') used.push(['couldNotInspect', a.result.reasonCode]);
        if ((a.kind === 'handover-decision' || a.kind === 'replacement-decision' || a.kind === 'recusal-decision') && a.decision === 'reject') used.push(['rejection', a.reasonCode]);
      }
    }
    expect(used.map(([k]) => k).sort()).toEqual(['couldNotInspect', 'recusal', 'rejection', 'unitClosed']);
    for (const [kind, code] of used) expect(reasonCodeProblem(reasons, kind, code ?? '(none)'), `${kind} ${code}`).toBeNull();
  });

  it('witnesses type valid entropy, different per role', () => {
    const a = witnessEntropy('s', 'admin');
    expect(entropySchema.safeParse(a).success).toBe(true);
    expect(witnessEntropy('s', 'discipline')).not.toBe(a);
    expect(witnessEntropy('s', 'admin')).toBe(a);
  });
});
