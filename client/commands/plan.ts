// `ssj plan start|status`: the annual plan (年度计划), filed with the superior office before the
// programme's date (25 January for the 2023 plan).
import type { Command } from 'commander';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { loadProgramme } from '../../activities/programme';
import { annualPlanWorkflowId } from '../../workflows/definitions';
import { annualPlanStatus, startAnnualPlan } from '../temporal';
import { ExitCode, UserError } from '../errors';
import { keyValues, yesNo } from '../format';
import { checkActor, parseYear, settings, withSession } from '../session';

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
      const actor = checkActor(s, o.as, ['admin', 'detachment-leader'], 'file the annual plan');
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
