// `ssj plan start|schedule|status`: the annual plan (年度计划), filed with the superior office
// before the programme's date (25 January for the 2023 plan), and the Schedules that start each
// quarter's campaign.
import type { Command } from 'commander';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { loadProgramme } from '../../config/programme';
import { annualPlanWorkflowId } from '../../workflows/definitions';
import { annualPlanStatus, scheduleQuarterCampaigns, startAnnualPlan, updateWindowOpens } from '../temporal';
import { ExitCode, UserError } from '../errors';
import { keyValues, table, yesNo } from '../format';
import { checkActor, parseQuarter, parseYear, settings, withSession } from '../session';
import { beijingDate } from '../../domain/calendar';
import type { Quarter } from '../../domain/programme';

export function register(program: Command): void {
  const plan = program.command('plan').description('the annual plan filed with the superior office (年度抽查计划备案)');

  plan
    .command('start')
    .description("file the year's plan (Annex 1 check items, Annex 2 quarterly draw plan) with the superior office")
    .requiredOption('--year <year>', 'the programme year, e.g. 2023')
    .requiredOption('--as <person>', 'a system administrator or the detachment leader (person id)')
    .action(async (o: { year: string; as: string }) => {
      const year = parseYear(o.year);
      const s = settings();
      const programme = loadProgramme();
      if (programme.year !== year) throw new UserError(`--year ${year}: the programme ${programme.id} is for ${programme.year}`, ExitCode.badInput);
      const actor = await checkActor(s, o.as, ['admin', 'detachment-leader'], 'file the annual plan');
      await withSession(async ({ client }) => {
        try {
          const h = await startAnnualPlan(client, { programmeId: programme.id, year }, { taskQueue: s.temporal.taskQueue });
          process.stdout.write(`started ${h.workflowId} (by ${actor.id} ${actor.name}); see it with: ssj plan status --year ${year}\n`);
        } catch (err) {
          if (err instanceof WorkflowExecutionAlreadyStartedError) {
            throw new UserError(`${annualPlanWorkflowId(programme.id, year)} was already started; the plan is filed once a year`, ExitCode.refused, `see it with: ssj plan status --year ${year}`);
          }
          throw err;
        }
      });
    });

  plan
    .command('schedule')
    .description("create the year's quarterly Schedules: each starts its quarter's campaign at 08:00 Beijing as the update window opens (季度抽查定时启动)")
    .requiredOption('--year <year>', 'the programme year, e.g. 2023')
    .requiredOption('--as <person>', 'a system administrator or the detachment leader (person id)')
    .option('--quarters <list>', 'only these quarters, e.g. 2,3,4 (default: all four)')
    .option('--rehearsal <secondsPerDay>', 'training installations: each campaign runs on a rehearsal clock (the worker must allow it: SSJ_ALLOW_REHEARSAL_CLOCK)')
    .addHelpText('after', '\nSchedules already there are left as they are. A campaign a Schedule starts has the scheduled time in its\nworkflow id; --year/--quarter find it all the same.\n')
    .action(async (o: { year: string; as: string; quarters?: string; rehearsal?: string }) => {
      const year = parseYear(o.year);
      const s = settings();
      const programme = loadProgramme();
      if (programme.year !== year) throw new UserError(`--year ${year}: the programme ${programme.id} is for ${programme.year}`, ExitCode.badInput);
      const quarters = o.quarters === undefined ? ([1, 2, 3, 4] as Quarter[]) : [...new Set(o.quarters.split(',').map((q) => parseQuarter(q.trim())))].sort();
      let rehearsal: { secondsPerDay: number } | undefined;
      if (o.rehearsal !== undefined) {
        const spd = Number(o.rehearsal);
        if (!Number.isFinite(spd) || spd <= 0 || spd > 86_400) throw new UserError(`--rehearsal must be seconds per programme day, more than 0 and at most 86400, got ${JSON.stringify(o.rehearsal)}`);
        rehearsal = { secondsPerDay: spd };
      }
      const actor = await checkActor(s, o.as, ['admin', 'detachment-leader'], 'schedule the quarters');
      await withSession(async ({ client }) => {
        const ids = await scheduleQuarterCampaigns(client, { programmeId: programme.id, year, quarters, taskQueue: s.temporal.taskQueue, ...(rehearsal ? { rehearsal } : {}) });
        const today = beijingDate(Date.now());
        const rows = quarters.map((q, i) => {
          const opens = updateWindowOpens(year, q);
          return [ids[i]!, `Q${q}`, `${opens} 08:00`, opens < today ? 'in the past: it will not fire by itself (temporal schedule trigger --schedule-id ID)' : ''];
        });
        process.stdout.write(
          `quarterly schedules of ${programme.id} (by ${actor.id} ${actor.name}${rehearsal ? `; rehearsal: 1 programme day = ${rehearsal.secondsPerDay} s` : ''}):\n` +
            table(['schedule', 'quarter', 'starts (Beijing)', 'note'], rows) +
            '\n',
        );
      });
    });

  plan
    .command('status')
    .description('whether the annual plan was filed, its number, and whether on time')
    .requiredOption('--year <year>', 'the programme year')
    .option('--json', 'print as JSON')
    .action(async (o: { year: string; json?: boolean }) => {
      const year = parseYear(o.year);
      const programme = loadProgramme();
      await withSession(async ({ client }) => {
        const st = await annualPlanStatus(client, programme.id, year);
        if (o.json) {
          process.stdout.write(JSON.stringify(st, null, 2) + '\n');
          return;
        }
        process.stdout.write(
          keyValues([
            ['plan', annualPlanWorkflowId(programme.id, year)],
            ['phase', st.phase],
            ['due', st.due],
            ['number', st.filed?.number],
            ['filed on', st.filed?.on],
            ['on time', st.filed ? yesNo(!st.filed.late) : null],
          ]) + '\n',
        );
      });
    });
}
