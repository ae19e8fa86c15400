// Parking: a step an activity refuses for data (typed, non-retryable: NeedsData, CampaignRefused,
// ...) waits instead of failing a months-long workflow. The workflow shows phase `parked` with the
// refusal's reason, operations get one alert per parking, and the Update `resumeParkedStep` (from
// a detachment leader or an admin of the frozen roster) retries the step once the data is fixed;
// still wrong, it parks again.
import { ActivityFailure, ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import { firstIssue } from '../domain/messages';
import { OPERATOR_ROLES, resumeParkedStepSchema, type ResumeParkedStep } from '../domain/parking';
import { acts, reject } from './common';
import { resumeParkedStepUpdate, type ParkedStep } from './definitions';
import type { NoticeArgs } from './notice-queue';

export interface ParkingHost {
  campaignId: string;
  workflowId: string;
  /** The inspection's unit; absent on the campaign. */
  unitId?: string;
  /** Programme instant now (ISO). */
  nowIso(): string;
  /** Shows the parking: phase `parked` and its search attribute. */
  onPark(p: ParkedStep): void;
  /** Back to the phase the step belongs to. */
  onResume(): void;
  /** Queues a notice (best-effort, sent from the workflow's notice coroutine). */
  notify(n: NoticeArgs): void;
  /** How an operator resumes this workflow, for the alert and the status. */
  resumeHow: string;
}

/** The refusal behind an activity's failure, when it is one: a step that needs data parks on it. */
export function refusalOf(err: unknown): ApplicationFailure | null {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : null;
}

export class Parking {
  private current: ParkedStep | null = null;
  private resumed: ResumeParkedStep | null = null;
  private parkings = 0;

  /** Registers `resumeParkedStep`; its validator refuses it while nothing is parked. */
  constructor(private readonly host: ParkingHost) {
    setHandler(
      resumeParkedStepUpdate,
      (msg) => {
        const r = resumeParkedStepSchema.parse(msg);
        const p = this.current!;
        this.resumed = r;
        return { step: p.step, resumedBy: r.by, parkedSince: p.since };
      },
      { validator: (msg) => this.validate(msg) },
    );
  }

  get parked(): ParkedStep | null {
    return this.current ? { ...this.current, operators: [...this.current.operators] } : null;
  }

  /** What the status's waitingOn says while parked. */
  waitingOn(): string[] {
    const p = this.current;
    return p ? [`operations: ${p.step} parked: ${p.reason}; once fixed: ${this.host.resumeHow} (${p.operators.join(', ') || 'no detachment-leader or admin in the roster'})`] : [];
  }

  /** Runs `step`; an activity refusal parks it until resumed, then it runs again. */
  async run<T>(step: string, fn: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        const refusal = refusalOf(err);
        if (!refusal) throw err;
        await this.park(step, refusal);
      }
    }
  }

  /**
   * Parks `step` on a refusal the workflow itself made (not an activity's) until an operator
   * resumes it (true) or, sooner, `moot()` holds: the step is no longer needed (false).
   */
  hold(step: string, refusal: ApplicationFailure, moot: () => boolean = () => false): Promise<boolean> {
    return this.park(step, refusal, moot);
  }

  private async park(step: string, refusal: ApplicationFailure, moot: () => boolean = () => false): Promise<boolean> {
    const { campaignId, workflowId, unitId } = this.host;
    const n = ++this.parkings;
    const operators = await acts.operatorsOf({ campaignId });
    const since = this.host.nowIso();
    this.current = { step, reason: refusal.message, failureType: refusal.type ?? 'Error', since, operators };
    this.host.onPark(this.parked!);
    this.host.notify({
      key: `${workflowId}/parked/${n}`,
      campaignId,
      kind: 'step-parked',
      to: { roles: [...OPERATOR_ROLES] },
      params: { workflowId, step, reason: refusal.message, since, resumeHow: this.host.resumeHow, ...(unitId ? { unitId } : {}) },
      ...(unitId ? { unitId } : {}),
      at: since,
    });
    await condition(() => this.resumed !== null || moot());
    if (this.resumed === null) {
      this.current = null;
      this.host.onResume();
      return false;
    }
    const by = this.resumed;
    this.resumed = null;
    this.current = null;
    // Who resumed, and the note on what was fixed, stay in the campaign store (internal).
    await acts.recordNote({ key: `${workflowId}/parked/${n}/resumed`, campaignId, unitId: unitId ?? null, kind: 'step-resumed', reasonCode: null, note: by.note, by: by.by, at: this.host.nowIso() });
    this.host.onResume();
    return true;
  }

  private validate(msg: unknown): void {
    const p = resumeParkedStepSchema.safeParse(msg);
    if (!p.success) reject(`resumeParkedStep: ${firstIssue(p.error)}`);
    const where = this.host.unitId ? `the inspection of ${this.host.unitId}` : `campaign ${this.host.campaignId}`;
    if (!this.current) reject(`resumeParkedStep: nothing is parked in ${where}`);
    if (this.resumed) reject(`resumeParkedStep: ${this.current.step} is already being resumed by ${this.resumed.by}`);
    if (!this.current.operators.includes(p.data.by)) {
      reject(`resumeParkedStep: ${p.data.by} may not resume a parked step: only a detachment leader or an admin of the frozen roster may (${this.current.operators.join(', ') || 'none in the roster'})`);
    }
  }
}
