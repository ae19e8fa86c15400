// `ssj quarter start|status|list`, `ssj witness`, `ssj changes submit`, `ssj publish`: running one
// quarter of the programme (one campaign workflow) from the command line.
// 季度抽查：启动、查看状态、列出；见证人（./witness.ts）；大队提交变更清单；查看公示。
import { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { addDays, PENDING_DEADLINE_TEXT, quarterStart } from '../../domain/calendar';
import { changeListSubmissionSchema } from '../../domain/messages';
import { CHANGE_LIST_KINDS, isChangeListKind } from '../../files/registry/templates';
import { loadProgramme } from '../../config/programme';
import type { RuntimeSettings } from '../../config/runtime';
import { CampaignAmbiguousError, CampaignNotFoundError, campaignStatus, findCampaign, listInspections, startCampaign, submitChangeList } from '../temporal';
import { campaignNoticeProblems, type NoticeProblem, type RefusedRecipient } from '../../mail/problems';
import { OPERATOR_ROLES, resumeParkedStepSchema } from '../../domain/parking';
import { formatParked, formatResumed, resumeCampaign } from './resume';
import { registerWitness } from './witness';
import { campaignWorkflowId, WORKFLOW_TYPES, type CampaignInput, type CampaignStatus } from '../../workflows/definitions';
import { SsjPhase, SsjQuarter, SsjYear } from '../../workflows/search-attributes';
import { ExitCode, UserError } from '../errors';
import { bar, keyValues, table, yesNo } from '../format';
import {
  checkActor,
  openCliRegistry,
  registryStoreSettings,
  parseDateFlag,
  parseQuarter,
  parseWith,
  parseYear,
  resolveCampaignId,
  settings,
  withSession,
  type CampaignFlags,
} from '../session';

/**
 * The key of the batch `given` (its key, or its number in `ssj registry batches`): one the registry
 * holds, of a kind a brigade hands in; never a made-up key, nor the city's whole registry.
 */
async function changeListBatchKey(s: RuntimeSettings, given: string): Promise<string> {
  const registry = await openCliRegistry(registryStoreSettings(s), true, ', so --batch cannot be checked');
  try {
    const b = /^\d{1,9}$/.test(given) ? (await registry.batches()).find((x) => x.id === Number(given)) : await registry.findBatch(given);
    const kinds = CHANGE_LIST_KINDS.join(', ');
    if (!b) throw new UserError(`--batch ${given}: no such batch in the registry ${registry.description}`, ExitCode.badInput, 'list the imported batches with: ssj registry batches');
    if (!isChangeListKind(b.kind)) {
      throw new UserError(`--batch ${given}: a ${b.kind} batch is not a change list; a change list is a batch of kind ${kinds}`, ExitCode.badInput, 'import the brigade\'s list first (ssj registry import --kind new-units|closed-units|personnel-changes FILE)');
    }
    return b.key;
  } finally {
    await registry.close();
  }
}

/** Adds `--campaign`, `--year`, `--quarter` (any may be left out when one quarter is running). */
export function campaignOptions(cmd: Command): Command {
  return cmd
    .option('--year <year>', 'the programme year, e.g. 2023 (年度)')
    .option('--quarter <q>', 'quarter 1-4 (季度)')
    .option('--campaign <id>', 'the campaign workflow id, e.g. campaign-xinyang-2023-2023q1 (default: from --year/--quarter, or the only running quarter)');
}

export function register(program: Command): void {
  const quarter = program.command('quarter').description("one quarter's campaign: start, status, list (季度抽查)");

  quarter
    .command('start')
    .description('start the quarter: update window, freeze, witnessed draw, inspections, publication (启动季度抽查)')
    .requiredOption('--year <year>', 'the programme year, e.g. 2023')
    .requiredOption('--quarter <q>', 'quarter 1-4')
    .requiredOption('--as <person>', 'who starts it: a system administrator, manager or detachment leader (person id)')
    .option('--rehearsal [secondsPerDay]', 'rehearsal: one programme day lasts this many seconds (演练模式); alone: the programme\'s rehearsal.secondsPerDay')
    .option('--from <date>', 'rehearsal: the programme date the start stands for (default: 3 days before the quarter starts)')
    .option('--batch-size <n>', 'inspections per batch workflow (default 250, at most 500)')
    .addHelpText(
      'after',
      '\nExamples:\n  ssj quarter start --year 2023 --quarter 1 --as P0004\n  ssj quarter start --year 2023 --quarter 1 --as P0004 --rehearsal 2   # a quarter in about 4 minutes\n',
    )
    .action(async (o: { year: string; quarter: string; as: string; rehearsal?: string | true; from?: string; batchSize?: string }) => {
      const year = parseYear(o.year);
      const q = parseQuarter(o.quarter);
      const s = settings();
      const programme = loadProgramme();
      if (programme.year !== year) {
        throw new UserError(`--year ${year}: the programme ${programme.id} (config/programme.json) is for ${programme.year}`, ExitCode.badInput, 'use that year, or point $SSJ_PROGRAMME at the programme of this year');
      }
      const input: CampaignInput = { programmeId: programme.id, year, quarter: q };
      if (o.rehearsal !== undefined) {
        const spd = o.rehearsal === true ? programme.rehearsal.secondsPerDay : Number(o.rehearsal);
        if (!Number.isFinite(spd) || spd <= 0 || spd > 86_400) throw new UserError(`--rehearsal must be seconds per programme day, more than 0 and at most 86400, got ${JSON.stringify(o.rehearsal)}`);
        const from = o.from === undefined ? addDays(quarterStart(year, q), -3) : parseDateFlag('--from', o.from);
        input.clock = { mode: 'rehearsal', programmeStart: from, secondsPerDay: spd };
      } else if (o.from !== undefined) {
        throw new UserError('--from is for rehearsals only (with --rehearsal SECONDS_PER_DAY)');
      }
      if (o.batchSize !== undefined) {
        const n = Number(o.batchSize);
        if (!Number.isInteger(n) || n < 1 || n > 500) throw new UserError(`--batch-size must be a whole number 1 to 500, got ${JSON.stringify(o.batchSize)}`);
        input.batchSize = n;
      }
      const actor = await checkActor(s, o.as, ['admin', 'detachment-leader', 'manager'], 'start a quarter');
      await withSession(async ({ client }) => {
        // A quarter its Schedule started has another workflow id, which Temporal's id rule would not
        // stop: say so here. The campaign store refuses such a second campaign anyway, before any draw.
        const existing = await findCampaign(client, { programmeId: programme.id, year, quarter: q }, { dataDir: s.dataDir }).catch((err: unknown) => {
          if (err instanceof CampaignNotFoundError) return null;
          if (err instanceof CampaignAmbiguousError) return { workflowId: err.candidates.map((c) => c.workflowId).join(', ') };
          throw err;
        });
        if (existing) {
          throw new UserError(`${existing.workflowId} was already started; a quarter runs once`, ExitCode.refused, `see it with: ssj quarter status --year ${year} --quarter ${q}`);
        }
        try {
          const h = await startCampaign(client, input, { taskQueue: s.temporal.taskQueue });
          process.stdout.write(
            `started ${h.workflowId} (by ${actor.id} ${actor.name})${input.clock?.mode === 'rehearsal' ? `, rehearsal: 1 programme day = ${input.clock.secondsPerDay} s from ${input.clock.programmeStart}` : ''}\n` +
              `follow it with: ssj quarter status --year ${year} --quarter ${q}\n`,
          );
        } catch (err) {
          if (err instanceof WorkflowExecutionAlreadyStartedError) {
            throw new UserError(`${campaignWorkflowId(programme.id, year, q)} was already started; a quarter runs once`, ExitCode.refused, `see it with: ssj quarter status --year ${year} --quarter ${q}`);
          }
          throw err;
        }
      });
    });

  campaignOptions(quarter.command('status').description("the quarter's phase, counts, what is overdue and who is awaited (季度进度)"))
    .option('--id <id>', 'the campaign workflow id (same as --campaign)')
    .option('--json', 'print the status as JSON')
    .action(async (o: CampaignFlags & { id?: string; json?: boolean }) => {
      await withSession(async ({ client, settings: s }) => {
        const id = await resolveCampaignId(client, { ...o, campaign: o.campaign ?? o.id });
        const st = await campaignStatus(client, id);
        // Notices are best-effort: the ones that missed someone are recorded in the shared store.
        const problems = await campaignNoticeProblems({ dataDir: s.dataDir, databaseUrl: s.databaseUrl }, id);
        const parkedInspections = await listInspections(client, id, 'parked');
        process.stdout.write(
          (o.json ? JSON.stringify({ ...st, parkedInspections, noticeProblems: problems }, null, 2) : formatCampaignStatus(st, { problems, parkedInspections })) + '\n',
        );
      });
    });

  campaignOptions(
    quarter
      .command('resume')
      .description("retry the quarter's step parked for data (e.g. a refused publication input), once the data is fixed (恢复暂停的步骤)")
      .requiredOption('--as <person>', 'a detachment leader or an admin (支队长、系统管理员)')
      .option('--note <text>', 'what was fixed (internal note, never published)'),
  ).action(async (o: CampaignFlags & { as: string; note?: string }) => {
    const msg = parseWith(resumeParkedStepSchema, { by: o.as, note: o.note ?? '' }, 'resumeParkedStep', { by: '--as', note: '--note' });
    await checkActor(settings(), o.as, OPERATOR_ROLES, 'resume a parked step');
    await withSession(async ({ client }) => {
      const id = await resolveCampaignId(client, o);
      process.stdout.write(formatResumed(id, await resumeCampaign(client, id, msg)) + '\n');
    });
  });

  quarter
    .command('list')
    .description('every quarter (campaign) Temporal knows, by visibility (所有季度)')
    .option('--year <year>', 'only this year')
    .option('--phase <phase>', 'only campaigns in this phase (update-window, freeze, draw, inspection, publication, closed)')
    .action(async (o: { year?: string; phase?: string }) => {
      const parts = [`WorkflowType = '${WORKFLOW_TYPES.campaign}'`];
      if (o.year !== undefined) parts.push(`SsjYear = ${parseYear(o.year)}`);
      if (o.phase !== undefined) {
        if (!/^[a-z-]+$/.test(o.phase)) throw new UserError(`--phase must be a phase name such as draw, got ${JSON.stringify(o.phase)}`);
        parts.push(`SsjPhase = '${o.phase}'`);
      }
      await withSession(async ({ client }) => {
        const rows: string[][] = [];
        for await (const wf of client.workflow.list({ query: parts.join(' AND ') })) {
          const sa = wf.typedSearchAttributes;
          rows.push([
            wf.workflowId,
            String(sa.get(SsjYear) ?? ''),
            String(sa.get(SsjQuarter) ?? ''),
            String(sa.get(SsjPhase) ?? ''),
            wf.status.name.toLowerCase(),
            wf.startTime.toISOString().slice(0, 19).replace('T', ' '),
          ]);
        }
        rows.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
        process.stdout.write(table(['campaign', 'year', 'quarter', 'phase', 'status', 'started (UTC)'], rows, { empty: 'no quarters found' }) + '\n');
      });
    });

  registerWitness(program);

  const changes = program.command('changes').description("the brigades' quarter-end registry change lists (变更清单)");
  campaignOptions(
    changes
      .command('submit')
      .description("a brigade says its change list is in (the batch imported with `ssj registry import`), or that it has none")
      .argument('<brigade>', 'the brigade (department id), e.g. brigade-shihe')
      .requiredOption('--as <person>', 'a person of that brigade')
      .option('--batch <key>', 'the imported registry batch: its key or its number (ssj registry batches)')
      .option('--none', 'no changes this quarter'),
  ).action(async (brigade: string, o: CampaignFlags & { as: string; batch?: string; none?: boolean }) => {
    if ((o.batch === undefined) === (o.none !== true)) throw new UserError('give exactly one of --batch KEY or --none');
    const s = settings();
    const actor = await checkActor(s, o.as, ['brigade-leader', 'inspector', 'manager'], `submit the change list of ${brigade}`);
    if (actor.department !== brigade) {
      throw new UserError(`--as ${actor.id} (${actor.name}) belongs to ${actor.department}, not ${brigade}`, ExitCode.refused, `a person of ${brigade} submits its list`);
    }
    const batchId = o.batch === undefined ? null : await changeListBatchKey(s, o.batch);
    const msg = parseWith(changeListSubmissionSchema, { brigade, by: o.as, batchId }, 'submitChangeList', { brigade: 'BRIGADE', by: '--as', batchId: '--batch' });
    await withSession(async ({ client }) => {
      const id = await resolveCampaignId(client, o);
      const ack = await submitChangeList(client, id, msg);
      process.stdout.write(`change list of ${ack.brigade} recorded on ${ack.on} (${ack.batchId ?? 'no changes'})\n${ack.waitingFor.length ? `still awaited: ${ack.waitingFor.join(', ')}` : 'every brigade has submitted'}\n`);
    });
  });

  campaignOptions(program.command('publish').description("where the quarter's disclosure package is, and whether it was on time (公示)"))
    .option('--json', 'print as JSON')
    .action(async (o: CampaignFlags & { json?: boolean }) => {
      await withSession(async ({ client }) => {
        const id = await resolveCampaignId(client, o);
        const st = await campaignStatus(client, id);
        if (o.json) {
          process.stdout.write(JSON.stringify({ campaignId: id, phase: st.phase, due: st.dates.publicationDue, publication: st.publication }, null, 2) + '\n');
          return;
        }
        if (!st.publication) {
          process.stdout.write(
            keyValues([
              ['campaign', id],
              ['phase', st.phase],
              ['published', 'not yet: the package is written once every inspection has ended'],
              ['due', st.dates.publicationDue ?? PENDING_DEADLINE_TEXT],
              ['inspections', st.phase === 'inspection' ? bar(st.inspections.finished, st.inspections.total) : null],
            ]) + '\n',
          );
          return;
        }
        const p = st.publication;
        const files = fs.existsSync(p.location) ? fs.readdirSync(p.location).sort() : [];
        process.stdout.write(
          keyValues([
            ['campaign', id],
            ['published on', p.publishedOn],
            ['due', st.dates.publicationDue ?? PENDING_DEADLINE_TEXT],
            ['on time', yesNo(!p.late)],
            ['location', p.location],
            ['files', files.length ? files.join(', ') : '(the folder is not on this machine)'],
          ]) + '\n' +
            (fs.existsSync(path.join(p.location, 'manifest'))
              ? `anyone can check the draw: ssj verify --manifest ${path.join(p.location, 'manifest')} --record ${path.join(p.location, 'draw-record.json')} --replacements ${path.join(p.location, 'replacements.json')}\n`
              : ''),
        );
      });
    });
}

/** What `quarter status` adds to the workflow's status: notice problems and parked inspections. */
export interface StatusExtras {
  problems?: NoticeProblem[];
  /** Inspection workflow ids in phase parked (visibility). */
  parkedInspections?: string[];
}

export function formatCampaignStatus(st: CampaignStatus, extras: StatusExtras = {}): string {
  const problems = extras.problems ?? [];
  const parkedInspections = extras.parkedInspections ?? [];
  const head = keyValues([
    ['campaign', st.campaignId],
    ['phase', st.phase],
    ['parked', formatParked(st.parked)],
    ['parked inspections', parkedInspections.length ? `${parkedInspections.length} (see them with: ssj inspection list --phase parked; resume each with: ssj inspection resume UNIT)` : null],
    ['notice problems', problems.length ? `${problems.length} notice(s) did not reach everyone (below)` : null],
    ['status as of', `programme day ${st.today} (the workflow's last step)`],
    ['window closes', st.dates.windowCloses],
    ['draw due', st.dates.drawDue],
    ['inspections due', `${st.dates.inspectionDue} (escalated after ${st.dates.escalateAfter ?? PENDING_DEADLINE_TEXT})`],
    ['publication due', st.dates.publicationDue ?? PENDING_DEADLINE_TEXT],
    ['manifest', st.manifest ? `${st.manifest.digest} (${st.manifest.units} units, ${st.manifest.inspectors} inspectors, ${st.manifest.pools} pools)` : 'not frozen yet'],
    ['draw spec', st.drawSpec],
    ['witnesses', st.witnesses.length ? st.witnesses.map((w) => `${w.role} ${w.personId}`).join(', ') : 'none yet'],
    ['ceremony', st.ceremony ? `${st.ceremony.number}${st.ceremony.revealBy ? `, reveals due by ${st.ceremony.revealBy}` : ', awaiting commitments'}` : null],
    ['void ceremonies', st.voidCeremonies.length ? st.voidCeremonies.map((v) => `${v.number} (voided ${v.voidedAt}: ${v.failed.map((f) => `${f.role} ${f.personId} ${f.reason}`).join(', ')})`).join('; ') : null],
    ['sealed', st.sealed ? `${st.sealed.drawn} drawn; seed commitment ${st.sealed.seedCommitment}` : null],
    ['inspections', st.inspections.total ? `${bar(st.inspections.finished, st.inspections.total)} finished (${st.inspections.batches} batches)` : null],
    [
      'failed batches',
      st.failedBatches?.length ? st.failedBatches.map((f) => `batch ${f.batchNo} (${f.department}, ${f.units} units counted failed, not inspected): ${f.reason}`).join('; ') : null,
    ],
    ['publication', st.publication ? `${st.publication.location} on ${st.publication.publishedOn}${st.publication.late ? ' (LATE)' : ''}` : null],
  ]);
  const parts = [head];
  if (st.updateWindow.submitted.length) {
    parts.push(
      'change lists\n' + table(['brigade', 'by', 'batch', 'on'], st.updateWindow.submitted.map((x) => [x.brigade, x.by, x.batchId ?? '(none)', x.on])),
    );
  }
  if (st.ceremony?.witnesses.length) {
    parts.push(
      `ceremony ${st.ceremony.number} (commitments are public; salts and entropy stay with the witnesses until the reveal)\n` +
        table(['role', 'witness', 'commitment', 'committed', 'revealed'], st.ceremony.witnesses.map((w) => [w.role, w.personId, w.commitment, w.committedAt, w.revealedAt ?? 'not yet'])),
    );
  }
  if (st.stats) {
    const x = st.stats;
    parts.push(
      'counts\n' +
        table(
          ['drawn', 'inspected', 'on time', 'overdue', 'escalated', 'findings', 'own cases', 'handed over', 'rejected', 'referred', 'not inspected', 'units replaced', 'inspectors replaced'],
          [[x.drawn, x.inspected, x.onTime, x.overdue, x.escalated, x.findings, x.ownCases, x.handedOver, x.handoverRejected, x.referred, x.notInspected, x.replacedUnits, x.replacedInspectors].map(String)],
          { right: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] },
        ),
    );
  }
  if (problems.length) {
    parts.push(
      'notice problems (fix the registry entries named; operations were alerted)\n' +
        table(
          ['at', 'notice', 'unit', 'status', 'not reached', 'why', 'operations alerted'],
          problems.flatMap((p) =>
            (p.refused.length ? p.refused : [null]).map((r) => [
              p.at,
              p.kind,
              p.unitId ?? '-',
              p.status,
              r ? recipientName(r) : '-',
              r ? `${r.code}: ${r.reason}` : '-',
              p.alert ? `${p.alert.status}${p.alert.sentTo.length ? ` (${p.alert.sentTo.join(', ')})` : ''}` : 'not yet',
            ]),
          ),
        ),
    );
  }
  parts.push(`overdue\n${st.overdue.length ? st.overdue.map((o) => `  ${o}`).join('\n') : '  nothing'}`);
  parts.push(`waiting on\n${st.waitingOn.length ? st.waitingOn.map((w) => `  ${w}`).join('\n') : '  nobody'}`);
  return parts.join('\n\n');
}

/** Who a notice missed, as a clerk finds them in the registry. */
function recipientName(r: RefusedRecipient): string {
  const who = r.person ? `${r.person.name} (${r.person.id})` : r.department ? `${r.department.name} (${r.department.id})` : r.role ? `role ${r.role}` : '';
  return [who, r.address ? `<${r.address}>` : ''].filter(Boolean).join(' ') || '(unknown)';
}
