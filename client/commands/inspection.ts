// The inspection of one drawn unit from the command line: its status, the team's result, a recusal,
// a unit found closed, and the manager's decisions on a replacement and on handing findings over.
// 单个抽查对象：查看状态、提交检查结果、回避、对象已关闭、替换审批、移交审批。
import { Argument, Command, Option } from 'commander';
import { WorkflowNotFoundError } from '@temporalio/client';
import {
  resultReportInputSchema,
  recusalDecisionSchema,
  recusalSchema,
  unitClosedReportSchema,
  handoverDecisionSchema,
  unitReplacementDecisionSchema,
  decisions,
  type Decision,
} from '../../domain/messages';
import { loadProgramme } from '../../config/programme';
import { PENDING_DEADLINE_TEXT } from '../../domain/calendar';
import { reasonCodeProblem, type ReasonKind } from '../../domain/programme';
import type { ResultReport } from '../../domain/outcomes';
import { idSchema } from '../../domain/registry';
import {
  declareRecusal,
  decideHandover,
  decideRecusal,
  decideUnitReplacement,
  inspectionStatus,
  inspectionWorkflowIdFor,
  listInspectionUnits,
  reportUnitClosed,
  submitResult,
} from '../temporal';
import type { InspectionStatus } from '../../workflows/definitions';
import { ExitCode, UserError } from '../errors';
import { keyValues, table, yesNo } from '../format';
import { checkActor, parseDateFlag, parseWith, resolveCampaignId, settings, withSession, type CampaignFlags } from '../session';
import { campaignOptions } from './quarter';
import { formatParked, formatResumed, resumeInspection } from './resume';
import { OPERATOR_ROLES, resumeParkedStepSchema } from '../../domain/parking';

const RESULTS = ['no-problem', 'problems-found', 'could-not-inspect'] as const;

function checkUnit(unit: string): string {
  const r = idSchema.safeParse(unit);
  if (!r.success) throw new UserError(`UNIT ${JSON.stringify(unit)}: ${r.error.issues[0]?.message ?? 'not a unit id'}`);
  return unit;
}

/** Runs `fn` against the unit's inspection; a unit with no inspection workflow is refused with a hint. */
async function onUnit<T>(flags: CampaignFlags, unit: string, fn: (client: Parameters<typeof inspectionStatus>[0], campaignId: string) => Promise<T>): Promise<T> {
  return withSession(async ({ client }) => {
    const campaignId = await resolveCampaignId(client, flags);
    try {
      return await fn(client, campaignId);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) {
        throw new UserError(
          `unit ${unit} has no inspection in ${campaignId} (${inspectionWorkflowIdFor(client, campaignId, unit)} not found): it was not drawn, or the id is wrong`,
          ExitCode.refused,
          'the team named in your notice has the unit id; managers can list them with: ssj inspection list',
        );
      }
      throw err;
    }
  });
}

/**
 * Checks `--reason CODE` against the programme's list before anything is sent (the workflow checks
 * it again). Without a readable programme file, the workflow's check is the only one.
 */
function checkReasonCode(kind: ReasonKind, code: string | undefined, flag = '--reason'): void {
  if (code === undefined) return;
  let reasons;
  try {
    reasons = loadProgramme().reasons;
  } catch {
    return;
  }
  const problem = reasonCodeProblem(reasons, kind, code);
  if (problem) throw new UserError(`${flag}: ${problem}`, ExitCode.badInput, 'the note (--note) is where the details go; it is kept internally and never published');
}

const NOTE_HELP = 'internal note: the details in your words (kept in the campaign store for staff, never published)';

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(/[,，\s]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

export function register(program: Command): void {
  const inspection = program.command('inspection').description('the inspection of one drawn unit (抽查任务)');

  campaignOptions(inspection.command('status').description("one unit's inspection: team, phase, due date, result, documents (任务状态)"))
    .argument('<unit>', 'the unit id (unified social credit code or local code)')
    .option('--json', 'print as JSON')
    .action(async (unit: string, o: CampaignFlags & { json?: boolean }) => {
      checkUnit(unit);
      await onUnit(o, unit, async (client, campaignId) => {
        const st = await inspectionStatus(client, campaignId, unit);
        process.stdout.write((o.json ? JSON.stringify(st, null, 2) : formatInspectionStatus(st)) + '\n');
      });
    });

  campaignOptions(
    inspection
      .command('resume')
      .description('retry a step parked for data (e.g. no brigade covers the unit\'s area), once the registry is fixed (恢复暂停的步骤)')
      .argument('<unit>', 'the unit id')
      .requiredOption('--as <person>', 'a detachment leader or an admin (支队长、系统管理员)')
      .option('--note <text>', `what was fixed: ${NOTE_HELP}`),
  ).action(async (unit: string, o: CampaignFlags & { as: string; note?: string }) => {
    checkUnit(unit);
    const msg = parseWith(resumeParkedStepSchema, { by: o.as, note: o.note ?? '' }, 'resumeParkedStep', { by: '--as', note: '--note' });
    await checkActor(settings(), o.as, OPERATOR_ROLES, 'resume a parked step');
    await onUnit(o, unit, async (client, campaignId) => {
      process.stdout.write(formatResumed(unit, await resumeInspection(client, campaignId, unit, msg)) + '\n');
    });
  });

  campaignOptions(inspection.command('list').description("the quarter's inspections, optionally in one phase, e.g. handover-approval (任务列表)"))
    .option('--phase <phase>', 'notify, inspection, handover-approval, handover, parked, done or replaced')
    .action(async (o: CampaignFlags & { phase?: string }) => {
      if (o.phase !== undefined && !/^[a-z-]+$/.test(o.phase)) throw new UserError(`--phase must be a phase name such as handover-approval, got ${JSON.stringify(o.phase)}`);
      await withSession(async ({ client }) => {
        const campaignId = await resolveCampaignId(client, o);
        const units = await listInspectionUnits(client, campaignId, o.phase);
        process.stdout.write((units.length ? units.map((u) => u.unitId).join('\n') : '(none)') + '\n');
      });
    });

  campaignOptions(
    program
      .command('report')
      .description("the team submits the inspection's result (提交检查结果)")
      .argument('<unit>', 'the unit id')
      .requiredOption('--as <person>', 'a member of the team (person id)')
      .requiredOption('--present <ids>', 'inspectors present, comma-separated, at least two, all on the team')
      .requiredOption('--checked-on <date>', 'date of the check, YYYY-MM-DD')
      .addOption(new Option('--result <result>', 'no-problem (未发现问题), problems-found (发现问题) or could-not-inspect (无法检查)').choices([...RESULTS]).makeOptionMandatory())
      .option('--description <text>', 'problems-found: what was found')
      .option('--refer-to <agency>', 'problems-found outside environmental law: the agency to refer to (移送), a department id such as agency-market')
      .option('--reason <code>', 'could-not-inspect: a reason code of the programme (reasons.couldNotInspect), e.g. suspended')
      .option('--note <text>', `could-not-inspect: ${NOTE_HELP}`)
      .option('--evidence <refs>', 'references to evidence kept elsewhere (record numbers, photos), comma-separated'),
  ).action(
    async (
      unit: string,
      o: CampaignFlags & {
        as: string;
        present: string;
        checkedOn: string;
        result: (typeof RESULTS)[number];
        description?: string;
        referTo?: string;
        reason?: string;
        note?: string;
        evidence?: string;
      },
    ) => {
      checkUnit(unit);
      parseDateFlag('--checked-on', o.checkedOn);
      if (o.result !== 'problems-found' && (o.description !== undefined || o.referTo !== undefined)) {
        throw new UserError('--description and --refer-to go with --result problems-found');
      }
      if (o.result !== 'could-not-inspect' && (o.reason !== undefined || o.note !== undefined)) throw new UserError('--reason and --note go with --result could-not-inspect');
      if (o.result === 'could-not-inspect' && o.reason === undefined) throw new UserError('--result could-not-inspect needs --reason CODE (and a --note for the details)');
      checkReasonCode('couldNotInspect', o.reason);
      const result =
        o.result === 'no-problem'
          ? { outcome: 'no-problem' }
          : o.result === 'problems-found'
            ? { outcome: 'problems-found', description: o.description ?? '', referTo: o.referTo ?? null }
            : { outcome: 'could-not-inspect', reasonCode: o.reason, note: o.note ?? '' };
      const report: ResultReport = parseWith(
        resultReportInputSchema,
        { by: o.as, present: list(o.present), checkedOn: o.checkedOn, result, evidence: list(o.evidence) },
        'submitResult',
        { by: '--as', present: '--present', checkedOn: '--checked-on', 'result.description': '--description', 'result.reasonCode': '--reason', 'result.note': '--note', 'result.referTo': '--refer-to', evidence: '--evidence' },
      );
      const s = settings();
      await checkActor(s, o.as, ['inspector'], 'report an inspection result');
      await onUnit(o, unit, async (client, campaignId) => {
        const ack = await submitResult(client, campaignId, unit, report);
        process.stdout.write(`result recorded for ${ack.unitId}: ${ack.outcome}; on time: ${yesNo(ack.onTime)}; next: ${NEXT[ack.next] ?? ack.next}\n`);
      });
    },
  );

  campaignOptions(
    program
      .command('recuse')
      .description(
        "an inspector declares a conflict of interest with a unit (回避); the leader in charge decides (ssj recusal approve|reject), then a replacement is drawn by the published rule. A manager recording a team member's recusal decides it at once.",
      )
      .argument('<unit>', 'the unit id')
      .requiredOption('--as <person>', 'the inspector themself, or a manager')
      .requiredOption('--inspector <id>', 'the team member who steps aside')
      .requiredOption('--reason <code>', 'a recusal reason code of the programme (reasons.recusal), e.g. kinship, financial-interest')
      .option('--note <text>', NOTE_HELP),
  ).action(async (unit: string, o: CampaignFlags & { as: string; inspector: string; reason: string; note?: string }) => {
    checkUnit(unit);
    const msg = parseWith(recusalSchema, { by: o.as, inspectorId: o.inspector, reasonCode: o.reason, note: o.note ?? '' }, 'declareRecusal', {
      by: '--as',
      inspectorId: '--inspector',
      reasonCode: '--reason',
      note: '--note',
    });
    checkReasonCode('recusal', o.reason);
    const actor = await checkActor(settings(), o.as, ['inspector', 'manager'], 'declare a recusal');
    if (actor.id !== o.inspector && !actor.roles.includes('manager')) {
      throw new UserError(`--as ${actor.id} may declare a recusal only for themself (--inspector ${actor.id}); a manager may record one for someone else`, ExitCode.refused);
    }
    await onUnit(o, unit, async (client, campaignId) => {
      const ack = await declareRecusal(client, campaignId, unit, msg);
      if (ack.status === 'pending') {
        process.stdout.write(`recusal of ${ack.inspectorId} from ${ack.unitId} (${ack.reasonCode}) awaits a decision by the leader in charge: ${ack.awaitingDecisionFrom.join(', ')}; no result can be submitted meanwhile\n`);
      } else {
        process.stdout.write(`${ack.left} steps aside from ${ack.unitId}, approved by ${ack.approvedBy}; replacement ${ack.replacement} (replacements list entry ${ack.seq}); team now ${ack.team.join(', ')}\n`);
      }
    });
  });

  campaignOptions(
    program
      .command('recusal')
      .description("the leader in charge approves or rejects an inspector's recusal (回避审批); approved, a replacement is drawn by the published rule")
      .addArgument(new Argument('<decision>', 'approve or reject').choices([...decisions]))
      .argument('<unit>', 'the unit id')
      .requiredOption('--as <person>', 'a manager (分管领导), not the inspector themself')
      .requiredOption('--inspector <id>', 'the inspector whose recusal is decided')
      .option('--reason <code>', 'to reject: a rejection reason code of the programme (reasons.rejection), e.g. no-conflict')
      .option('--note <text>', NOTE_HELP),
  ).action(async (d: Decision, unit: string, o: CampaignFlags & { as: string; inspector: string; reason?: string; note?: string }) => {
    checkUnit(unit);
    const msg = parseWith(
      recusalDecisionSchema,
      { by: o.as, inspectorId: o.inspector, decision: d, reasonCode: o.reason ?? null, note: o.note ?? '' },
      'decideRecusal',
      { by: '--as', inspectorId: '--inspector', reasonCode: '--reason', note: '--note' },
    );
    checkReasonCode('rejection', o.reason);
    await checkActor(settings(), o.as, ['manager'], 'decide on a recusal');
    await onUnit(o, unit, async (client, campaignId) => {
      const ack = await decideRecusal(client, campaignId, unit, msg);
      if (ack.status === 'approved') {
        process.stdout.write(`approved by ${ack.approvedBy}: ${ack.left} steps aside from ${ack.unitId}; replacement ${ack.replacement} (replacements list entry ${ack.seq}); team now ${ack.team.join(', ')}\n`);
      } else {
        process.stdout.write(`rejected by ${ack.decidedBy} (${ack.reasonCode}): ${ack.inspectorId} stays on the team of ${ack.unitId}\n`);
      }
    });
  });

  campaignOptions(
    program
      .command('unit-closed')
      .description('report the drawn unit closed, banned or gone (对象已关停); a manager then decides on a replacement')
      .argument('<unit>', 'the unit id')
      .requiredOption('--as <person>', 'a team member or a manager')
      .requiredOption('--reason <code>', 'a unit-closed reason code of the programme (reasons.unitClosed), e.g. closed, shut-down, not-found')
      .option('--note <text>', NOTE_HELP),
  ).action(async (unit: string, o: CampaignFlags & { as: string; reason: string; note?: string }) => {
    checkUnit(unit);
    const msg = parseWith(unitClosedReportSchema, { by: o.as, reasonCode: o.reason, note: o.note ?? '' }, 'reportUnitClosed', {
      by: '--as',
      reasonCode: '--reason',
      note: '--note',
    });
    checkReasonCode('unitClosed', o.reason);
    await checkActor(settings(), o.as, ['inspector', 'manager'], 'report a unit closed');
    await onUnit(o, unit, async (client, campaignId) => {
      const ack = await reportUnitClosed(client, campaignId, unit, msg);
      process.stdout.write(`${ack.unitId} reported closed (${ack.reasonCode}) by ${ack.reportedBy}; awaiting a decision from: ${ack.awaitingDecisionFrom.join(', ')}\n`);
    });
  });

  const decision = (name: string, what: string, zh: string) =>
    campaignOptions(
      program
        .command(name)
        .description(`a manager approves or rejects ${what} (${zh})`)
        .addArgument(new Argument('<decision>', 'approve or reject').choices([...decisions]))
        .argument('<unit>', 'the unit id')
        .requiredOption('--as <person>', 'a manager (分管领导)')
        .option('--reason <code>', 'to reject: a rejection reason code of the programme (reasons.rejection)')
        .option('--note <text>', NOTE_HELP),
    );

  decision('replacement', 'replacing a unit reported closed', '替换审批').action(async (d: Decision, unit: string, o: CampaignFlags & { as: string; reason?: string; note?: string }) => {
    checkUnit(unit);
    const msg = parseWith(unitReplacementDecisionSchema, { by: o.as, decision: d, reasonCode: o.reason ?? null, note: o.note ?? '' }, 'decideUnitReplacement', {
      by: '--as',
      reasonCode: '--reason',
      note: '--note',
    });
    checkReasonCode('rejection', o.reason);
    await checkActor(settings(), o.as, ['manager'], 'decide on a unit replacement');
    await onUnit(o, unit, async (client, campaignId) => {
      const ack = await decideUnitReplacement(client, campaignId, unit, msg);
      if (ack.decision === 'approve') {
        process.stdout.write(`approved: ${ack.unitId} is replaced by ${ack.replacement} (replacements list entry ${ack.seq}); team ${ack.team.join(', ')}; workflow ${ack.workflowId}\n`);
      } else {
        process.stdout.write(`rejected: ${ack.unitId} stays on the list (${ack.reasonCode}); the team inspects it\n`);
      }
    });
  });

  decision('handover', "handing a section's findings to the brigade of the unit's area, or referring them", '移交审批').action(
    async (d: Decision, unit: string, o: CampaignFlags & { as: string; reason?: string; note?: string }) => {
      checkUnit(unit);
      const msg = parseWith(handoverDecisionSchema, { by: o.as, decision: d, reasonCode: o.reason ?? null, note: o.note ?? '' }, 'decideHandover', {
        by: '--as',
        reasonCode: '--reason',
        note: '--note',
      });
      checkReasonCode('rejection', o.reason);
      await checkActor(settings(), o.as, ['manager'], 'decide on a hand-over');
      await onUnit(o, unit, async (client, campaignId) => {
        const ack = await decideHandover(client, campaignId, unit, msg);
        const docs = ack.documents.map((x) => `${DOC[x.kind] ?? x.kind} ${x.number} to ${x.to}`).join('; ');
        const handling = ack.handling ?? `the document is being issued (see: ssj inspection status ${ack.unitId})`;
        process.stdout.write(`${ack.decision === 'approve' ? 'approved' : 'rejected'}: ${ack.unitId} → ${handling}${docs ? ` (${docs})` : ''}\n`);
      });
    },
  );
}

const NEXT: Record<string, string> = {
  none: 'nothing more (no problem found)',
  'own-case': "the brigade's own case handling",
  'awaiting-approval': 'the leader in charge decides on the hand-over (ssj handover approve|reject)',
  referral: 'a referral letter (移送) goes to the agency',
  'not-inspected': 'recorded as not inspected',
};
const DOC: Record<string, string> = { 'supervision-notice': '监察通知', 'transfer-form': '移交表', referral: '移送函' };

export function formatInspectionStatus(st: InspectionStatus): string {
  return [
    keyValues([
      ['unit', st.unitId],
      ['replaces', st.replaces],
      ['workflow', st.workflowId],
      ['department', `${st.department} (pool ${st.poolId})`],
      ['team', st.team.join(', ')],
      ['method', st.method === 'offsite' ? 'off-site (正面清单: remote sensing, drones, outfall sampling)' : 'on-site'],
      ['phase', st.phase],
      ['status as of', `programme day ${st.today} (the workflow's last step)`],
      ['due', `${st.due} (escalated after ${st.escalateAfter ?? PENDING_DEADLINE_TEXT})`],
      ['reminders sent', st.remindersSent],
      ['overdue', yesNo(st.overdue)],
      ['escalated', yesNo(st.escalated)],
      ['result', st.result ? `${st.result.outcome} by ${st.result.by}, checked on ${st.result.checkedOn}, on time: ${yesNo(st.result.onTime)}` : 'not yet'],
      ['handling', st.handling],
      ['closed report', st.closedReport ? `by ${st.closedReport.by}: ${st.closedReport.reasonCode}${st.closedReport.note ? ` (internal note: ${st.closedReport.note})` : ''}` : null],
      [
        'recusals awaiting a decision',
        st.pendingRecusals?.length
          ? st.pendingRecusals.map((p) => `${p.inspectorId} (${p.reasonCode}, declared by ${p.by} on ${p.on}${p.note ? `; internal note: ${p.note}` : ''})`).join('; ')
          : null,
      ],
      ['replaced by', st.replacedBy],
      ['parked', formatParked(st.parked)],
    ]),
    st.documents.length ? 'documents\n' + table(['kind', 'number', 'to'], st.documents.map((d) => [`${d.kind} ${DOC[d.kind] ?? ''}`.trim(), d.number, d.to])) : '',
    `waiting on\n${st.waitingOn.length ? st.waitingOn.map((w) => `  ${w}`).join('\n') : '  nobody'}`,
  ]
    .filter(Boolean)
    .join('\n\n');
}
