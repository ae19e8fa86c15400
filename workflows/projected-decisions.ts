// The managers' pending and taken decisions on one inspection (an inspector's recusal, replacing a
// unit reported closed), kept only for the console's projection: each one becomes an approval
// task that opens when asked and closes with who decided and when. Plain state, no commands.

export type DecisionKind = 'recusal' | 'replacement';

export interface ProjectedDecision {
  kind: DecisionKind;
  /** The workflow's own counter for the request (declaration or closure number). */
  n: number;
  /** The inspector stepping aside (recusal); null for a unit replacement. */
  inspectorId: string | null;
  requestedBy: string;
  reasonCode: string;
  /** 'YYYY-MM-DD' (programme date) of the request. */
  on: string;
  /** The last day to decide it (request-approval-limits); absent in older histories. */
  due?: string;
  decision: { decision: string; by: string; at: string } | null;
}

export class ProjectedDecisions {
  private readonly items: ProjectedDecision[] = [];

  requested(d: Omit<ProjectedDecision, 'decision'>): void {
    this.items.push({ ...d, decision: null });
  }

  decided(kind: DecisionKind, n: number, decision: { decision: string; by: string; at: string }): void {
    const item = this.items.find((i) => i.kind === kind && i.n === n);
    if (item) item.decision = { ...decision };
  }

  /** A copy for the projector's snapshot. */
  list(): ProjectedDecision[] {
    return this.items.map((i) => ({ ...i, decision: i.decision ? { ...i.decision } : null }));
  }
}
